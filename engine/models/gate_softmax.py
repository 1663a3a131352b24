"""The items the fusion's gate learns to rank each validation target among, in a large
catalogue.

Over a few thousand items the gate's softmax runs over every item. Beyond that its cost
(users x items x components, for every step) would dominate the whole fusion, so each
user's softmax runs over the target, every component's top items (the candidates a list
is drawn from) and items drawn uniformly from the catalogue that stand for the rest of
it: sampled softmax with the logQ correction, each drawn item's logit raised by
``log(items / draws)``. The draws matter: over the candidates alone the gate never sees
the items outside them that a weighting could lift into a list, and the fusion fell
below its best component (bench/results/gate_large.md measures the variants against the
full softmax).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from engine.data.dataset import History

if TYPE_CHECKING:
    import torch

#: Users whose full score rows are read at a time (components x users x items floats).
BATCH = 256
#: The z-score of an item out of the softmax (as out of the ranking).
EXCLUDED = -1e4


def exclude_seen(z: np.ndarray, users: np.ndarray, history: History) -> None:
    """Sets the z-scores (components, users, items) of each user's items in ``history``
    to :data:`EXCLUDED`."""
    seen = history.matrix[users]
    rows = np.repeat(np.arange(len(users)), np.diff(seen.indptr))
    z[:, rows, seen.indices] = EXCLUDED


def candidate_z(standardised: Callable[[np.ndarray], np.ndarray], users: np.ndarray,
                history: History, targets: np.ndarray, top: int, draws: int,
                rng: np.random.Generator) -> tuple[np.ndarray, "torch.Tensor"]:
    """(components, users, columns) z-scores of each user's target (the first column),
    every component's ``top`` items and ``draws`` items drawn uniformly (``standardised``
    gives a batch of users' z-scores over all items); a repeat of an item and an item the
    user has are excluded. Also every column's logit offset: 0, or ``log(items / draws)``
    for a drawn item."""
    import torch

    n_items = history.n_items
    top = min(top, n_items)
    parts = []
    for lo in range(0, len(users), BATCH):
        batch = users[lo:lo + BATCH]
        full = standardised(batch)
        exclude_seen(full, batch, history)
        best = np.argpartition(-full, top - 1, axis=2)[:, :, :top]  # (C, b, top)
        columns = np.concatenate([targets[lo:lo + len(batch), None],
                                  best.transpose(1, 0, 2).reshape(len(batch), -1),
                                  rng.integers(0, n_items, (len(batch), draws))], axis=1)
        part = full[:, np.arange(len(batch))[:, None], columns]
        part[:, _repeats(columns)] = EXCLUDED
        parts.append(part)
    z = np.concatenate(parts, axis=1)
    offset = np.zeros(z.shape[2], dtype=np.float32)
    offset[z.shape[2] - draws:] = np.log(n_items / max(draws, 1))
    return z, torch.from_numpy(offset)


def _repeats(columns: np.ndarray) -> np.ndarray:
    """True where a row names an item already named to its left (the target, then the
    candidates, then the draws keep their first column)."""
    order = np.argsort(columns, axis=1, kind="stable")
    ordered = np.take_along_axis(columns, order, axis=1)
    repeat = np.zeros(columns.shape, dtype=bool)
    np.put_along_axis(repeat, order[:, 1:], ordered[:, 1:] == ordered[:, :-1], axis=1)
    return repeat
