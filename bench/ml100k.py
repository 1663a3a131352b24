"""MovieLens-100K under the anchors' protocol, beside the peers' numbers.

Runs the command-line path (``main.py evaluate``) in a fresh process, then measures in
process the import and preprocessing of ``u.data`` and the evaluation of all 943 test
users (medians of repeated runs). Writes ``bench/results/ml100k.json`` and ``.md``.

    python bench/ml100k.py [--data ../shared/data/ml-100k]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (RESULTS, SHARED_DATA, machine, median_seconds, run_cli,  # noqa: E402
                          write_results)
from cli.table import render  # noqa: E402
from engine.data.importer import read_movielens  # noqa: E402
from engine.data.preprocess import PreprocessOptions, build_dataset  # noqa: E402
from engine.data.split import leave_one_out  # noqa: E402
from engine.evaluation.evaluate import evaluate  # noqa: E402
from engine.models import make_model  # noqa: E402

MODELS = ("pop", "itemknn", "itemknn-bm25", "als", "ease", "cooc")
COLUMNS = ("library", "model", "HR@10", "NDCG@10", "Recall@20", "MRR@10", "Coverage@10",
           "Novelty@10", "train s")
# ../shared/anchors.md: same split and evaluator, 2 vCPU, CPU only, 1 thread per run.
PEERS = [
    ("RecBole 1.2.1", "GRU4Rec", 0.1909, 0.1013, 0.2927, 0.0742, 0.433, 2.63, 742),
    ("RecBole 1.2.1", "SASRec", 0.1856, 0.0925, 0.2747, 0.0644, 0.378, 2.67, 728),
    ("RecBole 1.2.1", "BERT4Rec", 0.1654, 0.0890, 0.2694, 0.0661, 0.353, 2.57, 870),
    ("Cornac 3.0.1", "EASE", 0.1400, 0.0712, 0.2185, 0.0505, 0.207, 1.75, 0.4),
    ("implicit 0.7.3", "ALS", 0.1368, 0.0708, 0.2078, 0.0510, 0.400, 2.31, 3.9),
    ("RecBole 1.2.1", "BPR", 0.1220, 0.0688, 0.2004, 0.0526, 0.474, 2.32, 60),
    ("Cornac 3.0.1", "BPR", 0.1273, 0.0659, 0.2100, 0.0472, 0.365, 2.13, 3.5),
    ("RecBole 1.2.1", "ItemKNN", 0.1124, 0.0619, 0.1835, 0.0466, 0.275, 2.05, 0.5),
    ("RecBole 1.2.1", "LightGCN", 0.1135, 0.0592, 0.1962, 0.0428, 0.314, 1.98, 234),
    ("implicit 0.7.3", "ItemKNN cosine", 0.1071, 0.0545, 0.1792, 0.0386, 0.249, 1.97, 0.1),
    ("Cornac 3.0.1", "MostPop", 0.0859, 0.0449, 0.1262, 0.0326, 0.054, 1.20, 0.0),
]
# Which peer row each of our models is the same model as.
SAME_MODEL = {"itemknn": ["RecBole 1.2.1 ItemKNN", "implicit 0.7.3 ItemKNN cosine"],
              "als": ["implicit 0.7.3 ALS"], "ease": ["Cornac 3.0.1 EASE"],
              "pop": ["Cornac 3.0.1 MostPop"]}
# Our ItemKNN with each peer's own settings, to measure why the tuned default differs:
# (label, params, peer row, whether the test lists are scored from train + validation).
PEER_SETTINGS = [
    ("itemknn with RecBole's settings (K=100, 0/1 input, target aggregation)",
     {"neighbours": 100, "binary": True}, "RecBole 1.2.1 ItemKNN", False),
    ("itemknn with implicit's settings (K=100, 0/1 input, history aggregation)",
     {"neighbours": 100, "binary": True, "aggregate": "history"}, "implicit 0.7.3 ItemKNN cosine", False),
    ("the same, test lists scored from train + validation history",
     {"neighbours": 100, "binary": True, "aggregate": "history"}, "implicit 0.7.3 ItemKNN cosine", True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    args = parser.parse_args()
    eval_json = RESULTS / "ml100k_cli.json"

    wall, peak_kib = run_cli(["evaluate", "--format", "movielens", "--interactions", str(args.data),
                              "--models", ",".join(MODELS), "--k", "10,20",
                              "--json", str(eval_json), "--quiet"])
    cli = json.loads(eval_json.read_text())

    def load():
        table, catalogue = read_movielens(args.data)
        return build_dataset(table, catalogue, PreprocessOptions())

    import_seconds = median_seconds(load)
    dataset = load()
    split = leave_one_out(dataset)
    eval_seconds = {}
    for name in MODELS:
        model = make_model(name, **cli["models"][name]["params"]).fit(split.train, dataset)
        eval_seconds[name] = median_seconds(lambda: evaluate(model, split, "test"))

    reproductions = {}
    for label, params, peer_name, with_validation in PEER_SETTINGS:
        model = make_model("itemknn", **params).fit(split.train, dataset)
        model.sequential = with_validation  # read train + validation when scoring the test
        ndcg = evaluate(model, split, "test")["NDCG@10"]
        peer = next(p for p in PEERS if f"{p[0]} {p[1]}" == peer_name)
        reproductions[label] = {"NDCG@10": round(ndcg, 4), "peer": peer_name, "peer_NDCG@10": peer[3],
                                "ratio": round(ndcg / peer[3], 4)}

    ours = [{"library": "Interest Fusion Studio", "model": name,
             **{c: m.get(c) for c in COLUMNS[2:-1]}, "train s": m["fit_seconds"]}
            for name, m in cli["models"].items()]
    peers = [dict(zip(COLUMNS, row)) for row in PEERS]
    comparison = {}
    for name, peer_names in SAME_MODEL.items():
        for peer in peers:
            if f"{peer['library']} {peer['model']}" in peer_names:
                ratio = cli["models"][name]["NDCG@10"] / peer["NDCG@10"]
                comparison[f"{name} vs {peer['library']} {peer['model']}"] = {
                    "ndcg_ratio": round(ratio, 4), "within_5_percent": abs(ratio - 1) <= 0.05}
    facts = {
        "split": cli["dataset"],
        "expected_split": {"test_users": 943, "train_interactions": 98114},
        "split_matches_anchors": cli["dataset"]["test_users"] == 943
        and cli["dataset"]["train_interactions"] == 98114,
        "import_and_preprocess_seconds_median": round(import_seconds, 3),
        "evaluate_943_users_seconds_median": {k: round(v, 4) for k, v in eval_seconds.items()},
        "cli_wall_seconds": round(wall, 2),
        "cli_peak_rss_mib": round(peak_kib / 1024, 1),
    }
    payload = {"machine": machine(), "facts": facts, "comparison": comparison,
               "peer_settings": reproductions,
               "ours": cli["models"], "peers": peers}
    m = machine()
    md = [f"MovieLens-100K, anchors' protocol (temporal leave-one-out, full ranking over "
          f"{cli['dataset']['items']} items). Measured {m['date']} on {m['cpu']}, {m['cores']} cores, "
          f"{m['memory_gib']} GiB, no GPU; one BLAS thread.", "",
          render(ours + peers, COLUMNS, markdown=True), "",
          f"- split: {cli['dataset']['test_users']} test users, "
          f"{cli['dataset']['train_interactions']} train interactions "
          f"(anchors: 943 / 98,114) -> {'same' if facts['split_matches_anchors'] else 'DIFFERENT'}",
          f"- import + preprocess of u.data: {import_seconds:.3f} s (median of 5)",
          "- evaluate all 943 test users (score, mask, top-20, metrics), median of 5: "
          + ", ".join(f"{k} {v:.3f} s" for k, v in eval_seconds.items()),
          f"- whole `main.py evaluate` run ({len(MODELS)} models, valid + test): {wall:.1f} s wall, "
          f"{peak_kib / 1024:.0f} MiB peak"]
    md += [f"- {k}: NDCG@10 ratio {v['ndcg_ratio']:.3f} "
           f"({'within' if v['within_5_percent'] else 'outside'} 5%)" for k, v in comparison.items()]
    md += [f"- {k}: NDCG@10 {v['NDCG@10']:.4f} vs {v['peer']} {v['peer_NDCG@10']:.4f} "
           f"(ratio {v['ratio']:.3f})" for k, v in reproductions.items()]
    write_results("ml100k", payload, "\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
