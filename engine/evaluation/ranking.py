"""Top-K selection over score matrices, exact and vectorised.

Ties are broken by the lower item index, as the anchors' protocol requires, without a
full sort: ``argpartition`` finds the K-th largest value per row, every item strictly
above it is taken, and the remaining slots go to the lowest-indexed items equal to it.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

#: Score cells (float32) one batch of users may hold: users x items stays at 64 MiB
#: whatever the catalogue's size, so scoring everyone never needs a users x items matrix;
#: a fusion holds one such matrix per component at a time.
BATCH_CELLS = 1 << 24
#: Users per batch on small catalogues, where the cells would allow more: larger batches
#: gain nothing there and make progress reports and cancels coarser.
MAX_BATCH_USERS = 1024


def user_batches(users: np.ndarray, n_items: int, cells: int | None = None
                 ) -> Iterator[np.ndarray]:
    """``users`` in consecutive batches whose score matrices hold at most ``cells``
    values (default :data:`BATCH_CELLS`; at least one user a batch)."""
    size = max(1, min(MAX_BATCH_USERS, (cells or BATCH_CELLS) // max(n_items, 1)))
    for start in range(0, len(users), size):
        yield users[start:start + size]


def sample_users(users: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    """``users``, or ``limit`` of them drawn by ``rng``, sorted (as evaluation goes); a
    measure read on many users many times (early stopping, the gate) reads a sample."""
    if len(users) <= limit:
        return users
    return np.sort(rng.choice(users, limit, replace=False))


def mask_seen(scores: np.ndarray, users: np.ndarray, seen: sp.csr_matrix) -> np.ndarray:
    """Set the scores of each user's already-seen items to -inf, in place."""
    block = seen[users]
    rows = np.repeat(np.arange(len(users)), np.diff(block.indptr))
    scores[rows, block.indices] = -np.inf
    return scores


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best items per row, best first, ties by lower item index.

    ``scores`` is (users, items); -inf marks excluded items, which are only returned when
    a row has fewer than ``k`` finite scores.
    """
    n_rows, n_items = scores.shape
    k = min(k, n_items)
    if k == 0:
        return np.empty((n_rows, 0), dtype=np.int64)
    kth = np.partition(scores, n_items - k, axis=1)[:, n_items - k][:, None]
    above = scores > kth
    need = k - above.sum(axis=1, keepdims=True)
    tied = scores == kth
    take_tied = tied & (np.cumsum(tied, axis=1) <= need)
    chosen = above | take_tied
    # Every row has exactly k chosen items; gather them in index order, then sort by score
    # with a stable sort so equal scores stay in index order.
    cols = np.nonzero(chosen)[1].reshape(n_rows, k)
    vals = np.take_along_axis(scores, cols, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(cols, order, axis=1)


def target_ranks(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Each row's position (0: first) of its item ``targets[row]`` in the order
    :func:`top_k` gives: the items scored above it and those scored equal to it with a
    lower index; a measure of one held-out item per user needs no list."""
    rows = np.arange(len(targets))
    mine = scores[rows, targets][:, None]
    lower = np.arange(scores.shape[1])[None, :] < targets[:, None]
    return ((scores > mine) | ((scores == mine) & lower)).sum(axis=1)


def top_k_per_row(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of each row (ties by lower column), vectorised."""
    matrix = sp.csr_matrix(matrix)
    matrix.eliminate_zeros()
    lengths = np.diff(matrix.indptr)
    if lengths.max(initial=0) <= k:
        return matrix
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    order = np.lexsort((matrix.indices, -matrix.data, rows))
    rank = np.arange(len(order)) - matrix.indptr[rows]  # rows are sorted, so rows[order] == rows
    keep = order[rank < k]
    out = sp.csr_matrix(
        (matrix.data[keep], (rows[keep], matrix.indices[keep])), shape=matrix.shape,
    )
    out.sort_indices()
    return out
