"""Reading a run's results: one user's list with titles, one profile, every list as CSV.

These are the reads a window makes on every click, so each is a few indexed lookups:
the run, the user by (dataset, id), the list by (run, user), the entries in rank order.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.encoding import INT, as_utc, from_blob
from storage.errors import StorageError
from storage.models import EntryRow, ItemRow, ListRow, ListTextRow, ProfileRow, RunRow, UserRow


@dataclass(frozen=True)
class ListEntry:
    rank: int
    item: str
    title: str
    score: float
    components: dict[str, float]
    explanation: str


@dataclass(frozen=True)
class StoredText:
    """A list's recommendation text: ``source`` "generated" (the language model's, passed
    the grounding check) or "template" (with the reasons the generated one was refused)."""

    text: str
    source: str
    reasons: list[str]
    model: str
    created_at: datetime


@dataclass(frozen=True)
class StoredProfile:
    user: str
    keywords: list[str]
    recent: list[tuple[str, str]]  # (item, title), most recent first
    gate: float | None
    long_term: np.ndarray | None


def _run(conn: Connection, run_id: int, where: str) -> Any:
    row = conn.execute(select(RunRow.dataset_id, RunRow.status, RunRow.components)
                       .where(RunRow.id == run_id)).first()
    if row is None:
        raise StorageError(f"no run {run_id} in {where}; `runs` lists the stored runs")
    return row


def _user_id(conn: Connection, dataset_id: int, user: str, run_id: int) -> int:
    user_id = conn.scalar(select(UserRow.id).where(UserRow.dataset_id == dataset_id,
                                                   UserRow.external_id == user))
    if user_id is None:
        raise StorageError(f"user {user!r} is not in the dataset of run {run_id}")
    return int(user_id)


def user_list(db: Database, run_id: int, user: str) -> list[ListEntry]:
    """The user's stored list in rank order, with titles and each component's score."""
    with db.read() as conn:
        run = _run(conn, run_id, db.where)
        user_id = _user_id(conn, run.dataset_id, user, run_id)
        rows = conn.execute(
            select(EntryRow.rank, ItemRow.external_id, ItemRow.title, EntryRow.score,
                   EntryRow.components, EntryRow.explanation)
            .join(ListRow, ListRow.id == EntryRow.list_id)
            .join(ItemRow, ItemRow.id == EntryRow.item_id)
            .where(ListRow.run_id == run_id, ListRow.user_id == user_id)
            .order_by(EntryRow.rank)).all()
    names = list(run.components)
    return [ListEntry(rank, item, title, score,
                      dict(zip(names, from_blob(blob).tolist())), explanation)
            for rank, item, title, score, blob, explanation in rows]


def user_profile(db: Database, run_id: int, user: str) -> StoredProfile | None:
    """The user's profile as the run modelled it (None if the run saved none for them)."""
    with db.read() as conn:
        run = _run(conn, run_id, db.where)
        user_id = _user_id(conn, run.dataset_id, user, run_id)
        row = conn.execute(select(ProfileRow.__table__).where(
            ProfileRow.run_id == run_id, ProfileRow.user_id == user_id)).first()
        if row is None:
            return None
        recent_idx = from_blob(row.recent_items, INT).tolist()
        titles = dict((idx, (item, title)) for idx, item, title in conn.execute(
            select(ItemRow.idx, ItemRow.external_id, ItemRow.title)
            .where(ItemRow.dataset_id == run.dataset_id, ItemRow.idx.in_(recent_idx))))
    return StoredProfile(user, json.loads(row.keywords), [titles[i] for i in recent_idx],
                         row.gate, from_blob(row.long_term))


def user_text(db: Database, run_id: int, user: str) -> StoredText | None:
    """The user's stored recommendation text (None until one was written)."""
    with db.read() as conn:
        run = _run(conn, run_id, db.where)
        user_id = _user_id(conn, run.dataset_id, user, run_id)
        row = conn.execute(select(ListTextRow.text, ListTextRow.source, ListTextRow.reasons,
                                  ListTextRow.model, ListTextRow.created_at)
                           .join(ListRow, ListRow.id == ListTextRow.list_id)
                           .where(ListRow.run_id == run_id, ListRow.user_id == user_id)).first()
    if row is None:
        return None
    return StoredText(row.text, row.source, list(row.reasons), row.model,
                      as_utc(row.created_at))


def lists_frame(db: Database, run_id: int, users: Sequence[str] | None = None) -> pd.DataFrame:
    """Every stored list of the run as a long table: user, rank, item, title, score,
    one column per component, explanation, and the list's recommendation text and its
    source on each of its rows (empty until one was written)."""
    with db.read() as conn:
        run = _run(conn, run_id, db.where)
        query = (select(UserRow.external_id, EntryRow.rank, ItemRow.external_id,
                        ItemRow.title, EntryRow.score, EntryRow.components,
                        EntryRow.explanation, ListTextRow.text, ListTextRow.source)
                 .join(ListRow, ListRow.id == EntryRow.list_id)
                 .join(UserRow, UserRow.id == ListRow.user_id)
                 .join(ItemRow, ItemRow.id == EntryRow.item_id)
                 .outerjoin(ListTextRow, ListTextRow.list_id == ListRow.id)
                 .where(ListRow.run_id == run_id)
                 .order_by(UserRow.idx, EntryRow.rank))
        if users is not None:
            for user in users:
                _user_id(conn, run.dataset_id, user, run_id)
            query = query.where(UserRow.external_id.in_(list(users)))
        rows = conn.execute(query).all()
    names = list(run.components)
    frame = pd.DataFrame(rows, columns=["user", "rank", "item", "title", "score", "_parts",
                                        "explanation", "recommendation_text",
                                        "recommendation_source"])
    frame[["recommendation_text", "recommendation_source"]] = frame[
        ["recommendation_text", "recommendation_source"]].fillna("")
    parts = (np.frombuffer(b"".join(frame["_parts"]), dtype="<f4").reshape(len(frame),
                                                                           len(names))
             if names and len(frame) else np.zeros((len(frame), len(names)), np.float32))
    for i, name in enumerate(names):
        frame.insert(5 + i, f"score_{name}", parts[:, i])
    return frame.drop(columns="_parts")


def export_lists(db: Database, run_id: int, path: Path, users: Sequence[str] | None = None
                 ) -> pd.DataFrame:
    """Write the run's lists as CSV; the file appears whole or not at all."""
    frame = lists_frame(db, run_id, users)
    write_csv(frame, path)
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV at ``path``: written beside it and renamed, so the file appears
    whole or not at all; a missing folder or a write error is a StorageError."""
    path = Path(path)
    if not path.parent.is_dir():
        raise StorageError(f"cannot write {path}: folder {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    try:
        frame.to_csv(partial, index=False)
        os.replace(partial, path)
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
