"""The fusion's gate on catalogues larger than ``gate_items``: its softmax over every item
against each user's candidates alone and the candidates with items drawn to stand for
the rest (engine/models/gate_softmax.py), with and without the check of the learned gate
against the lists (engine/models/fusion.py), leave-one-out, on two synthetic shops:

- ``1M``: 20,000 users, 5,000 items (every variant);
- ``100k-items``: 60,000 users, 100,000 items, the 10M shop's catalogue with fewer users
  (where the fusion fell below co-occurrence before the check); each phase measured on
  10,000 sampled users, and no softmax over every item (100,000 logits for each of
  4,000 users at every step).

    python bench/gate_large.py [--shops 1M,100k-items] [--seed 0]

The components (ease, als, cooc, sequential with its default budget) are fitted once per
shop; each variant of the gate reuses them, so the rows differ only by the gate. Writes
``bench/results/gate_large.json`` and ``.md``: each variant's test and validation
NDCG@10, the fusion's fit seconds (the gate, on a machine shared with other work) and
what the check kept.
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
from engine.evaluation.evaluate import ModelResult, evaluate_models  # noqa: E402

COMPONENTS = ["ease", "als", "cooc", "sequential"]
#: name -> fusion settings; "full" lifts gate_items over the catalogue.
VARIANTS = {
    "softmax over every item": {"gate_items": 1_000_000},
    "top 100 per component, no draws": {"gate_samples": 0},
    "top 300 per component, no draws": {"gate_candidates": 300, "gate_samples": 0},
    "top 100 per component + 400 draws, no check": {"check_users": 0},
    "top 100 per component + 400 draws, checked (default)": {},
    "top 100 per component + 1,000 draws": {"gate_samples": 1000},
}
#: name -> (shop, users measured per phase (None: all), the variants run on it).
SHOPS = {
    "1M": (ShopConfig.large(), None, list(VARIANTS)),
    "100k-items": (ShopConfig(n_users=60_000, n_items=100_000, sessions_per_user=(7, 18)),
                   10_000, ["top 100 per component + 400 draws, no check",
                            "top 100 per component + 400 draws, checked (default)"]),
}


def measure(shop: str, seed: int) -> dict[str, object]:
    """One shop: the components, then the fusion with each of its variants of the gate."""
    config, eval_users, variants = SHOPS[shop]
    with tempfile.TemporaryDirectory() as tmp:
        interactions, items = write_csv(generate(replace(config, seed=seed)), Path(tmp))
        dataset = build_dataset(read_interactions(interactions), read_catalogue(items))
    split = replace(leave_one_out(dataset), eval_users=eval_users)
    fitted: dict = {}
    started = time.perf_counter()
    components = evaluate_models(split, COMPONENTS, (10,), fitted=fitted)
    rows = {name: _row(r) for name, r in components.items()}
    print(shop, rows, f"{time.perf_counter() - started:.0f} s", flush=True)
    for name in variants:
        fusion = evaluate_models(split, ["fusion"], (10,), params={"fusion": VARIANTS[name]},
                                 fitted=dict(fitted))["fusion"]
        rows[name] = _row(fusion)
        print(shop, name, rows[name], flush=True)
    return {"load_average": round(os.getloadavg()[0], 1),
            "interactions": int(dataset.n_interactions), "users": int(dataset.n_users),
            "items": int(dataset.n_items), "measured_users": eval_users, "seed": seed,
            "rows": rows}


def _row(result: ModelResult) -> dict[str, object]:
    return {"test_NDCG@10": round(result.test["NDCG@10"], 4),
            "valid_NDCG@10": round(result.valid["NDCG@10"], 4),
            "fit_seconds": round(result.fit_seconds, 1), "check": result.fit_report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", default=",".join(SHOPS),
                        help=f"comma-separated, of {', '.join(SHOPS)}")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    shops = [s.strip() for s in args.shops.split(",") if s.strip()]
    if unknown := [s for s in shops if s not in SHOPS]:
        parser.error(f"unknown shops {unknown}; choose from {', '.join(SHOPS)}")
    results = {shop: measure(shop, args.seed) for shop in shops}
    facts = machine()
    lines = [f"The fusion's gate on catalogues larger than its full softmax, measured "
             f"{facts['date']} on {facts['cpu']}, {facts['cores']} cores, no GPU, shared; "
             "`python bench/gate_large.py`. Per shop the components first, then the fusion "
             "of all four with each gate (fit seconds: the gate's, the check included); "
             "every gate is checked against the lists but the one marked no check."]
    for shop, r in results.items():
        measured = "all" if r["measured_users"] is None else f"{r['measured_users']:,}"
        lines += ["", f"**{shop}**: {r['interactions']:,} interactions, {r['users']:,} users, "
                      f"{r['items']:,} items; users measured per phase: {measured}; load "
                      f"{r['load_average']}.", "",
                  "| model / gate | test NDCG@10 | valid NDCG@10 | fit s |", "|---|---|---|---|"]
        lines += [f"| {name} | {row['test_NDCG@10']} | {row['valid_NDCG@10']} | "
                  f"{row['fit_seconds']} |" for name, row in r["rows"].items()]
        checks = [f"- {name}: {row['check']}" for name, row in r["rows"].items()
                  if row["check"]]
        lines += ["", *checks] if checks else []
    write_results("gate_large", {"machine": facts, "shops": results}, "\n".join(lines))


if __name__ == "__main__":
    main()
