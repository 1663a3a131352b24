"""Long-term collaborative models: implicit-feedback ALS and EASE.

Both summarise a user's whole training history, so they carry the "long-term interest"
side of the studio. ALS (Hu, Koren & Volinsky 2008) runs in implicit's compiled solver;
EASE (Steck 2019) is one closed-form ridge regression, ``B = I - P diag(1/diag(P))`` with
``P = (X^T X + lambda I)^-1``, so it is a few lines of numpy rather than a dependency.

Incremental updates keep what was learned globally: EASE's ``B`` on large catalogues (it
reads each user's grown history when scoring; items first taken after the fit get
regression columns against the fitted items; up to ``exact_update_items`` items the
closed form is cheap enough to solve again, exactly), ALS's item factors (the vectors
of users whose history changed are solved again against them, and items nobody had
taken at fit time are solved against the users' vectors).
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.models.base import (Commit, HistoryStamp, NotFittedError, Recommender, Validation,
                                commit, report, user_rows)
from engine.models.context import FitContext
from engine.models.params import ModelParams, setting


@dataclass(frozen=True)
class ALSParams(ModelParams):
    """ALS's settings; defaults picked by a small grid on MovieLens-100k validation NDCG@10."""

    factors: int = setting(32, "Factors", "Size of the latent space")
    regularization: float = setting(0.1, "Regularisation", "L2 penalty on the factors")
    alpha: float = setting(1.0, "Alpha", "Confidence scale: implicit uses 1 + alpha * weight "
                           "for observed pairs")
    iterations: int = setting(15, "Iterations", "Alternating sweeps")
    binary: bool = setting(True, "Binary", "Fit on 0/1 interactions instead of the imported "
                           "weights")
    seed: int | None = setting(None, "Seed", "Seeds implicit's factor initialisation (None: "
                               "the run's); with one thread runs are reproducible", run="seed")
    num_threads: int = setting(1, "Threads", "Threads for implicit's solver (0 = all cores); "
                               "BLAS is held to one thread either way, as implicit recommends")


