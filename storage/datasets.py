"""Datasets in the database: save one whole, list them, rebuild one, page its users.

A dataset is saved in one transaction (users, items and every interaction), so an import
that fails, is cancelled or is killed leaves the database as it was. The stored form is
what the engine works on after preprocessing, so ``load_dataset`` gives back the same
:class:`~engine.data.dataset.Dataset` without the source files.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Table, delete, func, select
from sqlalchemy.engine import Connection

from engine.core.progress import Task
from engine.data.dataset import Dataset
from engine.data.report import ImportReport
from storage.bulk import insert_rows, read_rows
from storage.database import Database
from storage.encoding import as_utc, plain, utcnow
from storage.errors import StorageError
from storage.models import DatasetRow, InteractionRow, ItemRow, UserRow

log = logging.getLogger(__name__)

MAX_NAME = 200
_LOOKUP_CHUNK = 900  # ids per IN (...) list, below every backend's parameter limit
_INTERACTION = np.dtype([("user", "<i8"), ("item", "<i8"), ("weight", "<f8"),
                         ("timestamp", "<i8")])


@dataclass(frozen=True)
class DatasetInfo:
    id: int
    name: str
    sources: dict[str, Any]
    options: dict[str, Any]
    has_timestamps: bool
    n_users: int
    n_items: int
    n_interactions: int
    report: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class UserSummary:
    """One row of the users table a window pages through."""

    user: str
    interactions: int
    first_time: int
    last_time: int


@dataclass(frozen=True)
class Saved:
    """What :func:`store_dataset` did."""

    id: int
    replaced: int | None  # the id of the dataset it replaced, None if the name was new
    #: After a replace: whether the VACUUM removed the replaced data from the file (False:
    #: another window or command kept old pages, which go at its close and a `vacuum`).
    purged: bool | None


def save_dataset(db: Database, dataset: Dataset, name: str | None = None,
                 sources: dict[str, Any] | None = None, options: dict[str, Any] | None = None,
                 *, replace: bool = False, task: Task | None = None) -> int:
    """Store ``dataset`` under ``name`` (default: its own) in one transaction; its id.

    With ``replace`` an existing dataset of that name (and its runs) is swapped for the
    new one in the same transaction, then the file is vacuumed so the replaced data is
    really gone from it (as after ``forget``); without it the name must be new.
    """
    return store_dataset(db, dataset, name, sources, options, replace=replace, task=task).id


def store_dataset(db: Database, dataset: Dataset, name: str | None = None,
                  sources: dict[str, Any] | None = None, options: dict[str, Any] | None = None,
                  *, replace: bool = False, task: Task | None = None) -> Saved:
    """:func:`save_dataset`, saying whether a dataset was replaced and purged."""
    name = _check_name(name if name is not None else dataset.name)
    with db.write() as conn:
        existing = conn.scalar(select(DatasetRow.id).where(DatasetRow.name == name))
        if existing is not None:
            if not replace:
                raise StorageError(f"a dataset named {name!r} already exists in {db.where}; "
                                   "choose another name or replace it (--replace)")
            conn.execute(delete(DatasetRow).where(DatasetRow.id == existing))
        dataset_id = _insert_dataset_row(conn, dataset, name, sources or {}, options or {})
        item_ids = _insert_items(conn, dataset_id, dataset)
        user_ids = _insert_users(conn, dataset_id, dataset)
        _insert_interactions(conn, dataset, user_ids, item_ids, task)
    purged = None
    if existing is not None:
        purged = db.vacuum()  # committed: no cancel from here on
        if not purged:
            log.warning("the replaced dataset %r stays in %s until another connection "
                        "closes; then run `vacuum`", name, db.where)
    return Saved(dataset_id, existing, purged)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise StorageError("a dataset needs a name (--name)")
    if len(name) > MAX_NAME:
        raise StorageError(f"a dataset name has at most {MAX_NAME} characters, "
                           f"{name[:30]!r}... has {len(name)}")
    return name


def _insert_dataset_row(conn: Connection, dataset: Dataset, name: str,
                        sources: dict[str, Any], options: dict[str, Any]) -> int:
    result = conn.execute(DatasetRow.__table__.insert().values(
        name=name, sources=plain(sources), options=plain(options),
        has_timestamps=bool(dataset.has_timestamps), n_users=dataset.n_users,
        n_items=dataset.n_items, n_interactions=dataset.n_interactions,
        report=plain(dataset.report.to_dict()), created_at=utcnow()))
    return int(result.inserted_primary_key[0])


def _insert_items(conn: Connection, dataset_id: int, dataset: Dataset) -> np.ndarray:
    n = dataset.n_items
    insert_rows(conn, _table(ItemRow), {
        "dataset_id": [dataset_id] * n,
        "idx": np.arange(n),
        "external_id": [str(i) for i in dataset.item_ids],
        "title": [str(t) for t in dataset.titles],
        "text": [str(t) for t in dataset.texts],
        "genres": ["|".join(g) for g in dataset.genres],
    })
    return _db_ids(conn, _table(ItemRow), dataset_id)


def _insert_users(conn: Connection, dataset_id: int, dataset: Dataset) -> np.ndarray:
    n = dataset.n_users
    counts = np.bincount(dataset.user, minlength=n)
    ends = np.cumsum(counts)
    starts = ends - counts
    has = counts > 0
    times = dataset.timestamp
    first = np.where(has, times[np.minimum(starts, len(times) - 1)], 0)
    last = np.where(has, times[np.maximum(ends - 1, 0)], 0)
    insert_rows(conn, _table(UserRow), {
        "dataset_id": [dataset_id] * n,
        "idx": np.arange(n),
        "external_id": [str(u) for u in dataset.user_ids],
        "n_interactions": counts,
        "first_time": first,
        "last_time": last,
    })
    return _db_ids(conn, _table(UserRow), dataset_id)


def _insert_interactions(conn: Connection, dataset: Dataset, user_ids: np.ndarray,
                         item_ids: np.ndarray, task: Task | None) -> None:
    """The bulk of an import; progress and cancellation between batches."""
    counts = np.bincount(dataset.user, minlength=dataset.n_users)
    starts = np.cumsum(counts) - counts
    seq = np.arange(dataset.n_interactions) - starts[dataset.user]

    def progress(done: int, total: int) -> None:
        if task is not None:
            task.update(done / total, f"stored {done:,} of {total:,} interactions")

    insert_rows(conn, _table(InteractionRow), {
        "user_id": user_ids[dataset.user],
        "seq": seq,
        "item_id": item_ids[dataset.item],
        "weight": dataset.weight.astype(np.float64),
        "timestamp": dataset.timestamp.astype(np.int64),
    }, on_batch=progress)


def _db_ids(conn: Connection, table: Table, dataset_id: int) -> np.ndarray:
    """Database ids of a dataset's users or items, indexed by their ``idx``."""
    rows = conn.execute(select(table.c.idx, table.c.id)
                        .where(table.c.dataset_id == dataset_id)).all()
    ids = np.full(max((r[0] for r in rows), default=-1) + 1, -1, dtype=np.int64)
    if rows:
        idx, db_id = np.array(rows, dtype=np.int64).T
        ids[idx] = db_id
    return ids


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------

