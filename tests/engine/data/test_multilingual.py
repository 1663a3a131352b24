"""Catalogues in any language: scripts, the encoder a catalogue gets, the packaged
multilingual encoder, and neighbours across languages (engine.data.multilingual).

The data is made here: hand-written texts, vectors drawn by the tests, and small shops
from the generator (a Chinese one and a bilingual one), read through the real import path.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from engine.core.errors import DataError
from engine.core.progress import Task
from engine.data.append import append_interactions
from engine.data.dataset import History
from engine.data.encoder import ItemTextVectors
from engine.data.importer import read_catalogue, read_interactions
from engine.data.multilingual import (ENGLISH, MULTILINGUAL, MultilingualEncoder, align,
                                      check_encoder_spec, fit_alignment, latin_share,
                                      resolve_encoder, text_script)
from engine.data.preprocess import build_dataset
from engine.data.bilingual_shop import bilingual
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.models import make_model
from engine.models.serialize import model_from_bytes, model_to_bytes


# ----------------------------------------------------------------------------------------
# Scripts and the encoder ``auto`` picks
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, script", [
    ("Toy Story (1995). Animation, Children's, Comedy", "latin"),
    ("Lumière's crème brûlée kit, 3 pièces", "latin"),
    ("提亮浓香水（含摩洛哥坚果油），10毫升", "cjk"),
    ("USB-C扩展坞，七合一", "cjk"),  # Latin letters in a Chinese title
    ("Toy Story (1995). 01-Jan-1995. 动画, 儿童, 喜剧", "cjk"),  # genres written in Chinese
    ("Dead Man Walking (1995). 01-Jan-1995. 剧情", "cjk"),  # one Chinese word is Chinese text
    ("Zen and the 禅 of archery", "latin"),  # one character in an English sentence is not
    ("ワイヤレスイヤホン", "cjk"),
    ("Беспроводные наушники", "other"),
    ("2023-01-01, 42", ""),
    ("", ""),
])
def test_a_texts_script_comes_from_its_letters(text, script):
    assert text_script(text) == script


def test_auto_keeps_the_english_model_for_latin_text_only():
    english = ["Wireless headphones, 30-hour battery", "A cookbook of one hundred recipes"] * 10
    chinese = ["无线降噪耳机，续航30小时", "收录一百道菜谱的烹饪书"] * 10
    assert latin_share(english) == 1.0 and latin_share(chinese) == 0.0
    assert latin_share(["", "123"]) == 1.0  # no letters: nothing against English
    assert resolve_encoder(None, english)[0] == ENGLISH
    assert resolve_encoder("auto", chinese) == (MULTILINGUAL, "auto: 100% of the item texts "
                                                              "are not in Latin script")
    assert resolve_encoder(None, english + chinese[:1])[0] == ENGLISH  # 1 in 21: under 5%
    assert resolve_encoder(None, english + chinese[:4])[0] == MULTILINGUAL
    assert resolve_encoder(None, None)[0] == ENGLISH
    assert resolve_encoder("minilm", chinese) == ("minilm", "chosen")  # a name is obeyed


def test_an_encoder_that_is_neither_a_name_nor_a_folder_is_refused(tmp_path):
    for spec in (None, "auto", "minilm", "multilingual", str(tmp_path)):
        check_encoder_spec(spec)
    with pytest.raises(DataError, match="text encoder folder not found: give a "
                                        "transformers model folder or one of auto, "
                                        "minilm, multilingual"):
        check_encoder_spec(str(tmp_path / "no-such-folder"))


# ----------------------------------------------------------------------------------------
# The packaged multilingual encoder
# ----------------------------------------------------------------------------------------

def test_the_multilingual_encoder_puts_translations_together_and_caches(tmp_path):
    texts = ["a red frying pan", "一口红色的平底煎锅", "a mystery novel", "一本悬疑小说"]
    encoder = MultilingualEncoder(cache_dir=tmp_path)
    assert not encoder.loaded and encoder.dimension == 512
    vectors = encoder.encode(texts)
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 3] + 0.3  # the pan's translation, not the novel
    assert similarity[2, 3] > similarity[2, 1] + 0.3
    again = MultilingualEncoder(cache_dir=tmp_path)
    np.testing.assert_array_equal(again.encode(texts[::-1]), vectors[::-1])
    assert again.encoded_last == 0 and not again.loaded  # all from the disk cache


# ----------------------------------------------------------------------------------------
# Alignment on vectors drawn here
# ----------------------------------------------------------------------------------------

def _two_languages(n: int = 300, d: int = 24, seed: int = 0):
    """n products as two languages would encode them: the second language's vector is
    the first one's turned a little, pushed by an offset every text of it shares, plus
    noise; the offset makes every product's nearest neighbour one of its own language."""
    rng = np.random.default_rng(seed)
    meaning = rng.normal(size=(n, d))
    skew = rng.normal(size=(d, d))
    turn = expm(0.1 * (skew - skew.T))  # a rotation near the identity
    first = meaning + 3.0 * rng.normal(size=d)
    second = meaning @ turn + 3.0 * rng.normal(size=d) + 0.2 * rng.normal(size=(n, d))
    vectors = np.vstack([first, second]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scripts = np.array(["latin"] * n + ["cjk"] * n, dtype=object)
    return vectors, scripts


def _twin_hits(vectors: np.ndarray, n: int) -> float:
    """Share of products whose nearest item of the other language is their twin."""
    return float(((vectors[n:] @ vectors[:n].T).argmax(axis=1) == np.arange(n)).mean())


def _other_language_first(vectors: np.ndarray, n: int) -> float:
    """Share of the second language's items whose nearest item is of the other language."""
    similarity = vectors[n:] @ vectors.T
    similarity[np.arange(n), np.arange(n, 2 * n)] = -np.inf  # not the item itself
    return float((similarity.argmax(axis=1) < n).mean())


def test_alignment_centres_each_language_and_rotates_it_onto_the_other():
    vectors, scripts = _two_languages()
    assert _other_language_first(vectors, 300) < 0.05  # the language offset wins
    alignment = fit_alignment(vectors, scripts)
    assert set(alignment["centre"]) == {"latin", "cjk"}
    assert list(alignment["map"]) == ["cjk"]  # onto the largest (here: the first by name)
    rotation = alignment["map"]["cjk"]
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(24), atol=1e-4)
    aligned = align(vectors, scripts, alignment)
    np.testing.assert_allclose(np.linalg.norm(aligned, axis=1), 1.0, atol=1e-5)
    assert _twin_hits(aligned, 300) > 0.95
    assert _other_language_first(aligned, 300) > 0.9  # the twin is now the nearest item
    centred_only = align(vectors, scripts, {"centre": alignment["centre"], "map": {}})
    assert _twin_hits(aligned, 300) > _twin_hits(centred_only, 300)


