"""The feedback loop: how fast a click changes a list, and whether a changed taste shows.

    python bench/feedback_loop.py [--data ../shared/data/ml-100k] [--users 50]
                                  [--sequential-budget 60]

1. Click to list, on MovieLens-100K: the default fusion (ease, als, cooc, sequential) is
   run and stored in a fresh SQLite file (the sequential transformer's training budget is
   shortened; its size, which is what a click pays for, is the default). Then for
   ``--users`` sampled users, a "dislike" of their top item is stored and their list
   re-ranked with the stored model, as the Users screen does on a click: median and 95th
   percentile of the wall time, and the one-time load of the run's model.
2. A changed taste, on the synthetic shop: users whose history holds no item of a
   category (their "new" category) start liking it: in each of five rounds they like
   the new category's items in their current top 10 (or, when there is none, one item of
   it that the catalogue offers) and mark one item of their old favourite category "not
   interested". Reported: the share of the new category in their top 10 before and after
   each round.

Writes ``bench/results/feedback_loop.json`` and ``.md``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED_DATA, machine, write_results  # noqa: E402
from engine.core.device import set_threads  # noqa: E402
from engine.core.progress import Task  # noqa: E402
from engine.data.importer import read_catalogue, read_interactions, read_movielens  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.pipeline.config import RunConfig  # noqa: E402
from engine.pipeline.config import with_run_settings  # noqa: E402
from resources import demo_paths  # noqa: E402
from storage import open_database, save_dataset  # noqa: E402
from storage.feedback import Feedback, add_feedback  # noqa: E402
from application.live import LiveRun, list_now, open_live_run  # noqa: E402
from application.runs import run_and_save  # noqa: E402

SEED = 0
ROUNDS = 5


def default_config(budget: float) -> RunConfig:
    params = with_run_settings({}, seed=SEED)
    params["fusion"]["component_params"]["sequential"]["time_budget"] = budget
    return RunConfig(model="fusion", params=params, k=10)


def stored_run(folder: Path, dataset, config: RunConfig) -> tuple[Path, int, float]:
    path = folder / f"{dataset.name}.db"
    with open_database(path) as db:
        save_dataset(db, dataset, dataset.name, {}, {})
        started = time.perf_counter()
        run_id, _ = run_and_save(db, dataset.name, config, Task())
    return path, run_id, time.perf_counter() - started


def click_latency(path: Path, run_id: int, n_users: int) -> dict[str, object]:
    with open_database(path) as db:
        started = time.perf_counter()
        live = open_live_run(db, run_id)
        load = time.perf_counter() - started
        rng = np.random.default_rng(SEED)
        users = rng.choice(live.dataset.user_ids, n_users, replace=False)
        times = []
        for user in users:
            top = list_now(db, live, str(user)).entries[0].item
            started = time.perf_counter()
            add_feedback(db, live.dataset.name, [Feedback(str(user), top, "dislike",
                                                          run_id=run_id)])
            now = list_now(db, live, str(user))
            times.append(time.perf_counter() - started)
            assert top not in {e.item for e in now.entries}
    ordered = sorted(times)
    return {"users": n_users, "load_s": load, "median_ms": statistics.median(times) * 1000,
            "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
            "max_ms": ordered[-1] * 1000}


def category_share(live: LiveRun, entries, category: str) -> float:
    index = live.dataset.item_index
    return float(np.mean([category in live.dataset.genres[index[e.item]] for e in entries]))


def taste_change(path: Path, run_id: int, n_users: int) -> dict[str, object]:
    """See the module docstring (2.)."""
    with open_database(path) as db:
        live = open_live_run(db, run_id)
        data, history = live.dataset, live.history
        categories = sorted({g for genres in data.genres for g in genres})
        by_category = {c: [i for i, g in enumerate(data.genres) if c in g] for c in categories}
        rng = np.random.default_rng(SEED)
        shares = []
        for user in rng.permutation(data.n_users):
            seen = history.sequence(int(user))
            counts = {c: sum(c in data.genres[i] for i in seen) for c in categories}
            missing = [c for c in categories if counts[c] == 0]
            if not missing:
                continue
            new = missing[int(rng.integers(len(missing)))]
            old = max(counts, key=counts.get)
            name = str(data.user_ids[user])
            entries = list_now(db, live, name).entries
            trace = [category_share(live, entries, new)]
            for _ in range(ROUNDS):
                listed = [e.item for e in entries if new in data.genres[data.item_index[e.item]]]
                liked = listed or [str(data.item_ids[rng.choice(by_category[new])])]
                refused = [e.item for e in entries if old in data.genres[
                    data.item_index[e.item]]][:1]
                add_feedback(db, data.name, [Feedback(name, i, "like") for i in liked]
                             + [Feedback(name, i, "not_interested") for i in refused])
                entries = list_now(db, live, name).entries
                trace.append(category_share(live, entries, new))
            shares.append(trace)
            if len(shares) == n_users:
                break
    mean = np.mean(np.array(shares), axis=0)
    return {"users": len(shares), "rounds": ROUNDS,
            "new_category_share_by_round": [float(v) for v in mean],
            "users_whose_share_rose": int(sum(t[-1] > t[0] for t in shares))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--sequential-budget", type=float, default=60.0)
    args = parser.parse_args()
    set_threads(1)
    config = default_config(args.sequential_budget)
    with tempfile.TemporaryDirectory(prefix="ifs-bench-feedback-") as tmp:
        folder = Path(tmp)
        table, catalogue = read_movielens(args.data)
        movies = build_dataset(table, catalogue, name="ml-100k")
        path, run_id, run_s = stored_run(folder, movies, config)
        latency = click_latency(path, run_id, args.users)
        print(f"click to list: median {latency['median_ms']:.1f} ms, "
              f"p95 {latency['p95_ms']:.1f} ms", flush=True)
        interactions, items = demo_paths()
        shop = build_dataset(read_interactions(interactions), read_catalogue(items),
                             name="demo shop")
        shop_path, shop_run, _ = stored_run(folder, shop, config)
        taste = taste_change(shop_path, shop_run, args.users)
    payload = {"machine": machine(), "run_s": run_s,
               "sequential_time_budget_s": args.sequential_budget,
               "click_to_list": latency, "taste_change": taste}
    shares = taste["new_category_share_by_round"]
    lines = [
        "# Feedback loop (default fusion: ease, als, cooc, sequential; 1 torch thread)",
        "",
        f"Measured {machine()['date']} on {machine()['cpu']}.",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| ml-100k: a dislike stored and the list re-ranked (median of {latency['users']} "
        f"users) | {latency['median_ms']:.1f} ms | < 200 ms |",
        f"| same, 95th percentile / slowest | {latency['p95_ms']:.1f} / "
        f"{latency['max_ms']:.1f} ms | |",
        f"| ml-100k: loading the run's dataset and model once (when a run is chosen) | "
        f"{latency['load_s']:.2f} s | |",
        f"| shop: new category's share of the top 10, before and after {ROUNDS} rounds of "
        f"feedback ({taste['users']} users) | {shares[0]:.0%} -> {shares[-1]:.0%} | rises |",
        f"| shop: users whose share rose | {taste['users_whose_share_rose']} of "
        f"{taste['users']} | |",
        "",
        "Share of the new category in the top 10 by round: "
        + ", ".join(f"{v:.0%}" for v in shares),
    ]
    write_results("feedback_loop", payload, "\n".join(lines))


if __name__ == "__main__":
    main()
