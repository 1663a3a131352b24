"""A finished run brought back to life: its fitted model, stored with it, loaded again so
that a user's feedback changes their list at once and new interactions update it.

The model is stored with the run (:mod:`storage.run_models`). Forgetting users of a dataset deletes
its runs' models (they learned from those users), after which feedback still filters the
stored lists but no longer re-ranks them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.data.feedback import NEGATIVE, Event
from engine.models.base import Recommender
from engine.pipeline.rerank import AdjustedList, Removal, adjust
from storage.database import Database
from storage.datasets import load_dataset
from storage.errors import StorageError
from engine.explanations.shares import share_texts
from storage.feedback import list_feedback
from storage.results import ListEntry, user_list
from storage.run_models import load_model
from storage.runs import run_info

REFUSED = "disliked or not interested"


@dataclass(eq=False)
class LiveRun:
    """A run's dataset, history and model in memory, for one re-rank per click."""

    run_id: int
    dataset: Dataset
    history: History
    model: Recommender | None  # None: the run has no stored model
    k: int
    components: list[str] = field(default_factory=list)


def open_live_run(db: Database, run_id: int, task: Task | None = None) -> LiveRun:
    """Load a finished run's dataset and model (a second or so; do it on a worker)."""
    info = run_info(db, run_id)
    if info.status != "finished":
        raise StorageError(f"run {run_id} is {info.status}; only a finished run has a list "
                           "that feedback can change")
    if task is not None:
        task.update(0.1, f"loading dataset {info.dataset}")
    dataset = load_dataset(db, info.dataset)
    if task is not None:
        task.update(0.6, f"loading the model of run {run_id}")
    stored = load_model(db, run_id)
    model = None
    if stored is not None and (stored.n_users, stored.n_items) == (dataset.n_users,
                                                                  dataset.n_items):
        model = stored.model  # else the dataset grew since: the stored lists still stand
    k = int(info.config.get("k", 20))
    return LiveRun(run_id, dataset, dataset.history(), model, k, list(info.components))


@dataclass(frozen=True)
class UserListNow:
    """A user's list as it stands after their feedback (the model's list without any)."""

    entries: list[ListEntry]
    gate: float | None  # after the feedback
    model_gate: float | None  # the run's own gate for the user
    removed: dict[str, str]  # item id -> why it is kept out
    reranked: bool  # False: no model, the stored list was only filtered


def user_events(db: Database, dataset: str, live: LiveRun, user: str) -> list[Event]:
    """The user's feedback on this dataset as engine events, oldest first."""
    index = live.dataset.item_index
    return [Event(index[f.item], f.kind) for f in list_feedback(db, dataset, user)
            if f.item in index]


def list_now(db: Database, live: LiveRun, user: str) -> UserListNow:
    """``user``'s list after all the feedback they gave: re-ranked with the run's model
    when it is stored, else the stored list without the items they refused."""
    data = live.dataset
    if user not in data.user_index:
        raise StorageError(f"user {user!r} is not in dataset {data.name!r}")
    events = user_events(db, data.name, live, user)
    if live.model is None:
        return _filtered(db, live, user, events)
    adjusted = adjust(live.model, live.history, data.user_index[user], events, live.k)
    return UserListNow(_entries(data, adjusted), adjusted.gate, adjusted.model_gate,
                       {str(data.item_ids[i]): _reason(data, r)
                        for i, r in adjusted.removed.items()}, True)


def _reason(data: Dataset, removal: Removal) -> str:
    if removal.why == "liked":
        return "liked: now among the recent actions"
    if removal.why == "refused":
        return REFUSED
    assert removal.because_of is not None
    return f"similar to {data.item_ids[removal.because_of]}, which was refused"


def _entries(data: Dataset, adjusted: AdjustedList) -> list[ListEntry]:
    names = list(adjusted.contributions)
    valid = adjusted.items >= 0
    parts = np.stack([adjusted.contributions[n] for n in names], axis=1)[valid]
    whys = share_texts(names, parts)
    return [ListEntry(rank, str(data.item_ids[item]), str(data.titles[item]), float(score),
                      {n: float(p) for n, p in zip(names, row)}, why)
            for rank, (item, score, row, why) in enumerate(
                zip(adjusted.items[valid], adjusted.scores[valid], parts, whys), start=1)]


def _filtered(db: Database, live: LiveRun, user: str, events: list[Event]) -> UserListNow:
    refused = {str(live.dataset.item_ids[e.item]) for e in events if e.kind in NEGATIVE}
    kept = [e for e in user_list(db, live.run_id, user) if e.item not in refused]
    entries = [replace(e, rank=rank) for rank, e in enumerate(kept, start=1)]
    return UserListNow(entries, None, None, {i: REFUSED for i in refused}, False)
