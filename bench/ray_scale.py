"""Ray scale check: a 3-million-interaction synthetic shop through a fusion of EASE, ALS
and co-occurrence, on this computer and on a local Ray cluster of one and of two worker
nodes (one CPU each, ``ray start`` on 127.0.0.1; engine/cluster/local.py), with Ray's
overhead or speed-up, the per-stage and per-shard costs that docs/scale-out.md
extrapolates from, and whether every list and every fitted model is the local run's;
then the transformer alone on a small shop, here and through Ray Train's TorchTrainer
with one and with two workers.

    python bench/ray_scale.py [--users 60000] [--items 5000] [--seed 0] [--workers 1,2]
                              [--repeats 2]

Each run is the whole pipeline of ``main.py run`` in memory (split, fit, evaluate, every
user's list and profile), timed from the data in memory to the result (the cluster's
connection included, its start not: a cluster stands). The cluster's head node has no
CPU of its own, so that its worker nodes are the only CPUs doing work, as the local run
has this computer's. The peak memory of the fit and scoring workers is sampled from
/proc while they run. Where a fitted EASE differs from the local one, EASE is fitted
here again with BLAS on one thread, as a worker's is, to show whether the thread count
is the difference. Writes ``bench/results/ray_scale.json`` and ``.md``; the CSV files
go to a temporary folder.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threadpoolctl import threadpool_limits  # noqa: E402

from bench.common import machine, write_results  # noqa: E402
from engine.cluster import ComputeChoice, open_compute  # noqa: E402
from engine.cluster.local import LocalCluster  # noqa: E402
from engine.cluster.ray_compute import SHARD_USERS  # noqa: E402
from engine.cluster.shipping import plain_fit_inputs  # noqa: E402
from engine.core.progress import Task  # noqa: E402
from engine.data.feedback import TrainingSignal  # noqa: E402
from engine.data.importer import read_catalogue, read_interactions  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.synthetic import ShopConfig, generate, write_csv  # noqa: E402
from engine.models import make_model  # noqa: E402
from engine.models.serialize import model_to_bytes  # noqa: E402
from engine.pipeline.compute import LOCAL, Compute  # noqa: E402
from engine.pipeline.config import RunConfig  # noqa: E402
from engine.pipeline.execute import execute_run, training_part  # noqa: E402
from engine.pipeline.result import RunResult  # noqa: E402

#: The shop's users by default: 3 million interactions with 5,000 items.
USERS = 60_000
COMPONENTS = ["ease", "als", "cooc"]
CONFIG = RunConfig(model="fusion", params={"fusion": {"components": COMPONENTS,
                                                      "cold_start": None}})
OVERHEAD_TARGET = 0.25  # of the local wall time, with two worker nodes
#: The transformer for a fixed number of epochs (no time budget, no early stop), so every
#: fit trains alike wherever it runs; on one torch thread, as each TorchTrainer worker has
#: its one CPU's (on a shared machine two threads here fought the other work for the
#: cores and took several times longer).
SEQUENTIAL = RunConfig(model="sequential", params={"sequential": {
    "max_epochs": 10, "patience": 10, "time_budget": 0, "threads": 1}})


class PeakMemory(threading.Thread):
    """The largest resident set of the studio's work on a cluster's workers, by process
    title (``ray::fit ease``; ``ray::MapWorker``, a scoring worker), sampled every 0.2 s."""

    def __init__(self, cluster: LocalCluster) -> None:
        super().__init__(daemon=True)
        self.cluster, self.peak_mib = cluster, {}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            for pid, title in self.cluster.processes().items():
                if not title.startswith(("ray::fit ", "ray::MapWorker")):
                    continue
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                kib = next((int(line.split()[1]) for line in status.splitlines()
                            if line.startswith("VmRSS:")), 0)
                name = title.split("(")[0] if title.startswith("ray::MapWorker") else title
                self.peak_mib[name] = max(self.peak_mib.get(name, 0), round(kib / 1024))

    def stop(self) -> dict[str, int]:
        self._done.set()
        self.join()
        return dict(sorted(self.peak_mib.items()))


def dataset_of(config: ShopConfig):
    """The shop imported as the app imports it (CSV files, then preprocessing)."""
    with tempfile.TemporaryDirectory(prefix="ray_bench_") as tmp:
        interactions, items = write_csv(generate(config), tmp)
        return build_dataset(read_interactions(interactions), read_catalogue(items))


def timed_run(dataset, compute: Compute = LOCAL, config: RunConfig = CONFIG
              ) -> tuple[float, RunResult]:
    start = time.perf_counter()
    result = execute_run(dataset, config, Task(), compute=compute)
    return time.perf_counter() - start, result


def transformer_check(seed: int) -> dict[str, object]:
    """The transformer alone, trained here and through the TorchTrainer with one and with
    two workers on a two-node cluster (one CPU each): same seed, same data. Two workers
    each draw their own dropout masks for their half of every batch and sum it apart, so
    their fit drifts from the local one; how far, and how long each took, on a small shop."""
    small = dataset_of(ShopConfig(n_users=2_000, seed=seed))
    local_wall, local = timed_run(small, config=SEQUENTIAL)
    out: dict[str, object] = {"interactions": small.n_interactions, "epochs": 10,
                              "local": transformer_figures(local_wall, local, local)}
    with LocalCluster(workers=2, cpus_per_node=1, head_cpus=0) as cluster:
        with open_compute(ComputeChoice("ray", cluster.address)) as compute:
            for workers in (1, 2):
                compute.train_workers = workers  # type: ignore[attr-defined]
                task, statuses = Task(), set()
                task.listeners.append(lambda t: statuses.add(t.status))
                start = time.perf_counter()
                remote = execute_run(small, SEQUENTIAL, task, compute=compute)
                name = f"TorchTrainer, {workers} worker{'s' if workers > 1 else ''}"
                assert any(f"sequential: {name}: epoch" in s for s in statuses), statuses
                out[name] = transformer_figures(time.perf_counter() - start, remote, local)
    return out


def transformer_figures(wall: float, result: RunResult, local: RunResult) -> dict[str, object]:
    """Seconds, NDCG@10 and how much of each top-20 list is the local fit's."""
    k = local.lists.items.shape[1]
    shared = [len(set(a) & set(b)) / k for a, b in zip(local.lists.items, result.lists.items)]
    return {"wall_seconds": round(wall, 1),
            "fit_seconds": round(result.stage_seconds["fit sequential"], 1),
            "test_ndcg10": round(result.metrics["test"]["NDCG@10"], 4),
            "valid_ndcg10": round(result.metrics["valid"]["NDCG@10"], 4),
            "mean_top20_overlap": round(float(np.mean(shared)), 3),
            "identical_lists": bool(np.array_equal(local.lists.items, result.lists.items))}


