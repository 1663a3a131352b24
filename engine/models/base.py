"""One interface for every model, as in RecBole and implicit.

``fit`` learns from the training history; ``score`` returns a dense (users x items) score
matrix for a batch of users given what is known about them; ranking, masking and metrics
live outside the models so that every model is evaluated the same way.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from engine.dataset import Dataset, History, Validation
from engine.progress import Task
from engine.ranking import mask_seen, top_k


def user_rows(history: History, users: np.ndarray, binary: bool) -> sp.csr_matrix:
    """The users' rows of the history matrix (float32), with weights set to 1 if ``binary``."""
    rows = history.matrix[np.asarray(users, dtype=np.int64)]
    rows = sp.csr_matrix(rows, dtype=np.float32, copy=True)
    if binary:
        rows.data[:] = 1.0
    return rows


def report(task: Task | None, fraction: float, status: str | None = None) -> None:
    """A safe point: report progress and let a cancel request stop the fit here."""
    if task is not None:
        task.update(fraction, status)


class NotFittedError(RuntimeError):
    """``score`` was called before ``fit``."""


class Recommender(ABC):
    """Base class of all models.

    ``sequential`` models may read the history up to and including the validation item
    when they predict the test item (anchors' protocol); the others score from the
    training matrix they were fitted on.
    """

    name: ClassVar[str]
    sequential: ClassVar[bool] = False
    #: Which side of the user's interests the model describes: "long" (the whole history)
    #: or "short" (the last actions). Fusion's gate value is the weight of the long side.
    horizon: ClassVar[str] = "long"

    @abstractmethod
    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None) -> "Recommender":
        """Learn from ``train``; ``dataset`` gives item text, genres and id maps.

        ``valid`` (when given) may be used for early stopping or for learning fusion
        weights; models that need neither ignore it.
        """

    @abstractmethod
    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        """float32 scores of shape (len(users), n_items); higher is better."""

    def recommend(self, users: np.ndarray, history: History, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` items and their scores per user, the user's known items excluded."""
        users = np.asarray(users)
        scores = mask_seen(self.score(users, history).astype(np.float32, copy=False), users,
                           history.matrix)
        items = top_k(scores, k)
        return items, np.take_along_axis(scores, items, axis=1)

    def contributions(self, users: np.ndarray, history: History, items: np.ndarray
                      ) -> dict[str, np.ndarray]:
        """Each component's part of the score of ``items`` (users x k), for explanations.

        A single model is its own only component; fusion overrides this.
        """
        scores = self.score(np.asarray(users), history)
        return {self.name: np.take_along_axis(scores, items, axis=1)}

    def gate(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """Per-user weight of the long-term side (0..1) for fused models, else None."""
        return None

    def params(self) -> dict[str, object]:
        """Hyper-parameters, for reproducible configs and run records."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}
