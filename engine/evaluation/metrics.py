"""Accuracy and beyond-accuracy metrics over top-K lists, accumulated batch by batch.

Per-user metrics (HR, NDCG, Recall, Precision, MRR, intra-list diversity, popularity
percentile, novelty) are summed over batches and averaged over evaluated users; catalogue
metrics (coverage, Gini of exposure) come from exposure counts over all lists. Every
step works on whole (users x K) arrays; there is no per-user Python loop.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata

ACCURACY = ("HR", "NDCG", "Recall", "Precision", "MRR")
BEYOND = ("Coverage", "Novelty", "PopPercentile", "Gini", "ILD")


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of exposure: 0 when every item is shown equally, 1 when one item takes all."""
    x = np.sort(np.asarray(counts, dtype=np.float64))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


@dataclass
class MetricAccumulator:
    """Collects top-K lists batch by batch and turns them into one metrics dict.

    ``item_popularity`` is the number of training users per item; novelty of a slot is
    -log2(popularity / n_train_users) with popularity floored at 1 for unseen items.
    ``item_vectors`` (rows L2-normalised) enable intra-list diversity = 1 - mean pairwise
    cosine similarity within a list.
    """

    ks: tuple[int, ...]
    item_popularity: np.ndarray
    n_train_users: int
    item_vectors: np.ndarray | None = None
    n_users: int = 0
    _sums: dict[str, float] = field(default_factory=dict)
    _exposure: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ks = tuple(sorted(set(int(k) for k in self.ks)))
        pop = np.maximum(self.item_popularity.astype(np.float64), 1.0)
        self._novelty = -np.log2(pop / max(self.n_train_users, 1))
        n = len(pop)
        self._percentile = (rankdata(self.item_popularity, "average") - 1) / max(n - 1, 1)
        self._exposure = {k: np.zeros(n, dtype=np.int64) for k in self.ks}

    def add(self, top: np.ndarray, targets: sp.csr_matrix) -> None:
        """``top``: (users, >= max K) item indices, best first; ``targets``: same users' rows."""
        n_targets = np.diff(targets.indptr).astype(np.float64)
        dense = targets.toarray() > 0
        hits = np.take_along_axis(dense, top[:, : self.ks[-1]], axis=1)
        discounts = 1.0 / np.log2(np.arange(2, hits.shape[1] + 2))
        ideal = np.cumsum(discounts)
        first_hit = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)
        self.n_users += len(top)
        for k in self.ks:
            h = hits[:, :k]
            n_hit = h.sum(axis=1)
            idcg = ideal[np.minimum(n_targets, k).astype(int) - 1]
            found = (first_hit >= 0) & (first_hit < k)
            self._add(f"HR@{k}", n_hit > 0)
            self._add(f"Recall@{k}", n_hit / n_targets)
            self._add(f"Precision@{k}", n_hit / k)
            self._add(f"NDCG@{k}", (h * discounts[:k]).sum(axis=1) / idcg)
            self._add(f"MRR@{k}", np.where(found, 1.0 / np.maximum(first_hit + 1, 1), 0.0))
            slots = top[:, :k]
            self._add(f"Novelty@{k}", self._novelty[slots].mean(axis=1))
            self._add(f"PopPercentile@{k}", self._percentile[slots].mean(axis=1))
            self._exposure[k] += np.bincount(slots.ravel(), minlength=len(self._novelty))
            if self.item_vectors is not None and k > 1:
                self._add(f"ILD@{k}", self._diversity(slots))

    def _diversity(self, slots: np.ndarray) -> np.ndarray:
        vecs = self.item_vectors[slots]  # (users, k, d)
        sims = np.einsum("ukd,ujd->ukj", vecs, vecs)
        k = slots.shape[1]
        off_diagonal = sims.sum(axis=(1, 2)) - np.einsum("ukk->u", sims)
        return 1.0 - off_diagonal / (k * (k - 1))

    def _add(self, name: str, values: np.ndarray) -> None:
        self._sums[name] = self._sums.get(name, 0.0) + float(np.sum(values))

    def result(self) -> dict[str, float]:
        out = {name: total / max(self.n_users, 1) for name, total in self._sums.items()}
        for k, exposure in self._exposure.items():
            out[f"Coverage@{k}"] = float((exposure > 0).mean())
            out[f"Gini@{k}"] = gini(exposure)
        return dict(sorted(out.items(), key=lambda kv: _metric_order(kv[0])))


def _metric_order(name: str) -> tuple[int, int]:
    metric, k = name.split("@")
    order = ACCURACY + BEYOND
    return (int(k), order.index(metric) if metric in order else len(order))