def identical(local: RunResult, remote: RunResult) -> dict[str, bool]:
    """Whether each part of the remote run's lists, profiles and metrics is the local
    one's, bit for bit."""
    parts = {"items": np.array_equal(local.lists.items, remote.lists.items),
             "scores": np.array_equal(local.lists.scores, remote.lists.scores),
             "gate": np.array_equal(local.profiles.gate, remote.profiles.gate),
             "metrics": local.metrics == remote.metrics}
    for name in COMPONENTS:
        parts[f"{name} contribution"] = np.array_equal(local.lists.contributions[name],
                                                       remote.lists.contributions[name])
    return parts


def same_models(local: RunResult, remote: RunResult) -> dict[str, object]:
    """Whether each fitted component's stored bytes are the local one's; where EASE's
    are not, how many of its weights differ and by how much at most."""
    same: dict[str, object] = {}
    for name in COMPONENTS:
        mine, theirs = (r.model.fitted_components[name] for r in (local, remote))
        same[name] = model_to_bytes(mine) == model_to_bytes(theirs)
        if not same[name] and name == "ease":
            differ = mine.weights != theirs.weights
            same["ease weights differing"] = int(differ.sum())
            same["ease weights max difference"] = float(
                np.abs(mine.weights - theirs.weights).max())
            same["ease weights"] = int(mine.weights.size)
    return same


