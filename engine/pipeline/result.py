"""What a run hands over: metrics, every user's list and profile, and the fitted model.

The result is computed entirely in memory and handed over whole: storage writes it in
one transaction, so a cancelled or crashed run leaves no half-written records. The
fitted model stays with it, so the window can re-rank a user's list at once when they
give more feedback, and an update can start from it.
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
