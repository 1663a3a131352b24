"""Errors the user can act on.

Every problem with input data is raised as :class:`DataError`, which names the file, the
row and the column and says what was expected. The command line prints the message and
exits non-zero; the GUI shows it in a dialog. Anything else that escapes is a bug.
"""
from __future__ import annotations

from pathlib import Path


class DataError(Exception):
    """Bad input data: one specific, human-readable message, never a traceback."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.detail}" if where else self.detail


class Cancelled(Exception):
    """Raised at a safe point when the user asked a running task to stop."""
