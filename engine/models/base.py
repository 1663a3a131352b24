"""One interface for every model, as in RecBole and implicit.

``fit`` learns from the training history; ``score`` returns a dense (users x items) score
matrix for a batch of users given what is known about them; ranking, masking and metrics
live outside the models so that every model is evaluated the same way.

``update`` refreshes a fitted model for a grown dataset (new interactions, users and
items appended) without learning its global parameters again; see
:meth:`Recommender.update` and :mod:`engine.incremental`. :class:`HistoryStamp` is how a
model remembers, in a few bytes per user and item, which history it was fitted on, so
that it can tell which users changed since.

Hyper-parameters are a frozen params class per model (:mod:`engine.models.params`);
run-wide settings reach ``fit`` as a :class:`~engine.models.context.FitContext`; a model
made of other models (a fusion) is a :class:`Composite`, so that callers ask that
interface instead of testing for one class.
"""
from __future__ import annotations

import copy
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Callable, ClassVar

import numpy as np
import scipy.sparse as sp

from engine.core.progress import Task
from engine.data.dataset import Dataset, History, Validation
from engine.evaluation.ranking import mask_seen, top_k
from engine.models.context import FitContext
from engine.models.params import ModelParams

log = logging.getLogger(__name__)

#: Applies a prepared update to its model; no safe point inside, so it cannot be cancelled.
Commit = Callable[[], None]


def user_rows(history: History, users: np.ndarray, binary: bool) -> sp.csr_matrix:
    """The users' rows of the history matrix (float32), with weights set to 1 if ``binary``."""
    rows = history.matrix[np.asarray(users, dtype=np.int64)]
    rows = sp.csr_matrix(rows, dtype=np.float32, copy=True)
    if binary:
        rows.data[:] = 1.0
    return rows


def report(task: Task | None, fraction: float, status: str | None = None) -> None:
    """A safe point: report progress and let a cancel request stop the fit here."""
    if task is not None:
        task.update(fraction, status)


class NotFittedError(RuntimeError):
    """``score`` was called before ``fit``."""


def commit(model: object, **state: object) -> Commit:
    """A commit that sets the given attributes of ``model`` all at once."""
    return lambda: model.__dict__.update(state)


def concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``[starts[0], ..., starts[0] + lengths[0] - 1, starts[1], ...]`` without a loop."""
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(int(lengths.sum()), dtype=np.int64) - first + np.repeat(starts, lengths)


def positions(history: History) -> np.ndarray:
    """Each interaction's position within its user's sequence (0 = the user's first)."""
    return np.arange(len(history.items), dtype=np.int64) - np.repeat(
        history.indptr[:-1], history.lengths)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit (uint64, wrapping)."""
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def fold_hash(*columns: np.ndarray) -> np.ndarray:
    """A 64-bit hash per row of integer (or float32) columns of equal length.

    Rows that differ in any column get different hashes with probability 1 - 2**-64;
    used to recognise interactions (and sequences) across two versions of a dataset.
    """
    h = np.zeros(len(columns[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in columns:
            column = np.asarray(column)
            if column.dtype == np.float32:
                column = column.view(np.uint32)
            h = _splitmix(h ^ column.astype(np.int64).view(np.uint64))
    return h


@dataclass(frozen=True, eq=False)
class HistoryStamp:
    """What a model was fitted (or last updated) on, in a few bytes per user and item.

    A model keeps it to find out at ``update`` time which users' sequences changed and
    whether each old sequence is still the start of the new one (the common case: new
    events come after the old ones), without keeping the old history itself.
    """

    lengths: np.ndarray  # int64 per user: interactions in the sequence
    fingerprints: np.ndarray  # uint64 per user: hash of the whole sequence
    items_seen: np.ndarray  # bool per item: has at least one interaction

    @classmethod
    def of(cls, history: History) -> "HistoryStamp":
        lengths = history.lengths.astype(np.int64)
        return cls(lengths, prefix_fingerprints(history, lengths),
                   np.bincount(history.items, minlength=history.n_items) > 0)

    @property
    def n_users(self) -> int:
        return len(self.lengths)

    @property
    def n_items(self) -> int:
        return len(self.items_seen)

    def check_grown(self, history: History, model: str) -> None:
        """Refuse a history with fewer users or items than the model knows."""
        if history.n_users < self.n_users or history.n_items < self.n_items:
            raise ValueError(
                f"{model}.update needs a grown dataset (existing users and items at the "
                f"same indices, new ones appended): it was fitted on {self.n_users} users "
                f"and {self.n_items} items, got {history.n_users} and {history.n_items}")

    def extended(self, history: History) -> np.ndarray:
        """bool per old user: the old sequence is the start of the user's sequence now."""
        old = history.lengths[:self.n_users] >= self.lengths
        prefix = prefix_fingerprints(history, np.where(old, self.lengths, 0), self.n_users)
        return old & (prefix == self.fingerprints)

    def changed_users(self, history: History) -> np.ndarray:
        """Users whose sequence differs from the stamped one, new users with history included."""
        old = np.arange(self.n_users)
        same = (history.lengths[old] == self.lengths) & self.extended(history)
        new = np.arange(self.n_users, history.n_users)
        return np.concatenate([old[~same], new[history.lengths[new] > 0]])

    def newly_seen_items(self, history: History) -> np.ndarray:
        """Items with interactions now that had none when stamped (new items included)."""
        seen = np.bincount(history.items, minlength=history.n_items) > 0
        seen[:self.n_items] &= ~self.items_seen
        return np.flatnonzero(seen)


def prefix_fingerprints(history: History, lengths: np.ndarray,
                        n_users: int | None = None) -> np.ndarray:
    """uint64 hash of the first ``lengths[u]`` interactions of each of the first users.

    Item, time, weight and position all enter the hash, so an edit, a reordering or an
    insertion before the end changes it. Sums of per-row hashes wrap around modulo 2**64.
    """
    n_users = history.n_users if n_users is None else n_users
    rows = fold_hash(history.items, history.timestamps, history.weights, positions(history))
    running = np.concatenate([[np.uint64(0)], np.cumsum(rows, dtype=np.uint64)])
    starts = history.indptr[:n_users]
    with np.errstate(over="ignore"):
        return running[starts + np.asarray(lengths, dtype=np.int64)] - running[starts]


class Recommender(ABC):
    """Base class of all models.

    ``sequential`` models may read the history up to and including the validation item
    when they predict the test item (anchors' protocol); the others score from the
    training matrix they were fitted on.
    """

    name: ClassVar[str]
    #: The model's params class: every hyper-parameter, its type, default and label.
    Params: ClassVar[type[ModelParams]]
    sequential: ClassVar[bool] = False
    #: Whether :meth:`update` refreshes the model without refitting it (False: it refits).
    incremental: ClassVar[bool] = False
    #: Which side of the user's interests the model describes: "long" (the whole history)
    #: or "short" (the last actions). Fusion's gate value is the weight of the long side.
    horizon: ClassVar[str] = "long"
    #: Rough cost of a fit relative to a closed-form model's on the same data, so that a
    #: fusion's progress bar gives each component a fair share of the stage.
    fit_cost: ClassVar[float] = 1.0

    def __init__(self, params: ModelParams | None = None, /, **values: object) -> None:
        """From a params object, or its fields as keywords (``ALS(factors=64)``).

        Each parameter becomes an attribute of the same name (``_name`` for one that is
        not recorded), which is what a stored model holds; unknown names and bad values
        are a ValueError.
        """
        if params is None:
            params = self.Params.from_dict(values, self.name)
        elif values or not isinstance(params, self.Params):
            raise TypeError(f"{type(self).__name__} takes one {self.Params.__name__} "
                            "or its fields as keywords")
        for f in fields(params):
            value = getattr(params, f.name)
            if not f.metadata.get("recorded", True):
                vars(self)[f"_{f.name}"] = value
            else:  # the model's own list or dict, as a constructor's list() and dict() gave
                vars(self)[f.name] = copy.copy(value) if isinstance(value, (list, dict)) else value

    @abstractmethod
    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "Recommender":
        """Learn from ``train``; ``dataset`` gives item text, genres and id maps.

        ``valid`` (when given) may be used for early stopping or for learning fusion
        weights; models that need neither ignore it. ``context`` holds the run-wide
        settings (seed, device, threads, text vectors) for the parameters the model
        leaves to the run.
        """

    def method_for(self, n_items: int) -> str:
        """How a fit on a catalogue of ``n_items`` items goes, and why, for a model that
        picks its method by size ("" for one with one way): the fit logs it, and the Run
        screen's plan shows it before the run starts."""
        return ""

    def fit_report(self) -> str:
        """What the last fit chose from the data it saw, and why ("" when nothing): the
        command line prints it beside the metrics and their JSON keeps it."""
        return ""

    def budget_seconds(self) -> float | None:
        """The wall-clock seconds a fit may take, for a model that stops at a budget."""
        return None

    @abstractmethod
    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        """float32 scores of shape (len(users), n_items); higher is better."""

    def recommend(self, users: np.ndarray, history: History, k: int,
                  exclude: sp.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` items and their scores per user, the user's known items excluded, and
        the nonzeros of ``exclude`` (users x items: items a user refused) as well."""
        users = np.asarray(users)
        scores = mask_seen(self.score(users, history).astype(np.float32, copy=False), users,
                           history.matrix)
        if exclude is not None:
            scores = mask_seen(scores, users, exclude)
        items = top_k(scores, k)
        return items, np.take_along_axis(scores, items, axis=1)

    def contributions(self, users: np.ndarray, history: History, items: np.ndarray,
                      gate: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Each component's part of the score of ``items`` (users x k), for explanations.

        ``gate`` (per user) asks a fused model to weigh its long-term side so, instead of
        as its gate would (feedback moves a user's gate); a single model has no gate and
        is its own only component; fusion overrides this.
        """
        scores = self.score(np.asarray(users), history)
        return {self.name: np.take_along_axis(scores, items, axis=1)}

    def gate(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """Per-user weight of the long-term side (0..1) for fused models, else None."""
        return None

    def user_vectors(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """The long-term interest vector the model keeps per user, as a (len(users), d)
        float32 array (what a run stores as the user's profile vector), or None when the
        model keeps none (this default)."""
        return None

    def update(self, history: History, dataset: Dataset, task: Task | None = None,
               valid: Validation | None = None) -> "Recommender":
        """Refresh the fitted model for a grown dataset; returns ``self``.

        ``dataset`` keeps the users and items of the fit at the same indices and may
        append new ones; ``history`` is what the model is to know now, usually everything
        (old and new interactions). Afterwards ``score``, ``recommend``,
        ``contributions`` and ``gate`` serve every user and item of ``dataset``. Models
        with ``incremental = True`` keep their learned global parameters and fold the new
        data in; the others are refitted on ``history``. ``valid`` (held-out targets
        outside ``history``, as in ``fit``) is optional: a fusion re-learns its small
        gate on it, everything else ignores it. A cancel through ``task`` stops the
        update at a safe point and leaves the model exactly as it was: all the work
        happens in :meth:`prepare_update`, and only the returned commit changes the model.
        """
        self.prepare_update(history, dataset, task, valid)()
        return self

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Compute an update without touching the model; the commit applies it.

        This default has no incremental update: it refits a shallow copy on ``history``
        (fits rebind their fitted attributes, so the copy shares nothing that changes)
        and says so in the task's status and the log.
        """
        message = f"{self.name}: no incremental update, refitting on the whole history"
        log.info(message)
        report(task, 0.0, message)
        refitted = copy.copy(self).fit(history, dataset, task, valid)
        return commit(self, **vars(refitted))

    def params(self) -> dict[str, object]:
        """Hyper-parameters, for reproducible configs and run records (JSON); read from
        the attributes, so that a model stored before a parameter existed leaves it out
        instead of failing."""
        state = vars(self)
        return {f.name: state[f.name] for f in self.Params.recorded_fields() if f.name in state}


class Composite(Recommender):
    """A model that fits other registry models as its parts (the fusions).

    ``components`` are the registry names it combines, ``component_params`` their
    parameters by name. Callers that share fitted models between runs (an evaluation of
    several models fits each component once) or report on the parts go through this
    interface.
    """

    components: list[str]
    component_params: dict[str, dict[str, object]]

    @abstractmethod
    def members(self) -> list[str]:
        """Registry names of every model a fit fits: the components, then any helper."""

    @property
    @abstractmethod
    def fitted_components(self) -> dict[str, Recommender]:
        """The fitted components by name (empty before ``fit``)."""

    @property
    @abstractmethod
    def fit_seconds(self) -> dict[str, float]:
        """Seconds of the last fit: each member it fitted itself (not those reused) by
        registry name, and ``gate`` for its own part; a run stores the members' times
        (:func:`engine.pipeline.execute.execute_run`), which estimates read."""

    @abstractmethod
    def reuse(self, fitted: dict[str, Recommender]) -> None:
        """Models already fitted on the same training history, used instead of fitting
        the members of the same names again (added to those given before)."""

    @abstractmethod
    def unfitted_members(self, dataset: Dataset) -> list[str]:
        """Registry names of the members a fit on ``dataset`` would fit itself: those it
        uses there that :meth:`reuse` did not provide. A cluster fits them beforehand,
        side by side, and hands them over through :meth:`reuse`."""
