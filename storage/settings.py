"""Project settings kept in the database: one JSON value per key.

What belongs to a project rather than to a machine lives here, so every window and
command on the same database sees the same values, and a copied project file carries
them (window geometry and such stay in the machine's own settings). ``last_run_config``
(:data:`LAST_RUN_CONFIG`, written with every saved run, read back by
:func:`storage.runs.last_run_config`) is one.

Values are anything JSON can hold: ``None``, booleans, numbers, strings, lists and
dictionaries with string keys (numpy scalars and arrays, tuples and sets are made plain);
anything else is refused rather than stored as its ``str()``.
"""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.encoding import plain, utcnow
from storage.errors import StorageError
from storage.models import SettingRow

#: The configuration of the latest run saved in the project (RunConfig.to_dict()).
LAST_RUN_CONFIG = "last_run_config"
MAX_KEY = 200

T = TypeVar("T")


def get_setting(db: Database, key: str, default: Any = None,
                kind: type[T] | tuple[type, ...] | None = None) -> Any:
    """The value stored under ``key``, else ``default``. With ``kind`` (e.g. ``dict``,
    ``str``, ``(int, float)``) a stored value of another type is refused clearly."""
    with db.read() as conn:
        row = conn.execute(select(SettingRow.value).where(SettingRow.key == _check_key(key))
                           ).first()
    if row is None:
        return default
    value = row[0]
    if kind is not None and not isinstance(value, kind):
        wanted = (" or ".join(k.__name__ for k in kind) if isinstance(kind, tuple)
                  else kind.__name__)
        raise StorageError(f"setting {key!r} in {db.where} holds a {type(value).__name__}, "
                           f"not a {wanted}")
    return value


def set_setting(db: Database, key: str, value: Any) -> None:
    """Store ``value`` (anything JSON can hold) under ``key``, replacing the old value."""
    with db.write() as conn:
        put_setting(conn, key, value)


def put_setting(conn: Connection, key: str, value: Any) -> None:
    """:func:`set_setting` inside the caller's write transaction (all or nothing with it)."""
    key = _check_key(key)
    conn.execute(delete(SettingRow).where(SettingRow.key == key))
    conn.execute(SettingRow.__table__.insert().values(key=key, value=json_value(value, key),
                                                      updated_at=utcnow()))


def delete_setting(db: Database, key: str) -> bool:
    """Remove ``key``; whether it was there."""
    with db.write() as conn:
        return bool(conn.execute(delete(SettingRow).where(SettingRow.key == _check_key(key))
                                 ).rowcount)


def all_settings(db: Database) -> dict[str, Any]:
    with db.read() as conn:
        return dict(conn.execute(select(SettingRow.key, SettingRow.value)).all())


def json_value(value: Any, key: str = "") -> Any:
    """``value`` as plain JSON data (numpy scalars and arrays, tuples and sets made
    plain); StorageError for anything JSON cannot hold."""
    try:
        return plain(value, strict=True)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"setting {key!r}: only JSON values (numbers, text, lists, "
                           f"dictionaries with text keys) can be stored, not {exc}") from None


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        raise StorageError(f"a setting needs a name of 1 to {MAX_KEY} characters, "
                           f"not {key!r}")
    return key
