"""One pipeline run: split, fit, evaluate, then lists and profiles for every user.

The result is computed entirely in memory and handed over whole: storage writes it in one
transaction, so a cancelled or crashed run leaves no half-written records. Models are
fitted on the training part of the split (the validation targets are only used for early
stopping and fusion weights); the lists are then made from each user's full history,
the way a deployed recommender folds in what it saw after training.

Feedback given on earlier lists (:class:`~engine.feedback.TrainingSignal`) trains the
next run: likes are extra interactions in the training history and in the history the
lists are made from (the held-out events of the evaluation stay as they were logged),
and refused items are kept out of the lists. The fitted model stays with the result, so
the window can re-rank a user's list at once when they give more feedback.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from engine.dataset import Dataset, History, Validation
from engine.evaluate import evaluate
from engine.feedback import TrainingSignal, add_likes, refused_matrix, without_pairs
from engine.features import item_vectors
from engine.models import make_model
from engine.models.base import Recommender
from engine.pipeline import DEFAULT_MODEL, SplitOptions, make_split, with_text_vectors
from engine.preprocess import PreprocessOptions
from engine.profiles import interest_keywords
from engine.progress import Task
from engine.split import Split


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's outcome; stored with it so it can be repeated."""

    model: str = DEFAULT_MODEL
    params: dict[str, dict[str, object]] = field(default_factory=dict)
    k: int = 20
    metrics_k: tuple[int, ...] = (10, 20)
    split: SplitOptions = SplitOptions()
    preprocess: PreprocessOptions = PreprocessOptions()
    seed: int = 0
    recent_window: int = 5
    use_feedback: bool = True  # train on the users' feedback (when the caller passes it)
    updated_from: int | None = None  # the stored run whose model this run updated

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunConfig":
        """The config a stored run recorded (:meth:`to_dict`); keys this version does
        not know are ignored, missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "metrics_k" in values:
            values["metrics_k"] = tuple(values["metrics_k"])
        if isinstance(values.get("split"), dict):
            values["split"] = SplitOptions(**values["split"])
        if isinstance(values.get("preprocess"), dict):
            values["preprocess"] = PreprocessOptions(**values["preprocess"])
        return cls(**values)


@dataclass(eq=False)
class UserLists:
    """Top-k per user: rows follow internal user ids; -1 pads a short list."""

    items: np.ndarray  # (n_users, k) int32
    scores: np.ndarray  # (n_users, k) float32
    contributions: dict[str, np.ndarray]  # component -> (n_users, k) float32 share of the score


@dataclass(eq=False)
class Profiles:
    keywords: list[list[str]]  # top interest terms per user (long-term, whole history)
    recent: np.ndarray  # (n_users, recent_window) last items, most recent first, -1 padded
    gate: np.ndarray | None = None  # (n_users,) weight of the long-term side, when fused
    #: (n_users, d) float32 long-term interest vectors: the model's ``user_vectors``
    #: (ALS factors, a text profile), None when the model keeps none.
    long_term: np.ndarray | None = None


@dataclass(eq=False)
class RunResult:
    config: RunConfig
    dataset: Dataset
    metrics: dict[str, dict[str, float]]  # "valid" / "test" -> metric -> value
    stage_seconds: dict[str, float]
    lists: UserLists
    profiles: Profiles
    model: Recommender | None = None  # the fitted model, for feedback and updates
    feedback_events: int = 0  # how many feedback events trained it
    #: (interactions, items) of the dataset at the model's last full fit; None: this run's
    fitted_on: tuple[int, int] | None = None


#: Training-history lengths of the accuracy-by-history-length breakdown: (first, last).
HISTORY_BUCKETS = ((1, 4), (5, 9), (10, 19), (20, 49), (50, None))


def component_metrics(model: Recommender, split: Split, ks: tuple[int, ...],
                      vectors: np.ndarray | None) -> dict[str, dict[str, float]]:
    """A fusion's components measured on their own, as fitted inside it, as phases named
    ``component <name>: test`` (and ``: valid``); nothing for other models. A run then
    says what fusing them gained, at the cost of scoring each component once more."""
    parts = getattr(model, "fitted_components", None) or {}
    out = {}
    for name, part in parts.items():
        out[f"component {name}: test"] = evaluate(part, split, "test", ks, vectors=vectors)
        if len(split.valid_targets):
            out[f"component {name}: valid"] = evaluate(part, split, "valid", ks,
                                                       vectors=vectors)
    return out


def by_history_length(model: Recommender, split: Split, ks: tuple[int, ...],
                      vectors: np.ndarray | None) -> dict[str, dict[str, float]]:
    """Test metrics per bucket of training-history length, as phases named
    ``test: history 1-4`` ... ``test: history 50+`` (with the number of ``users``)."""
    users = split.users("test")
    lengths = split.train.lengths[users]
    out = {}
    for first, last in HISTORY_BUCKETS:
        chosen = users[(lengths >= first) & (lengths <= (last or np.inf))]
        if len(chosen):
            label = f"{first}-{last}" if last else f"{first}+"
            out[f"test: history {label}"] = {
                **evaluate(model, split, "test", ks, vectors=vectors, users=chosen),
                "users": float(len(chosen))}
    return out


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
    valid = split.validation() if len(split.valid_targets) else None
    return split, add_likes(split.train, without_held_out(feedback, split)), valid


def execute_run(dataset: Dataset, config: RunConfig = RunConfig(), task: Task | None = None,
                feedback: TrainingSignal | None = None) -> RunResult:
    """Run the pipeline; raises ``Cancelled`` at a safe point if ``task`` is cancelled."""
    task = task or Task()
    feedback = feedback or TrainingSignal.empty()
    started = time.perf_counter()
    task.begin("split")
    split, train, valid = training_part(dataset, config, feedback)
    # a stored configuration holds a text-vector source as its settings: rebuilt here
    model = make_model(config.model, **with_text_vectors(config.params).get(config.model, {}))
    task.begin(f"fit {config.model}")
    model.fit(train, dataset, task, valid)
    task.begin("evaluate")
    vectors = item_vectors(dataset)
    metrics = {"test": evaluate(model, split, "test", config.metrics_k, vectors=vectors, task=task)}
    if valid is not None:
        metrics["valid"] = evaluate(model, split, "valid", config.metrics_k, vectors=vectors)
    metrics.update(by_history_length(model, split, config.metrics_k, vectors))
    metrics.update(component_metrics(model, split, config.metrics_k, vectors))
    lists, profiles = lists_and_profiles(model, dataset, config, feedback, task)
    stage_seconds = {**task.stage_seconds, "total": time.perf_counter() - started}
    return RunResult(config, dataset, metrics, stage_seconds, lists, profiles, model,
                     len(feedback))


def lists_and_profiles(model: Recommender, dataset: Dataset, config: RunConfig,
                       feedback: TrainingSignal, task: Task) -> tuple[UserLists, Profiles]:
    """Every user's list and profile from their whole history (likes included), refused
    items left out: what a run stores."""
    task.begin("recommend")
    history = add_likes(dataset.history(), feedback)
    users = np.arange(dataset.n_users)
    refused = refused_matrix(feedback, dataset.n_users, dataset.n_items)
    items, scores = model.recommend(users, history, config.k, exclude=refused)
    contributions = model.contributions(users, history, items)
    task.begin("profiles")
    vectors = model.user_vectors(users, history)
    profiles = Profiles(
        keywords=interest_keywords(dataset, history),
        recent=history.last_items(users, config.recent_window).astype(np.int32),
        gate=model.gate(users, history),
        long_term=None if vectors is None else np.asarray(vectors, dtype=np.float32),
    )
    task.finish()
    finite = np.isfinite(scores)
    lists = UserLists(np.where(finite, items, -1).astype(np.int32),
                      np.where(finite, scores, 0).astype(np.float32),
                      {k: np.where(finite, v, 0).astype(np.float32)
                       for k, v in contributions.items()})
    return lists, profiles


def refresh_run(model: Recommender, dataset: Dataset, config: RunConfig,
                fitted_on: tuple[int, int], task: Task | None = None,
                feedback: TrainingSignal | None = None) -> RunResult:
    """A fitted run's model updated for the grown ``dataset`` (no refit: see
    :mod:`engine.incremental`), and every list and profile made again.

    There are no metrics: the updated model has seen every held-out event of the split,
    so an evaluation would measure memory, not accuracy; the replay benchmark
    (bench/incremental_ml100k.py) measures updates against full retrains instead.
    ``fitted_on`` is (interactions, items) at the model's last full fit, kept with it.
    """
    task = task or Task()
    feedback = feedback or TrainingSignal.empty()
    started = time.perf_counter()
    task.begin(f"update {config.model}")
    # As the run was fitted: its held-out items let a fusion learn its gate again, which
    # keeps it within noise of a full retrain as the data drifts
    # (bench/incremental_ml100k.py); the lists then read everything.
    _, train, valid = training_part(dataset, config, feedback)
    model.update(train, dataset, task, valid)
    lists, profiles = lists_and_profiles(model, dataset, config, feedback, task)
    stage_seconds = {**task.stage_seconds, "total": time.perf_counter() - started}
    return RunResult(config, dataset, {}, stage_seconds, lists, profiles, model,
                     len(feedback), fitted_on)
