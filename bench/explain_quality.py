"""Recommendation texts on MovieLens-100K and the demo shop: are they true, and how fast?

For each data set, a fusion run (ease + cooc, the default components), then the packaged
SmolLM2-135M-Instruct on llama.cpp writes the text of 200 sampled users (seed 1), greedy,
on one CPU thread, within each user's content plan. Every stored text (generated or
template) is read again by the strict claim-level check: a text is faithful only when
every claim it makes (an item's category, an interest of the user, a relation between
two items, recency, the side that brought an item, a day) matches a fact and it names
nothing outside the list and the history. Measured per data set: faithful texts, texts
replaced by the template, sentences and listed items named (with a reason the facts
hold) per text, prompt and new tokens, seconds per text. Also: plain llama.cpp decoding
of 60 new tokens on one thread (no plan), and the first text in a fresh process (import,
load of the GGUF file, one text; no conversion step). 20 texts per data set are kept
unedited in the JSON file.

    python bench/explain_quality.py [--data ../shared/data/ml-100k] [--users 200]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.common import ROOT, SHARED_DATA, machine, write_results  # noqa: E402
from engine.data.dataset import Dataset  # noqa: E402
from engine.data.importer import read_catalogue, read_interactions, read_movielens  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.explanations import ExplanationWriter, Facts, facts_from_run  # noqa: E402
from engine.explanations.grounding import Grounder  # noqa: E402
from engine.explanations.model import load_model, packaged_gguf  # noqa: E402
from engine.explanations.plan import language_for  # noqa: E402
from engine.explanations.prompt import build_messages, plain_prompt  # noqa: E402
from engine.pipeline.config import RunConfig  # noqa: E402
from engine.pipeline.execute import execute_run  # noqa: E402

SEED = 1
EXAMPLES = 20
EASE_COOC: dict[str, dict[str, object]] = {"fusion": {"components": ["ease", "cooc"]}}
REASON_KINDS = {"category", "relation", "side", "recent"}

_FIRST_TEXT = """
import json, sys, time
started = time.perf_counter()
from engine.explanations import ExplanationWriter, Facts, Pick
from engine.explanations.grounding import Grounder
imported = time.perf_counter()
case = json.loads(sys.argv[1])
facts = Facts(**{**case["facts"], "top": tuple(Pick(**p) for p in case["facts"]["top"])})
catalogue = Grounder(case["categories"], categories=case["categories"])
writer = ExplanationWriter(device="cpu", threads=1)
writer.load()
loaded = time.perf_counter()
text = writer.explain(facts, catalogue)
done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "load_s": loaded - imported,
                  "text_s": done - loaded, "total_s": done - started, "text": text.text}))
"""


def first_text_seconds(facts: Facts, catalogue: Grounder, repeats: int = 3) -> dict[str, float]:
    """Medians over fresh processes: import, loading the packaged GGUF, the first text."""
    titles = {*facts.list_titles, *facts.history_titles}
    case = json.dumps({"facts": {**asdict(facts), "top": [asdict(p) for p in facts.top]},
                       "categories": {t: list(catalogue.categories(t)) for t in titles}})
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", _FIRST_TEXT, case], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in runs)
            for key in ("import_s", "load_s", "text_s", "total_s")}


def plain_decode_seconds(facts: Facts, catalogue: Grounder, repeats: int = 5) -> float:
    """Median seconds for 60 new tokens of plain greedy llama.cpp decoding on one thread
    (after the prompt): the runtime's own speed, without a plan."""
    model = load_model(packaged_gguf(), 1, "cpu")
    language = language_for(catalogue.script)
    prompt, shared = model.prompt(build_messages(facts, catalogue, language),
                                  plain_prompt(facts, catalogue, language))
    times = []
    for _ in range(repeats):
        logits = model.begin(prompt, shared)
        started = time.perf_counter()
        for _ in range(60):
            logits = model.feed([int(np.argmax(logits))])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def shop() -> Dataset:
    folder = ROOT / "resources" / "demo"
    return build_dataset(read_interactions(folder / "interactions.csv"),
                         read_catalogue(folder / "items.csv"), name="demo shop")


