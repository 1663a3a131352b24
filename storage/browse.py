"""Reads for browsing a dataset in a window: every user at once, one user's history, a
run's gate values, and a copy of the whole database.

The users table of a window must sort and search 100,000 users without a query per
scroll step, so :func:`user_index` hands over the few columns it shows as numpy arrays in
one query (run it off the UI thread); sorting and searching then happen in memory. The
other reads are a few indexed lookups, cheap enough for every click.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import and_, func, select

from storage.bulk import read_rows
from storage.database import Database
from storage.datasets import find_dataset
from storage.errors import StorageError
from storage.models import InteractionRow, ItemRow, ProfileRow, RunRow, UserRow

_NO_GATE = -1.0  # a user without a stored profile (gates are 0..1); NaN in the index
_INDEX_NO_RUN = np.dtype([("user", object), ("interactions", "<i8"), ("last_time", "<i8")])
_INDEX = np.dtype(_INDEX_NO_RUN.descr + [("gate", "<f8")])


@dataclass(eq=False)
class UserIndex:
    """The users of a dataset in import order, with what a users table shows."""

    users: np.ndarray  # object: the ids as in the file
    interactions: np.ndarray  # int64: history length
    last_time: np.ndarray  # int64: Unix seconds of the latest action (file order if untimed)
    gate: np.ndarray  # float64: the run's long-term weight per user, NaN where none
    has_timestamps: bool

    def __len__(self) -> int:
        return len(self.users)


@dataclass(frozen=True)
class HistoryEvent:
    """One interaction of a user's history, with what a timeline needs of its item."""

    timestamp: int
    item: str
    title: str
    genres: tuple[str, ...]
    weight: float


def user_index(db: Database, dataset: str, run_id: int | None = None) -> UserIndex:
    """Every user of ``dataset`` with history length, last activity and (given a run of
    the dataset) the gate the run stored for them.

    One query read with the driver's cursor straight into numpy (:func:`read_rows`):
    100,000 users take a fraction of the time that SQLAlchemy's result rows need
    (bench/storage_speed.py).
    """
    with db.read() as conn:
        data = find_dataset(conn, dataset, db.where)
        columns = [UserRow.external_id, UserRow.n_interactions, UserRow.last_time]
        query = select(*columns)
        if run_id is not None:
            run_dataset = conn.scalar(select(RunRow.dataset_id).where(RunRow.id == run_id))
            if run_dataset != data.id:
                raise StorageError(f"run {run_id} is not a run of dataset {dataset!r}")
            query = (select(*columns, func.coalesce(ProfileRow.gate, _NO_GATE))
                     .outerjoin(ProfileRow, and_(ProfileRow.user_id == UserRow.id,
                                                 ProfileRow.run_id == run_id)))
        rows = read_rows(conn, query.where(UserRow.dataset_id == data.id).order_by(UserRow.idx),
                         _INDEX if run_id is not None else _INDEX_NO_RUN)
    gates = np.full(len(rows), np.nan)
    if run_id is not None:
        stored = rows["gate"]
        gates = np.where(stored == _NO_GATE, np.nan, stored)
    return UserIndex(users=np.ascontiguousarray(rows["user"]),
                     interactions=np.ascontiguousarray(rows["interactions"]),
                     last_time=np.ascontiguousarray(rows["last_time"]),
                     gate=gates, has_timestamps=bool(data.has_timestamps))


def user_history(db: Database, dataset: str, user: str) -> list[HistoryEvent]:
    """The user's interactions in chronological order, with item titles and genres."""
    with db.read() as conn:
        data = find_dataset(conn, dataset, db.where)
        user_id = conn.scalar(select(UserRow.id).where(UserRow.dataset_id == data.id,
                                                       UserRow.external_id == user))
        if user_id is None:
            raise StorageError(f"user {user!r} is not in dataset {dataset!r}")
        rows = conn.execute(
            select(InteractionRow.timestamp, ItemRow.external_id, ItemRow.title,
                   ItemRow.genres, InteractionRow.weight)
            .join(ItemRow, ItemRow.id == InteractionRow.item_id)
            .where(InteractionRow.user_id == user_id)
            .order_by(InteractionRow.seq)).all()
    return [HistoryEvent(int(t), item, title, tuple(g for g in genres.split("|") if g),
                         float(w)) for t, item, title, genres, w in rows]


def gate_values(db: Database, run_id: int) -> np.ndarray:
    """The gate of every user the run stored a profile for (empty for unfused runs)."""
    with db.read() as conn:
        values = conn.scalars(select(ProfileRow.gate).where(ProfileRow.run_id == run_id,
                                                            ProfileRow.gate.is_not(None))).all()
    return np.asarray(values, dtype=np.float64)


def copy_database(db: Database, path: Path) -> None:
    """Write a consistent copy of an SQLite database to ``path`` (which must not exist).

    ``VACUUM INTO`` reads one snapshot, so the copy is whole even while another window
    writes; the copy is compact, without the free pages of deleted data.
    """
    if not db.is_sqlite:
        raise StorageError(f"{db.where} is a server database; copy it with its own tools")
    path = Path(path)
    if path.exists():
        raise StorageError(f"cannot copy the database to {path}: the file exists")
    if not path.parent.is_dir():
        raise StorageError(f"cannot copy the database to {path}: folder {path.parent} "
                           "does not exist")
    raw = db.engine.raw_connection()  # outside a transaction, which VACUUM refuses
    try:
        raw.driver_connection.execute("VACUUM INTO ?", (str(path),))
    except db.engine.dialect.loaded_dbapi.Error as exc:
        path.unlink(missing_ok=True)
        raise StorageError(f"cannot copy {db.where} to {path}: {exc}") from None
    finally:
        raw.close()
