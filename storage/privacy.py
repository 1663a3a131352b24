"""The right to be forgotten: delete a dataset, or one user from every table, for real.

Deleting rows only marks their pages free; the bytes stay in the file (and in the WAL)
until they are overwritten. So every deletion here is followed by a checkpoint and a
VACUUM, which rewrites the file without them. A user's id may also appear in the free
text of the dataset's import report; it is replaced there too.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.datasets import find_dataset
from storage.encoding import plain
from storage.errors import StorageError
from storage.models import (DatasetRow, EntryRow, FeedbackRow, InteractionRow, ListRow, ProfileRow,
                            RunModelRow, RunRow, UserRow)

REDACTED = "[forgotten user]"


@dataclass(frozen=True)
class Forgotten:
    """What a deletion removed, and whether the file was cleaned of it."""

    what: str
    rows: dict[str, int]
    purged: bool  # False: another process kept old pages; they go when it closes


def delete_dataset(db: Database, name: str) -> Forgotten:
    """Delete a dataset with its users, items, interactions, runs and feedback."""
    with db.write() as conn:
        row = find_dataset(conn, name, db.where)
        conn.execute(delete(DatasetRow).where(DatasetRow.id == row.id))
    rows = {"users": row.n_users, "items": row.n_items, "interactions": row.n_interactions}
    return Forgotten(f"dataset {name!r}", rows, db.vacuum())


def forget_user(db: Database, dataset: str, user: str) -> Forgotten:
    """Delete one user from every table; see :func:`forget_users`."""
    return forget_users(db, dataset, [user])


def forget_users(db: Database, dataset: str, users: Sequence[str]) -> Forgotten:
    """Delete the users' interactions, profiles, lists, feedback and the users themselves,
    and the fitted models of the dataset's runs (they hold what they learned about the
    users, and their user indices no longer match the dataset).

    All in one transaction: an unknown id deletes nothing. Then one VACUUM.
    """
    if not users:
        raise StorageError("name at least one user to forget")
    rows: Counter[str] = Counter()
    with db.write() as conn:
        data = find_dataset(conn, dataset, db.where)
        report = data.report
        for user in dict.fromkeys(users):
            user_id = conn.scalar(select(UserRow.id).where(UserRow.dataset_id == data.id,
                                                           UserRow.external_id == user))
            if user_id is None:
                raise StorageError(f"user {user!r} is not in dataset {dataset!r}; "
                                   "nothing was deleted")
            rows.update(_delete_user(conn, user_id))
            report = _redact(report, user)
        rows["run models"] = _delete(conn, delete(RunModelRow).where(RunModelRow.run_id.in_(
            select(RunRow.id).where(RunRow.dataset_id == data.id))))
        n_users = conn.scalar(select(func.count()).select_from(UserRow)
                              .where(UserRow.dataset_id == data.id))
        conn.execute(update(DatasetRow).where(DatasetRow.id == data.id).values(
            n_users=n_users, n_interactions=data.n_interactions - rows["interactions"],
            report=report))
    names = list(dict.fromkeys(users))
    who = f"user{'s' if len(names) > 1 else ''} {', '.join(repr(u) for u in names)}"
    return Forgotten(f"{who} of dataset {dataset!r}", dict(rows), db.vacuum())


def _delete_user(conn: Connection, user_id: int) -> dict[str, int]:
    """Delete the user's rows, children first, without relying on cascades; the counts."""
    lists = select(ListRow.id).where(ListRow.user_id == user_id).scalar_subquery()
    statements = {
        "entries": delete(EntryRow).where(EntryRow.list_id.in_(lists)),
        "lists": delete(ListRow).where(ListRow.user_id == user_id),
        "profiles": delete(ProfileRow).where(ProfileRow.user_id == user_id),
        "feedback": delete(FeedbackRow).where(FeedbackRow.user_id == user_id),
        "interactions": delete(InteractionRow).where(InteractionRow.user_id == user_id),
        "users": delete(UserRow).where(UserRow.id == user_id),
    }
    return {table: _delete(conn, statement) for table, statement in statements.items()}


def _delete(conn: Connection, statement: Any) -> int:
    return int(conn.execute(statement).rowcount)


def _redact(report: dict[str, Any], user: str) -> dict[str, Any]:
    """The report with every whole-token mention of ``user`` replaced."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(user)}(?![\w-])")

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(REDACTED, value)
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {scrub(k): scrub(v) for k, v in value.items()}
        return value

    return plain(scrub(report))
