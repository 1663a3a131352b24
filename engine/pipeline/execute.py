"""One pipeline run: split, fit, evaluate, then lists and profiles for every user.

The result is computed entirely in memory and handed over whole: storage writes it in one
transaction, so a cancelled or crashed run leaves no half-written records. Models are
fitted on the training part of the split (the validation targets are only used for early
stopping and fusion weights); the lists are then made from each user's full history,
the way a deployed recommender folds in what it saw after training.

Feedback given on earlier lists (:class:`~engine.data.feedback.TrainingSignal`) trains the
next run: likes are extra interactions in the training history and in the history the
lists are made from (the held-out events of the evaluation stay as they were logged),
and refused items are kept out of the lists. The fitted model stays with the result, so
the window can re-rank a user's list at once when they give more feedback.
"""
from __future__ import annotations

import time

import numpy as np

from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.dataset import Dataset, History, Validation
from engine.data.features import item_vectors
from engine.data.feedback import TrainingSignal, add_likes, refused_matrix, without_pairs
from engine.data.split import Split
from engine.evaluation.breakdown import by_history_length, component_metrics
from engine.evaluation.evaluate import evaluate, measured_users
from engine.models import make_model
from engine.models.base import Composite, Recommender
from engine.pipeline.compute import LOCAL, Compute
from engine.pipeline.config import RunConfig, make_split, with_text_vectors
from engine.pipeline.profiles import interest_keywords
from engine.pipeline.result import Profiles, RunResult, UserLists


def without_held_out(signal: TrainingSignal, split: Split) -> TrainingSignal:
    """The signal without likes of a held-out (validation or test) item of the same user:
    a like must never hand the model the answer it is evaluated on."""
    held_out = split.targets("test") + split.targets("valid")
    return without_pairs(signal, held_out)


def training_part(dataset: Dataset, config: RunConfig, feedback: TrainingSignal
                  ) -> tuple[Split, History, Validation | None]:
    """The split, the history a model learns from (its training part with the likes that
    are no held-out item) and the validation targets (None when there are none)."""
    split = make_split(dataset, config.split)
    valid = split.validation()
    return split, add_likes(split.train, without_held_out(feedback, split)), valid


def fit_run_model(dataset: Dataset, config: RunConfig, task: Task | None = None,
                  feedback: TrainingSignal | None = None, compute: Compute = LOCAL
                  ) -> tuple[Split, Recommender]:
    """The split and the run's model fitted on its training part (likes that are no
    held-out item included) by ``compute``; the validation targets stop training early
    and teach a fusion its gate. The one fit of runs, evaluations' lists and
    ``recommend``."""
    task = task or Task()
    split, train, valid = training_part(dataset, config, feedback or TrainingSignal.empty())
    # a stored configuration holds a text-vector source as its settings: rebuilt here
    model = make_model(config.model, **with_text_vectors(config.params).get(config.model, {}))
    task.begin(Stage.FIT.of(config.model))
    return split, compute.fit(model, train, dataset, task, valid)


def fit_for_lists(name: str, dataset: Dataset, params: dict[str, object] | None = None,
                  task: Task | None = None, compute: Compute = LOCAL) -> Recommender:
    """Model ``name`` with ``params``, fitted as a run with the default split fits it."""
    return fit_run_model(dataset, RunConfig(model=name, params={name: dict(params or {})}),
                         task, compute=compute)[1]


def update_fitted(model: Recommender, dataset: Dataset, task: Task | None = None,
                  config: RunConfig = RunConfig(),
                  feedback: TrainingSignal | None = None) -> Recommender:
    """``model`` refreshed in place for the grown ``dataset``, reading what
    :func:`fit_run_model` would fit on now: the held-out items let a fusion learn its
    gate again, which keeps it within noise of a full retrain as the data drifts
    (bench/results/incremental_ml100k.md). To fold everything in and keep the gate,
    call ``model.update(dataset.history(), dataset, task)``. Models without an
    incremental update (``model.incremental`` is False) are refitted; a cancel through
    ``task`` leaves the model as it was."""
    _, train, valid = training_part(dataset, config, feedback or TrainingSignal.empty())
    return model.update(train, dataset, task, valid)


