"""Alembic, driven from code: the schema is brought to the head revision at every open.

The configuration is built here rather than read from an ``alembic.ini``, and the
scripts are found next to this module, so an installed copy of the application migrates
its users' databases by itself. The upgrade runs inside one write transaction, serialised
between processes (SQLite's write lock, PostgreSQL's advisory lock): a second process
opening the same new database waits, then finds the schema already current.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from storage.errors import StorageError

if TYPE_CHECKING:
    from storage.database import Database

FOLDER = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    """A Config pointing at these scripts; ``connection`` is what env.py migrates."""
    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "storage/migrations/versions holds no revision"
    return revision


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: "Database", revision: str = "head") -> None:
    """Bring ``db`` to ``revision``; refuse foreign databases and newer schemas clearly.

    The revision is read once without a lock (a current schema, the common case, costs no
    write transaction), then again inside the write transaction that migrates: two
    processes opening the same new database at once both see it unversioned, and the
    second must find the first one's work instead of creating the tables again. SQLite's
    ``BEGIN IMMEDIATE`` already serialises them; a server database takes a
    transaction-level advisory lock (:func:`_serialise`). A constraint or driver error
    while migrating becomes a :class:`StorageError` naming the database and revision.
    """
    scripts = ScriptDirectory.from_config(alembic_config())
    target = scripts.get_current_head() if revision == "head" else revision
    with db.read() as conn:
        current = _checked_revision(db, conn, scripts)
    if current == target:
        return
    with db.write() as conn:
        try:
            _serialise(conn)
            current = _checked_revision(db, conn, scripts)
            if current != target:
                command.upgrade(alembic_config(conn), revision)
        except (sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
            raise StorageError(
                f"the schema of {db.where} could not be brought from revision "
                f"{current or '(none)'} to {target}: {exc.orig}; nothing was changed. If "
                "another window or command was opening it at the same time, open it "
                "again") from exc


#: Key of PostgreSQL's advisory lock around migrations: b"IFSmigr1" as a signed 64-bit int.
MIGRATION_LOCK = int.from_bytes(b"IFSmigr1", "big", signed=True)


def _serialise(conn: Connection) -> None:
    """On PostgreSQL, wait for the migration lock; it is released when the transaction
    ends. SQLite needs nothing: its write transactions begin IMMEDIATE, one at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _checked_revision(db: "Database", conn: Connection, scripts: ScriptDirectory) -> str | None:
    """The database's schema revision, after refusing foreign databases and newer schemas."""
    current = current_revision(conn)
    if current is None:
        tables = sa.inspect(conn).get_table_names()
        if tables:
            raise StorageError(f"{db.where} is not an Interest Fusion Studio database: it "
                               f"has tables ({', '.join(sorted(tables)[:5])}) but no schema "
                               "version")
        return None
    try:
        scripts.get_revision(current)
    except (RevisionError, CommandError):
        raise StorageError(f"{db.where} was written by a newer version of Interest Fusion "
                           f"Studio (schema {current}); update the application to open "
                           "it") from None
    return current
