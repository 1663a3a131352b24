"""The preprocessed dataset and the per-user histories that models read.

Interactions are kept as flat numpy arrays sorted by (user, time, file order), so a
user's chronological sequence is a contiguous slice and the user-item matrix is one
``csr_matrix`` call away. Internal ids are dense integers; ``user_ids``/``item_ids`` map
them back to the ids of the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from engine.data.report import ImportReport


@dataclass(eq=False)
class Dataset:
    """Interactions plus the item catalogue, with integer id maps both ways."""

    user_ids: np.ndarray  # internal user -> id as in the file (str)
    item_ids: np.ndarray  # internal item -> id as in the file (str)
    user: np.ndarray  # int32 per interaction, sorted by user, then time, then file order
    item: np.ndarray  # int32 per interaction
    weight: np.ndarray  # float32 in (0, 1]
    timestamp: np.ndarray  # int64 Unix seconds (or file order when the file has no time)
    titles: np.ndarray  # str per internal item
    texts: np.ndarray  # str per internal item (description, genres, tags joined)
    genres: list[tuple[str, ...]]  # per internal item
    has_timestamps: bool = True
    name: str = "dataset"
    report: ImportReport = field(default_factory=ImportReport)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_interactions(self) -> int:
        return len(self.user)

    @cached_property
    def user_index(self) -> dict[str, int]:
        return {u: i for i, u in enumerate(self.user_ids)}

    @cached_property
    def item_index(self) -> dict[str, int]:
        return {it: i for i, it in enumerate(self.item_ids)}

    def history(self, rows: np.ndarray | None = None) -> "History":
        """History made of the selected interaction rows (all when ``rows`` is None)."""
        if rows is None:
            rows = np.arange(self.n_interactions)
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        return History.build(
            self.user[rows], self.item[rows], self.weight[rows], self.timestamp[rows],
            self.n_users, self.n_items,
        )


@dataclass(eq=False)
class History:
    """What is known about every user at one point of the protocol.

    ``matrix`` (users x items, summed weights) serves the models fitted on a matrix;
    ``indptr``/``items``/``timestamps`` give each user's chronological sequence for the
    sequential ones. Rows must arrive sorted by (user, time, file order).
    ``request_time`` is when each user's list is asked for (Unix seconds): in evaluation
    the time of the held-out event, as a deployed recommender knows the time of a request
    but not what the user will do; ``None`` means the end of the log.
    """

    matrix: sp.csr_matrix
    indptr: np.ndarray
    items: np.ndarray
    weights: np.ndarray
    timestamps: np.ndarray
    request_time: np.ndarray | None = None

    def requested_at(self, users: np.ndarray) -> np.ndarray:
        """Request time per user: ``request_time`` or, without it, the last event of the log."""
        if self.request_time is not None:
            return self.request_time[np.asarray(users)]
        end = self.timestamps.max(initial=0)
        return np.full(len(users), end, dtype=np.int64)

    @classmethod
    def build(
        cls,
        user: np.ndarray,
        item: np.ndarray,
        weight: np.ndarray,
        timestamp: np.ndarray,
        n_users: int,
        n_items: int,
    ) -> "History":
        matrix = sp.csr_matrix(
            (weight.astype(np.float32), (user, item)), shape=(n_users, n_items), dtype=np.float32
        )
        matrix.sum_duplicates()
        indptr = np.zeros(n_users + 1, dtype=np.int64)
        np.cumsum(np.bincount(user, minlength=n_users), out=indptr[1:])
        return cls(matrix, indptr, item.astype(np.int32), weight.astype(np.float32),
                   timestamp.astype(np.int64))

    @property
    def n_users(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_items(self) -> int:
        return self.matrix.shape[1]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def sequence(self, user: int) -> np.ndarray:
        return self.items[self.indptr[user]:self.indptr[user + 1]]

    def last_items(self, users: np.ndarray, n: int) -> np.ndarray:
        """The last ``n`` items of each user, most recent first, padded with -1.

        Shape (len(users), n); column 0 is the latest action.
        """
        users = np.asarray(users)
        ends = self.indptr[users + 1]
        lengths = ends - self.indptr[users]
        offsets = np.arange(1, n + 1)
        pos = ends[:, None] - offsets[None, :]
        valid = offsets[None, :] <= lengths[:, None]
        out = np.full((len(users), n), -1, dtype=np.int64)
        out[valid] = self.items[pos[valid]]
        return out


@dataclass(eq=False)
class Validation:
    """The validation targets, for models that stop early or learn weights on them.

    ``context`` is what is known about each user before the target (the training
    history); ``targets`` has one row per user (users x items), non-empty for ``users``.
    A model fitted with it must not look at the test targets, which it never receives.
    """

    users: np.ndarray
    context: History
    targets: sp.csr_matrix

    def target_items(self) -> np.ndarray:
        """One target item per validation user (the first, when a user has several)."""
        rows = self.targets[self.users]
        return rows.indices[rows.indptr[:-1]]