def test_one_language_is_left_as_the_encoder_gave_it():
    vectors, scripts = _two_languages()
    latin = scripts == "latin"
    assert fit_alignment(vectors[latin], scripts[latin]) == {}
    assert align(vectors, scripts, {}) is vectors
    few = scripts.copy()
    few[305:] = "latin"  # five Chinese items are not a language of the catalogue yet
    assert fit_alignment(vectors, few) == {}
    alignment = fit_alignment(vectors, scripts)
    other = np.array(["other"] * len(scripts), dtype=object)  # a script the fit never saw
    np.testing.assert_array_equal(align(vectors, other, alignment), vectors)


# ----------------------------------------------------------------------------------------
# The semantic profile on generated Chinese and bilingual shops
# ----------------------------------------------------------------------------------------

def _read(shop, folder):
    interactions, items = write_csv(shop, folder)
    return read_interactions(interactions), read_catalogue(items)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("embedding-cache"))


@pytest.fixture(scope="module")
def chinese_dataset(tmp_path_factory):
    shop = generate(ShopConfig(n_users=40, n_items=280, seed=2, language="zh"))
    table, catalogue = _read(shop, tmp_path_factory.mktemp("zh-shop"))
    return build_dataset(table, catalogue)


@pytest.fixture(scope="module")
def two_languages(tmp_path_factory):
    both = bilingual(ShopConfig(n_users=120, n_items=280, seed=2))
    table, catalogue = _read(both.shop, tmp_path_factory.mktemp("bilingual-shop"))
    return both, table, catalogue, build_dataset(table, catalogue)


