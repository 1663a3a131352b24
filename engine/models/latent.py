"""Long-term collaborative models: implicit-feedback ALS and EASE.

Both summarise a user's whole training history, so they carry the "long-term interest"
side of the studio. ALS (Hu, Koren & Volinsky 2008) runs in implicit's compiled solver;
EASE (Steck 2019) is one closed-form ridge regression, ``B = I - P diag(1/diag(P))`` with
``P = (X^T X + lambda I)^-1``, so it is a few lines of numpy rather than a dependency.

Beyond ``dense_items`` items the dense closed form would not fit in memory, and EASE
solves each item's column on its most co-occurring items only (the neighbourhood-
restricted solve, with a sparse ``B``; the fit says which it used).

Incremental updates keep what was learned globally: EASE's dense ``B`` on large
catalogues (it reads each user's grown history when scoring; items first taken after the
fit get regression columns against the fitted items; up to ``exact_update_items`` items
the closed form is cheap enough to solve again, exactly, and the neighbourhood solve is
run again as cheaply as it was fitted), ALS's item factors (the vectors of users whose
history changed are solved again against them, and items nobody had taken at fit time
are solved against the users' vectors).
"""
from __future__ import annotations

import copy
import logging
import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.models.base import (Commit, HistoryStamp, NotFittedError, Recommender, Validation,
                                commit, report, user_rows)
from engine.models.context import FitContext
from engine.models.params import ModelParams, setting

log = logging.getLogger(__name__)


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


#: Catalogues up to this size get EASE's exact dense closed form: its gram matrix, inverse
#: and weights take about 3 x 8 n^2 bytes at once (3 GB measured at 10,000 items, with a
#: fit of about 3 minutes on 2 cores) and the inverse grows as n^3; beyond it, the
#: neighbourhood-restricted solve (bench/results/ease_large.md).
DENSE_ITEMS = 10_000
#: Neighbours per item of the neighbourhood-restricted solve (bench/results/ease_large.md).
NEIGHBOURS = 100
_BLOCK_BYTES = 256 * 2**20  # the neighbourhood gram blocks of one chunk of items (float32)
_ROW_BYTES = 8 * 2**20  # dense gram rows scattered at once while the blocks are gathered
_SOLVE_BYTES = 16 * 2**20  # float64 blocks of one batched solve, indices of one gather


@dataclass(frozen=True)
class EASEParams(ModelParams):
    """EASE's settings; ``dense_items`` and ``neighbours`` were chosen on synthetic shops
    of 5,000 and 30,000 items (bench/results/ease_large.md)."""

    l2: float = setting(100.0, "L2 penalty", "lambda of the ridge regression")
    binary: bool = setting(True, "Binary", "Fit on 0/1 interactions instead of the imported "
                           "weights")
    dense_items: int = setting(DENSE_ITEMS, "Dense up to", "Catalogues up to this many items "
                               "get the exact closed form (a dense items x items inverse); "
                               "larger ones the neighbourhood-restricted solve")
    neighbours: int = setting(NEIGHBOURS, "Neighbours", "Beyond the dense size, each item is "
                              "regressed on this many items, those it was most often taken "
                              "with")
    exact_update_items: int = setting(2500, "Exact update up to", "Catalogues up to this "
                                      "many items are solved again on update")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.l2 <= 0:
            raise ValueError("l2 must be positive")
        if self.dense_items < 0:
            raise ValueError("dense_items must be 0 or more (0: always the neighbourhood "
                             "solve)")
        if self.neighbours < 1:
            raise ValueError("neighbours must be at least 1")


