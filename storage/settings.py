"""Application settings kept in the database, so every window on it sees the same ones."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from storage.database import Database
from storage.encoding import plain, utcnow
from storage.models import SettingRow


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    with db.read() as conn:
        row = conn.execute(select(SettingRow.value).where(SettingRow.key == key)).first()
    return default if row is None else row[0]


def set_setting(db: Database, key: str, value: Any) -> None:
    """Store ``value`` (anything JSON can hold) under ``key``, replacing the old value."""
    with db.write() as conn:
        conn.execute(delete(SettingRow).where(SettingRow.key == key))
        conn.execute(SettingRow.__table__.insert().values(key=key, value=plain(value),
                                                          updated_at=utcnow()))


def all_settings(db: Database) -> dict[str, Any]:
    with db.read() as conn:
        return dict(conn.execute(select(SettingRow.key, SettingRow.value)).all())
