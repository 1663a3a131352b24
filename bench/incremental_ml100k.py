"""Incremental updates against full retrains, replaying MovieLens-100K in time order.

Protocol. The ratings' time range is cut at 80%; the remaining 20% is cut into five
equal windows W1..W5. The catalogue grows with the data: a movie enters the dataset
with its first rating (title, date and genres from ``u.item``). Step 0 fits the default
fusion on everything before W1 as the application does (``fit_for_lists``: on the
training part of a leave-one-out split, whose held-out items stop the transformer and
teach the gate). Steps 1-4 append W1..W4 (``append_interactions``) and then

* update the model of the previous step (``Recommender.update``), and
* retrain from scratch on the grown dataset, same settings and seed.

After every step both are evaluated on the grown dataset's leave-one-out test items:
every user's last rating (943 users at the end), which neither arm was fitted on nor
tuned with, full ranking over all items in the dataset, the user's rated items masked,
NDCG@10. The 2% target is judged there, with NDCG@10 summed over whole replays with
several seeds (``--seeds``, three by default): one seed's retrain differs from
another's by 2-3% on these items, more than the target allows, so a single replay
cannot tell an update within 2% from one outside it.

Two views of the next window are reported beside it: each user active in it who is
already in the dataset asked for a list at the time of their first rating there (35-51
users per window, so one step's ratio is noisy: it comes with a paired bootstrap 90%
interval over users), and a stream (each known user's first 20 ratings there, every one
predicted from the history up to it, the models unchanged in between: how they serve
the active users between updates). Users new in the window have no history and are
left out, as are targets on movies not in the dataset yet; both counts are in the output.

Three updates are measured, each applied to the previous step's updated model:

* ``update`` (``engine.pipeline.execute.update_fitted``): with exactly the history the retrain
  is fitted on (the grown dataset's leave-one-out training part), the fusion's gate
  learned again on the held-out items the retrain also learns it on. The two arms
  differ only in how the components learned: the 2% target is judged on this one.
* ``gate kept``: the same history, the gate left as fitted.
* ``all``: the whole grown history, gate kept: what ``engine.pipeline.execute.refresh_run`` does for
  a stored run's lists. It has seen the events the retrain holds out for validation.

The fusion's components (EASE, ALS, co-occurrence, transformer) are evaluated on their
own from inside the same fitted and updated fusions (a component of the retrained fusion
is exactly the single model fitted the same way).

    python bench/incremental_ml100k.py [--seeds 0,1,2] [--jobs 3] [--sequential-epochs N]

The transformer trains until its early stopping ends it (``--sequential-epochs`` is only
an upper bound, the engine's own) instead of against the engine's wall-clock
budget: a budget makes the number of epochs, hence the model, depend on the machine's
load, so that a retrain "with the same seed" would not be the same. An earlier cap of 30
epochs cut the transformer off while it was still improving (best epochs 26-30), and
the replay then measured where the cut fell rather than what an update misses: the
step-0 transformer trained 2-6 epochs more on its *old* data alone ranked step 2's
held-out items as well as one trained those epochs on the grown data (NDCG@10
0.092-0.100 against 0.094-0.102, retrain 0.106). Trained to early stopping (best epochs
26-51, 110-270 s per fit here), seed 0's transformer update / retrain ratio at steps 1
and 2 went from 1.00 and 0.88 to 1.06 and 0.97. One replay's five fits take 20-30
minutes on one core; ``--jobs`` replays run side by side.
``--noise-seed`` also retrains with another seed at every step. Writes
``bench/results/incremental_ml100k.json`` and ``.md``.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import RESULTS, SHARED_DATA, machine  # noqa: E402
from cli.table import render  # noqa: E402
from engine.core.device import set_threads  # noqa: E402
from engine.data.append import append_interactions  # noqa: E402
from engine.data.dataset import Dataset, History  # noqa: E402
from engine.data.importer import Catalogue, InteractionTable, read_movielens  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.split import Split, leave_one_out  # noqa: E402
from engine.evaluation.evaluate import evaluate  # noqa: E402
from engine.evaluation.metrics import MetricAccumulator  # noqa: E402
from engine.models.base import Recommender  # noqa: E402
from engine.models.fusion import DEFAULT_COMPONENTS, Fusion  # noqa: E402
from engine.models.popularity import item_popularity  # noqa: E402
from engine.models.sequential import SequentialTransformer  # noqa: E402
from engine.pipeline.config import with_run_settings  # noqa: E402
from engine.pipeline.drift import RETRAIN_SHARE, measure_change  # noqa: E402
from engine.pipeline.execute import fit_for_lists, update_fitted  # noqa: E402

ROW_COLUMNS = ("seed", "step", "model", "LOO ratio", "LOO gate kept", "users",
               "retrain NDCG@10", "update NDCG@10", "ratio", "90% interval", "all ratio",
               "top-10 overlap", "stream ratio")
#: The updates compared with the retrain (see the module docstring).
UPDATES = {
    "update": lambda model, dataset: update_fitted(model, dataset),
    "gate kept": lambda model, dataset: model.update(leave_one_out(dataset).train, dataset),
    "all": lambda model, dataset: model.update(dataset.history(), dataset),
}
STREAM_EVENTS = 20  # per user and window in the stream diagnostic
BOOTSTRAP = 1000


# -- data --------------------------------------------------------------------------------

def ordered(table: InteractionTable) -> InteractionTable:
    """The table in time order (file order on ties)."""
    return dataclasses.replace(table, frame=table.frame.sort_values(
        ["timestamp", "line"], kind="stable").reset_index(drop=True))


def initial_dataset(table: InteractionTable, catalogue: Catalogue, rows: np.ndarray) -> Dataset:
    """A dataset of the given rows of ``table``; its catalogue holds only the items taken."""
    frame = table.frame.iloc[rows]
    taken = catalogue.frame["item"].isin(set(frame["item"]))
    return build_dataset(dataclasses.replace(table, frame=frame),
                         dataclasses.replace(catalogue, frame=catalogue.frame[taken]))


def grow(dataset: Dataset, table: InteractionTable, catalogue: Catalogue,
         rows: np.ndarray) -> Dataset:
    """``dataset`` with the given rows of ``table`` appended (weights on the import's scale);
    the movies rated for the first time enter with their catalogue rows."""
    frame = table.frame.iloc[rows]
    scale = table.frame["rating"].max()
    rated = catalogue.frame["item"].isin(set(frame["item"]))
    return append_interactions(dataset, frame["user"], frame["item"], frame["rating"] / scale,
                               frame["timestamp"],
                               catalogue=dataclasses.replace(catalogue,
                                                             frame=catalogue.frame[rated]))


@dataclasses.dataclass
class Targets:
    """Each evaluated user's first event in a window, and what was left out."""

    users: np.ndarray
    items: np.ndarray
    when: np.ndarray
    new_users: int  # active in the window, not in the dataset yet
    unknown_items: int  # known users whose target movie is not in the dataset yet


def first_events(dataset: Dataset, table: InteractionTable, rows: np.ndarray) -> Targets:
    """Targets of a window: every known user's first event in it."""
    frame = table.frame.iloc[rows].drop_duplicates("user", keep="first")  # time-ordered
    known_user = frame["user"].isin(dataset.user_index).to_numpy()
    known_item = frame["item"].isin(dataset.item_index).to_numpy()
    chosen = frame[known_user & known_item]
    return Targets(np.array([dataset.user_index[u] for u in chosen["user"]]),
                   np.array([dataset.item_index[i] for i in chosen["item"]]),
                   chosen["timestamp"].to_numpy(np.int64),
                   int((~known_user).sum()), int((known_user & ~known_item).sum()))


def stream(dataset: Dataset, table: InteractionTable, rows: np.ndarray
           ) -> list[tuple[History, Targets]]:
    """The stream diagnostic's layers: layer k asks for every known user's k-th rating of
    the window (on a known movie), from the dataset plus the user's earlier ratings there."""
    frame = table.frame.iloc[rows]
    frame = frame[frame["user"].isin(dataset.user_index).to_numpy()
                  & frame["item"].isin(dataset.item_index).to_numpy()]
    user = np.array([dataset.user_index[u] for u in frame["user"]], dtype=np.int64)
    item = np.array([dataset.item_index[i] for i in frame["item"]], dtype=np.int64)
    when = frame["timestamp"].to_numpy(np.int64)
    weight = (frame["rating"] / table.frame["rating"].max()).to_numpy(np.float32)
    rank = frame.groupby("user").cumcount().to_numpy()
    layers = []
    for k in range(min(STREAM_EVENTS, int(rank.max(initial=-1)) + 1)):
        earlier = rank < k
        order = np.lexsort((np.arange(dataset.n_interactions + int(earlier.sum())),
                            np.concatenate([dataset.timestamp, when[earlier]]),
                            np.concatenate([dataset.user, user[earlier]])))
        history = History.build(
            np.concatenate([dataset.user, user[earlier]])[order],
            np.concatenate([dataset.item, item[earlier]])[order],
            np.concatenate([dataset.weight, weight[earlier]])[order],
            np.concatenate([dataset.timestamp, when[earlier]])[order],
            dataset.n_users, dataset.n_items)
        now = rank == k
        targets = Targets(user[now], item[now], when[now], 0, 0)
        layers.append((asked_at(history, targets), targets))
    return layers


def stream_ndcg(model: Recommender, layers: list[tuple[History, Targets]]) -> float:
    """NDCG@10 over every event of the stream."""
    total = count = 0.0
    for history, targets in layers:
        value = metrics(top10(model, history, targets.users), targets, history)["NDCG@10"]
        total += value * len(targets.users)
        count += len(targets.users)
    return total / max(count, 1)


# -- evaluation --------------------------------------------------------------------------

def asked_at(history: History, targets: Targets) -> History:
    """The history with the request times of the targets (the gate reads them)."""
    last = np.maximum(history.indptr[1:] - 1, 0)
    when = np.where(history.lengths > 0, history.timestamps[last], 0)
    when[targets.users] = targets.when
    return dataclasses.replace(history, request_time=when)


def top10(model: Recommender, history: History, users: np.ndarray) -> np.ndarray:
    items, _ = model.recommend(users, history, 10)
    return items


def metrics(lists: np.ndarray, targets: Targets, history: History,
            rows: np.ndarray | None = None) -> dict[str, float]:
    """NDCG@10 and HR@10 of the lists (of the chosen rows) against the targets."""
    rows = np.arange(len(lists)) if rows is None else rows
    truth = sp.csr_matrix((np.ones(len(rows)), (np.arange(len(rows)), targets.items[rows])),
                          shape=(len(rows), history.n_items))
    accumulator = MetricAccumulator(ks=(10,), item_popularity=item_popularity(history.matrix),
                                    n_train_users=int((history.lengths > 0).sum()))
    accumulator.add(lists[rows], truth)
    result = accumulator.result()
    return {"NDCG@10": result["NDCG@10"], "HR@10": result["HR@10"]}


def ratio_interval(update: np.ndarray, full: np.ndarray, targets: Targets, history: History,
                   seed: int = 0) -> tuple[float, float]:
    """A paired bootstrap 90% interval of update NDCG@10 / full NDCG@10 over users."""
    rng = np.random.default_rng(seed)
    ratios = []
    for _ in range(BOOTSTRAP):
        rows = rng.integers(0, len(update), len(update))
        denominator = metrics(full, targets, history, rows)["NDCG@10"]
        if denominator > 0:
            ratios.append(metrics(update, targets, history, rows)["NDCG@10"] / denominator)
    low, high = np.percentile(ratios, [5, 95]) if ratios else (np.nan, np.nan)
    return float(low), float(high)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Mean share of items two top-10 lists have in common."""
    return float(np.mean([len(set(x) & set(y)) / a.shape[1] for x, y in zip(a, b)]))


def compare(models: dict[str, Recommender], targets: Targets, history: History, split: Split,
            layers: list[tuple[History, Targets]], bootstrap: bool) -> dict[str, object]:
    """Every arm's window metrics, and the LOO and stream diagnostics, beside the retrain's."""
    lists = {arm: top10(model, history, targets.users) for arm, model in models.items()}
    window = {arm: metrics(lists[arm], targets, history) for arm in lists}
    loo = {arm: evaluate(model, split, "test", (10,))["NDCG@10"]
           for arm, model in models.items() if arm != "all"}  # "all" was updated with them
    streamed = {arm: stream_ndcg(model, layers) for arm, model in models.items()}

    def ratios(values: dict[str, float]) -> dict[str, float]:
        base = values["retrain"]
        return {arm: v / base if base else float("nan") for arm, v in values.items()
                if arm != "retrain"}

    return {
        "window NDCG@10": {arm: m["NDCG@10"] for arm, m in window.items()},
        "window HR@10": {arm: m["HR@10"] for arm, m in window.items()},
        "window ratio": ratios({arm: m["NDCG@10"] for arm, m in window.items()}),
        "window interval": (ratio_interval(lists["update"], lists["retrain"], targets, history)
                            if bootstrap else (1.0, 1.0)),
        "window overlap": overlap(lists["update"], lists["retrain"]),
        "LOO NDCG@10": loo, "LOO ratio": ratios(loo),
        "stream NDCG@10": streamed, "stream ratio": ratios(streamed),
    }


def parts(fusion: Fusion) -> dict[str, Recommender]:
    """The fusion and each of its components, by name."""
    return {"fusion": fusion, **fusion.fitted_components}


def copy_of(model: Recommender) -> Recommender:
    """An independent copy (through pickle, as the application stores models)."""
    return pickle.loads(pickle.dumps(model))


# -- the replay --------------------------------------------------------------------------

def replay(args: argparse.Namespace, seed: int) -> list[dict[str, object]]:
    """One replay with every model seeded by ``seed``; a record per step."""
    set_threads(args.threads)
    table, catalogue = read_movielens(args.data)
    table = ordered(table)
    ts = table.frame["timestamp"].to_numpy(np.int64)
    edges = window_edges(ts, args)
    window = np.searchsorted(edges, ts, side="right")  # 0: before W1; k: in Wk
    window[ts == ts.max()] = args.windows  # the last second belongs to the last window
    rows_of = lambda k: np.flatnonzero(window == k)  # noqa: E731

    def params_for(seed: int) -> dict[str, object]:
        sequential = {"time_budget": 0, "max_epochs": args.sequential_epochs}
        settings = with_run_settings({"sequential": sequential}, seed=seed, device="auto")
        return settings["fusion"]

    params = params_for(seed)
    dataset = first = initial_dataset(table, catalogue, rows_of(0))
    tic = time.perf_counter()
    base = fit_for_lists("fusion", dataset, params)
    initial_fit_seconds = time.perf_counter() - tic
    updated = {arm: copy_of(base) for arm in UPDATES}
    steps = []
    for step in range(args.windows):
        record: dict[str, object] = {"step": step, "seed": seed}
        full, noise = base, None
        if step == 0:
            record["fit_seconds"] = initial_fit_seconds
        else:
            dataset = grow(dataset, table, catalogue, rows_of(step))
            change = measure_change(first, dataset)
            for arm, update in UPDATES.items():
                tic = time.perf_counter()
                update(updated[arm], dataset)
                record[f"update_seconds {arm}"] = time.perf_counter() - tic
            tic = time.perf_counter()
            full = fit_for_lists("fusion", dataset, params)
            record["retrain_seconds"] = time.perf_counter() - tic
            noise = (fit_for_lists("fusion", dataset, params_for(args.noise_seed))
                     if args.noise_seed is not None else None)
            record["change_since_first_fit"] = change.to_dict()
            record["should_retrain"] = change.drift.retrain_advised
        targets = first_events(dataset, table, rows_of(step + 1))
        history = asked_at(dataset.history(), targets)
        split = leave_one_out(dataset)
        layers = stream(dataset, table, rows_of(step + 1))
        record.update(dataset={"users": dataset.n_users, "items": dataset.n_items,
                               "interactions": dataset.n_interactions},
                      evaluated_users=len(targets.users), left_out_new_users=targets.new_users,
                      left_out_unknown_items=targets.unknown_items,
                      stream_events=int(sum(len(t.users) for _, t in layers)), models={})
        arms = {"retrain": parts(full), **{arm: parts(m) for arm, m in updated.items()}}
        if noise is not None:
            arms["noise"] = parts(noise)
        for name in ("fusion", *DEFAULT_COMPONENTS):
            record["models"][name] = compare(
                {arm: models[name] for arm, models in arms.items()}, targets, history, split,
                layers, bootstrap=step > 0)
        steps.append(record)
        print(f"seed {seed} step {step}: fusion LOO ratio "
              f"{record['models']['fusion']['LOO ratio']['update']:.3f}", flush=True)
    return steps


def window_edges(ts: np.ndarray, args: argparse.Namespace) -> np.ndarray:
    """The fit's end and the windows' ends, in Unix seconds."""
    return ts.min() + (ts.max() - ts.min()) * np.linspace(args.start, 1.0, args.windows + 1)


def pooled(runs: list[list[dict[str, object]]], measure: str, model: str = "fusion"
           ) -> list[dict[str, float]]:
    """Per step after the first: each arm's NDCG@10 summed over the seeds' replays (the
    window and stream measures weighted by their users or events) over the retrain's."""
    out = []
    for step in range(1, len(runs[0])):
        totals: dict[str, float] = {}
        for steps in runs:
            record = steps[step]
            weight = {"window": record["evaluated_users"], "stream": record["stream_events"],
                      "LOO": 1.0}[measure]
            for arm, value in record["models"][model][f"{measure} NDCG@10"].items():
                totals[arm] = totals.get(arm, 0.0) + weight * value
        out.append({arm: v / totals["retrain"] for arm, v in totals.items() if arm != "retrain"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seeds", default="0,1,2",
                        help="comma-separated seeds: one whole replay per seed, pooled")
    parser.add_argument("--jobs", type=int, default=3, help="replays run at once")
    parser.add_argument("--sequential-epochs", type=int,
                        default=SequentialTransformer().max_epochs,
                        help="the transformer's epoch limit (early stopping usually ends "
                             "training first), in place of its time budget")
    parser.add_argument("--noise-seed", type=int, default=None,
                        help="also retrain with this seed at every step (noise floor)")
    parser.add_argument("--start", type=float, default=0.8, help="share of the time range fitted first")
    parser.add_argument("--windows", type=int, default=5)
    args = parser.parse_args()
    seeds = [int(x) for x in args.seeds.split(",")]
    started = time.perf_counter()
    if args.jobs > 1 and len(seeds) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(args.jobs, len(seeds))) as pool:
            runs = list(pool.map(replay, [args] * len(seeds), seeds))
    else:
        runs = [replay(args, seed) for seed in seeds]

    rows = []
    for steps in runs:
        for record in steps:
            for name in ("fusion", *DEFAULT_COMPONENTS):
                entry = record["models"][name]
                rows.append({"seed": record["seed"], "step": record["step"], "model": name,
                             "users": record["evaluated_users"],
                             "LOO ratio": entry["LOO ratio"]["update"],
                             "LOO gate kept": entry["LOO ratio"]["gate kept"],
                             "retrain NDCG@10": entry["window NDCG@10"]["retrain"],
                             "update NDCG@10": entry["window NDCG@10"]["update"],
                             "ratio": entry["window ratio"]["update"],
                             "90% interval": "{:.2f}-{:.2f}".format(*entry["window interval"]),
                             "all ratio": entry["window ratio"]["all"],
                             "top-10 overlap": entry["window overlap"],
                             "stream ratio": entry["stream ratio"]["update"]})
    loo, window, streamed = (pooled(runs, m) for m in ("LOO", "window", "stream"))
    components = {name: [r["update"] for r in pooled(runs, "LOO", name)]
                  for name in DEFAULT_COMPONENTS}
    later = [s for steps in runs for s in steps[1:]]
    ts = read_movielens(args.data)[0].frame["timestamp"].to_numpy(np.int64)
    payload = {
        "machine": machine(),
        "protocol": {
            "data": "MovieLens-100K u.data/u.item", "start": args.start,
            "windows": args.windows,
            "window_edges_unix": [int(e) for e in window_edges(ts, args)],
            "initial fit": "fit_for_lists('fusion') on everything before W1",
            "steps": "append W1..W4; update the previous step's models; retrain from scratch",
            "seeds": seeds,
            "judged on": "the grown dataset's leave-one-out test items after each step (all "
                         "users' last ratings, which neither arm was fitted on nor tuned "
                         "with), NDCG@10 summed over the seeds' replays",
            "also": {
                "window": "after step k, on W(k+1): each known user's first event there, "
                          "asked at its time; full ranking, seen items masked",
                "stream": f"each known user's first {STREAM_EVENTS} events of the next "
                          "window, each from the history up to it"},
            "updates": {
                "update": "update_fitted: the grown dataset's leave-one-out training part "
                          "(the retrain's data), gate learned again on its held-out items",
                "gate kept": "the same history, the fitted gate kept",
                "all": "the whole grown history, gate kept (engine.pipeline.execute.refresh_run)"},
            "fusion": list(DEFAULT_COMPONENTS),
            "sequential_max_epochs": args.sequential_epochs, "sequential_time_budget_s": 0,
            "torch_threads": args.threads, "noise_seed": args.noise_seed,
            "retrain_threshold": RETRAIN_SHARE,
        },
        "runs": runs,
        "summary": {
            "target": "update NDCG@10 >= 0.98 x retrain NDCG@10 at every step",
            "fusion LOO ratio per step, seeds pooled": loo,
            "target met": all(r["update"] >= 0.98 for r in loo),
            "fusion LOO ratio per step and seed": {
                steps[0]["seed"]: [s["models"]["fusion"]["LOO ratio"]["update"]
                                   for s in steps[1:]] for steps in runs},
            "component LOO ratio per step, seeds pooled": components,
            "fusion window ratio per step, seeds pooled": window,
            "fusion stream ratio per step, seeds pooled": streamed,
            "update seconds (median)": {arm: float(np.median([s[f"update_seconds {arm}"]
                                                              for s in later]))
                                        for arm in UPDATES},
            "retrain seconds (median)": float(np.median([s["retrain_seconds"] for s in later])),
            "whole run seconds": time.perf_counter() - started,
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "incremental_ml100k.json"
    out.write_text(json.dumps(payload, indent=2, default=float))
    md = "\n".join([
        f"Incremental updates against full retrains, MovieLens-100K replayed in time order; "
        f"measured {payload['machine']['date']} on {payload['machine']['cpu']}, "
        f"{payload['machine']['cores']} cores, no GPU; seeds {', '.join(map(str, seeds))}; "
        f"the transformer trained to early stopping (at most {args.sequential_epochs} "
        "epochs).", "",
        "Update / retrain NDCG@10 of the default fusion after each step, seeds pooled:", "",
        render([{"step": k + 1, "held-out items (judged)": loo[k]["update"],
                 "held-out items, gate kept": loo[k]["gate kept"],
                 "next window, first event": window[k]["update"],
                 "next window, stream": streamed[k]["update"],
                 **{f"{c} (held-out)": components[c][k] for c in DEFAULT_COMPONENTS}}
                for k in range(len(loo))],
               ("step", "held-out items (judged)", "held-out items, gate kept",
                "next window, first event", "next window, stream",
                *[f"{c} (held-out)" for c in DEFAULT_COMPONENTS]), markdown=True), "",
        f"Target (>= 0.98 at every step): {'met' if payload['summary']['target met'] else 'missed'}. "
        f"An update took {payload['summary']['update seconds (median)']['update']:.1f} s "
        f"(median), a retrain {payload['summary']['retrain seconds (median)']:.0f} s.", "",
        "Per seed and step:", "", render(rows, ROW_COLUMNS, markdown=True)])
    (RESULTS / "incremental_ml100k.md").write_text(md + "\n")
    print(md)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