def test_a_chinese_catalogue_gets_the_multilingual_encoder_and_the_log_says_so(
        chinese_dataset, cache):
    statuses: list[str] = []
    task = Task(listeners=[lambda t: statuses.append(t.status)])
    model = make_model("semantic", device="cpu", cache_dir=cache)
    model.fit(chinese_dataset.history(), chinese_dataset, task)
    assert model.item_vectors.shape == (chinese_dataset.n_items, 512)
    assert model._alignment == {}  # one language: the encoder's vectors as they are
    said = "\n".join(statuses)
    assert "the multilingual Universal Sentence Encoder (auto: 100% of the item texts are " \
           "not in Latin script)" in said
    # the sequential model's text initialisation takes the same automatic choice
    assert ItemTextVectors(cache_dir=cache)(chinese_dataset).shape == (chinese_dataset.n_items,
                                                                       512)
    # a category's items are each other's neighbours, in Chinese
    categories = chinese_dataset.genres
    vectors = model.item_vectors
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = similarity.argmax(axis=1)
    assert np.mean([categories[i] == categories[j] for i, j in enumerate(nearest)]) > 0.9


def test_twins_are_nearest_across_languages_and_lists_cross_them(two_languages, cache):
    both, _, _, dataset = two_languages
    statuses: list[str] = []
    task = Task(listeners=[lambda t: statuses.append(t.status)])
    model = make_model("semantic", device="cpu", cache_dir=cache, prior=0.0)
    model.fit(dataset.history(), dataset, task)
    assert any("aligning the scripts cjk, latin" in s for s in statuses)
    rows = np.array([dataset.item_index[i] for i in both.shop.items["item_id"]])
    n = len(rows) // 2
    vectors = model.item_vectors[rows]  # English products, then their Chinese twins
    assert _twin_hits(vectors, n) >= 0.8
    assert _twin_hits(vectors[::-1], n) >= 0.8  # and the other way round
    unaligned = make_model("semantic", device="cpu", cache_dir=cache, prior=0.0, align=False)
    unaligned.fit(dataset.history(), dataset)
    # every user's history in English (each product they took, in English), and their last
    # product held out, once in English and once in Chinese
    english = np.array([dataset.item_index[i.removesuffix("-zh")] for i in dataset.item_ids])
    chinese = {dataset.item_index[i.removesuffix("-zh")]: dataset.item_index[i]
               for i in dataset.item_ids if i.endswith("-zh")}
    history = dataset.history()
    user = np.repeat(np.arange(dataset.n_users), np.diff(history.indptr))
    items = english[history.items]
    last = history.indptr[1:] - 1
    known = np.ones(len(items), dtype=bool)
    known[last] = False
    before = History.build(user[known], items[known], history.weights[known],
                           history.timestamps[known], dataset.n_users, dataset.n_items)
    same, other = items[last], np.array([chinese[i] for i in items[last]])

    def reciprocal_rank(m, targets: np.ndarray) -> float:
        scores = m.score(np.arange(dataset.n_users), before)
        scores[before.matrix.nonzero()] = -np.inf
        rank = (scores > scores[np.arange(len(targets)), targets][:, None]).sum(axis=1)
        return float(np.mean(1.0 / (rank + 1)))

    # without the alignment the language decides; with it the other language's product
    # is found about as well as the same language's
    assert reciprocal_rank(unaligned, other) < 0.5 * reciprocal_rank(unaligned, same)
    assert reciprocal_rank(model, other) >= 0.7 * reciprocal_rank(model, same)


