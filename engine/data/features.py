"""Item feature vectors from genres or text, for diversity metrics and content signals.

Genres (from flag or genre columns) are the cleanest description of an item when the
catalogue has them; otherwise a TF-IDF bag of words over the item text, limited to the
most frequent terms, stands in. Rows are L2-normalised so dot products are cosines.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from engine.data.dataset import Dataset
from engine.data.text import tokenize


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32); all-zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def item_terms(dataset: Dataset) -> tuple[sp.csr_matrix, np.ndarray]:
    """items x terms 0/1 matrix and the term names: genres when the catalogue has them."""
    if any(dataset.genres):
        docs = [list(g) for g in dataset.genres]
    else:
        docs = [[t for t in tokenize(f"{title} {text}") if not t.isdigit()]
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


def inverse_document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed idf per column of a documents x terms matrix (float32)."""
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    return (np.log((1 + counts.shape[0]) / (1 + df)) + 1.0).astype(np.float32)


def item_vectors(dataset: Dataset, max_terms: int = 512) -> np.ndarray | None:
    """(n_items, d) float32 unit rows of tf-idf over the most frequent terms, or None when
    items have neither genres nor text."""
    counts, _ = item_terms(dataset)
    if counts.shape[1] == 0:
        return None
    idf = inverse_document_frequency(counts)
    keep = np.argsort(idf, kind="stable")[:max_terms]  # the most frequent terms
    return unit_rows(counts[:, keep].toarray() * idf[keep])
