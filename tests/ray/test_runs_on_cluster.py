"""A run through a real Ray cluster gives a local run's results (the transformer's, trained
by Ray Train's TorchTrainer, within a stated tolerance), its progress comes from the
workers, and a cancel stops the cluster's tasks, trainer and scoring alike."""
from __future__ import annotations

import time

import numpy as np
import pytest

from engine.cluster import ComputeChoice, open_compute
from engine.core.errors import Cancelled
from engine.core.progress import Task
from engine.models import make_model
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run, fit_run_model
from engine.pipeline.result import RunResult

pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")
import ray  # noqa: E402

from engine.cluster import ray_compute  # noqa: E402  (imports ray)

#: Three deterministic components, and the fusion's cold-start text model (word2vec) as
#: a fourth member: four fits as tasks on the cluster's two CPUs, then the gate here.
FUSION = RunConfig(model="fusion", params={"fusion": {"components": ["ease", "als", "cooc"]}})
#: How far a transformer fitted on the cluster may be from one fitted here (the
#: tolerance docs/scale-out.md states for a fit without dropout, or with one worker):
#: NDCG@10 on each phase, and the share of each top-20 list the two have in common, on
#: average.
TRANSFORMER_NDCG_TOLERANCE, TRANSFORMER_OVERLAP = 0.01, 0.9
#: Seconds to wait for the cluster to end what was cancelled before calling it a hang (a
#: guard, not a speed target: the wait ends as soon as the processes are gone).
HANG_SECONDS = 300


def watched() -> tuple[Task, list[tuple[str, float, str]]]:
    """A task, and what it reported (stage, progress, status), in order."""
    task, seen = Task(), []
    task.listeners.append(lambda t: seen.append((t.stage, t.progress, t.status)))
    return task, seen


def same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None
                                         and np.array_equal(a, b))


def assert_same_results(local: RunResult, remote: RunResult) -> None:
    assert np.array_equal(local.lists.items, remote.lists.items)
    assert np.array_equal(local.lists.scores, remote.lists.scores)
    assert local.lists.contributions.keys() == remote.lists.contributions.keys()
    for name, part in local.lists.contributions.items():
        assert np.array_equal(part, remote.lists.contributions[name]), name
    assert same(local.profiles.gate, remote.profiles.gate)
    assert same(local.profiles.long_term, remote.profiles.long_term)
    assert local.profiles.keywords == remote.profiles.keywords
    assert local.metrics == remote.metrics


def test_a_fusion_on_the_cluster_equals_the_local_run(cluster, ray_shop):
    local = execute_run(ray_shop, FUSION)
    task, seen = watched()
    with open_compute(ComputeChoice("ray", cluster.address)) as compute:
        assert compute.info.describe() == "2 nodes, 2 CPUs, 0 GPUs"
        remote = execute_run(ray_shop, FUSION, task, compute=compute)
    assert_same_results(local, remote)
    assert set(remote.lists.contributions) == {"ease", "als", "cooc", "word2vec"}
    fit = [(p, s) for stage, p, s in seen if stage == "fit fusion"]
    on_cluster = [s for _, s in fit if s.startswith("on the cluster:")]
    for name in ("ease", "als", "cooc", "word2vec"):
        assert any(f"{name}: done" in s for s in on_cluster), name
    # the gate is learned here, with the members reused, then checked against its lists
    statuses = [s for _, s in fit]
    gate = next(i for i, s in enumerate(statuses) if s.startswith("learning the gate"))
    assert not any(s.startswith("on the cluster:") for s in statuses[gate:])
    assert statuses[-1].startswith("gate checked on 120 validation users")
    progress = [p for p, _ in fit]
    assert progress == sorted(progress) and progress[-1] == 1.0
    scoring = [s for stage, _, s in seen if stage == "recommend" and "users scored" in s]
    assert scoring[-1] == "on the cluster: 120 of 120 users scored"


def transformer(**params: object) -> RunConfig:
    """A tiny transformer for a fixed number of epochs (no time budget to cut it short)."""
    return RunConfig(model="sequential", params={"sequential": {
        "hidden": 16, "layers": 1, "heads": 1, "max_epochs": 4, "patience": 4,
        "time_budget": 0, **params}})


def within_tolerance(local: RunResult, remote: RunResult) -> None:
    for phase in ("valid", "test"):
        assert abs(local.metrics[phase]["NDCG@10"]
                   - remote.metrics[phase]["NDCG@10"]) <= TRANSFORMER_NDCG_TOLERANCE
    k = local.lists.items.shape[1]
    shared = [len(set(a) & set(b)) / k for a, b in zip(local.lists.items, remote.lists.items)]
    assert np.mean(shared) >= TRANSFORMER_OVERLAP


