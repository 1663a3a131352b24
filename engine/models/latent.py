"""Long-term collaborative models: implicit-feedback ALS and EASE.

Both summarise a user's whole training history, so they carry the "long-term interest"
side of the studio. ALS (Hu, Koren & Volinsky 2008) runs in implicit's compiled solver;
EASE (Steck 2019) is one closed-form ridge regression, ``B = I - P diag(1/diag(P))`` with
``P = (X^T X + lambda I)^-1``, so it is a few lines of numpy rather than a dependency.
"""
from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from engine.dataset import Dataset, History
from engine.models.base import NotFittedError, Recommender, Validation, report, user_rows
from engine.progress import Task


class ALS(Recommender):
    """Weighted matrix factorisation for implicit feedback (implicit's ALS, on the CPU).

    Defaults were picked by a small grid on MovieLens-100k validation NDCG@10. Scores are
    ``user_factors[u] @ item_factors.T`` from the fitted factors: like the peers, the
    model is not refitted when a user's history grows between validation and test. Users
    with no training interactions get zero factors, hence all-zero scores.

    Parameters
    ----------
    factors, regularization, iterations:
        Size of the latent space, L2 penalty and number of alternating sweeps.
    alpha:
        Confidence scale: implicit uses ``1 + alpha * weight`` for observed pairs.
    binary:
        Fit on 0/1 interactions instead of the imported weights.
    seed:
        Seeds implicit's factor initialisation; with one thread runs are reproducible.
    num_threads:
        Threads for implicit's solver (0 = all cores); BLAS is held to one thread either
        way, which implicit recommends to avoid oversubscription.
    """

    name: ClassVar[str] = "als"

    def __init__(
        self,
        factors: int = 32,
        regularization: float = 0.1,
        alpha: float = 1.0,
        iterations: int = 15,
        binary: bool = True,
        seed: int = 0,
        num_threads: int = 1,
    ) -> None:
        self.factors = int(factors)
        self.regularization = float(regularization)
        self.alpha = float(alpha)
        self.iterations = int(iterations)
        self.binary = bool(binary)
        self.seed = int(seed)
        self.num_threads = int(num_threads)
        self._user_factors: np.ndarray | None = None
        self._item_factors: np.ndarray | None = None

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None) -> "ALS":
        report(task, 0.0, "alternating least squares")
        user_items = user_rows(train, np.arange(train.n_users), self.binary)
        user_items.eliminate_zeros()

        def progress(iteration: int, elapsed: float, loss: float) -> None:
            report(task, (iteration + 1) / max(self.iterations, 1),
                   f"ALS iteration {iteration + 1}/{self.iterations}")

        # implicit checks the BLAS thread pool when the model is built and warns if it is
        # not limited to one thread, so the limit covers construction and fit.
        with warnings.catch_warnings(), threadpool_limits(1, "blas"):
            warnings.filterwarnings("ignore", module="implicit")
            model = AlternatingLeastSquares(
                factors=self.factors, regularization=self.regularization, alpha=self.alpha,
                iterations=self.iterations, random_state=self.seed,
                num_threads=self.num_threads,
            )
            model.fit(user_items, show_progress=False, callback=progress)
        user_factors = np.asarray(model.user_factors, dtype=np.float32)
        user_factors[np.diff(user_items.indptr) == 0] = 0.0
        self._user_factors = user_factors
        self._item_factors = np.asarray(model.item_factors, dtype=np.float32)
        report(task, 1.0)
        return self

    @property
    def item_factors(self) -> np.ndarray:
        if self._item_factors is None:
            raise NotFittedError("ALS used before fit")
        return self._item_factors

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._user_factors is None or self._item_factors is None:
            raise NotFittedError("ALS.score called before fit")
        users = np.asarray(users, dtype=np.int64)
        return self._user_factors[users] @ self._item_factors.T


class EASE(Recommender):
    """Embarrassingly Shallow Autoencoder: closed-form item-item ridge regression.

    ``B`` minimises ``||X - X B||^2 + lambda ||B||^2`` subject to ``diag(B) = 0``, so an
    item never explains itself. The gram matrix is dense (n_items^2 doubles: 0.2 GB at
    5,000 items, 3.2 GB at 20,000), which is why ``max_items`` refuses larger catalogues
    with a clear message instead of exhausting memory.

    Scores read the history passed to ``score`` (``X_u @ B``), so a grown history can be
    scored without refitting.
    """

    name: ClassVar[str] = "ease"

    def __init__(self, l2: float = 100.0, binary: bool = True, max_items: int = 20000) -> None:
        if l2 <= 0:
            raise ValueError("l2 must be positive")
        self.l2 = float(l2)
        self.binary = bool(binary)
        self.max_items = int(max_items)
        self._weights: np.ndarray | None = None

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None) -> "EASE":
        n_items = train.n_items
        if n_items > self.max_items:
            raise ValueError(
                f"EASE needs a dense {n_items} x {n_items} matrix "
                f"({n_items * n_items * 8 / 2**30:.1f} GB); this catalogue has more than "
                f"max_items={self.max_items} items. Use itemknn or als instead."
            )
        report(task, 0.0, "EASE gram matrix")
        X = user_rows(train, np.arange(train.n_users), self.binary).astype(np.float64)
        gram = (X.T @ X).toarray()
        gram[np.diag_indices(n_items)] += self.l2
        report(task, 0.3, "EASE inverse")
        # numpy's inverse releases the GIL (scipy's Cholesky here held it for the whole
        # factorisation and froze the window's thread for 100+ ms); as fast at this size.
        precision = np.linalg.inv(gram)
        del gram
        report(task, 0.9, "EASE weights")
        weights = precision / (-np.diag(precision))[None, :]
        weights[np.diag_indices(n_items)] = 0.0
        self._weights = weights.astype(np.float32)
        report(task, 1.0)
        return self

    @property
    def weights(self) -> np.ndarray:
        """items x items regression weights with a zero diagonal."""
        if self._weights is None:
            raise NotFittedError("EASE used before fit")
        return self._weights

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._weights is None:
            raise NotFittedError("EASE.score called before fit")
        rows = user_rows(history, users, self.binary)
        return np.asarray(rows @ self._weights, dtype=np.float32)
