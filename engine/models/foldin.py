"""Vectors for items a fitted model never trained on, from the items they keep company with.

An incremental update must give items added after the fit (and items nobody had taken
at fit time) a place in the model's item space without training again. The best guess
without training is the mean vector of the item's neighbours among the items the model
did learn: first the items it occurs next to in users' sequences (what an embedding
trained on those sequences would have pulled it towards), and, for an item that has no
such neighbour yet (nobody took it, or only together with other new items), the most
similar items by text. :func:`neighbour_weights` finds those neighbours; the models
average their own vectors with the weights.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from engine.data.dataset import Dataset, History
from engine.data.features import item_vectors as catalogue_vectors
from engine.models.base import concatenated_ranges
from engine.models.cooccurrence import transition_counts

#: Steps apart (either direction) within which two items of a sequence are neighbours.
WINDOW = 3
#: Text neighbours kept per item when it has no sequence neighbour.
TEXT_NEIGHBOURS = 10


def neighbour_weights(history: History, targets: np.ndarray, known: np.ndarray,
                      dataset: Dataset | None = None) -> sp.csr_matrix:
    """(len(targets), n_items) float32 weights over ``known`` items, rows summing to 1.

    A row is a target's sequence neighbours (pairs within :data:`WINDOW` steps, counted
    in both directions), or, without any and when ``dataset`` is given, its
    :data:`TEXT_NEIGHBOURS` nearest known items by the catalogue's genre or text vectors
    (cosine > 0); a row with neither stays empty. ``known`` is a bool mask per item.
    """
    targets = np.asarray(targets, dtype=np.int64)
    weights = sp.csr_matrix(_sequence_neighbours(history, targets)
                            @ sp.diags(known.astype(np.float32)))
    weights.eliminate_zeros()
    missing = np.flatnonzero(np.diff(weights.indptr) == 0)
    if len(missing) and dataset is not None:
        text = _text_neighbours(dataset, targets[missing], known)
        if text is not None:  # the text rows go where the sequence rows were empty
            place = sp.csr_matrix((np.ones(len(missing), np.float32),
                                   (missing, np.arange(len(missing)))),
                                  shape=(len(targets), len(missing)))
            weights = sp.csr_matrix(weights + place @ text)
    totals = np.asarray(weights.sum(axis=1)).ravel()
    scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ weights, dtype=np.float32)


def _sequence_neighbours(history: History, targets: np.ndarray) -> sp.csr_matrix:
    """(len(targets), n_items) counts of the items near each target in users' sequences."""
    is_target = np.zeros(history.n_items, dtype=bool)
    is_target[targets] = True
    owner = np.repeat(np.arange(history.n_users), history.lengths)
    users = np.unique(owner[is_target[history.items]])  # only sequences that hold a target
    lengths = history.lengths[users]
    rows = concatenated_ranges(history.indptr[users], lengths)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    counts = transition_counts(history.items[rows], indptr, history.n_items, WINDOW,
                               decay=1.0, backward=1.0)
    return counts[targets]


def _text_neighbours(dataset: Dataset, targets: np.ndarray, known: np.ndarray
                     ) -> sp.csr_matrix | None:
    """(len(targets), n_items) cosines to each target's nearest known items by text."""
    vectors = catalogue_vectors(dataset)
    candidates = np.flatnonzero(known)
    if vectors is None or not len(candidates):
        return None
    sims = vectors[targets] @ vectors[candidates].T
    k = min(TEXT_NEIGHBOURS, len(candidates))
    nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    values = np.maximum(np.take_along_axis(sims, nearest, axis=1), 0.0)
    rows = np.repeat(np.arange(len(targets)), k)
    out = sp.csr_matrix((values.ravel(), (rows, candidates[nearest].ravel())),
                        shape=(len(targets), len(known)), dtype=np.float32)
    out.eliminate_zeros()
    return out


def neighbour_mean(vectors: np.ndarray, weights: sp.csr_matrix, fallback: np.ndarray | None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The weighted mean of ``vectors`` per row of ``weights``, and which rows had weights.

    Rows without weights get ``fallback`` (a vector) when given, else zeros.
    """
    means = np.asarray(weights @ vectors, dtype=np.float32)
    has = np.diff(weights.indptr) > 0
    if fallback is not None:
        means[~has] = fallback
    return means, has
