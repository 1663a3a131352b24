"""Human-readable user profiles: top interest keywords and the recent window.

Keywords come from what the user engaged with: the genres (or, without genres, the text
terms) of the items in the whole history, weighted by the interaction weight and by
inverse document frequency, so "Drama" does not top every MovieLens profile.
"""
from __future__ import annotations

import numpy as np

from engine.data.dataset import Dataset, History
from engine.data.features import inverse_document_frequency, item_terms


def interest_keywords(dataset: Dataset, history: History, n: int = 5,
                      batch_size: int = 2048) -> list[list[str]]:
    """The ``n`` strongest interest terms of every user (weighted tf-idf of the history)."""
    terms, names = item_terms(dataset)
    if terms.shape[1] == 0:
        return [[] for _ in range(history.n_users)]
    weighted = terms.multiply(inverse_document_frequency(terms)[None, :]).tocsr()
    k = min(n, terms.shape[1])
    keywords: list[list[str]] = []
    for start in range(0, history.n_users, batch_size):
        weights = (history.matrix[start:start + batch_size] @ weighted).toarray()
        top = np.argsort(-weights, axis=1, kind="stable")[:, :k]
        strength = np.take_along_axis(weights, top, axis=1)
        keywords += [[str(names[t]) for t, s in zip(row, srow) if s > 0]
                     for row, srow in zip(top, strength)]
    return keywords
