"""New interactions added to a stored dataset: the dataset grows, nothing is refitted.

The new rows are cleaned like an import (missing values, ratings <= 0, the dataset's
rating threshold, repeats) and put on the dataset's rating scale (the maximum rating of
the first import), then :func:`engine.data.append.append_interactions` grows the dataset:
existing users and items keep their indices, so every stored run's model still fits it
and can be updated (``update`` in the command line). The database changes in one
transaction: new users and items, and the whole chronological history of every user who
got new rows, rewritten; a failure leaves the dataset as it was.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from engine.core.errors import DataError
from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.append import append_interactions
from engine.data.dataset import Dataset
from engine.data.importer import Catalogue, InteractionTable
from engine.data.preprocess import PreprocessOptions, build_dataset
from engine.models.base import HistoryStamp
from engine.pipeline.drift import Change, measure_change
from storage.bulk import insert_rows
from storage.database import Database
from storage.datasets import find_dataset, load_dataset
from storage.encoding import plain
from storage.errors import StorageError
from storage.models import DatasetRow, InteractionRow, ItemRow, UserRow


@dataclass(frozen=True)
class Appended:
    """What an append did: the change, the grown dataset, the rows the file lost."""

    change: Change
    dataset: Dataset
    dropped: dict[str, int]
    warnings: list[str]


def _on_scale(new: Dataset, scale: float | None) -> tuple[np.ndarray, list[str]]:
    """The new rows' weights on the stored dataset's scale (its first import's maximum
    rating); ratings above that maximum count as the maximum, with a warning."""
    new_max = new.report.detected.get("rating_max", 1.0)
    if scale is None:  # a dataset stored before the scale was recorded
        return new.weight, ["the dataset does not record its rating scale (it was imported "
                            "by an older version): the new ratings are scaled by their own "
                            "maximum"]
    weights = new.weight.astype(np.float64) * new_max / scale
    over = int((weights > 1.0).sum())
    warnings = ([f"{over:,} new ratings are above the dataset's maximum rating {scale:g} and "
                 "count as that maximum"] if over else [])
    return np.minimum(weights, 1.0).astype(np.float32), warnings


def append_to_dataset(db: Database, name: str, table: InteractionTable,
                      catalogue: Catalogue | None = None, task: Task | None = None
                      ) -> Appended:
    """Add ``table``'s interactions (and ``catalogue``'s new items) to dataset ``name``."""
    task = task or Task()
    task.begin(Stage.READ, f"loading dataset {name}")
    before = load_dataset(db, name)
    with db.read() as conn:
        row = find_dataset(conn, name, db.where)
    stored = PreprocessOptions(**row.options.get("preprocess", {}))
    if table.has_timestamps != before.has_timestamps:
        has = "has" if before.has_timestamps else "has no"
        raise DataError(f"dataset {name!r} {has} timestamps; the new file must match",
                        file=table.path)
    task.begin(Stage.CLEAN, "cleaning the new rows")
    dedupe = "none" if stored.dedupe == "none" else "latest"
    new = build_dataset(table, catalogue, PreprocessOptions(dedupe=dedupe,
                                                            min_rating=stored.min_rating))
    weights, warnings = _on_scale(new, before.report.detected.get("rating_max"))
    grown = append_interactions(before, new.user_ids[new.user], new.item_ids[new.item],
                                weights, new.timestamp if before.has_timestamps else None,
                                catalogue, dedupe)
    change = measure_change(before, grown)
    task.begin(Stage.STORE, f"storing {change.interactions_added:,} new interactions")
    _write(db, row.id, before, grown, task)
    return Appended(change, grown, dict(new.report.dropped), warnings + new.report.warnings)


def _write(db: Database, dataset_id: int, before: Dataset, grown: Dataset,
           task: Task) -> None:
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
