"""Item-based nearest neighbours (Sarwar et al. 2001), as RecBole and implicit run it.

The item-item similarity comes from implicit's nearest-neighbour recommenders (cosine or
BM25-weighted dot products, top-K per item in compiled code); we only drop each item's
similarity to itself, which implicit keeps and which would otherwise take one of the K
slots, and then score a whole batch of users with one sparse matrix product.

Two ways to aggregate, both found in the peers:

* ``aggregate="target"`` (RecBole's ItemKNN): score(u, i) sums the similarities between
  i and those of its K nearest neighbours that u has seen: ``X @ S.T``.
* ``aggregate="history"`` (implicit's ItemItemRecommender): each seen item j votes for
  its own K nearest neighbours: ``X @ S``.

With a symmetric similarity the two differ only through which top-K lists are kept.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import scipy.sparse as sp
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
from threadpoolctl import threadpool_limits

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.evaluation.ranking import top_k_per_row
from engine.models.base import NotFittedError, Recommender, Validation, report, user_rows
from engine.models.context import FitContext
from engine.models.params import ModelParams, setting


@dataclass(frozen=True)
class ItemKNNParams(ModelParams):
    """ItemKNN's settings; defaults tuned on MovieLens-100k validation NDCG@10."""

    neighbours: int = setting(20, "Neighbours", "K, similar items kept per item (RecBole's "
                              "default is 100; fewer won on ml-100k)")
    similarity: Literal["cosine", "bm25"] = setting(
        "cosine", "Similarity", "cosine (RecBole, implicit's CosineRecommender) or bm25 "
        "(implicit's BM25Recommender, which down-weights heavy users and popular items)")
    aggregate: Literal["target", "history"] = setting(
        "target", "Aggregate", "target (RecBole) or history (implicit); see the module notes")
    binary: bool = setting(False, "Binary", "Build and score on 0/1 interactions (RecBole "
                           "does) instead of the imported weights, which scored better")
    K1: float = setting(1.2, "BM25 K1", "BM25 term saturation (only for bm25)")
    B: float = setting(0.75, "BM25 B", "BM25 length normalisation (only for bm25)")
    num_threads: int = setting(1, "Threads", "Threads for implicit's similarity search; 1 "
                               "keeps runs comparable and the window responsive")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.similarity not in ("cosine", "bm25"):
            raise ValueError(f"similarity must be 'cosine' or 'bm25', not {self.similarity!r}")
        if self.aggregate not in ("target", "history"):
            raise ValueError(f"aggregate must be 'target' or 'history', not {self.aggregate!r}")
        if self.neighbours < 1:
            raise ValueError("neighbours must be at least 1")


class ItemKNN(Recommender):
    """Item-item cosine kNN (parameters: :class:`ItemKNNParams`).

    ``ItemKNN(neighbours=100, binary=True)`` reproduces RecBole's ItemKNN (shrink 0) and
    ``aggregate="history"`` implicit's; the defaults (K=20 on the imported weights) were
    better on ml-100k (both settings measured in bench/results/ml100k.md).
    """

    name: ClassVar[str] = "itemknn"
    Params: ClassVar[type[ModelParams]] = ItemKNNParams

    def __init__(self, params: ItemKNNParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._weights: sp.csr_matrix | None = None  # items x items, score = X @ _weights

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "ItemKNN":
        report(task, 0.0, "item-item similarity")
        user_items = user_rows(train, np.arange(train.n_users), self.binary)
        user_items.eliminate_zeros()
        # One extra neighbour because implicit counts the item itself among its K.
        if self.similarity == "cosine":
            knn = CosineRecommender(K=self.neighbours + 1, num_threads=self.num_threads)
        else:
            knn = BM25Recommender(K=self.neighbours + 1, K1=self.K1, B=self.B,
                                  num_threads=self.num_threads)
        with warnings.catch_warnings(), threadpool_limits(1, "blas"), \
                np.errstate(divide="ignore", invalid="ignore"):  # BM25 of an empty matrix
            # implicit passes its own COO weighting to itself and warns about the conversion.
            warnings.filterwarnings("ignore", message="Method expects CSR input")
            knn.fit(user_items, show_progress=False)  # implicit 0.7: users are rows
        report(task, 0.8, "keeping the nearest neighbours")
        sim = sp.coo_matrix(knn.similarity, dtype=np.float32)
        off_diagonal = sim.row != sim.col
        sim = sp.csr_matrix(
            (sim.data[off_diagonal], (sim.row[off_diagonal], sim.col[off_diagonal])),
            shape=sim.shape,
        )
        sim = top_k_per_row(sim, self.neighbours)
        self._weights = (sim.T if self.aggregate == "target" else sim).tocsr()
        report(task, 1.0)
        return self

    @property
    def item_similarity(self) -> sp.csr_matrix:
        """items x items: row i holds item i's K nearest neighbours (for explanations)."""
        if self._weights is None:
            raise NotFittedError("ItemKNN used before fit")
        return (self._weights.T if self.aggregate == "target" else self._weights).tocsr()

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._weights is None:
            raise NotFittedError("ItemKNN.score called before fit")
        rows = user_rows(history, users, self.binary)
        return np.asarray((rows @ self._weights).toarray(), dtype=np.float32)


@dataclass(frozen=True)
class ItemKNNBM25Params(ItemKNNParams):
    """ItemKNN's settings with BM25 similarity by default."""

    similarity: Literal["cosine", "bm25"] = setting(
        "bm25", "Similarity", "bm25 (implicit's BM25Recommender) or cosine")


class ItemKNNBM25(ItemKNN):
    """ItemKNN on implicit's BM25 weighting, which damps popular items and heavy users."""

    name: ClassVar[str] = "itemknn-bm25"
    Params: ClassVar[type[ModelParams]] = ItemKNNBM25Params
