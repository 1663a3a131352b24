"""Feedback events (like, dislike, not interested) and what they teach the next run.

The latest word of a user on an item counts (:func:`latest_events`). At the next
training run the events are a training signal (:func:`training_signal`): likes are extra
positive interactions (:func:`add_likes`), refused items are kept out of the lists
(:func:`refused_matrix`), and the fusion gate is learned again from scratch. What a click
does to the list at once, without retraining, is :mod:`engine.pipeline.rerank`'s.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.data.dataset import History

LIKE, DISLIKE, NOT_INTERESTED = "like", "dislike", "not_interested"
NEGATIVE = (DISLIKE, NOT_INTERESTED)


@dataclass(frozen=True)
class Event:
    """One feedback event on an internal item index, in the order it was given."""

    item: int
    kind: str  # LIKE, DISLIKE or NOT_INTERESTED


def latest_events(events: Sequence[Event]) -> list[Event]:
    """One event per item, the latest (a like after a dislike is a change of mind)."""
    latest: dict[int, Event] = {}
    for event in events:
        latest.pop(event.item, None)
        latest[event.item] = event
    return list(latest.values())


@dataclass(frozen=True)
class TrainingSignal:
    """Feedback as training data for the next run (internal indices)."""

    liked_users: np.ndarray
    liked_items: np.ndarray
    refused_users: np.ndarray
    refused_items: np.ndarray

    @classmethod
    def empty(cls) -> "TrainingSignal":
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none)

    def __len__(self) -> int:
        return len(self.liked_users) + len(self.refused_users)


def training_signal(users: Sequence[int], items: Sequence[int], kinds: Sequence[str]
                    ) -> TrainingSignal:
    """Each (user, item)'s latest feedback, split into likes and refusals."""
    latest: dict[tuple[int, int], str] = {}
    for user, item, kind in zip(users, items, kinds):
        latest.pop((int(user), int(item)), None)
        latest[(int(user), int(item))] = kind
    liked = [pair for pair, kind in latest.items() if kind == LIKE]
    refused = [pair for pair, kind in latest.items() if kind in NEGATIVE]

    def columns(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        return array[:, 0], array[:, 1]

    return TrainingSignal(*columns(liked), *columns(refused))


def without_pairs(signal: TrainingSignal, pairs: sp.csr_matrix) -> TrainingSignal:
    """``signal`` without the likes on the nonzeros of ``pairs`` (users x items)."""
    if not len(signal.liked_users):
        return signal
    hit = np.asarray(pairs[signal.liked_users, signal.liked_items]).ravel() != 0
    return TrainingSignal(signal.liked_users[~hit], signal.liked_items[~hit],
                          signal.refused_users, signal.refused_items)


def add_likes(history: History, signal: TrainingSignal, at: np.ndarray | None = None
              ) -> History:
    """``history`` with every like as an extra interaction of weight 1 at the end of the
    user's sequence (at the user's last time, or ``at[user]``)."""
    if not len(signal.liked_users):
        return history
    users = np.repeat(np.arange(history.n_users), history.lengths)
    ends = history.indptr[1:] - 1
    last = np.where(history.lengths > 0, history.timestamps[np.maximum(ends, 0)], 0)
    when = last if at is None else np.maximum(last, at)
    user = np.concatenate([users, signal.liked_users]).astype(np.int32)
    order = np.argsort(user, kind="stable")  # likes go after the user's own events
    item = np.concatenate([history.items, signal.liked_items])[order]
    weight = np.concatenate([history.weights, np.ones(len(signal.liked_users), np.float32)])
    stamp = np.concatenate([history.timestamps, when[signal.liked_users]])
    out = History.build(user[order], item, weight[order], stamp[order], history.n_users,
                        history.n_items)
    out.request_time = history.request_time
    return out


def refused_matrix(signal: TrainingSignal, n_users: int, n_items: int) -> sp.csr_matrix:
    """Users x items, 1 where the user refused the item: masked out of their lists."""
    data = np.ones(len(signal.refused_users), dtype=np.float32)
    return sp.csr_matrix((data, (signal.refused_users, signal.refused_items)),
                         shape=(n_users, n_items))
