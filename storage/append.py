"""A stored dataset grown by appended interactions, written in one transaction.

Existing users and items keep their indices (:mod:`application.importing` grows the
dataset), so every stored run's model still fits it. The database changes in one
transaction: new users and items, and the whole chronological history of every user who
got new rows, rewritten; a failure leaves the dataset as it was.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from engine.core.progress import Task
from engine.data.dataset import Dataset
from engine.models.base import HistoryStamp
from storage.bulk import insert_rows
from storage.database import Database
from storage.encoding import plain
from storage.errors import StorageError
from storage.models import DatasetRow, InteractionRow, ItemRow, UserRow


def write_grown(db: Database, dataset_id: int, before: Dataset, grown: Dataset,
                task: Task) -> None:
    """Store ``grown`` (``before`` with rows appended) in one transaction: its new users
    and items, and the rewritten history of every user whose sequence changed."""
    changed = HistoryStamp.of(before.history()).changed_users(grown.history())
    with db.write() as conn:
        now = conn.scalar(select(DatasetRow.n_interactions).where(DatasetRow.id == dataset_id))
        if now != before.n_interactions:
            raise StorageError("the dataset changed while the new rows were prepared; "
                               "nothing was stored, try again")
        next_user = conn.scalar(select(func.max(UserRow.idx))
                                .where(UserRow.dataset_id == dataset_id)) + 1
        new_items = np.arange(before.n_items, grown.n_items)
        insert_rows(conn, ItemRow.__table__, {
            "dataset_id": [dataset_id] * len(new_items), "idx": new_items,
            "external_id": [str(grown.item_ids[i]) for i in new_items],
            "title": [str(grown.titles[i]) for i in new_items],
            "text": [str(grown.texts[i]) for i in new_items],
            "genres": ["|".join(grown.genres[i]) for i in new_items]})
        new_users = np.arange(before.n_users, grown.n_users)
        insert_rows(conn, UserRow.__table__, {
            "dataset_id": [dataset_id] * len(new_users),
            "idx": next_user + np.arange(len(new_users)),
            "external_id": [str(grown.user_ids[u]) for u in new_users],
            "n_interactions": [0] * len(new_users), "first_time": [0] * len(new_users),
            "last_time": [0] * len(new_users)})
        users = _ids_by_position(conn, UserRow, dataset_id, grown.n_users)
        items = _ids_by_position(conn, ItemRow, dataset_id, grown.n_items)
        _rewrite_histories(conn, grown, users, items, changed, task)
        conn.execute(update(DatasetRow).where(DatasetRow.id == dataset_id).values(
            n_users=grown.n_users, n_items=grown.n_items,
            n_interactions=grown.n_interactions, report=plain(grown.report.to_dict())))


def _ids_by_position(conn: Connection, model: type[UserRow] | type[ItemRow], dataset_id: int,
                     expected: int) -> np.ndarray:
    """Database id per engine position of the dataset's users or items (ordered by idx,
    as load_dataset orders them)."""
    ids = conn.execute(select(model.id).where(model.dataset_id == dataset_id)
                       .order_by(model.idx)).scalars().all()
    if len(ids) != expected:
        raise StorageError("the dataset changed while the new rows were prepared; nothing "
                           "was stored, try again")
    return np.asarray(ids, dtype=np.int64)


def _rewrite_histories(conn: Connection, grown: Dataset, users: np.ndarray, items: np.ndarray,
                       changed: np.ndarray, task: Task) -> None:
    """Every changed user's whole sequence, in order, and their summary columns."""
    history = grown.history()
    for start in range(0, len(changed), 500):
        chunk = users[changed[start:start + 500]]
        conn.execute(delete(InteractionRow).where(InteractionRow.user_id.in_(chunk.tolist())))
    rows = np.flatnonzero(np.isin(grown.user, changed))  # sorted by user, then time
    owner = grown.user[rows]
    seq = rows - history.indptr[owner]
    insert_rows(conn, InteractionRow.__table__, {
        "user_id": users[owner], "seq": seq, "item_id": items[grown.item[rows]],
        "weight": grown.weight[rows].astype(np.float64),
        "timestamp": grown.timestamp[rows].astype(np.int64)},
        on_batch=lambda done, total: task.update(done / total,
                                                 f"stored {done:,} of {total:,} rows"))
    if not len(changed):
        return
    first, last = history.indptr[changed], history.indptr[changed + 1] - 1
    conn.execute(update(UserRow).where(UserRow.id == bindparam("key")).values(
        n_interactions=bindparam("n"), first_time=bindparam("first"),
        last_time=bindparam("last")), [
        {"key": int(users[u]), "n": int(b - a + 1), "first": int(grown.timestamp[a]),
         "last": int(grown.timestamp[b])} for u, a, b in zip(changed, first, last)])