def ease_on_one_thread(dataset, remote: RunResult) -> dict[str, object]:
    """EASE fitted here again with BLAS on one thread, as a cluster worker's one CPU
    runs it: whether that fit's bytes are the cluster's, and its seconds."""
    _, train, _ = training_part(dataset, CONFIG, TrainingSignal.empty())
    start = time.perf_counter()
    with threadpool_limits(1, user_api="blas"):
        ease = make_model("ease").fit(train, dataset)
    return {"same_bytes_as_the_cluster_fit": model_to_bytes(ease) == model_to_bytes(
        remote.model.fitted_components["ease"]), "seconds": round(time.perf_counter() - start, 1)}


def stages(result: RunResult) -> dict[str, float]:
    return {str(k): round(v, 1) for k, v in result.stage_seconds.items()}


def sizes(dataset, result: RunResult) -> dict[str, float]:
    """MiB of what travels: the fits' inputs (once to the object store), each fitted
    component back, the fused model to every scoring worker, the lists back."""
    _, train, valid = training_part(dataset, CONFIG, TrainingSignal.empty())
    inputs = plain_fit_inputs(train, dataset, valid)

    def nbytes(value: object) -> int:
        if isinstance(value, np.ndarray):
            return value.nbytes
        if isinstance(value, dict):
            return sum(nbytes(v) for v in value.values())
        return 0

    lists = result.lists
    back = (lists.items.nbytes + lists.scores.nbytes
            + sum(v.nbytes for v in lists.contributions.values()) + result.profiles.gate.nbytes)
    mib = {"fit inputs": nbytes(inputs),
           **{f"fitted {n}": len(model_to_bytes(result.model.fitted_components[n]))
              for n in COMPONENTS},
           "fused model": len(model_to_bytes(result.model)), "lists back": back}
    return {k: round(v / 2**20, 1) for k, v in mib.items()}


def ray_run(dataset, workers: int) -> tuple[float, float, RunResult, dict[str, int]]:
    """A run on a fresh local cluster of ``workers`` one-CPU nodes: wall seconds (the
    connection included), the connection's, the result, the workers' peak memory."""
    with LocalCluster(workers=workers, cpus_per_node=1, head_cpus=0,
                      object_store_mib=2048) as cluster:
        memory = PeakMemory(cluster)
        memory.start()
        start = time.perf_counter()
        with open_compute(ComputeChoice("ray", cluster.address)) as compute:
            connect = time.perf_counter() - start
            wall, result = timed_run(dataset, compute)
        return wall + connect, connect, result, memory.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", default="1,2", help="worker node counts to try")
    parser.add_argument("--repeats", type=int, default=2,
                        help="rounds of every run, interleaved; the fastest of each counts "
                             "(other work on the machine slows some)")
    args = parser.parse_args()
    dataset = dataset_of(ShopConfig(n_users=args.users, n_items=args.items,
                                    sessions_per_user=(7, 18), seed=args.seed))
    print(f"{dataset.n_interactions:,} interactions, {dataset.n_users:,} users, "
          f"{dataset.n_items:,} items", flush=True)
    timed_run(dataset_of(ShopConfig(n_users=50, seed=args.seed)))  # torch & co. loaded first
    runs, local, ease = rounds(dataset, [int(w) for w in args.workers.split(",")],
                               args.repeats)
    transformer = transformer_check(args.seed)
    print(f"transformer: {transformer}", flush=True)
    two = runs.get("ray, 2 worker nodes")
    facts = {"interactions": dataset.n_interactions, "users": dataset.n_users,
             "items": dataset.n_items, "components": COMPONENTS, "k": CONFIG.k,
             "shard_users": SHARD_USERS, "shipped_mib": sizes(dataset, local), "runs": runs,
             "ease_on_one_blas_thread": ease, "transformer": transformer,
             "repeats": args.repeats,
             "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
             "target": {"overhead_vs_local_at_most": OVERHEAD_TARGET,
                        "lists_identical": True}}
    if two is not None:
        facts["meets_target"] = (two["overhead_vs_local"] <= OVERHEAD_TARGET
                                 and all(two["identical_to_local"].values()))
    m = machine()
    write_results("ray_scale", {"machine": m, "facts": facts}, markdown(m, facts))
    print(markdown(m, facts))