def execute_run(dataset: Dataset, config: RunConfig = RunConfig(), task: Task | None = None,
                feedback: TrainingSignal | None = None, compute: Compute = LOCAL) -> RunResult:
    """Run the pipeline, fitting and making the lists on ``compute`` (the metrics are
    computed here); raises ``Cancelled`` at a safe point if ``task`` is cancelled."""
    task = task or Task()
    feedback = feedback or TrainingSignal.empty()
    started = time.perf_counter()
    task.begin(Stage.SPLIT)
    split, model = fit_run_model(dataset, config, task, feedback, compute)
    task.begin(Stage.EVALUATE)
    vectors = item_vectors(dataset)
    metrics = {"test": {**evaluate(model, split, "test", config.metrics_k, vectors=vectors,
                                   task=task),
                        "users": float(len(measured_users(split, "test")))}}
    if len(split.valid_targets):
        metrics["valid"] = {**evaluate(model, split, "valid", config.metrics_k, vectors=vectors),
                            "users": float(len(measured_users(split, "valid")))}
    metrics.update(by_history_length(model, split, config.metrics_k, vectors))
    metrics.update(component_metrics(model, split, config.metrics_k, vectors))
    lists, profiles = lists_and_profiles(model, dataset, config, feedback, task, compute)
    stage_seconds = {**task.stage_seconds, **member_fit_seconds(model),
                     "total": time.perf_counter() - started}
    return RunResult(config, dataset, metrics, stage_seconds, lists, profiles, model,
                     len(feedback))


def member_fit_seconds(model: Recommender) -> dict[str, float]:
    """A fusion's members' fit times as stages of their own (``fit ease``: the name a
    run of that model alone stores), so that an estimate of a later run with any of
    them reads them (:mod:`engine.pipeline.estimate`); nothing for a single model."""
    if not isinstance(model, Composite):
        return {}
    return {Stage.FIT.of(name): seconds for name, seconds in model.fit_seconds.items()
            if name != "gate"}


def lists_and_profiles(model: Recommender, dataset: Dataset, config: RunConfig,
                       feedback: TrainingSignal, task: Task, compute: Compute = LOCAL
                       ) -> tuple[UserLists, Profiles]:
    """Every user's list and profile from their whole history (likes included), refused
    items left out: what a run stores. ``compute`` scores the users (in bounded batches,
    each a safe point); the profiles are made here."""
    task.begin(Stage.RECOMMEND)
    history = add_likes(dataset.history(), feedback)
    users = np.arange(dataset.n_users)
    refused = refused_matrix(feedback, dataset.n_users, dataset.n_items)
    scored = compute.score(model, users, history, config.k, refused, task)
    task.begin(Stage.PROFILES)
    profiles = Profiles(
        keywords=interest_keywords(dataset, history),
        recent=history.last_items(users, config.recent_window).astype(np.int32),
        gate=None if scored.gate is None else np.asarray(scored.gate, dtype=np.float32),
        long_term=None if scored.vectors is None else np.asarray(scored.vectors,
                                                                 dtype=np.float32),
    )
    task.finish()
    finite = np.isfinite(scored.scores)
    lists = UserLists(np.where(finite, scored.items, -1).astype(np.int32),
                      np.where(finite, scored.scores, 0).astype(np.float32),
                      {k: np.where(finite, v, 0).astype(np.float32)
                       for k, v in scored.contributions.items()})
    return lists, profiles


def refresh_run(model: Recommender, dataset: Dataset, config: RunConfig,
                fitted_on: tuple[int, int], task: Task | None = None,
                feedback: TrainingSignal | None = None, compute: Compute = LOCAL) -> RunResult:
    """A fitted run's model updated for the grown ``dataset`` (no refit: see
    :func:`update_fitted`), and every list and profile made again.

    There are no metrics: the updated model has seen every held-out event of the split,
    so an evaluation would measure memory, not accuracy; the replay benchmark
    (bench/incremental_ml100k.py) measures updates against full retrains instead.
    ``fitted_on`` is (interactions, items) at the model's last full fit, kept with it.
    The update runs here (it is small next to a fit); ``compute`` makes the lists.
    """
    task = task or Task()
    feedback = feedback or TrainingSignal.empty()
    started = time.perf_counter()
    task.begin(Stage.UPDATE.of(config.model))
    update_fitted(model, dataset, task, config, feedback)  # the lists then read everything
    lists, profiles = lists_and_profiles(model, dataset, config, feedback, task, compute)
    stage_seconds = {**task.stage_seconds, "total": time.perf_counter() - started}
    return RunResult(config, dataset, {}, stage_seconds, lists, profiles, model,
                     len(feedback), fitted_on)
