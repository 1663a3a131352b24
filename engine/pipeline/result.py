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

from dataclasses import dataclass

import numpy as np

from engine.data.dataset import Dataset
from engine.models.base import Recommender
from engine.pipeline.config import RunConfig


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