class ALS(Recommender):
    """Weighted matrix factorisation for implicit feedback (implicit's ALS, on the CPU).

    Parameters: :class:`ALSParams`. Scores are ``user_factors[u] @ item_factors.T`` from
    the fitted factors: like the peers, the model is not refitted when a user's history
    grows between validation and test. Users with no training interactions get zero
    factors, hence all-zero scores.

    ``update`` folds new data in with implicit's own least-squares solver
    (``recalculate_user``/``recalculate_item``, an exact solve with the same confidence
    and regularisation as the fit): every user whose history differs from the fitted one
    gets the vector that best explains their whole current row given the fitted item
    factors (the others keep their fitted vectors), then every item nobody had taken at
    fit time gets the vector that best explains its users given those user vectors. The
    fitted factors are kept as they are, so an update depends only on the fit and the
    current history, not on earlier updates.
    """

    name: ClassVar[str] = "als"
    Params: ClassVar[type[ModelParams]] = ALSParams
    incremental: ClassVar[bool] = True

    def __init__(self, params: ALSParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._user_factors: np.ndarray | None = None
        self._item_factors: np.ndarray | None = None
        self._stamp: HistoryStamp | None = None  # the training history of the fit
        self._fitted_users: np.ndarray | None = None  # user factors as the fit left them

    def _solver(self, seed: int = 0) -> AlternatingLeastSquares:
        """implicit's ALS with this model's settings (its BLAS check happens here);
        ``seed`` starts the factors of a fit (an update's exact solves draw nothing)."""
        with warnings.catch_warnings(), threadpool_limits(1, "blas"):
            warnings.filterwarnings("ignore", module="implicit")
            return AlternatingLeastSquares(
                factors=self.factors, regularization=self.regularization, alpha=self.alpha,
                iterations=self.iterations, random_state=seed,
                num_threads=self.num_threads,
            )

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "ALS":
        report(task, 0.0, "alternating least squares")
        user_items = user_rows(train, np.arange(train.n_users), self.binary)
        user_items.eliminate_zeros()

        def progress(iteration: int, elapsed: float, loss: float) -> None:
            report(task, (iteration + 1) / max(self.iterations, 1),
                   f"ALS iteration {iteration + 1}/{self.iterations}")

        # implicit checks the BLAS thread pool when the model is built and warns if it is
        # not limited to one thread, so the limit covers construction and fit.
        model = self._solver(context.setting("seed", self.seed))
        with warnings.catch_warnings(), threadpool_limits(1, "blas"):
            warnings.filterwarnings("ignore", module="implicit")
            model.fit(user_items, show_progress=False, callback=progress)
        user_factors = np.asarray(model.user_factors, dtype=np.float32)
        user_factors[np.diff(user_items.indptr) == 0] = 0.0
        self._user_factors = self._fitted_users = user_factors
        self._item_factors = np.asarray(model.item_factors, dtype=np.float32)
        self._stamp = HistoryStamp.of(train)
        report(task, 1.0)
        return self

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Fold in changed and new users, then items first taken after the fit."""
        if self._fitted_users is None or self._item_factors is None or self._stamp is None:
            raise NotFittedError("ALS.update called before fit")
        stamp = self._stamp
        stamp.check_grown(history, "ALS")
        users = stamp.changed_users(history)
        items = stamp.newly_seen_items(history)
        report(task, 0.0, f"ALS: folding in {len(users)} users and {len(items)} items")
        user_factors = _grown(self._fitted_users, history.n_users)
        item_factors = _grown(self._item_factors[:stamp.n_items], history.n_items)
        # Items nobody had taken at fit time start from zero, as in the fitted data (not
        # from an earlier update's vectors), so the update depends only on the fit.
        item_factors[:stamp.n_items][~stamp.items_seen] = 0.0
        solver = self._solver()
        solver.item_factors = item_factors
        with threadpool_limits(1, "blas"):
            if len(users):
                rows = user_rows(history, users, self.binary)
                user_factors[users] = solver.recalculate_user(users, rows)
            report(task, 0.6, f"ALS: folding in {len(items)} items")
            if len(items):
                solver.user_factors = user_factors
                columns = user_rows(history, np.arange(history.n_users), self.binary)
                item_factors[items] = solver.recalculate_item(items, columns.T.tocsr()[items])
        report(task, 1.0)
        return commit(self, _user_factors=user_factors, _item_factors=item_factors)

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

    def user_vectors(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """The users' factors, ALS's long-term interest vectors: as fitted or folded in by
        the last update (zero for a user without training history); ``history`` is not
        read."""
        if self._user_factors is None:
            raise NotFittedError("ALS.user_vectors called before fit")
        users = np.asarray(users, dtype=np.int64)
        return np.array(self._user_factors[users], dtype=np.float32)


@dataclass(frozen=True)
class EASEParams(ModelParams):
    """EASE's settings."""

    l2: float = setting(100.0, "L2 penalty", "lambda of the ridge regression")
    binary: bool = setting(True, "Binary", "Fit on 0/1 interactions instead of the imported "
                           "weights")
    max_items: int = setting(20000, "Most items", "Larger catalogues are refused: the dense "
                             "gram matrix would not fit in memory")
    exact_update_items: int = setting(2500, "Exact update up to", "Catalogues up to this "
                                      "many items are solved again on update")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.l2 <= 0:
            raise ValueError("l2 must be positive")


class EASE(Recommender):
    """Embarrassingly Shallow Autoencoder: closed-form item-item ridge regression.

    ``B`` minimises ``||X - X B||^2 + lambda ||B||^2`` subject to ``diag(B) = 0``, so an
    item never explains itself. The gram matrix is dense (n_items^2 doubles: 0.2 GB at
    5,000 items, 3.2 GB at 20,000), which is why ``max_items`` refuses larger catalogues
    with a clear message instead of exhausting memory.

    Scores read the history passed to ``score`` (``X_u @ B``), so a grown history is
    scored without refitting. On catalogues of at most ``exact_update_items`` items,
    ``update`` solves the closed form again on the grown history: the inversion is
    cheap there, and an exact solve cannot drift from a retrain while kept weights do
    (timings and the drift: bench/results/experiments.md).
    Larger catalogues keep ``B`` and fold in the items nobody had taken at fit time
    (added since, or untaken then), whose columns of ``B`` are zero:
    each such item's column becomes the ridge regression of its current users on the
    fitted items, ``P X^T x_j`` with the fit's ``P = (X^T X + lambda I)^-1``, which
    ``B`` and ``diag(P)`` give back exactly (``P = (I - B) diag(P)``). Their rows stay
    zero (as predictors they would change every fitted column).
    """

    name: ClassVar[str] = "ease"
    Params: ClassVar[type[ModelParams]] = EASEParams
    incremental: ClassVar[bool] = True

    def __init__(self, params: EASEParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._weights: np.ndarray | None = None
        self._precision_diagonal: np.ndarray | None = None  # diag(P) of the fit
        self._stamp: HistoryStamp | None = None
        self._folded: np.ndarray | None = None  # (fitted items, folded items) columns
        self._folded_items = np.zeros(0, dtype=np.int64)

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "EASE":
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
        diagonal = np.diag(precision).copy()
        weights = precision / (-diagonal)[None, :]
        weights[np.diag_indices(n_items)] = 0.0
        self._weights = weights.astype(np.float32)
        self._precision_diagonal = diagonal.astype(np.float32)
        self._stamp = HistoryStamp.of(train)
        self._folded, self._folded_items = None, np.zeros(0, dtype=np.int64)
        report(task, 1.0)
        return self

    @property
    def weights(self) -> np.ndarray:
        """items x items regression weights of the fit, with a zero diagonal."""
        if self._weights is None:
            raise NotFittedError("EASE used before fit")
        return self._weights

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Solve again on a small catalogue; else keep ``B`` and fold in the columns of
        items first taken after the fit."""
        if self._weights is None or self._precision_diagonal is None or self._stamp is None:
            raise NotFittedError("EASE.update called before fit")
        stamp = self._stamp
        stamp.check_grown(history, "EASE")
        if history.n_items <= self.exact_update_items:
            report(task, 0.0, f"EASE: solving again for {history.n_items} items")
            solved = copy.copy(self).fit(history, dataset, task)
            return commit(self, **vars(solved))
        items = stamp.newly_seen_items(history)
        report(task, 0.0, f"EASE: folding in {len(items)} items")
        if not len(items):
            return commit(self, _folded=None, _folded_items=items)
        X = user_rows(history, np.arange(history.n_users), self.binary)
        cross = np.asarray((X[:, :stamp.n_items].T @ X[:, items]).toarray(), dtype=np.float32)
        report(task, 0.5)
        scaled = self._precision_diagonal[:, None] * cross  # diag(P) X^T x_j
        folded = scaled - self._weights @ scaled  # (I - B) diag(P) X^T x_j = P X^T x_j
        own = np.flatnonzero(items < stamp.n_items)  # an item never explains itself
        folded[items[own], own] = 0.0
        report(task, 1.0)
        return commit(self, _folded=folded, _folded_items=items)

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._weights is None:
            raise NotFittedError("EASE.score called before fit")
        rows = user_rows(history, users, self.binary)
        n_known = len(self._weights)
        scores = np.zeros((rows.shape[0], history.n_items), dtype=np.float32)
        scores[:, :n_known] = rows[:, :n_known] @ self._weights
        if self._folded is not None:
            scores[:, self._folded_items] = rows[:, :n_known] @ self._folded
        return scores


def _grown(factors: np.ndarray, rows: int) -> np.ndarray:
    """A float32 copy of ``factors`` with zero rows appended up to ``rows``."""
    out = np.zeros((rows, factors.shape[1]), dtype=np.float32)
    out[:len(factors)] = factors
    return out
