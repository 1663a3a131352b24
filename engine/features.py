"""Item feature vectors from genres or text, for diversity metrics and content signals.

Genres (from flag or genre columns) are the cleanest description of an item when the
catalogue has them; otherwise a TF-IDF bag of words over the item text, limited to the
most frequent terms, stands in. Rows are L2-normalised so dot products are cosines.
"""
from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

from engine.dataset import Dataset

_TOKEN = re.compile(r"\w+", re.UNICODE)


def item_vectors(dataset: Dataset, max_terms: int = 512) -> np.ndarray | None:
    """(n_items, d) float32 unit rows, or None when items have neither genres nor text."""
    if any(dataset.genres):
        docs = [list(g) for g in dataset.genres]
    elif any(dataset.texts):
        docs = [_TOKEN.findall(str(t).lower()) for t in dataset.texts]
    else:
        return None
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for row, tokens in enumerate(docs):
        for token in set(tokens):
            rows.append(row)
            cols.append(vocab.setdefault(token, len(vocab)))
    counts = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                           shape=(len(docs), len(vocab)))
    df = np.asarray(counts.sum(axis=0)).ravel()
    keep = np.argsort(-df, kind="stable")[:max_terms]
    idf = np.log((1 + len(docs)) / (1 + df[keep])) + 1.0
    dense = counts[:, keep].toarray() * idf.astype(np.float32)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
