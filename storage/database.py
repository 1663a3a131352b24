"""Opening a database: where it is, the engine, SQLite's settings, migrations, transactions.

One code path for every SQLAlchemy URL. SQLite (the default, a file in the platform's
user data folder) gets WAL journaling, so readers never block the writer; foreign keys;
a busy timeout, so a second writer (another window, the command line) waits for the
first instead of failing; and ``BEGIN IMMEDIATE`` for write transactions, so a writer
takes the lock before it reads and never fails half-way on a lock upgrade. Driver errors
that a user can act on become :class:`StorageError` with a plain message.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from storage.errors import StorageError
from storage.migrations.runner import upgrade

APP_NAME = "interest-fusion-studio"
#: Environment variable naming the database when ``--db`` is not given (a URL or a path).
URL_ENV = "INTEREST_FUSION_STUDIO_DB"
#: Seconds a writer waits for another writer before giving up with a clear message.
DEFAULT_BUSY_TIMEOUT = 30.0
_WRITE = "ifs_write"  # execution option marking a connection whose transactions write


def default_path() -> Path:
    """``studio.db`` in the platform's user data folder (created when missing)."""
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "studio.db"


def resolve_url(value: str | os.PathLike[str] | None = None) -> str:
    """The URL to open: ``value``, else $INTEREST_FUSION_STUDIO_DB, else the default file.

    A plain path means an SQLite file; anything with ``://`` is an SQLAlchemy URL.
    """
    text = str(value) if value is not None else os.environ.get(URL_ENV) or None
    if text is None:
        return f"sqlite:///{default_path()}"
    if "://" in text:
        try:
            url = sa.make_url(text)
        except sa.exc.ArgumentError as exc:
            raise StorageError(f"not a database URL: {text!r} ({exc})") from None
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            raise StorageError("an in-memory SQLite database would be lost at exit; "
                               "give a file, e.g. --db studio.db")
        return text
    path = Path(text).expanduser().resolve()
    if not path.parent.is_dir():
        raise StorageError(f"cannot create the database {path}: folder {path.parent} "
                           "does not exist")
    return f"sqlite:///{path}"


class Database:
    """An open, migrated database; use :meth:`read` and :meth:`write` for transactions."""

    def __init__(self, url: str | os.PathLike[str] | None = None, *,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT, revision: str = "head") -> None:
        self.url = resolve_url(url)
        self.busy_timeout = busy_timeout
        self.engine = _create_engine(self.url, busy_timeout)
        try:
            with self._errors():
                upgrade(self, revision)
        except BaseException:
            self.engine.dispose()
            raise

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server database."""
        return Path(self.engine.url.database) if self.is_sqlite else None

    @property
    def where(self) -> str:
        """How messages name this database: the file, or the URL without its password."""
        return str(self.path) if self.is_sqlite else self.engine.url.render_as_string()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: a consistent snapshot that does not block writers.

        SQLite's read transactions are one snapshot; PostgreSQL's default (READ
        COMMITTED) takes a new one for every statement, so a dataset read while an
        ``append`` commits could get interactions of users its user list lacked. There
        the transaction is REPEATABLE READ, whose reads never wait nor fail."""
        with self._errors(), self.engine.connect() as conn:
            if not self.is_sqlite:  # the pool restores the default when conn is returned
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One all-or-nothing write transaction; waits up to ``busy_timeout`` for the lock."""
        with self._errors(), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    def vacuum(self) -> bool:
        """Rewrite the file so deleted rows are really gone; False if another connection
        (a window, a command) kept old pages in use, so they remain until it closes.

        In WAL mode deleted rows also live in the ``-wal`` file until a checkpoint, so it
        is checkpointed and truncated before and after the VACUUM.
        """
        if not self.is_sqlite:
            with self._errors(), self.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM FULL")
            return True
        with self._errors():
            raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            driver.execute("VACUUM")
            busy = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except self.engine.dialect.loaded_dbapi.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return False
            raise StorageError(f"database error on {self.where}: {exc}") from exc
        finally:
            raw.close()
        return busy == 0

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors a user can act on -> StorageError naming this database."""
        try:
            yield
        except sa.exc.OperationalError as exc:
            raise StorageError(self._explain(exc)) from exc
        except sa.exc.DatabaseError as exc:
            if type(exc) is not sa.exc.DatabaseError:  # integrity, programming: bugs
                raise
            raise StorageError(f"{self.where} is not a readable SQLite database "
                               f"({exc.orig})") from exc

    def _explain(self, exc: sa.exc.OperationalError) -> str:
        message = str(exc.orig)
        if "locked" in message or "busy" in message:
            return (f"the database {self.where} is busy: another window or command is "
                    f"writing to it (waited {self.busy_timeout:g} s); try again when it "
                    "has finished")
        if "unable to open" in message:
            return f"cannot open the database {self.where}: {message}"
        return f"database error on {self.where}: {message}"


def _create_engine(url: str, busy_timeout: float) -> Engine:
    try:
        engine = sa.create_engine(url)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise StorageError(f"cannot use the database {url.split('://')[0]}://...: {exc}; "
                           "install its driver (e.g. psycopg for PostgreSQL)") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """Pragmas on every new connection; SQLAlchemy, not the driver, emits BEGIN."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # the driver must not BEGIN by itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")  # WAL: safe when a process is killed
        cursor.execute("PRAGMA cache_size = -65536")  # 64 MiB: bulk index inserts
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")
