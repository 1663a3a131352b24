"""What happens when the application opens its database."""
from __future__ import annotations

import os

from storage.database import DEFAULT_BUSY_TIMEOUT, Database
from storage.runs import mark_interrupted


def open_database(url: str | os.PathLike[str] | None = None, *,
                  busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Database:
    """Open (creating and migrating as needed) and mark runs whose process died.

    ``url``: an SQLAlchemy URL or an SQLite file path; default $INTEREST_FUSION_STUDIO_DB,
    else ``studio.db`` in the platform's user data folder.
    """
    db = Database(url, busy_timeout=busy_timeout)
    try:
        mark_interrupted(db)
    except BaseException:
        db.close()
        raise
    return db