def from_the_trainer(seen: list[tuple[str, float, str]], trainer: str) -> list[str]:
    """What the transformer's fit said from inside ``trainer`` (its rank 0 worker), the
    trainer's own wait for its workers left out."""
    said = f"sequential: {trainer}: "
    return [s.split(said, 1)[1] for _, _, s in seen
            if said in s and not s.endswith("waiting for the workers")]


def test_the_transformer_on_the_cluster_is_the_local_one_within_tolerance(cluster, ray_shop):
    """Ray Train's TorchTrainer with two workers, each on half of every batch, their
    gradients averaged: the local fit's gradient, summed in another order. Without
    dropout, which each worker draws for its own rows, that is the only difference, and
    the lists stay within the tolerance docs/scale-out.md states."""
    config = transformer(dropout=0.0)
    local = execute_run(ray_shop, config)
    task, seen = watched()
    with open_compute(ComputeChoice("ray", cluster.address)) as compute:
        remote = execute_run(ray_shop, config, task, compute=compute)
    within_tolerance(local, remote)
    assert from_the_trainer(seen, "TorchTrainer, 2 workers")


def test_a_fusion_trains_the_transformer_beside_its_other_fits(cluster, ray_shop):
    """One TorchTrainer worker (this is the path of a one-CPU cluster) beside the
    co-occurrence task, on the cluster's two CPUs; dropout as by default: one worker
    draws it as a local fit does."""
    config = RunConfig(model="fusion", params={"fusion": {
        "components": ["cooc", "sequential"], "cold_start": None,
        "component_params": {"sequential": transformer().params["sequential"]}}})
    local = execute_run(ray_shop, config)
    task, seen = watched()
    with open_compute(ComputeChoice("ray", cluster.address)) as compute:
        compute.train_workers = 1
        remote = execute_run(ray_shop, config, task, compute=compute)
    within_tolerance(local, remote)
    assert set(remote.lists.contributions) == {"cooc", "sequential"}
    assert from_the_trainer(seen, "TorchTrainer, 1 worker")


def test_cancel_stops_the_tasks_on_the_cluster(cluster, ray_shop):
    """ALS would iterate for minutes: the cancel comes once its worker's progress
    (``ALS iteration i/n``, which only the worker knows) reached this process, and
    stops the fit there."""
    endless = RunConfig(model="als", params={"als": {"iterations": 1_000_000}})
    task = Task()
    task.listeners.append(lambda t: t.cancel() if "ALS iteration" in t.status else None)
    with open_compute(ComputeChoice("ray", cluster.address)) as compute:
        with pytest.raises(Cancelled):
            fit_run_model(ray_shop, endless, task, compute=compute)
    stopped(cluster, "ray::fit als")


def test_cancel_stops_the_trainer_on_the_cluster(cluster, ray_shop):
    """A transformer that would train for hours: the cancel comes with its first epoch's
    progress, and ends the trainer, its controller and both its workers; the CPUs they
    held are free again for the next run."""
    endless = transformer(max_epochs=100_000, patience=100_000)
    task = Task()
    task.listeners.append(lambda t: t.cancel() if "TorchTrainer, 2 workers: epoch" in t.status
                          else None)
    with open_compute(ComputeChoice("ray", cluster.address)) as compute:
        with pytest.raises(Cancelled):
            fit_run_model(ray_shop, endless, task, compute=compute)
        for title in ("ray::RayTrainWorker", "ray::TrainController", "ray::train sequential"):
            stopped(cluster, title)
        deadline = time.monotonic() + HANG_SECONDS
        while ray.available_resources().get("CPU", 0) < 2:
            assert time.monotonic() < deadline, "the trainer's CPUs were not given back"
            time.sleep(0.2)


def test_cancel_stops_the_scoring_on_the_cluster(cluster, ray_shop, monkeypatch):
    """Shards of ten users: the cancel comes with the first shard's lists, and the Ray
    Data workers scoring the rest end."""
    monkeypatch.setattr(ray_compute, "SHARD_USERS", 10)
    model = make_model("cooc").fit(ray_shop.history(), ray_shop)
    task = Task()
    task.listeners.append(lambda t: t.cancel() if "users scored" in t.status else None)
    with open_compute(ComputeChoice("ray", cluster.address)) as compute:
        with pytest.raises(Cancelled):
            compute.score(model, np.arange(ray_shop.n_users), ray_shop.history(), 10,
                          task=task)
    stopped(cluster, "ray::MapWorker")


def stopped(cluster, title: str) -> None:
    """Until no process of the cluster runs a task titled ``title`` (HANG_SECONDS at most)."""
    deadline = time.monotonic() + HANG_SECONDS
    while any(c.startswith(title) for c in cluster.processes().values()):
        assert time.monotonic() < deadline, f"{title} still runs on the cluster"
        time.sleep(0.2)
