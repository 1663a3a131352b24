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
        also_rows: list[int] | None = None,
        rows_in_all: int | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.also_rows = list(also_rows or [])  # the next rows with the same problem
        self.rows_in_all = rows_in_all  # how many rows have it, the first one included
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
        message = f"{', '.join(where)}: {self.detail}" if where else self.detail
        if self.also_rows:
            more = ", ".join(map(str, self.also_rows))
            total = self.rows_in_all or len(self.also_rows) + 1
            rest = total - 1 - len(self.also_rows)
            message += (f" (the same in row{'s' if len(self.also_rows) > 1 else ''} {more}"
                        + (f" and {rest:,} more" if rest > 0 else "")
                        + f": {total:,} rows in all)")
        return message


class Cancelled(Exception):
    """Raised at a safe point when the user asked a running task to stop."""
