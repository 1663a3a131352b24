"""Most-popular baseline: the floor every personalised model has to clear.

Popularity is the number of distinct training users per item (Cornac's MostPop), not the
sum of weights, so one heavy user cannot make an item popular. Every user gets the same
scores; ``recommend`` then removes what each user has already seen. An update recounts:
counting is as cheap as any incremental bookkeeping would be.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.models.base import Commit, NotFittedError, Recommender, Validation, commit, report
from engine.models.context import FitContext
from engine.models.params import ModelParams


def item_popularity(matrix: sp.csr_matrix) -> np.ndarray:
    """Distinct users per item (float32), counting only stored positive weights."""
    matrix = sp.csr_matrix(matrix)
    counted = matrix.indices[matrix.data > 0]
    return np.bincount(counted, minlength=matrix.shape[1]).astype(np.float32)


def scaled_popularity(matrix: sp.csr_matrix) -> np.ndarray:
    """Training users per item divided by the most any item has (0..1, float32)."""
    pop = item_popularity(matrix)
    top = pop.max(initial=0.0)
    return (pop / top if top > 0 else pop).astype(np.float32)


@dataclass(frozen=True)
class PopularityParams(ModelParams):
    """Popularity has no hyper-parameters."""


class Popularity(Recommender):
    """Score = number of distinct training users of the item, the same for every user."""

    name = "pop"
    Params = PopularityParams
    incremental = True

    def __init__(self, params: PopularityParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._counts: np.ndarray | None = None

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "Popularity":
        report(task, 0.0, "counting item popularity")
        self._counts = item_popularity(train.matrix)
        report(task, 1.0)
        return self

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Recount on the whole grown history (new items get their counts too)."""
        report(task, 0.0, "recounting item popularity")
        counts = item_popularity(history.matrix)
        report(task, 1.0)
        return commit(self, _counts=counts)

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._counts is None:
            raise NotFittedError("Popularity.score called before fit")
        return np.tile(self._counts, (len(np.asarray(users)), 1))
