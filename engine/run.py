"""One pipeline run: split, fit, evaluate, then lists and profiles for every user.

The result is computed entirely in memory and handed over whole: storage writes it in one
transaction, so a cancelled or crashed run leaves no half-written records. Models are
fitted on the training part of the split (the validation targets are only used for early
stopping and fusion weights); the lists are then made from each user's full history,
the way a deployed recommender folds in what it saw after training.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from engine.dataset import Dataset
from engine.evaluate import evaluate
from engine.features import item_vectors
from engine.models import make_model
from engine.models.base import Recommender
from engine.pipeline import DEFAULT_MODEL, SplitOptions, make_split
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

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


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
    long_term: np.ndarray | None = None  # (n_users, d) float32 interest vector, when modelled


@dataclass(eq=False)
class RunResult:
    config: RunConfig
    dataset: Dataset
    metrics: dict[str, dict[str, float]]  # "valid" / "test" -> metric -> value
    stage_seconds: dict[str, float]
    lists: UserLists
    profiles: Profiles


#: Training-history lengths of the accuracy-by-history-length breakdown: (first, last).
HISTORY_BUCKETS = ((1, 4), (5, 9), (10, 19), (20, 49), (50, None))


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


def execute_run(dataset: Dataset, config: RunConfig = RunConfig(), task: Task | None = None
                ) -> RunResult:
    """Run the pipeline; raises ``Cancelled`` at a safe point if ``task`` is cancelled."""
    task = task or Task()
    started = time.perf_counter()
    task.begin("split")
    split = make_split(dataset, config.split)
    model = make_model(config.model, **config.params.get(config.model, {}))
    task.begin(f"fit {config.model}")
    valid = split.validation() if len(split.valid_targets) else None
    model.fit(split.train, dataset, task, valid)
    task.begin("evaluate")
    vectors = item_vectors(dataset)
    metrics = {"test": evaluate(model, split, "test", config.metrics_k, vectors=vectors, task=task)}
    if valid is not None:
        metrics["valid"] = evaluate(model, split, "valid", config.metrics_k, vectors=vectors)
    metrics.update(by_history_length(model, split, config.metrics_k, vectors))
    task.begin("recommend")
    history = dataset.history()
    users = np.arange(dataset.n_users)
    items, scores = model.recommend(users, history, config.k)
    contributions = model.contributions(users, history, items)
    task.begin("profiles")
    profiles = Profiles(
        keywords=interest_keywords(dataset, history),
        recent=history.last_items(users, config.recent_window).astype(np.int32),
        gate=model.gate(users, history),
    )
    task.finish()
    finite = np.isfinite(scores)
    lists = UserLists(np.where(finite, items, -1).astype(np.int32),
                      np.where(finite, scores, 0).astype(np.float32),
                      {k: np.where(finite, v, 0).astype(np.float32) for k, v in contributions.items()})
    stage_seconds = {**task.stage_seconds, "total": time.perf_counter() - started}
    return RunResult(config, dataset, metrics, stage_seconds, lists, profiles)