def list_datasets(db: Database) -> list[DatasetInfo]:
    with db.read() as conn:
        rows = conn.execute(select(DatasetRow.__table__).order_by(DatasetRow.name)).all()
    return [_info(row) for row in rows]


def dataset_info(db: Database, name: str) -> DatasetInfo:
    with db.read() as conn:
        return _info(find_dataset(conn, name, db.where))


def has_item_text(db: Database, name: str) -> bool:
    """Whether dataset ``name``'s catalogue says anything of its items beyond their ids
    (a title, a text or genres): what decides whether a fusion fits its text model."""
    with db.read() as conn:
        dataset_id = find_dataset(conn, name, db.where).id
        items = ItemRow.__table__.c
        return conn.execute(select(items.id).where(
            items.dataset_id == dataset_id,
            (items.text != "") | (items.genres != "") | (items.title != items.external_id)
        ).limit(1)).first() is not None


def find_dataset(conn: Connection, name: str, where: str) -> Any:
    """The dataset row named ``name``, or a StorageError that lists the stored names."""
    row = conn.execute(select(DatasetRow.__table__).where(DatasetRow.name == name)).first()
    if row is None:
        names = conn.scalars(select(DatasetRow.name).order_by(DatasetRow.name)).all()
        known = f"stored: {', '.join(names)}" if names else "none is stored yet (import one)"
        raise StorageError(f"no dataset named {name!r} in {where}; {known}")
    return row


