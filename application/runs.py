"""Runs from start to saved result: the one life cycle of the command line and the window.

A run is recorded as ``running`` when it starts (its own small transaction, so the
window and ``runs`` show it); the pipeline computes the whole result in memory
(:mod:`engine.pipeline.execute`), on this computer or on a Ray cluster (a
:class:`~engine.cluster.ComputeChoice`, connected before the run is recorded, so that a
cluster that cannot be reached leaves no run behind); storage writes it with the
``finished`` status in one transaction. A failure ends the run with that status and no
result rows; a cancel deletes it, so the database is as it was before it started;
either propagates.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable

from engine.cluster import ComputeChoice, open_compute
from engine.core.device import set_threads
from engine.core.errors import Cancelled, DataError
from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.preprocess import PreprocessOptions
from engine.pipeline.compute import Compute
from engine.pipeline.config import RunConfig
from engine.pipeline.drift import Drift
from engine.pipeline.execute import execute_run, refresh_run
from engine.pipeline.result import RunResult
from storage.database import Database
from storage.datasets import dataset_info, load_dataset
from storage.errors import StorageError
from storage.feedback import training_feedback
from storage.run_models import fitted_on, load_model
from storage.runs import discard_run, end_run, finish_run, run_info, start_run

log = logging.getLogger(__name__)


def run_dataset(db: Database, dataset: str, config: RunConfig, task: Task,
                started: Callable[[int], None] | None = None, threads: int | None = None,
                compute: ComputeChoice = ComputeChoice()) -> tuple[int, RunResult]:
    """A new run of ``config`` on the stored ``dataset``, preprocessed as it was imported
    (the dataset's stored preprocessing options replace ``config.preprocess``), with
    torch on ``threads`` threads (None: torch's default): what Run does in the window
    and ``run`` on the command line."""
    info = dataset_info(db, dataset)
    config = replace(config, preprocess=PreprocessOptions(**info.options.get("preprocess", {})))
    set_threads(threads)
    return run_and_save(db, dataset, config, task, started, compute)


def run_and_save(db: Database, dataset: str, config: RunConfig, task: Task,
                 started: Callable[[int], None] | None = None,
                 compute: ComputeChoice = ComputeChoice()) -> tuple[int, RunResult]:
    """Load ``dataset``, run the pipeline on ``compute`` and save it: the one run
    lifecycle of the CLI and the GUI. The run is recorded as running first (``started``
    gets its id); the results are written in one transaction at the end; a failure ends
    the run with that status and no result rows, a cancel deletes it, and either
    propagates."""
    task.begin(Stage.LOAD, f"loading {dataset}")
    data = load_dataset(db, dataset)
    signal = training_feedback(db, data) if config.use_feedback else None
    with _connected(compute, task) as on:
        return _lifecycle(db, dataset, config, task, started,
                          lambda: execute_run(data, config, task, signal, on))


def retrain_and_save(db: Database, run_id: int, task: Task,
                     started: Callable[[int], None] | None = None,
                     compute: ComputeChoice = ComputeChoice()) -> tuple[int, RunResult]:
    """The full pipeline again with run ``run_id``'s recorded configuration, on its
    dataset as it is now (:func:`run_and_save`)."""
    info = run_info(db, run_id)
    return run_and_save(db, info.dataset, RunConfig.from_dict(info.config), task, started,
                        compute)


def drift_of(db: Database, run_id: int) -> Drift:
    """How far run ``run_id``'s dataset has grown since its model's last full fit."""
    info = run_info(db, run_id)
    sizes = fitted_on(db, run_id)
    if sizes is None:
        raise StorageError(f"run {run_id} has no stored model; start a new run instead")
    data = dataset_info(db, info.dataset)
    return Drift.between(sizes, (data.n_interactions, data.n_items))


def update_and_save(db: Database, run_id: int, task: Task,
                    started: Callable[[int], None] | None = None,
                    compute: ComputeChoice = ComputeChoice()
                    ) -> tuple[int, RunResult, Drift]:
    """A new run from run ``run_id``'s stored model, updated for what was added to its
    dataset since (no refit), with every list and profile made again (on ``compute``);
    the same life cycle as :func:`run_and_save`. The drift says whether a full retrain
    is due."""
    info = run_info(db, run_id)
    if info.status != "finished":
        raise StorageError(f"run {run_id} is {info.status}; only a finished run can be "
                           "updated")
    task.begin(Stage.LOAD, f"loading {info.dataset} and the model of run {run_id}")
    stored = load_model(db, run_id)
    if stored is None:
        raise StorageError(f"run {run_id} has no stored model (it was saved by an older "
                           "version, or users of its dataset were forgotten since); start "
                           "a new run instead")
    data = load_dataset(db, info.dataset)
    if data.n_users < stored.n_users or data.n_items < stored.n_items:
        raise StorageError(f"dataset {info.dataset!r} has fewer users or items than run "
                           f"{run_id}'s model knows; start a new run instead")
    config = replace(RunConfig.from_dict(info.config), updated_from=run_id)
    signal = training_feedback(db, data) if config.use_feedback else None
    fit = (stored.fit_interactions, stored.fit_items)
    drift = Drift.between(fit, (data.n_interactions, data.n_items))
    with _connected(compute, task) as on:
        new_id, result = _lifecycle(
            db, info.dataset, config, task, started,
            lambda: refresh_run(stored.model, data, config, fit, task, signal, on))
    return new_id, result, drift


@contextmanager
def _connected(choice: ComputeChoice, task: Task) -> Iterator[Compute]:
    """``choice`` connected (a cluster: said in the task's status) for the block."""
    if choice.kind != "local":
        task.update(task.progress, f"connecting to {choice.describe()}")
    with open_compute(choice) as compute:
        yield compute


def _lifecycle(db: Database, dataset: str, config: RunConfig, task: Task,
               started: Callable[[int], None] | None, compute: Callable[[], RunResult]
               ) -> tuple[int, RunResult]:
    run_id = start_run(db, dataset, config)
    if started is not None:
        started(run_id)
    try:
        result = compute()
        task.begin(Stage.SAVE, "saving lists and profiles")
        finish_run(db, run_id, result, task)
        task.finish()
    except (Cancelled, KeyboardInterrupt):
        # best effort, as below: a row left behind is marked interrupted at the next open
        try:
            discard_run(db, run_id)
        except StorageError:
            log.warning("could not delete the cancelled run %s", run_id, exc_info=True)
        raise
    except Exception as exc:
        message = str(exc) if isinstance(exc, DataError) else f"{type(exc).__name__}: {exc}"
        _record_end(db, run_id, "failed", message)
        raise
    return run_id, result


def _record_end(db: Database, run_id: int, status: str, message: str) -> None:
    """Best effort: the error that ended the run matters more than failing to record it."""
    try:
        end_run(db, run_id, status, message)
    except StorageError:
        log.warning("could not record run %s as %s", run_id, status, exc_info=True)
