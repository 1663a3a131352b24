"""Human-readable user profiles: top interest keywords and the recent window.

Keywords come from what the user engaged with: the genres (or, without genres, the text
terms) of the items in the whole history, weighted by the interaction weight and by
inverse document frequency, so "Drama" does not top every MovieLens profile.
"""
from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

from engine.dataset import Dataset, History

_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP = frozenset("the and for with from this that these those your you are its our has have "
                  "was were will can all any not but who how what when which into onto over "
                  "more most very just each per".split())


def item_terms(dataset: Dataset) -> tuple[sp.csr_matrix, np.ndarray]:
    """items x terms 0/1 matrix and the term names: genres when the catalogue has them."""
    if any(dataset.genres):
        docs = [list(g) for g in dataset.genres]
    else:
        docs = [[t for t in _TOKEN.findall(f"{title} {text}".lower()) if t not in _STOP]
                for title, text in zip(dataset.titles, dataset.texts)]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for row, tokens in enumerate(docs):
        for token in dict.fromkeys(tokens):
            rows.append(row)
            cols.append(vocab.setdefault(token, len(vocab)))
    matrix = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                           shape=(len(docs), len(vocab)))
    return matrix, np.array(list(vocab), dtype=object)


def interest_keywords(dataset: Dataset, history: History, n: int = 5) -> list[list[str]]:
    """The ``n`` strongest interest terms of every user (weighted tf-idf of the history)."""
    terms, names = item_terms(dataset)
    if terms.shape[1] == 0:
        return [[] for _ in range(history.n_users)]
    df = np.asarray((terms > 0).sum(axis=0)).ravel()
    idf = np.log((1 + terms.shape[0]) / (1 + df)) + 1.0
    weights = (history.matrix @ terms).toarray() * idf.astype(np.float32)
    k = min(n, weights.shape[1])
    top = np.argsort(-weights, axis=1, kind="stable")[:, :k]
    strength = np.take_along_axis(weights, top, axis=1)
    return [[str(names[t]) for t, s in zip(row, srow) if s > 0] for row, srow in zip(top, strength)]