class EASE(Recommender):
    """Embarrassingly Shallow Autoencoder: closed-form item-item ridge regression.

    ``B`` minimises ``||X - X B||^2 + lambda ||B||^2`` subject to ``diag(B) = 0``, so an
    item never explains itself. Column ``j`` of that ``B`` is the ridge regression of
    item ``j`` on all the other items, ``(G[-j,-j] + lambda I)^-1 G[-j,j]`` with the gram
    matrix ``G = X^T X``. The fit picks one of two ways to get it by catalogue size, and
    says which in its status and the log (:attr:`method`):

    - up to ``dense_items`` items, the exact closed form, ``B = I - P diag(1/diag(P))``
      with ``P = (G + lambda I)^-1``: the gram matrix is dense (n_items^2 doubles: 0.8 GB
      at 10,000 items, 6.7 GB at 30,000) and the inverse costs n_items^3;
    - beyond it, the neighbourhood-restricted solve (as fsSLIM restricts SLIM): each item
      ``j`` is regressed only on its ``neighbours`` items ``N_j`` with the largest
      ``G[a, j]`` (those it was most often taken with; an item taken with fewer gets them
      all, then the most taken other items, whose co-occurrence with it is zero), so
      ``B[N_j, j] = (G[N_j,N_j] + lambda I)^-1 G[N_j,j]``. With ``neighbours >=
      n_items - 1`` that is EASE's column exactly. ``G`` stays sparse, the solves are
      batched (``neighbours^2`` floats per item, a bounded chunk of items at a time) and
      ``B`` is a sparse matrix with at most ``neighbours`` entries per column; an item
      nobody took has an empty column. Fit time and quality against the dense solve:
      bench/results/ease_large.md.

    Scores read the history passed to ``score`` (``X_u @ B``), so a grown history is
    scored without refitting. On catalogues of at most ``exact_update_items`` items,
    ``update`` solves the closed form again on the grown history: the inversion is
    cheap there, and an exact solve cannot drift from a retrain while kept weights do
    (timings and the drift: bench/results/experiments.md). A model fitted with the
    neighbourhood solve, or whose grown catalogue is beyond ``dense_items``, is fitted
    again on update: that solve costs no more than the fit, and it takes the new items
    and the changed co-occurrences in exactly. Larger dense catalogues keep ``B`` and
    fold in the items nobody had taken at fit time (added since, or untaken then), whose
    columns of ``B`` are zero:
    each such item's column becomes the ridge regression of its current users on the
    fitted items, ``P X^T x_j`` with the fit's ``P = (X^T X + lambda I)^-1``, which
    ``B`` and ``diag(P)`` give back exactly (``P = (I - B) diag(P)``). Their rows stay
    zero (as predictors they would change every fitted column).
    """

    name: ClassVar[str] = "ease"
    Params: ClassVar[type[ModelParams]] = EASEParams
    incremental: ClassVar[bool] = True
    # A model stored before these settings existed reads the defaults it was fitted with.
    dense_items = EASEParams.default("dense_items")
    neighbours = EASEParams.default("neighbours")

    def __init__(self, params: EASEParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._weights: np.ndarray | sp.csr_matrix | None = None
        self._precision_diagonal: np.ndarray | None = None  # diag(P) of a dense fit
        self._stamp: HistoryStamp | None = None
        self._folded: np.ndarray | None = None  # (fitted items, folded items) columns
        self._folded_items = np.zeros(0, dtype=np.int64)
        self._method = ""  # how the fit solved, and why

    def method_for(self, n_items: int) -> str:
        if n_items <= self.dense_items:
            return f"{n_items:,} items <= {self.dense_items:,}: exact dense solve"
        return (f"{n_items:,} items > {self.dense_items:,}: neighbourhood-restricted solve, "
                f"{self.neighbours} neighbours per item")

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "EASE":
        n_items = train.n_items
        dense = n_items <= self.dense_items
        method = self.method_for(n_items)
        log.info("EASE: %s", method)
        report(task, 0.0, f"EASE: {method}")
        X = user_rows(train, np.arange(train.n_users), self.binary)
        if dense:
            weights, diagonal = self._dense_solve(X, task)
        else:
            weights, diagonal = self._restricted_solve(X, task), None
        self._weights, self._precision_diagonal, self._method = weights, diagonal, method
        self._stamp = HistoryStamp.of(train)
        self._folded, self._folded_items = None, np.zeros(0, dtype=np.int64)
        report(task, 1.0)
        return self

    def _dense_solve(self, X: sp.csr_matrix, task: Task | None
                     ) -> tuple[np.ndarray, np.ndarray]:
        """The exact closed form: dense ``B`` and ``diag(P)`` (float32)."""
        n_items = X.shape[1]
        report(task, 0.0, "EASE gram matrix")
        X = X.astype(np.float64)
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
        return weights.astype(np.float32), diagonal.astype(np.float32)

    def _restricted_solve(self, X: sp.csr_matrix, task: Task | None) -> sp.csr_matrix:
        """``B`` by the neighbourhood-restricted solve (float32 CSR, items x items)."""
        report(task, 0.0, "EASE: sparse gram matrix")
        gram = sp.csr_matrix(X.T @ X, dtype=np.float32)  # symmetric: row j is column j
        gram.sum_duplicates()
        report(task, 0.1, f"EASE: the {self.neighbours} neighbours of each item")
        neighbours, targets = _neighbourhoods(gram, self.neighbours)
        weights = _restricted_columns(gram, neighbours, targets, self.l2, task, 0.15, 0.95)
        n_items = gram.shape[0]
        item, slot = np.nonzero(neighbours < n_items)  # B[neighbour, item] = weight
        B = sp.csr_matrix((weights[item, slot], (neighbours[item, slot], item)),
                          shape=(n_items, n_items), dtype=np.float32)
        B.eliminate_zeros()
        return B

    @property
    def method(self) -> str:
        """How the fit solved and why ("30,000 items > 10,000: neighbourhood-restricted
        solve, 100 neighbours per item"); "" before a fit and in a model stored before the
        choice existed."""
        return getattr(self, "_method", "")

    @property
    def weights(self) -> np.ndarray | sp.csr_matrix:
        """items x items regression weights of the fit, with a zero diagonal: a dense
        array from the dense solve, a float32 CSR matrix from the neighbourhood one."""
        if self._weights is None:
            raise NotFittedError("EASE used before fit")
        return self._weights

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Solve again on a small catalogue, after a neighbourhood fit or past
        ``dense_items``; else keep ``B`` and fold in the columns of items first taken
        after the fit."""
        if self._weights is None or self._stamp is None:
            raise NotFittedError("EASE.update called before fit")
        stamp = self._stamp
        stamp.check_grown(history, "EASE")
        restricted = self._precision_diagonal is None
        if restricted or history.n_items <= self.exact_update_items \
                or history.n_items > self.dense_items:
            report(task, 0.0, f"EASE: solving again for {history.n_items:,} items")
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
        n_known = self._weights.shape[0]
        scores = np.zeros((rows.shape[0], history.n_items), dtype=np.float32)
        known = rows[:, :n_known] @ self._weights
        scores[:, :n_known] = known.toarray() if sp.issparse(known) else known
        if self._folded is not None:
            scores[:, self._folded_items] = rows[:, :n_known] @ self._folded
        return scores


def _neighbourhoods(gram: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each item's ``k`` neighbours for the restricted solve and their gram entries.

    Returns ``(neighbours, targets)``, both (n_items, min(k, n_items - 1)): the items ``a != j`` with the
    largest ``gram[a, j]`` (row ``j``: the gram matrix is symmetric), padded with
    ``n_items``; an item taken with fewer than ``k`` others gets them all, then the
    most taken other items (co-occurrence zero, as the dense solve sees them), so that
    ``k >= n_items - 1`` gives every other taken item; an item nobody took gets none.
    """
    n = gram.shape[0]
    k = max(1, min(k, n - 1))  # more than every other item adds only padding
    popularity = gram.diagonal()
    taken = np.flatnonzero(popularity > 0)
    by_popularity = taken[np.lexsort((taken, -popularity[taken]))]  # ties: lower index
    neighbours = np.full((n, k), n, dtype=np.int64)
    targets = np.zeros((n, k), dtype=np.float32)
    indptr, indices, data = gram.indptr, gram.indices, gram.data
    for j in taken:
        columns, values = indices[indptr[j]:indptr[j + 1]], data[indptr[j]:indptr[j + 1]]
        keep = (columns != j) & (values != 0)
        columns, values = columns[keep], values[keep]
        if len(columns) > k:
            top = np.argpartition(-values, k - 1)[:k]
            columns, values = columns[top], values[top]
        elif len(columns) < k:
            extra = by_popularity[:k + len(columns) + 1]
            extra = extra[(extra != j) & ~np.isin(extra, columns)][:k - len(columns)]
            columns = np.concatenate([columns, extra])
            values = np.concatenate([values, np.zeros(len(extra), dtype=values.dtype)])
        neighbours[j, :len(columns)] = columns
        targets[j, :len(columns)] = values
    return neighbours, targets


def _restricted_columns(gram: sp.csr_matrix, neighbours: np.ndarray, targets: np.ndarray,
                        l2: float, task: Task | None, start: float, end: float
                        ) -> np.ndarray:
    """Per item ``j``: the ridge solution ``(G[N_j,N_j] + l2 I)^-1 G[N_j,j]`` over its
    neighbours (n_items x k float32, zero in padded slots and for items without any).

    Items go in chunks whose ``(chunk, k, k)`` gram blocks fit in ``_BLOCK_BYTES``. A
    chunk's blocks are gathered row by row: the gram rows its items' neighbours need are
    scattered a few at a time into a dense buffer (one extra, always zero column stands
    for the padding) and each needed row's ``k`` entries read from there, so a chunk
    reads each gram row once and nothing n x n is ever built. The blocks are solved in
    float64 batches; padded slots are zero rows and columns with ``l2`` on the diagonal,
    so their weights come out zero. ``report`` between chunks is the cancel point.
    """
    n, k = neighbours.shape
    counts = (neighbours < n).sum(axis=1)
    todo = np.flatnonzero(counts > 0)
    chunk = max(1, _BLOCK_BYTES // (4 * k * k))
    per_buffer = max(1, _ROW_BYTES // (4 * (n + 1)))
    per_gather = max(1, _SOLVE_BYTES // (12 * k))
    per_solve = max(1, _SOLVE_BYTES // (8 * k * k))
    buffer = np.zeros(per_buffer * (n + 1), dtype=np.float32)  # rows of n + 1, flat
    all_blocks = np.empty((min(chunk, len(todo)) * k, k), dtype=np.float32)
    weights = np.zeros((n, k), dtype=np.float32)
    diagonal = np.arange(k)
    for first in range(0, len(todo), chunk):
        items = todo[first:first + chunk]
        local = neighbours[items]  # (chunk, k), n = padding
        blocks = all_blocks[:len(items) * k]  # row: item * k + slot
        blocks.fill(0.0)
        owner, slot = np.nonzero(local < n)
        rows = local[owner, slot]
        order = np.argsort(rows, kind="stable")
        owner, slot, rows = owner[order], slot[order], rows[order]
        needed, needed_at, needed_times = np.unique(rows, return_index=True,
                                                    return_counts=True)
        for lo in range(0, len(needed), per_buffer):
            batch = needed[lo:lo + per_buffer]
            part = gram[batch]
            offsets = np.arange(len(batch), dtype=np.int64) * (n + 1)
            cells = np.repeat(offsets, np.diff(part.indptr)) + part.indices
            buffer[cells] = part.data
            begin = needed_at[lo]
            stop = begin + int(needed_times[lo:lo + per_buffer].sum())
            at_row = np.repeat(offsets, needed_times[lo:lo + per_buffer])
            for step in range(begin, stop, per_gather):  # (pairs, k) indices at a time
                who = owner[step:min(stop, step + per_gather)]
                at = at_row[step - begin:step - begin + len(who), None] + local[who]
                blocks[who * k + slot[step:step + len(who)]] = buffer[at]
            buffer[cells] = 0.0
        blocks3 = blocks.reshape(len(items), k, k)
        with threadpool_limits(1, "blas"):  # many small solves: threads only cost here
            for lo in range(0, len(items), per_solve):
                system = blocks3[lo:lo + per_solve].astype(np.float64)
                system[:, diagonal, diagonal] += l2
                rhs = targets[items[lo:lo + per_solve]].astype(np.float64)[:, :, None]
                weights[items[lo:lo + per_solve]] = np.linalg.solve(system, rhs)[:, :, 0]
        done = min(first + chunk, len(todo))
        report(task, start + (end - start) * done / len(todo),
               f"EASE: neighbourhood solve, {done:,} of {len(todo):,} items")
    return weights


def _grown(factors: np.ndarray, rows: int) -> np.ndarray:
    """A float32 copy of ``factors`` with zero rows appended up to ``rows``."""
    out = np.zeros((rows, factors.shape[1]), dtype=np.float32)
    out[:len(factors)] = factors
    return out
