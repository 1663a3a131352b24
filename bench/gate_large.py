"""The fusion's gate on a catalogue larger than ``gate_items``: its softmax over every item
against each user's candidates alone and the candidates with items drawn to stand for
the rest (engine/models/gate_softmax.py), on the 1M synthetic shop (20,000 users, 5,000
items), leave-one-out.

    python bench/gate_large.py [--seed 0]

The components (ease, als, cooc, sequential with its default budget) are fitted once; each
variant of the gate reuses them, so the rows differ only by the gate. Writes
``bench/results/gate_large.json`` and ``.md``: each variant's test and validation
NDCG@10 and the fusion's fit seconds (the gate, on a machine shared with other work).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, write_results  # noqa: E402
from engine.data.importer import read_catalogue, read_interactions  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.split import leave_one_out  # noqa: E402
from engine.data.synthetic import ShopConfig, generate, write_csv  # noqa: E402
from engine.evaluation.evaluate import evaluate_models  # noqa: E402

COMPONENTS = ["ease", "als", "cooc", "sequential"]
#: name -> fusion settings; "full" lifts gate_items over the catalogue.
VARIANTS = {
    "softmax over every item": {"gate_items": 1_000_000},
    "top 100 per component, no draws": {"gate_samples": 0},
    "top 300 per component, no draws": {"gate_candidates": 300, "gate_samples": 0},
    "top 100 per component + 400 draws (default)": {},
    "top 100 per component + 1,000 draws": {"gate_samples": 1000},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        interactions, items = write_csv(generate(replace(ShopConfig.large(), seed=args.seed)),
                                        Path(tmp))
        dataset = build_dataset(read_interactions(interactions), read_catalogue(items))
    split = leave_one_out(dataset)
    fitted: dict = {}
    started = time.perf_counter()
    components = evaluate_models(split, COMPONENTS, (10,), fitted=fitted)
    rows = {name: {"test_NDCG@10": round(r.test["NDCG@10"], 4),
                   "valid_NDCG@10": round(r.valid["NDCG@10"], 4),
                   "fit_seconds": round(r.fit_seconds, 1)} for name, r in components.items()}
    print(rows, f"{time.perf_counter() - started:.0f} s", flush=True)
    for name, settings in VARIANTS.items():
        fusion = evaluate_models(split, ["fusion"], (10,), params={"fusion": settings},
                                 fitted=dict(fitted))["fusion"]
        rows[name] = {"test_NDCG@10": round(fusion.test["NDCG@10"], 4),
                      "valid_NDCG@10": round(fusion.valid["NDCG@10"], 4),
                      "fit_seconds": round(fusion.fit_seconds, 1)}
        print(name, rows[name], flush=True)
    facts = {"machine": machine(), "load_average": round(os.getloadavg()[0], 1),
             "interactions": int(dataset.n_interactions), "users": int(dataset.n_users),
             "items": int(dataset.n_items), "seed": args.seed}
    lines = [f"The fusion's gate on the 1M synthetic shop ({facts['interactions']:,} "
             f"interactions, {facts['items']:,} items), measured {facts['machine']['date']} on "
             f"{facts['machine']['cpu']}, {facts['machine']['cores']} cores, no GPU, shared "
             f"(load {facts['load_average']}); `python bench/gate_large.py`. The components "
             "first, then the fusion of all four with each gate (fit seconds: the gate's).",
             "", "| model / gate | test NDCG@10 | valid NDCG@10 | fit s |", "|---|---|---|---|"]
    lines += [f"| {name} | {r['test_NDCG@10']} | {r['valid_NDCG@10']} | {r['fit_seconds']} |"
              for name, r in rows.items()]
    write_results("gate_large", {"facts": facts, "rows": rows}, "\n".join(lines))


if __name__ == "__main__":
    main()
