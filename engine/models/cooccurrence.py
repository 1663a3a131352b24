"""Short-term collaborative model: what other people took next after the same items.

A session-kNN / item-to-item transition model in the spirit of SR-GNN's and STAMP's
simple baselines (and of Ludewig & Jannach 2018, who found such models hard to beat):

* fit: for every training sequence and every offset ``d = 1..window``, the pair
  ``(s[t], s[t+d])`` adds ``decay**(d-1)`` to ``C[s[t], s[t+d]]`` (forward in time) and
  ``backward * decay**(d-1)`` to ``C[s[t+d], s[t]]``. All users are processed at once by
  shifting the flat item array and masking pairs that cross a user boundary; SciPy sums
  the duplicates. ``C[i, j]`` is then divided by ``pop_i**norm_from * pop_j**norm_to`` so
  that blockbusters do not follow everything.
* score: ``sum_k recency**k * C[last_k(u), :]`` over the user's ``n_last`` latest items,
  one sparse product per batch. Each user's row is scaled to a maximum of 1 and a small
  popularity prior is added, so that users without co-occurrence signal (or with no
  history at all) still get a sensible ranking.

The model is ``sequential``: it reads the history passed to ``score``, which for the test
phase includes the validation item.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from engine.dataset import Dataset, History
from engine.models.base import NotFittedError, Recommender, Validation, report
from engine.models.popularity import item_popularity, scaled_popularity
from engine.progress import Task
from engine.ranking import top_k_per_row


def transition_counts(
    items: np.ndarray,
    indptr: np.ndarray,
    n_items: int,
    window: int,
    decay: float,
    backward: float,
    task: Task | None = None,
) -> sp.csr_matrix:
    """Decayed forward/backward co-occurrence counts within ``window`` steps (float32)."""
    items = np.asarray(items, dtype=np.int32)
    owner = np.repeat(np.arange(len(indptr) - 1, dtype=np.int32), np.diff(indptr))
    counts = sp.csr_matrix((n_items, n_items), dtype=np.float32)
    for d in range(1, min(window, len(items) - 1) + 1):  # a loop over offsets, not users
        same = owner[:-d] == owner[d:]
        first, then = items[:-d][same], items[d:][same]
        off_diagonal = first != then  # a repeat says nothing about what comes next
        first, then = first[off_diagonal], then[off_diagonal]
        weight = np.float32(decay ** (d - 1))
        ones = np.ones(len(first), dtype=np.float32)
        # Summed per offset, so peak memory is one offset's pairs, not window times that.
        step = sp.csr_matrix((ones, (first, then)), shape=(n_items, n_items))
        counts = counts + weight * step
        if backward:
            counts = counts + (weight * np.float32(backward)) * step.T.tocsr()
        report(task, 0.8 * d / window, f"co-occurrences at distance {d}")
    counts = sp.csr_matrix(counts, dtype=np.float32)
    counts.sum_duplicates()
    return counts


class CoOccurrence(Recommender):
    """Recency-weighted item-to-item co-occurrence; defaults tuned on ml-100k validation.

    Parameters
    ----------
    window:
        How many steps ahead (and back) a pair may be apart in a training sequence.
    decay:
        Weight multiplier per extra step of distance within the window.
    backward:
        Weight of the reverse direction (item seen *before*); 0 = strictly "what next".
    norm_from, norm_to:
        Exponents of the popularity normalisation ``C[i,j] / (pop_i^a * pop_j^b)``.
    n_last:
        How many of the user's latest items vote.
    recency:
        Weight multiplier per step back in the user's history (1 = all equal).
    prior:
        Weight of the popularity prior added to each user's max-scaled scores.
    neighbours:
        Keep only this many strongest successors per item (0 keeps all); bounds memory
        and scoring time on large catalogues.
    """

    name: ClassVar[str] = "cooc"
    sequential: ClassVar[bool] = True
    horizon: ClassVar[str] = "short"

    def __init__(
        self,
        window: int = 12,
        decay: float = 0.95,
        backward: float = 0.5,
        norm_from: float = 0.75,
        norm_to: float = 0.25,
        n_last: int = 20,
        recency: float = 0.7,
        prior: float = 0.001,
        neighbours: int = 0,
    ) -> None:
        if window < 1 or n_last < 1:
            raise ValueError("window and n_last must be at least 1")
        self.window = int(window)
        self.decay = float(decay)
        self.backward = float(backward)
        self.norm_from = float(norm_from)
        self.norm_to = float(norm_to)
        self.n_last = int(n_last)
        self.recency = float(recency)
        self.prior = float(prior)
        self.neighbours = int(neighbours)
        self._transitions: sp.csr_matrix | None = None
        self._prior: np.ndarray | None = None

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None) -> "CoOccurrence":
        report(task, 0.0, "item co-occurrences")
        n_items = train.n_items
        counts = transition_counts(train.items, train.indptr, n_items, self.window,
                                   self.decay, self.backward, task)
        pop = item_popularity(train.matrix)
        safe = np.maximum(pop, 1.0)
        counts = sp.csr_matrix(counts)
        scale_rows = safe ** -self.norm_from
        scale_cols = safe ** -self.norm_to
        counts.data *= scale_rows[np.repeat(np.arange(n_items), np.diff(counts.indptr))]
        counts.data *= scale_cols[counts.indices]
        if self.neighbours > 0:
            counts = top_k_per_row(counts, self.neighbours)
        self._transitions = counts.astype(np.float32)
        self._prior = scaled_popularity(train.matrix)
        report(task, 1.0)
        return self

    @property
    def transitions(self) -> sp.csr_matrix:
        """items x items normalised co-occurrence (row: earlier item), for explanations."""
        if self._transitions is None:
            raise NotFittedError("CoOccurrence used before fit")
        return self._transitions

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._transitions is None or self._prior is None:
            raise NotFittedError("CoOccurrence.score called before fit")
        users = np.asarray(users, dtype=np.int64)
        last = history.last_items(users, self.n_last)  # (batch, n_last), -1 = none
        valid = last >= 0
        rows = np.nonzero(valid)[0]
        weights = (self.recency ** np.arange(self.n_last, dtype=np.float64)).astype(np.float32)
        votes = sp.csr_matrix(
            (np.broadcast_to(weights, last.shape)[valid], (rows, last[valid])),
            shape=(len(users), self._transitions.shape[0]), dtype=np.float32,
        )
        scores = np.asarray((votes @ self._transitions).toarray(), dtype=np.float32)
        top = scores.max(axis=1, keepdims=True)
        np.divide(scores, top, out=scores, where=top > 0)
        if self.prior:
            scores += np.float32(self.prior) * self._prior
        return scores
