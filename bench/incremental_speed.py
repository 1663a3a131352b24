"""Time of an incremental update of 10,000 new interactions (target: under 5 s).

MovieLens-100K in time order: the default fusion is fitted as the application fits it
(``fit_for_lists``) on the first 90,000 ratings; the last 10,000 are then appended
(``append_interactions``, new users and movies included) and the fitted model updated
for the grown dataset in two ways: ``update_fitted`` (the leave-one-out training part,
the fusion's gate learned again on the held-out items, as the replay benchmark's
"update") and ``model.update(dataset.history(), dataset)`` (everything folded in, gate
kept, as ``engine.pipeline.execute.refresh_run``). Each repeat starts from a fresh copy of the fitted
model (restored with pickle, as the application stores it; not timed). Reported: the
median over repeats of appending, of each update and of append + update, one update of
each component on its own, and the full fit for comparison.

    python bench/incremental_speed.py [--repeats 5] [--sequential-budget 30]

The transformer's training budget is cut to 30 s by default: how long it trained does
not change the cost of an update (the weights keep their shapes), only the fit's time.
Writes ``bench/results/incremental_speed.json``.
"""
from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import RESULTS, SHARED_DATA, machine  # noqa: E402
from bench.incremental_ml100k import grow, initial_dataset, ordered  # noqa: E402
from cli.table import render  # noqa: E402
from engine.core.device import set_threads  # noqa: E402
from engine.data.dataset import Dataset  # noqa: E402
from engine.data.importer import read_movielens  # noqa: E402
from engine.models.base import Recommender  # noqa: E402
from engine.pipeline.config import with_run_settings  # noqa: E402
from engine.pipeline.drift import measure_change  # noqa: E402
from engine.pipeline.execute import fit_for_lists, update_fitted  # noqa: E402

TARGET_SECONDS = 5.0


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def fold_in_everything(model: Recommender, dataset: Dataset) -> Recommender:
    """The update of a stored run's lists: the whole history, the gate kept."""
    return model.update(dataset.history(), dataset)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--new", type=int, default=10_000, help="interactions appended")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sequential-budget", type=float, default=30.0)
    args = parser.parse_args()
    set_threads(args.threads)

    table, catalogue = read_movielens(args.data)
    table = ordered(table)
    n = len(table.frame)
    first, last = np.arange(n - args.new), np.arange(n - args.new, n)
    dataset = initial_dataset(table, catalogue, first)
    params = with_run_settings({"sequential": {"time_budget": args.sequential_budget}},
                               seed=0, device="auto")["fusion"]
    fit_seconds, model = timed(partial(fit_for_lists, "fusion", dataset, params))
    stored = pickle.dumps(model)

    append_times: list[float] = []
    update_times: dict[str, list[float]] = {"update_fitted": [], "everything, gate kept": []}
    for _ in range(args.repeats):
        seconds, grown = timed(partial(grow, dataset, table, catalogue, last))
        append_times.append(seconds)
        update_times["update_fitted"].append(
            timed(partial(update_fitted, pickle.loads(stored), grown))[0])
        update_times["everything, gate kept"].append(
            timed(partial(fold_in_everything, pickle.loads(stored), grown))[0])
    history = grown.history()
    components = {}
    for name, component in pickle.loads(stored).fitted_components.items():
        components[name] = timed(partial(component.update, history, grown))[0]

    change = measure_change(dataset, grown)
    median = {"append": statistics.median(append_times)}
    for arm, times in update_times.items():
        median[f"update ({arm})"] = statistics.median(times)
        median[f"append + update ({arm})"] = statistics.median(
            [a + u for a, u in zip(append_times, times)])
    rows = [*({"stage": stage, "seconds": s} for stage, s in median.items()),
            *({"stage": f"  update of component {name} alone", "seconds": s}
              for name, s in components.items()),
            {"stage": "full fit (for comparison)", "seconds": fit_seconds}]
    payload = {
        "machine": machine(),
        "protocol": {"data": "MovieLens-100K, time order", "fitted_on": len(first),
                     "appended": len(last), "repeats": args.repeats, "torch_threads": args.threads,
                     "sequential_time_budget_s": args.sequential_budget,
                     "model": "fusion (default components)"},
        "change": change.to_dict(),
        "median_seconds": median,
        "all_seconds": {"append": append_times, **update_times},
        "component_update_seconds": components,
        "fit_seconds": fit_seconds,
        "target_seconds": TARGET_SECONDS,
        "target_met": all(v < TARGET_SECONDS for k, v in median.items()
                          if k.startswith("append + update")),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "incremental_speed.json"
    out.write_text(json.dumps(payload, indent=2))
    print(f"{len(last):,} new interactions ({change.users_added} new users, "
          f"{change.items_added} new items) on {len(first):,}")
    print(render(rows, ("stage", "seconds"), markdown=True))
    print(f"target < {TARGET_SECONDS:g} s: {'met' if payload['target_met'] else 'missed'}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
