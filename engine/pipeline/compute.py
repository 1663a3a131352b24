"""Where a run's heavy steps execute: fitting models, and scoring every user's list.

A run, an evaluation, ``recommend`` and an update all go through one :class:`Compute`:
this class does the work in this process, as the studio always has;
:class:`engine.cluster.ray_compute.RayCompute` does the same steps on a Ray cluster
(fits as tasks side by side, scoring as Ray Data over user shards, each shard through
:func:`score_users` as here). The pipeline only calls these two methods, so its results
do not depend on where they were computed, and which compute ran is no part of a run's
configuration.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from engine.core.progress import Task
from engine.data.dataset import Dataset, History, Validation
from engine.evaluation.ranking import user_batches
from engine.models.base import Recommender
from engine.models.context import FitContext


@dataclass(eq=False)
class ScoredLists:
    """Top-k items and their scores per user (rows in the order the users were given);
    with details, each component's part of the scores, the gate and the user vectors
    (None where the model has none)."""

    items: np.ndarray  # (users, k)
    scores: np.ndarray  # (users, k) float32; -inf where a user has fewer than k items left
    contributions: dict[str, np.ndarray]  # component -> (users, k); empty without details
    gate: np.ndarray | None = None  # (users,)
    vectors: np.ndarray | None = None  # (users, d)

    @classmethod
    def joined(cls, parts: list["ScoredLists"]) -> "ScoredLists":
        """The parts' rows one after another (a (0, 0) list of none)."""
        if not parts:
            empty = np.zeros((0, 0), dtype=np.float32)
            return cls(empty, empty, {})
        first = parts[0]
        return cls(np.concatenate([p.items for p in parts]),
                   np.concatenate([p.scores for p in parts]),
                   {name: np.concatenate([p.contributions[name] for p in parts])
                    for name in first.contributions},
                   None if first.gate is None else np.concatenate([p.gate for p in parts]),
                   None if first.vectors is None else np.concatenate([p.vectors
                                                                      for p in parts]))


def score_users(model: Recommender, users: np.ndarray, history: History, k: int,
                exclude: sp.csr_matrix | None = None, task: Task | None = None,
                details: bool = True) -> ScoredLists:
    """Each of ``users``' top-``k`` from ``history``, their known items and the nonzeros
    of ``exclude`` left out; with ``details``, what explains each list too. Users are
    scored in batches, so a batch's score matrices stay bounded whatever the catalogue's
    size; each batch is a safe point of ``task``.

    BLAS runs on one thread meanwhile: OpenBLAS sums a product in another order on
    another number of threads, so a score would otherwise depend on the machine that
    computed it, and a cluster's lists would differ from this computer's in the last
    bits (and, at near ties, in their order). The products here are small enough that
    more threads gain little.
    """
    parts = []
    done = 0
    with threadpool_limits(1, user_api="blas"):
        for batch in user_batches(np.asarray(users), history.n_items):
            items, scores = model.recommend(batch, history, k, exclude=exclude)
            parts.append(ScoredLists(items, scores, model.contributions(batch, history, items),
                                     model.gate(batch, history),
                                     model.user_vectors(batch, history))
                         if details else ScoredLists(items, scores, {}))
            done += len(batch)
            if task is not None:
                task.update(done / len(users))
    return ScoredLists.joined(parts)


class Compute:
    """This computer: fits in this process, users scored here in batches."""

    def fit(self, model: Recommender, train: History, dataset: Dataset,
            task: Task | None = None, valid: Validation | None = None, *,
            context: FitContext = FitContext()) -> Recommender:
        """``model`` fitted (:meth:`Recommender.fit`); returns the fitted model, which
        here is ``model`` itself (a cluster returns a copy)."""
        return model.fit(train, dataset, task, valid, context=context)

    def score(self, model: Recommender, users: np.ndarray, history: History, k: int,
              exclude: sp.csr_matrix | None = None, task: Task | None = None,
              details: bool = True) -> ScoredLists:
        """Every user's top-``k`` (:func:`score_users`)."""
        return score_users(model, users, history, k, exclude, task, details)


#: The compute of a run that names none.
LOCAL = Compute()
