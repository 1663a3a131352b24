"""Evaluation splits: temporal leave-one-out (the anchors' protocol) and a global time split.

A split never copies the data: it holds row indices into the dataset's interaction
arrays. ``context(phase)`` is what is known about each user before the phase's targets
(train for validation; train + validation for test), ``targets(phase)`` what must be found.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from engine.core.errors import DataError
from engine.data.dataset import Dataset, History, Validation

Phase = Literal["valid", "test"]


@dataclass(eq=False)
class Split:
    dataset: Dataset
    train_rows: np.ndarray  # what models are fitted on
    valid_rows: np.ndarray  # added to the context when predicting the test targets
    valid_targets: np.ndarray
    test_targets: np.ndarray
    protocol: dict[str, object] = field(default_factory=dict)
    #: Users a phase's metrics are computed on, at most (None: all of them); beyond it a
    #: seeded sample (:func:`engine.evaluation.evaluate.measured_users`).
    eval_users: int | None = None
    _histories: dict[str, History] = field(default_factory=dict, repr=False)

    @property
    def train(self) -> History:
        return self._history("train")

    def context(self, phase: Phase) -> History:
        """History a model may read when predicting ``phase``; also the items to mask.

        Its request times are those of the phase's events (the first one per user); users
        without a target are asked at their last known event.
        """
        key = f"context {phase}"
        if key not in self._histories:
            history = self._history("train" if phase == "valid" else "train+valid")
            rows = self.valid_targets if phase == "valid" else self.test_targets
            d = self.dataset
            last = np.maximum(history.indptr[1:] - 1, 0)
            when = np.where(history.lengths > 0, history.timestamps[last], 0)
            first = rows[np.unique(d.user[rows], return_index=True)[1]]
            when[d.user[first]] = d.timestamp[first]
            self._histories[key] = replace(history, request_time=when)
        return self._histories[key]

    def targets(self, phase: Phase) -> sp.csr_matrix:
        rows = self.valid_targets if phase == "valid" else self.test_targets
        d = self.dataset
        return sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (d.user[rows], d.item[rows])),
            shape=(d.n_users, d.n_items),
        )

    def validation(self) -> Validation | None:
        """What a model may learn from the validation phase (never the test targets);
        None when the split holds no validation targets."""
        if not len(self.valid_targets):
            return None
        return Validation(self.users("valid"), self.context("valid"), self.targets("valid"))

    def users(self, phase: Phase) -> np.ndarray:
        """Users with at least one target in ``phase``, in increasing id order."""
        rows = self.valid_targets if phase == "valid" else self.test_targets
        return np.unique(self.dataset.user[rows])

    def _history(self, which: str) -> History:
        if which not in self._histories:
            rows = (self.train_rows if which == "train"
                    else np.union1d(self.train_rows, self.valid_rows))
            self._histories[which] = self.dataset.history(rows)
        return self._histories[which]

    def summary(self) -> dict[str, int]:
        return {
            "users": self.dataset.n_users,
            "items": self.dataset.n_items,
            "interactions": self.dataset.n_interactions,
            "train_interactions": int(len(self.train_rows)),
            "valid_users": int(len(self.users("valid"))),
            "test_users": int(len(self.users("test"))),
        }


def leave_one_out(dataset: Dataset) -> Split:
    """Per user: last interaction = test, second-to-last = validation, the rest = train.

    Relies on the dataset's order (user, then time, ties in file order). Users with
    fewer than three interactions stay entirely in train: they cannot be held out
    without leaving them no history.
    """
    counts = np.bincount(dataset.user, minlength=dataset.n_users)
    ends = np.cumsum(counts)
    held = counts >= 3
    test_rows = ends[held] - 1
    valid_rows = ends[held] - 2
    train = np.ones(dataset.n_interactions, dtype=bool)
    train[test_rows] = False
    train[valid_rows] = False
    protocol = {
        "split": "temporal leave-one-out",
        "order": "timestamp, ties in file order",
        "valid": "second-to-last interaction per user",
        "test": "last interaction per user",
        "users_too_short_to_hold_out": int((~held).sum()),
        "ranking": "full ranking over all items, seen items masked, ties by lower item index",
    }
    return Split(dataset, np.flatnonzero(train), valid_rows, valid_rows, test_rows, protocol)


def time_split(dataset: Dataset, test_from: str | int, valid_from: str | int | None = None) -> Split:
    """Everything at or after ``test_from`` is test (and from ``valid_from`` on, validation).

    For users who think in calendar time. Only users with training history are evaluated,
    an item the user already had before the phase is not a target (it is masked), and
    repeats of a target within the phase count once.
    """
    if not dataset.has_timestamps:
        raise DataError("a time split needs a timestamp column; this dataset has none "
                        "(use the leave-one-out split or pass --time-col)")
    t_test = to_unix_seconds(test_from)
    t_valid = to_unix_seconds(valid_from) if valid_from is not None else t_test
    if t_valid > t_test:
        raise DataError(f"the validation cut-off {valid_from} is after the test cut-off {test_from}")
    ts = dataset.timestamp
    train, valid, test = ts < t_valid, (ts >= t_valid) & (ts < t_test), ts >= t_test
    if not train.any() or not test.any():
        lo, hi = pd.to_datetime([ts.min(), ts.max()], unit="s")
        missing = "training" if not train.any() else "test"
        raise DataError(f"the cut-off {test_from} leaves no {missing} data; "
                        f"the interactions run from {lo} to {hi}")
    known_user = np.zeros(dataset.n_users, dtype=bool)
    known_user[dataset.user[train]] = True
    keys = dataset.user.astype(np.int64) * dataset.n_items + dataset.item
    protocol = {
        "split": "global time split",
        "valid_from": None if valid_from is None else str(valid_from),
        "test_from": str(test_from),
        "test_interactions_of_users_without_history": int((test & ~known_user[dataset.user]).sum()),
        "ranking": "full ranking over all items, seen items masked, ties by lower item index",
    }
    return Split(
        dataset,
        train_rows=np.flatnonzero(train),
        valid_rows=np.flatnonzero(valid),
        valid_targets=_new_targets(keys, valid, train, known_user[dataset.user]),
        test_targets=_new_targets(keys, test, train | valid, known_user[dataset.user]),
        protocol=protocol,
    )


def _new_targets(keys: np.ndarray, phase: np.ndarray, before: np.ndarray,
                 known: np.ndarray) -> np.ndarray:
    """Rows of ``phase`` whose (user, item) was not seen ``before``, once per pair."""
    candidates = np.flatnonzero(phase & known & ~np.isin(keys, keys[before]))
    _, first = np.unique(keys[candidates], return_index=True)
    return np.sort(candidates[first])


def to_unix_seconds(value: str | int) -> int:
    """A cut-off as Unix seconds, an ISO date or a date-time string."""
    if isinstance(value, (int, np.integer)) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    try:
        return int(pd.Timestamp(value).timestamp())
    except (ValueError, TypeError) as exc:
        raise DataError(f"cannot read the cut-off {value!r} as a date (expected e.g. 2011-06-01)") from exc