def rounds(dataset, counts: list[int], repeats: int
           ) -> tuple[dict[str, dict[str, object]], RunResult, dict[str, object] | None]:
    """``repeats`` rounds of a local run and a run on every cluster size, interleaved:
    each one's fastest round (or one whose lists differ), the first local result, and
    EASE refitted on one BLAS thread where a cluster's EASE differed from the local."""
    walls: dict[str, list[float]] = {}
    runs: dict[str, dict[str, object]] = {}
    local: RunResult | None = None
    ease: dict[str, object] | None = None
    for _ in range(repeats):
        wall, result = timed_run(dataset)
        wall = round(wall, 1)  # as kept, so that the fastest round compares equal
        walls.setdefault("local", []).append(wall)
        print(f"local: {wall:.1f} s {stages(result)}", flush=True)
        local = local or result  # the lists every cluster run is compared with
        if wall <= min(walls["local"]):
            runs["local"] = {"stage_seconds": stages(result), "component_fit_seconds": {
                k: round(v, 1) for k, v in result.model.fit_seconds.items()}}
        for workers in counts:
            name = f"ray, {workers} worker node{'s' if workers > 1 else ''}"
            wall, connect, remote, peaks = ray_run(dataset, workers)
            wall = round(wall, 1)
            walls.setdefault(name, []).append(wall)
            same, models = identical(local, remote), same_models(local, remote)
            print(f"{name}: {wall:.1f} s {stages(remote)}; identical: {all(same.values())}; "
                  f"fitted: {models}", flush=True)
            if ease is None and not models["ease"]:
                ease = ease_on_one_thread(dataset, remote)
                print(f"EASE on one BLAS thread here: {ease}", flush=True)
            differs = name in runs and not all(runs[name]["identical_to_local"].values())
            if not differs and (wall <= min(walls[name]) or not all(same.values())):
                runs[name] = {"connect_seconds": round(connect, 1),  # the fastest round,
                              "stage_seconds": stages(remote),  # or one whose lists differ
                              "identical_to_local": same, "same_fitted_bytes": models,
                              "worker_peak_rss_mib": peaks}
    assert local is not None
    runs["local"]["process_peak_rss_mib"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    best = {name: min(values) for name, values in walls.items()}
    for name, run in runs.items():
        run["wall_seconds"], run["every_wall_seconds"] = best[name], walls[name]
        if name != "local":
            run["overhead_vs_local"] = round(best[name] / best["local"] - 1, 3)
            run["speed_up_vs_local"] = round(best["local"] / best[name], 2)
    return runs, local, ease


def markdown(m: dict[str, object], facts: dict[str, object]) -> str:
    runs = facts["runs"]
    rows = ["| where | wall s (each round) | vs local | fit s | evaluate s | lists s | "
            "same lists, gate, metrics |", "|---|---|---|---|---|---|---|"]
    for name, run in runs.items():
        s = run["stage_seconds"]
        versus = "" if name == "local" else (
            f"{run['overhead_vs_local']:+.0%} ({run['speed_up_vs_local']:.2f}x)")
        every = ", ".join(str(w) for w in run["every_wall_seconds"])
        rows.append(f"| {name} | {run['wall_seconds']} ({every}) | {versus} | "
                    f"{s.get('fit fusion')} | "
                    f"{s.get('evaluate')} | {s.get('recommend')} | {_same(run)} |")
    shipped = ", ".join(f"{k} {v} MiB" for k, v in facts["shipped_mib"].items())
    peaks = {name: run.get("worker_peak_rss_mib") for name, run in runs.items()
             if run.get("worker_peak_rss_mib")}
    bytes_same = {name: run["same_fitted_bytes"] for name, run in runs.items()
                  if "same_fitted_bytes" in run}
    ease = facts["ease_on_one_blas_thread"]
    smaller = ("" if facts["users"] >= USERS else
               f" (a smaller shop than the default {USERS:,} users: the machine was shared)")
    return "\n".join([
        f"Ray scale check, measured {m['date']} on {m['cpu']}, {m['cores']} cores "
        f"(load average {facts['load_average_at_end'][0]} at the end), no GPU: "
        f"{facts['interactions']:,} interactions ({facts['users']:,} users, "
        f"{facts['items']:,} items){smaller}, a fusion of {', '.join(facts['components'])} "
        f"with K={facts['k']}, the whole run (split, fit, evaluate, lists) on this computer "
        f"and through a local Ray cluster (`python bench/ray_scale.py "
        f"--users {facts['users']} --repeats {facts['repeats']}`), "
        + (f"{facts['repeats']} rounds interleaved, the fastest of each counted"
           if facts["repeats"] > 1 else "one round") + ", with its stages. "
        f"Target: Ray's "
        f"overhead at most {facts['target']['overhead_vs_local_at_most']:.0%} of the local "
        f"wall time with two worker nodes, lists identical"
        + ("" if "meets_target" not in facts else
           f": {'met' if facts['meets_target'] else 'NOT met'}") + ".",
        "", *rows, "",
        "Evaluate runs on this computer in every run, the same work each time, so its seconds "
        "show the load a run met; wall over evaluate seconds, which discounts it: "
        + ", ".join(f"{name} {run['wall_seconds'] / run['stage_seconds']['evaluate']:.2f}"
                    for name, run in runs.items()) + ".",
        f"Shipped: {shipped}. Scoring shards of about {facts['shard_users']:,} users. "
        f"Fitted components bit-identical to the local fits: {bytes_same}."
        + ("" if ease is None else
           " EASE fitted here again with BLAS on one thread, as on a worker's one CPU: "
           f"{'the cluster' if ease['same_bytes_as_the_cluster_fit'] else 'NOT the cluster'}"
           f"'s fit, bit for bit ({ease['seconds']} s)."),
        "", *transformer_rows(facts["transformer"]), "",
        f"Peak resident memory of the workers (MiB): {peaks}; of this process after the "
        f"data was made and the local run done: {runs['local']['process_peak_rss_mib']} MiB.",
    ])


def transformer_rows(t: dict[str, object]) -> list[str]:
    """The transformer's table: here, and through the TorchTrainer."""
    rows = [f"The transformer alone (default sizes, {t['epochs']} epochs, dropout as by "
            f"default, one torch thread, {t['interactions']:,} interactions), here and "
            "through Ray Train's TorchTrainer on a cluster of two one-CPU worker nodes:", "",
            "| where | wall s | fit s | test NDCG@10 | valid NDCG@10 | top-20 lists shared "
            "with local | identical lists |", "|---|---|---|---|---|---|---|"]
    for name, r in t.items():
        if isinstance(r, dict):
            rows.append(f"| {name} | {r['wall_seconds']} | {r['fit_seconds']} | "
                        f"{r['test_ndcg10']} | {r['valid_ndcg10']} | "
                        f"{r['mean_top20_overlap']:.0%} | "
                        f"{'yes' if r['identical_lists'] else 'no'} |")
    return rows


def _same(run: dict[str, object]) -> str:
    same = run.get("identical_to_local")
    if same is None:
        return ""
    different = [part for part, equal in same.items() if not equal]  # type: ignore[union-attr]
    return "NO: " + ", ".join(different) if different else "yes"


if __name__ == "__main__":
    main()
