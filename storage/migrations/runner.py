"""Alembic, driven from code: the schema is brought to the head revision at every open.

The configuration is built here rather than read from an ``alembic.ini``, and the
scripts are found next to this module, so an installed copy of the application migrates
its users' databases by itself. The upgrade runs inside one write transaction: a second
process opening the same new file waits, then finds the schema already current.
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
    """Bring ``db`` to ``revision``; refuse foreign databases and newer schemas clearly."""
    scripts = ScriptDirectory.from_config(alembic_config())
    target = scripts.get_current_head() if revision == "head" else revision
    with db.read() as conn:
        current = current_revision(conn)
        tables = sa.inspect(conn).get_table_names()
    if current is None and tables:
        raise StorageError(f"{db.where} is not an Interest Fusion Studio database: it has "
                           f"tables ({', '.join(sorted(tables)[:5])}) but no schema version")
    if current is not None:
        try:
            scripts.get_revision(current)
        except (RevisionError, CommandError):
            raise StorageError(f"{db.where} was written by a newer version of Interest Fusion "
                               f"Studio (schema {current}); update the application to open "
                               "it") from None
    if current == target:
        return
    with db.write() as conn:
        command.upgrade(alembic_config(conn), revision)
