"""Long/short-term fusion on MovieLens-100K under the anchors' protocol, in one run.

Every component alone, then fixed-weight, reciprocal-rank and learned fusion of the
default components (reusing the fitted components), then an ablation that leaves each
component out of the learned fusion in turn, the learned fusion without the request
time feature and without its cold-start rule. Timed end to end, with fit seconds per
stage, from a cold start: the text encoder's embedding cache is a new, empty folder
(``--warm-cache`` keeps the user's). The transformer stops by its wall-clock budget
as in the application, so its epoch count (recorded) depends on the machine's load.
Writes ``bench/results/fusion_ml100k.json`` and ``.md``.

    python bench/fusion_ml100k.py [--data ../shared/data/ml-100k] [--threads 1] [--warm-cache]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED_DATA, machine, write_results  # noqa: E402
from cli.table import render  # noqa: E402
from engine.core.device import set_threads  # noqa: E402
from engine.data.importer import read_movielens  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.split import leave_one_out  # noqa: E402
from engine.evaluation.evaluate import evaluate_models  # noqa: E402
from engine.models.fusion import DEFAULT_COMPONENTS as FUSION_COMPONENTS  # noqa: E402
from engine.pipeline.config import with_run_settings  # noqa: E402

COMPONENTS = ("pop", "itemknn", "als", "ease", "semantic", "word2vec", "item2vec", "cooc",
              "sequential")
COLUMNS = ("model", "valid NDCG@10", "NDCG@10", "HR@10", "Recall@20", "MRR@10", "Coverage@10",
           "Novelty@10", "fit s")
BEST_PEER = {"model": "RecBole GRU4Rec (best peer)", "NDCG@10": 0.1013, "HR@10": 0.1909,
             "Recall@20": 0.2927, "MRR@10": 0.0742, "Coverage@10": 0.433, "Novelty@10": 2.63,
             "fit s": 742}


def row(name: str, result) -> dict[str, object]:
    return {"model": name, "valid NDCG@10": result.valid.get("NDCG@10"),
            **{k: result.test.get(k) for k in COLUMNS[2:-1]}, "fit s": result.fit_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (the peers were measured with one)")
    parser.add_argument("--components", default=",".join(FUSION_COMPONENTS),
                        help="components of the fusions (default: the engine's default fusion)")
    parser.add_argument("--models", default=",".join(COMPONENTS),
                        help="the single components to fit and show (default: all)")
    parser.add_argument("--warm-cache", action="store_true",
                        help="use the user's embedding cache instead of an empty one")
    args = parser.parse_args()
    if not args.warm_cache:
        os.environ["IFS_CACHE_DIR"] = tempfile.mkdtemp(prefix="ifs-bench-cache-")
    singles_wanted = [c.strip() for c in args.models.split(",") if c.strip()]
    fusion_components = [c.strip() for c in args.components.split(",") if c.strip()]
    set_threads(args.threads)
    started = time.perf_counter()
    table, catalogue = read_movielens(args.data)
    split = leave_one_out(build_dataset(table, catalogue))
    params = with_run_settings({}, seed=0, device="auto")
    fitted: dict = {}
    components = evaluate_models(split, singles_wanted, (10, 20), params, fitted=fitted)
    fusion_params = {**params}
    for name in ("fusion", "fusion-fixed", "fusion-rrf"):
        fusion_params[name] = {**params.get(name, {}), "components": list(fusion_components)}
    with_fusions = dict(fitted)
    fusions = evaluate_models(split, ["fusion-fixed", "fusion-rrf", "fusion"], (10, 20),
                              fusion_params, fitted=with_fusions)
    pipeline_seconds = time.perf_counter() - started

    ablation = {}
    for left_out in fusion_components:
        rest = [c for c in fusion_components if c != left_out]
        result = evaluate_models(split, ["fusion"], (10,), {**params, "fusion": {
            **params.get("fusion", {}), "components": rest}}, fitted=dict(fitted))["fusion"]
        ablation[f"without {left_out}"] = result
    no_time = evaluate_models(split, ["fusion"], (10,), {**params, "fusion": {
        **params.get("fusion", {}), "components": list(fusion_components),
        "use_request_time": False}}, fitted=dict(fitted))["fusion"]
    ablation["without the request-time feature"] = no_time
    ablation["without the cold-start rule"] = evaluate_models(split, ["fusion"], (10,), {
        **params, "fusion": {**params.get("fusion", {}), "components": list(fusion_components),
                             "cold_start": None}}, fitted=dict(fitted))["fusion"]

    learned = fusions["fusion"]
    singles = {n: r for n, r in components.items()}
    best_single = max(singles, key=lambda n: singles[n].test["NDCG@10"])
    best_single_valid = max(singles, key=lambda n: singles[n].valid["NDCG@10"])
    facts = {
        "split": split.summary(),
        "fusion_components": list(fusion_components),
        "whole_pipeline_seconds": round(pipeline_seconds, 1),
        "fit_seconds_per_stage": {**{n: round(r.fit_seconds, 2) for n, r in components.items()},
                                  "gate (learned fusion)": round(
                                      with_fusions["fusion"].fit_seconds.get("gate", 0.0), 2)},
        "learned_beats_every_single_on_valid": learned.valid["NDCG@10"]
        > singles[best_single_valid].valid["NDCG@10"],
        "learned_beats_every_single_on_test": learned.test["NDCG@10"]
        > singles[best_single].test["NDCG@10"],
        "test_NDCG@10": learned.test["NDCG@10"], "test_HR@10": learned.test["HR@10"],
        "embedding_cache": "user's (warm)" if args.warm_cache else "new, empty folder (cold)",
        "sequential_epochs": {"trained": len(fitted["sequential"].training_log),
                              "best": fitted["sequential"].best_epoch}
        if "sequential" in fitted else None,
        "targets": {"NDCG@10": 0.112, "HR@10": 0.21, "seconds": 600},
    }
    m = machine()
    rows = [row(n, r) for n, r in components.items()]
    rows += [row(n, r) for n, r in fusions.items()]
    rows += [BEST_PEER]
    ablation_rows = [row(n, r) for n, r in ablation.items()]
    md = "\n".join([
        f"MovieLens-100K, anchors' protocol, one run; measured {m['date']} on {m['cpu']}, "
        f"{m['cores']} cores, no GPU, {args.threads} torch threads. Fusion of "
        f"{', '.join(fusion_components)}.", "",
        render(rows, COLUMNS, markdown=True), "",
        "Ablation (learned fusion, components reused):", "",
        render(ablation_rows, COLUMNS, markdown=True), "",
        f"- whole pipeline (import, {len(singles_wanted)} components, 3 fusions, evaluation): "
        f"{pipeline_seconds:.0f} s (target 600 s; best peer's training alone 742 s), "
        f"embedding cache {facts['embedding_cache']}",
        f"- learned fusion vs best single component: valid {learned.valid['NDCG@10']:.4f} vs "
        f"{best_single_valid} {singles[best_single_valid].valid['NDCG@10']:.4f}; test "
        f"{learned.test['NDCG@10']:.4f} vs {best_single} {singles[best_single].test['NDCG@10']:.4f}",
        f"- test NDCG@10 {learned.test['NDCG@10']:.4f} (target 0.112), HR@10 "
        f"{learned.test['HR@10']:.4f} (target 0.21)",
    ])
    payload = {"machine": m, "facts": facts,
               "models": {n: r.to_dict() for n, r in {**components, **fusions}.items()},
               "ablation": {n: r.to_dict() for n, r in ablation.items()}}
    write_results("fusion_ml100k", payload, md)
    print(md)


if __name__ == "__main__":
    main()
