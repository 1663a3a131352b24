"""Feedback events (like, dislike, not interested) stored as one all-or-nothing batch.

The whole batch is checked before anything is written, and written in one transaction:
one unknown user, item or kind rejects the batch with a message naming the event, so a
caller can fix it and send the same batch again without creating duplicates.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select

from engine.core.errors import DataError
from engine.data.dataset import Dataset
from engine.data.feedback import TrainingSignal, training_signal
from storage.bulk import insert_rows
from storage.database import Database
from storage.datasets import external_ids, find_dataset
from storage.encoding import as_utc, utcnow
from storage.errors import StorageError
from storage.models import FEEDBACK_KINDS, FeedbackRow, ItemRow, RunRow, UserRow


@dataclass(frozen=True)
class Feedback:
    user: str
    item: str
    kind: str  # one of FEEDBACK_KINDS
    at: datetime | None = None  # default: when stored
    run_id: int | None = None  # the run whose list showed the item
    source: str = "app"
    line: int | None = None  # the row of the file it was read from, for error messages


def add_feedback(db: Database, dataset: str, events: Sequence[Feedback],
                 file: Path | None = None) -> int:
    """Store every event or none; the number stored. Events read from ``file`` carry
    their row, and an unknown user or item is reported at that row."""
    with db.write() as conn:
        dataset_id = find_dataset(conn, dataset, db.where).id
        users = external_ids(conn, UserRow, dataset_id, (e.user for e in events))
        items = external_ids(conn, ItemRow, dataset_id, (e.item for e in events))
        wanted_runs = {e.run_id for e in events if e.run_id is not None}
        runs = set(conn.scalars(select(RunRow.id).where(RunRow.id.in_(wanted_runs),
                                                        RunRow.dataset_id == dataset_id)))
        for number, event in enumerate(events, start=1):
            _check(number, event, dataset, users, items, runs, file)
        now = utcnow()
        return insert_rows(conn, FeedbackRow.__table__, {
            "user_id": [users[e.user] for e in events],
            "item_id": [items[e.item] for e in events],
            "kind": [e.kind for e in events],
            "at": [e.at or now for e in events],
            "run_id": [e.run_id for e in events],
            "source": [e.source for e in events],
        })


def _check(number: int, event: Feedback, dataset: str, users: dict[str, int],
           items: dict[str, int], runs: set[int], file: Path | None) -> None:
    def fail(message: str, column: str) -> None:
        if file is not None and event.line is not None:
            raise DataError(f"{message}; nothing was stored", file=file, row=event.line,
                            column=column)
        raise StorageError(f"feedback event {number}: {message}; nothing was stored")

    if event.kind not in FEEDBACK_KINDS:
        fail(f"kind must be one of {', '.join(FEEDBACK_KINDS)}, not {event.kind!r}", "feedback")
    if event.user not in users:
        fail(f"user {event.user!r} is not in dataset {dataset!r}", "user")
    if event.item not in items:
        fail(f"item {event.item!r} is not in dataset {dataset!r}", "item")
    if event.run_id is not None and event.run_id not in runs:
        fail(f"run {event.run_id} is not a run of dataset {dataset!r}", "run")


def list_feedback(db: Database, dataset: str, user: str | None = None) -> list[Feedback]:
    """The dataset's feedback (one user's if given), oldest first."""
    with db.read() as conn:
        dataset_id = find_dataset(conn, dataset, db.where).id
        query = (select(UserRow.external_id, ItemRow.external_id, FeedbackRow.kind,
                        FeedbackRow.at, FeedbackRow.run_id, FeedbackRow.source)
                 .join(UserRow, UserRow.id == FeedbackRow.user_id)
                 .join(ItemRow, ItemRow.id == FeedbackRow.item_id)
                 .where(UserRow.dataset_id == dataset_id)
                 .order_by(FeedbackRow.at, FeedbackRow.id))
        if user is not None:
            query = query.where(UserRow.external_id == user)
        rows = conn.execute(query).all()
    return [Feedback(u, i, kind, as_utc(at), run_id, source)
            for u, i, kind, at, run_id, source in rows]


def training_feedback(db: Database, dataset: Dataset) -> TrainingSignal:
    """The stored feedback on ``dataset`` (as loaded from this database) as the next run's
    training signal: each user's latest word on each item."""
    events = [e for e in list_feedback(db, dataset.name)
              if e.user in dataset.user_index and e.item in dataset.item_index]
    return training_signal([dataset.user_index[e.user] for e in events],
                           [dataset.item_index[e.item] for e in events],
                           [e.kind for e in events])


def reset_feedback(db: Database, dataset: str, user: str) -> int:
    """Delete the user's feedback on the dataset (their list is the model's again); how
    many events were deleted."""
    with db.write() as conn:
        dataset_id = find_dataset(conn, dataset, db.where).id
        user_id = conn.scalar(select(UserRow.id).where(UserRow.dataset_id == dataset_id,
                                                       UserRow.external_id == user))
        if user_id is None:
            raise StorageError(f"user {user!r} is not in dataset {dataset!r}")
        return conn.execute(delete(FeedbackRow).where(FeedbackRow.user_id == user_id)).rowcount