def _info(row: Any) -> DatasetInfo:
    return DatasetInfo(row.id, row.name, row.sources, row.options, row.has_timestamps,
                       row.n_users, row.n_items, row.n_interactions, row.report,
                       as_utc(row.created_at))


def external_ids(conn: Connection, model: type, dataset_id: int,
                 wanted: Iterable[str] | None = None) -> dict[str, int]:
    """External id -> database id for a dataset's users or items (only ``wanted`` if given)."""
    table = _table(model)
    query = select(table.c.external_id, table.c.id).where(table.c.dataset_id == dataset_id)
    if wanted is None:
        return dict(conn.execute(query).all())
    wanted = sorted(set(wanted))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start:start + _LOOKUP_CHUNK]
        found.update(conn.execute(query.where(table.c.external_id.in_(chunk))).all())
    return found


def load_dataset(db: Database, name: str) -> Dataset:
    """The stored dataset rebuilt for the engine (users forgotten since import are gone)."""
    with db.read() as conn:
        info = _info(find_dataset(conn, name, db.where))
        users = conn.execute(select(UserRow.id, UserRow.external_id)
                             .where(UserRow.dataset_id == info.id).order_by(UserRow.idx)).all()
        items = conn.execute(select(ItemRow.id, ItemRow.external_id, ItemRow.title,
                                    ItemRow.text, ItemRow.genres)
                             .where(ItemRow.dataset_id == info.id).order_by(ItemRow.idx)).all()
        rows = read_rows(conn, select(InteractionRow.user_id, InteractionRow.item_id,
                                      InteractionRow.weight, InteractionRow.timestamp)
                         .join(UserRow, UserRow.id == InteractionRow.user_id)
                         .where(UserRow.dataset_id == info.id)
                         .order_by(UserRow.idx, InteractionRow.seq), _INTERACTION)
    if not users or not len(rows):
        raise StorageError(f"dataset {name!r} has no interactions left")
    user_db, user_ext = zip(*users)
    item_db, item_ext, titles, texts, genres = zip(*items)
    return Dataset(
        user_ids=np.array(user_ext, dtype=object),
        item_ids=np.array(item_ext, dtype=object),
        user=_positions(np.array(user_db), rows["user"]),
        item=_positions(np.array(item_db), rows["item"]),
        weight=rows["weight"].astype(np.float32),
        timestamp=rows["timestamp"].copy(),
        titles=np.array(titles, dtype=object),
        texts=np.array(texts, dtype=object),
        genres=[tuple(g for g in s.split("|") if g) for s in genres],
        has_timestamps=info.has_timestamps,
        name=info.name,
        report=_report(info.report),
    )


def _positions(db_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each value's position in ``db_ids`` (the engine's dense index), as int32."""
    order = np.argsort(db_ids, kind="stable")
    return order[np.searchsorted(db_ids, values, sorter=order)].astype(np.int32)


def _report(data: dict[str, Any]) -> ImportReport:
    return ImportReport(rows_read=int(data.get("rows_read", 0)),
                        dropped=Counter(data.get("dropped", {})),
                        warnings=list(data.get("warnings", [])),
                        detected=dict(data.get("detected", {})))


def count_users(db: Database, name: str) -> int:
    with db.read() as conn:
        dataset_id = find_dataset(conn, name, db.where).id
        return int(conn.scalar(select(func.count()).select_from(UserRow)
                               .where(UserRow.dataset_id == dataset_id)) or 0)


def page_users(db: Database, name: str, offset: int = 0, limit: int = 100) -> list[UserSummary]:
    """``limit`` users from position ``offset`` in import order, for a paged table view."""
    if offset < 0 or limit < 1:
        raise StorageError(f"a page needs offset >= 0 and limit >= 1, got {offset}, {limit}")
    with db.read() as conn:
        dataset_id = find_dataset(conn, name, db.where).id
        rows = conn.execute(
            select(UserRow.external_id, UserRow.n_interactions, UserRow.first_time,
                   UserRow.last_time)
            .where(UserRow.dataset_id == dataset_id).order_by(UserRow.idx)
            .offset(offset).limit(limit)).all()
    return [UserSummary(*row) for row in rows]