def measure(name: str, dataset: Dataset, n_users: int, writer: ExplanationWriter
            ) -> tuple[dict[str, object], list[dict[str, object]], Facts, Grounder]:
    started = time.perf_counter()
    result = execute_run(dataset, RunConfig(model="fusion", params=EASE_COOC))
    run_seconds = time.perf_counter() - started
    with_list = np.flatnonzero(result.lists.items[:, 0] >= 0)
    users = np.sort(np.random.default_rng(SEED).choice(with_list, min(n_users, len(with_list)),
                                                      replace=False))
    all_facts = facts_from_run(result, users)
    categories = {t: g for t, g in zip(dataset.titles, dataset.genres)}
    catalogue = Grounder(dataset.titles, categories=categories)
    rows = []
    for facts in all_facts:
        started = time.perf_counter()
        explanation = writer.explain(facts, catalogue)
        seconds = time.perf_counter() - started
        stats = writer.last_stats
        verdict = catalogue.check(explanation.text, facts)
        listed = set(facts.list_titles)
        reasoned = {c.about for c in verdict.claims
                    if c.supported and c.kind in REASON_KINDS and c.about in listed}
        rows.append({
            "user": facts.user, "source": explanation.source, "text": explanation.text,
            "faithful": verdict.ok, "reasons": list(explanation.reasons),
            "check": list(verdict.reasons), "sentences": explanation.sentences,
            "items_named": len([t for t in verdict.mentioned if t in listed]),
            "items_with_reason": len(reasoned), "claims": len(verdict.claims),
            "prompt_tokens": stats.prompt_tokens if stats else 0,
            "new_tokens": stats.new_tokens if stats else 0,
            "first_piece_s": stats.first_token_seconds if stats else 0.0,
            "seconds": seconds})
        print(f"{name[:6]:6} {facts.user:>6} {explanation.source:9} {seconds:5.2f}s "
              f"{'ok ' if verdict.ok else 'BAD'} {explanation.text[:100]}", flush=True)
    n = len(rows)
    summary = {
        "users": n, "run_s": run_seconds,
        "faithful_texts": sum(r["faithful"] for r in rows),
        "unfaithful_texts": sum(not r["faithful"] for r in rows),
        "template_texts": sum(r["source"] == "template" for r in rows),
        "template_share": sum(r["source"] == "template" for r in rows) / n,
        "sentences": dict(sorted(Counter(str(r["sentences"]) for r in rows).items())),
        "sentences_mean": statistics.fmean(r["sentences"] for r in rows),
        "items_named_mean": statistics.fmean(r["items_named"] for r in rows),
        "texts_with_2_items_with_reason": sum(r["items_with_reason"] >= 2 for r in rows),
        "claims_mean": statistics.fmean(r["claims"] for r in rows),
        "prompt_tokens_median": statistics.median(r["prompt_tokens"] for r in rows),
        "new_tokens_median": statistics.median(r["new_tokens"] for r in rows),
        "first_piece_s_median": statistics.median(r["first_piece_s"] for r in rows),
        "seconds_per_text_median": statistics.median(r["seconds"] for r in rows),
        "seconds_per_text_mean": statistics.fmean(r["seconds"] for r in rows),
        "template_reasons": dict(Counter(reason for r in rows if r["source"] == "template"
                                         for reason in r["reasons"]).most_common(5)),
    }
    return summary, rows, all_facts[0], catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()

    writer = ExplanationWriter(device="cpu", threads=1)
    started = time.perf_counter()
    writer.load()
    load_seconds = time.perf_counter() - started
    table, items = read_movielens(args.data)
    sets = {"MovieLens-100K": build_dataset(table, items, name="ml-100k"), "demo shop": shop()}
    results, examples, first = {}, {}, None
    for name, dataset in sets.items():
        summary, rows, facts, catalogue = measure(name, dataset, args.users, writer)
        results[name] = summary
        examples[name] = rows[:EXAMPLES]
        first = first or (facts, catalogue)
    assert first is not None
    speed = {"load_s": load_seconds,
             "plain_decode_60_tokens_s": plain_decode_seconds(*first),
             "first_text_fresh_process": first_text_seconds(*first)}
    payload = {"machine": machine(), "threads": 1, "model": writer.name, "speed": speed,
               "datasets": results, "examples": examples}
    write_results("explain_quality", payload, markdown(payload))


def markdown(payload: dict) -> str:
    m, speed, sets = payload["machine"], payload["speed"], payload["datasets"]
    fresh = speed["first_text_fresh_process"]
    names = list(sets)

    def row(label: str, key: str, fmt: str = "{}", target: str = "") -> str:
        return f"| {label} | " + " | ".join(fmt.format(sets[n][key]) for n in names) \
            + f" | {target} |"

    lines = [
        f"# Recommendation texts ({payload['model']} on llama.cpp, greedy, 1 CPU thread)",
        "",
        f"{sets[names[0]]['users']} users per data set sampled (seed {SEED}) from a fusion run "
        f"(ease + cooc); measured {m['date']} on {m['cpu']} ({m['cores']} cores, shared with "
        "other jobs at the time, so the seconds are noisy; the counts are not).",
        "",
        "| figure | " + " | ".join(names) + " | target |",
        "|---|" + "---|" * len(names) + "---|",
        row("faithful texts (every claim matches a fact, strict check)", "faithful_texts"),
        row("texts with an unsupported claim", "unfaithful_texts", target="0"),
        row("texts replaced by the template", "template_texts", target="<= 5%"),
        row("sentences per text (mean)", "sentences_mean", "{:.2f}", "2-3"),
        row("texts of 1 / 2 / 3 sentences", "sentences", "{}"),
        row("listed items named per text (mean)", "items_named_mean", "{:.2f}"),
        row("texts naming >= 2 listed items with a reason the facts hold",
            "texts_with_2_items_with_reason", target="all"),
        row("claims checked per text (mean)", "claims_mean", "{:.1f}"),
        row("prompt tokens (median)", "prompt_tokens_median", "{:.0f}"),
        row("new tokens per text (median)", "new_tokens_median", "{:.0f}"),
        row("first piece of text (median s)", "first_piece_s_median", "{:.2f}"),
        row("seconds per text (median)", "seconds_per_text_median", "{:.2f}"),
        "",
        "| speed | value | target |",
        "|---|---|---|",
        f"| 60 new tokens, plain llama.cpp decoding, 1 thread (median of 5) | "
        f"{speed['plain_decode_60_tokens_s']:.2f} s | <= 1.0 s |",
        f"| loading the packaged GGUF (no conversion) | {speed['load_s']:.2f} s | |",
        f"| first text in a fresh process: import / load / text / total (median of 3) | "
        f"{fresh['import_s']:.2f} / {fresh['load_s']:.2f} / {fresh['text_s']:.2f} / "
        f"{fresh['total_s']:.2f} s | <= 5 s |",
        "",
        "Examples (the first three users of each data set, unedited; 20 per data set in the "
        "JSON file):",
        "",
    ]
    for name in names:
        lines += [f"- {name}, user {r['user']} ({r['source']}): {r['text']}"
                  for r in payload["examples"][name][:3]]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