def test_the_choice_and_alignment_are_stored_and_new_items_join_the_space(
        two_languages, cache):
    _, table, catalogue, _ = two_languages
    frame = table.frame
    new = frame["item"].str.endswith("-zh") & (frame["item"].str[1:6].astype(int) % 5 == 0)
    early_table = type(table)(table.path, frame[~new], table.report, table.has_timestamps)
    known = catalogue.frame["item"].isin(set(frame["item"][~new]))
    early = build_dataset(early_table, type(catalogue)(catalogue.path, catalogue.frame[known],
                                                        catalogue.report))
    # the items added later are marked new, so no cache has their texts yet
    marked = catalogue.frame["title"] + np.where(catalogue.frame["item"].str.endswith("-zh"),
                                                 "（新款）", " (new)")
    later = catalogue.frame.assign(title=catalogue.frame["title"].where(known, marked))
    late = frame[new]
    grown = append_interactions(early, late["user"], late["item"], late["rating"] / 5.0,
                                late["timestamp"],
                                catalogue=type(catalogue)(catalogue.path, later, catalogue.report))
    model = make_model("semantic", device="cpu", cache_dir=cache)
    model.fit(early.history(), early)
    restored = model_from_bytes(model_to_bytes(model))
    assert restored._chosen == MULTILINGUAL and set(restored._alignment["centre"]) == {
        "latin", "cjk"}
    users = np.arange(early.n_users)
    np.testing.assert_array_equal(restored.score(users, early.history()),
                                  model.score(users, early.history()))
    restored.update(grown.history(), grown)
    added = np.arange(early.n_items, grown.n_items)
    assert restored.text_encoder.encoded_last == len(added) > 50  # the new items only
    # the new items land where a fit on the grown catalogue puts them: centred and
    # rotated like the old ones (the refit's alignment differs only by the new items)
    refit = make_model("semantic", device="cpu", cache_dir=cache).fit(grown.history(), grown)
    unaligned = make_model("semantic", device="cpu", cache_dir=cache, align=False)
    unaligned.fit(grown.history(), grown)
    agree = (restored.item_vectors[added] * refit.item_vectors[added]).sum(axis=1)
    as_encoded = (unaligned.item_vectors[added] * refit.item_vectors[added]).sum(axis=1)
    assert agree.mean() > 0.85 and agree.mean() > as_encoded.mean() + 0.1


# ----------------------------------------------------------------------------------------
# Chinese files from Windows and Excel: GB18030 / GBK, detected
# ----------------------------------------------------------------------------------------

def _chinese_catalogue(tmp_path, encoding: str):
    shop = generate(ShopConfig(n_users=5, n_items=280, seed=4, language="zh"))
    items = shop.items[["item_id", "title", "description", "category"]].head(40)
    path = tmp_path / f"items-{encoding}.csv"
    path.write_bytes(items.to_csv(index=False).encode(encoding))
    return items, path


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_gb18030_or_gbk_catalogue_is_detected_and_read_in_chinese(tmp_path, encoding):
    items, path = _chinese_catalogue(tmp_path, encoding)
    catalogue = read_catalogue(path)
    assert catalogue.report.detected["encoding"] == "gb18030"
    assert any("GB18030" in w for w in catalogue.report.warnings)
    assert catalogue.frame["title"].tolist() == items["title"].tolist()
    assert catalogue.frame["genres"].tolist() == items["category"].tolist()
    utf8 = tmp_path / "items-utf8.csv"
    utf8.write_bytes(items.to_csv(index=False).encode("utf-8"))
    assert read_catalogue(utf8).report.detected["encoding"] == "utf-8"


def test_a_gbk_log_with_chinese_user_names_is_read():
    rows = "用户,商品,评分,时间\n张伟,i1,5,1672531200\n李娜,i2,4,1672531260\n王芳,i1,3,1672531320\n"
    table = _interactions_from(rows.encode("gbk"))
    assert table.report.detected["encoding"] == "gb18030"
    assert sorted(set(table.frame["user"])) == sorted(["张伟", "李娜", "王芳"])


def test_accented_latin_text_is_not_taken_for_chinese(tmp_path):
    rows = ("item_id,title\ni1,Crème brûlée set\ni2,Café au lait bowl\ni3,Über-soft plaid\n"
            "i4,Niño's kite\ni5,Smörgåsbord platter\n")
    path = tmp_path / "items-cp1252.csv"
    path.write_bytes(rows.encode("cp1252"))
    catalogue = read_catalogue(path)
    assert catalogue.report.detected["encoding"] == "cp1252"
    assert catalogue.frame["title"].tolist()[:2] == ["Crème brûlée set", "Café au lait bowl"]


def _interactions_from(data: bytes):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        path.write_bytes(data)
        return read_interactions(path)
