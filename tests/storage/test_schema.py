"""Where the database lives, how it is opened, and its migrations."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import (Database, StorageError, get_setting, list_feedback, load_dataset,
                     open_database, resolve_url, save_dataset, set_setting)
from storage.database import URL_ENV
from storage.migrations import runner
from storage.migrations.runner import head
from storage.models import Base
from tests.support.storage import shop_dataset


def test_default_database_is_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(URL_ENV, raising=False)
    with open_database() as db:
        assert db.path == tmp_path / "data" / "interest-fusion-studio" / "studio.db"
        assert db.path.exists()


def test_url_from_the_environment_and_plain_paths(tmp_path, monkeypatch):
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'env.db'}")
    assert resolve_url() == f"sqlite:///{tmp_path / 'env.db'}"
    assert resolve_url(tmp_path / "plain.db") == f"sqlite:///{tmp_path / 'plain.db'}"
    with pytest.raises(StorageError, match="folder .*nowhere does not exist"):
        resolve_url(tmp_path / "nowhere" / "x.db")
    with pytest.raises(StorageError, match="in-memory"):
        resolve_url("sqlite://")
    with pytest.raises(StorageError, match="not a database URL"):
        resolve_url("::nonsense://")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    with open_database(tmp_path / "s.db") as db:
        with db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_migrations_build_exactly_the_models(tmp_path):
    with open_database(tmp_path / "s.db") as db, db.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []
        tables = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master "
                                           "WHERE type = 'table'").all())
    for name in ("interactions", "profiles", "entries"):
        assert "WITHOUT ROWID" in tables[name]
    assert "AUTOINCREMENT" in tables["runs"]


def test_an_old_database_is_upgraded_with_its_data(tmp_path, small_shop_files):
    path = tmp_path / "old.db"
    dataset = shop_dataset(small_shop_files)
    with Database(path, revision="0001") as old:
        save_dataset(old, dataset, "shop")
        with old.read() as conn:
            assert "settings" not in sa.inspect(conn).get_table_names()
    with sqlite3.connect(path) as conn:  # feedback as revision 0001 wrote it: no source
        user, item = conn.execute("SELECT u.id, i.id FROM users u, items i LIMIT 1").fetchone()
        conn.execute("INSERT INTO feedback (user_id, item_id, kind, at) "
                     "VALUES (?, ?, 'like', '2024-01-01 10:00:00')", (user, item))
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"

    with open_database(path) as db:
        with db.read() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() \
                == head() == "0004"
        [event] = list_feedback(db, "shop")
        assert (event.kind, event.source) == ("like", "app")
        np.testing.assert_array_equal(load_dataset(db, "shop").item, dataset.item)
        set_setting(db, "k", 20)
        assert get_setting(db, "k") == 20


def test_a_newer_schema_is_refused_clearly(tmp_path):
    path = tmp_path / "new.db"
    open_database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(StorageError, match="written by a newer version .*schema 0099"):
        open_database(path)


def test_foreign_files_are_refused_and_left_alone(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    with pytest.raises(StorageError, match="not an Interest Fusion Studio database.*accounts"):
        open_database(other)
    with sqlite3.connect(other) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["accounts"]
    text = tmp_path / "notes.txt"
    text.write_text("just some notes, certainly not a database\n" * 100)
    with pytest.raises(StorageError, match="not a readable SQLite database"):
        open_database(text)
    assert text.read_text().startswith("just some notes")


def test_the_revision_is_read_again_inside_the_migration_lock(tmp_path, monkeypatch):
    """A second process opening a new database reads it unversioned, then waits for the
    lock: it must look again once it holds it, not migrate what the first one built."""
    calls: list[str] = []
    read = runner.current_revision
    monkeypatch.setattr(runner, "current_revision",
                        lambda conn: calls.append("read") or read(conn))
    monkeypatch.setattr(runner, "_serialise", lambda conn: calls.append("lock"))
    open_database(tmp_path / "s.db").close()
    assert calls == ["read", "lock", "read"]
    calls.clear()
    open_database(tmp_path / "s.db").close()
    assert calls == ["read"], "a current schema costs no write transaction"


@pytest.mark.parametrize("error", [sa.exc.IntegrityError, sa.exc.OperationalError])
def test_a_failed_migration_is_a_clear_storage_error(tmp_path, monkeypatch, error):
    def clash(config, revision):  # type: ignore[no-untyped-def]
        raise error("CREATE TABLE datasets ...", {},
                    Exception('duplicate key value violates unique constraint "pg_type"'))

    monkeypatch.setattr(runner.command, "upgrade", clash)
    path = tmp_path / "s.db"
    with pytest.raises(StorageError, match=r"the schema of .*s\.db could not be brought from "
                                           r"revision \(none\) to 0004: duplicate key .*"
                                           "open it again"):
        Database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_postgresql_takes_the_advisory_lock(monkeypatch):
    executed: list[tuple[str, object]] = []

    class Conn:
        dialect = sa.dialects.postgresql.psycopg.dialect()

        def execute(self, statement, params=None):  # type: ignore[no-untyped-def]
            executed.append((str(statement), params))

    runner._serialise(Conn())  # type: ignore[arg-type]
    assert executed == [("SELECT pg_advisory_xact_lock(:key)",
                         {"key": runner.MIGRATION_LOCK})]
    Conn.dialect = sa.dialects.sqlite.dialect()
    runner._serialise(Conn())  # type: ignore[arg-type]
    assert len(executed) == 1, "SQLite's BEGIN IMMEDIATE is the lock there"
