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

Updates keep the raw counts running: when every user's old sequence is the start of
their new one (new events came after the old ones), only the pairs that end in a new
event are counted and added, which gives exactly the counts of a fit on the whole
history; otherwise (an event inserted before a user's last one, or an old one replaced)
the counts are taken again from the whole history. The normalisation and the prior are
recomputed from the grown history either way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.evaluation.ranking import top_k_per_row
from engine.models.base import (Commit, HistoryStamp, NotFittedError, Recommender, Validation,
                                commit, concatenated_ranges, report)
from engine.models.context import FitContext
from engine.models.params import ModelParams, setting
from engine.models.popularity import item_popularity, scaled_popularity


def transition_counts(
    items: np.ndarray,
    indptr: np.ndarray,
    n_items: int,
    window: int,
    decay: float,
    backward: float,
    task: Task | None = None,
    since: np.ndarray | None = None,
) -> sp.csr_matrix:
    """Decayed forward/backward co-occurrence counts within ``window`` steps (float32).

    ``since`` (one position per sequence) counts only the pairs whose later item is at
    that position of its sequence or after it: the pairs a grown tail adds.
    """
    items = np.asarray(items, dtype=np.int32)
    lengths = np.diff(indptr)
    owner = np.repeat(np.arange(len(indptr) - 1, dtype=np.int32), lengths)
    counts = sp.csr_matrix((n_items, n_items), dtype=np.float32)
    if since is not None:
        late = np.arange(len(items)) - np.repeat(indptr[:-1], lengths) >= since[owner]
    for d in range(1, min(window, len(items) - 1) + 1):  # a loop over offsets, not users
        same = owner[:-d] == owner[d:]
        if since is not None:
            same &= late[d:]
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


@dataclass(frozen=True)
class CoOccurrenceParams(ModelParams):
    """CoOccurrence's settings; defaults tuned on ml-100k validation."""

    window: int = setting(12, "Window", "How many steps ahead (and back) a pair may be apart "
                          "in a training sequence")
    decay: float = setting(0.95, "Decay", "Weight multiplier per extra step of distance")
    backward: float = setting(0.5, "Backward weight", "Weight of the reverse direction (item "
                              "seen before); 0 = strictly what comes next")
    norm_from: float = setting(0.75, "Normalise from", "Exponent a of the popularity "
                               "normalisation C[i,j] / (pop_i^a * pop_j^b)")
    norm_to: float = setting(0.25, "Normalise to", "Exponent b of the same normalisation")
    n_last: int = setting(20, "Latest items", "How many of the user's latest items vote")
    recency: float = setting(0.7, "Recency", "Weight multiplier per step back in the user's "
                             "history (1 = all equal)")
    prior: float = setting(0.001, "Popularity prior", "Weight of the popularity prior added "
                           "to each user's max-scaled scores")
    neighbours: int = setting(0, "Neighbours", "Keep only this many strongest successors per "
                              "item (0 keeps all); bounds memory on large catalogues")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.window < 1 or self.n_last < 1:
            raise ValueError("window and n_last must be at least 1")


class CoOccurrence(Recommender):
    """Recency-weighted item-to-item co-occurrence (parameters: :class:`CoOccurrenceParams`)."""

    name: ClassVar[str] = "cooc"
    Params: ClassVar[type[ModelParams]] = CoOccurrenceParams
    sequential: ClassVar[bool] = True
    incremental: ClassVar[bool] = True
    horizon: ClassVar[str] = "short"

    def __init__(self, params: CoOccurrenceParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._transitions: sp.csr_matrix | None = None
        self._prior: np.ndarray | None = None
        self._counts: sp.csr_matrix | None = None  # raw counts, before the normalisation
        self._stamp: HistoryStamp | None = None  # the history the counts were taken from

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "CoOccurrence":
        report(task, 0.0, "item co-occurrences")
        counts = transition_counts(train.items, train.indptr, train.n_items, self.window,
                                   self.decay, self.backward, task)
        vars(self).update(self._state(counts, train))
        report(task, 1.0)
        return self

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Add the new pairs to the running counts (see the module docstring)."""
        if self._counts is None or self._stamp is None:
            raise NotFittedError("CoOccurrence.update called before fit")
        stamp = self._stamp
        stamp.check_grown(history, "CoOccurrence")
        if stamp.extended(history).all():
            report(task, 0.0, "co-occurrences of the new events")
            counts = self._grown_counts(history.n_items) + self._tail_counts(history, stamp, task)
        else:
            report(task, 0.0, "co-occurrences of the whole history (old sequences changed)")
            counts = transition_counts(history.items, history.indptr, history.n_items,
                                       self.window, self.decay, self.backward, task)
        state = self._state(counts, history)
        report(task, 1.0)
        return commit(self, **state)

    def _tail_counts(self, history: History, stamp: HistoryStamp, task: Task | None
                     ) -> sp.csr_matrix:
        """Counts of the pairs that end in an event after the stamped sequences."""
        old = np.zeros(history.n_users, dtype=np.int64)
        old[:stamp.n_users] = stamp.lengths
        users = np.flatnonzero(history.lengths > old)
        # each grown sequence from ``window`` events before its first new one
        first = np.maximum(old[users] - self.window, 0)
        lengths = history.lengths[users] - first
        rows = concatenated_ranges(history.indptr[users] + first, lengths)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return transition_counts(history.items[rows], indptr, history.n_items, self.window,
                                 self.decay, self.backward, task, since=old[users] - first)

    def _grown_counts(self, n_items: int) -> sp.csr_matrix:
        counts = sp.csr_matrix(self._counts)
        if counts.shape[0] < n_items:
            counts = sp.csr_matrix((counts.data, counts.indices,
                                    np.pad(counts.indptr, (0, n_items - counts.shape[0]),
                                           mode="edge")), shape=(n_items, n_items))
        return counts

    def _state(self, counts: sp.csr_matrix, history: History) -> dict[str, object]:
        """Fitted attributes from raw counts: normalised transitions, prior, stamp."""
        n_items = history.n_items
        pop = item_popularity(history.matrix)
        safe = np.maximum(pop, 1.0)
        counts = sp.csr_matrix(counts, dtype=np.float32)
        normalised = counts.copy()
        scale_rows = safe ** -self.norm_from
        scale_cols = safe ** -self.norm_to
        normalised.data *= scale_rows[np.repeat(np.arange(n_items), np.diff(normalised.indptr))]
        normalised.data *= scale_cols[normalised.indices]
        if self.neighbours > 0:
            normalised = top_k_per_row(normalised, self.neighbours)
        return {"_counts": counts, "_transitions": normalised.astype(np.float32),
                "_prior": scaled_popularity(history.matrix), "_stamp": HistoryStamp.of(history)}

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
