"""The open project (one database file) and the notifications the screens listen to.

The state is plain (the database, nothing Qt-specific); the signals only say that
something changed, so every screen re-reads what it shows from storage.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # storage is imported on the worker thread at start-up, not here
    from PySide6.QtWidgets import QComboBox

    from storage import Database


class Project(QObject):
    """The database the window works on; None until the first one is open."""

    opened = Signal()  # another database: every screen starts over
    datasets_changed = Signal()  # imported or deleted
    runs_changed = Signal()  # started, finished, failed or cancelled

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db: "Database | None" = None

    @property
    def where(self) -> str:
        return self.db.where if self.db is not None else ""

    def open(self, db: "Database") -> None:
        """Work on ``db`` from now on; the previous database is closed."""
        previous, self.db = self.db, db
        if previous is not None and previous is not db:
            previous.close()
        self.opened.emit()

    def fill_datasets(self, combo: "QComboBox") -> None:
        """Put the stored dataset names into ``combo``, keeping its choice when it still
        exists; quietly, so listeners only hear about the choice the screen then makes."""
        from storage import list_datasets

        current = combo.currentText()
        names = [d.name for d in list_datasets(self.db)] if self.db is not None else []
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(names)
        if current in names:
            combo.setCurrentText(current)
        combo.blockSignals(False)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
