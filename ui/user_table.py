"""The users table: every user of a dataset, searchable and sortable, smooth at 100,000.

The model holds the few columns it shows as numpy arrays (one query, made on the worker
by :func:`storage.browse.user_index`), so a cell is an array lookup and never a query;
sorting is one stable argsort, a search one vectorised substring test. Only the visible
rows are ever formatted.
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from storage.browse import UserIndex

COLUMNS = ("User", "History", "Gate", "Last activity")
_Index = QModelIndex | QPersistentModelIndex


class UserTableModel(QAbstractTableModel):
    """Rows are the users matching the search, in the chosen order."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self.index_data: UserIndex | None = None
        self._lower = np.empty(0, dtype=str)
        self._rows = np.empty(0, dtype=np.int64)  # positions in index_data, as displayed
        self._sort: tuple[int, Qt.SortOrder] = (1, Qt.SortOrder.DescendingOrder)
        self._search = ""

    # -- content --------------------------------------------------------------------------

    def set_index(self, index: UserIndex | None) -> None:
        self.beginResetModel()
        self.index_data = index
        self._lower = (np.char.lower(index.users.astype(str)) if index is not None
                       else np.empty(0, dtype=str))
        self._rows = self._arrange()
        self.endResetModel()

    def set_search(self, text: str) -> None:
        """Keep the users whose id contains ``text`` (case-insensitive)."""
        self._search = text.strip().lower()
        self.beginResetModel()
        self._rows = self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._rows = self._arrange()
        self.layoutChanged.emit()

    def _arrange(self) -> np.ndarray:
        data = self.index_data
        if data is None or not len(data):
            return np.empty(0, dtype=np.int64)
        rows = np.arange(len(data))
        if self._search:
            rows = rows[np.char.find(self._lower, self._search) >= 0]
        column, order = self._sort
        keys = self._sort_keys(column)[rows]
        descending = order == Qt.SortOrder.DescendingOrder
        if keys.dtype.kind == "f":  # users without a gate last, either way
            keys = np.where(np.isnan(keys), np.inf if not descending else -np.inf, keys)
        if descending:  # reverse the order but keep ties in import order
            return rows[np.argsort(-_ranks(keys), kind="stable")]
        return rows[np.argsort(keys, kind="stable")]

    def _sort_keys(self, column: int) -> np.ndarray:
        data = self.index_data
        if column == 0:
            return self._lower
        if column == 1:
            return data.interactions
        if column == 2:
            return data.gate
        return data.last_time

    def user_at(self, row: int) -> str:
        return str(self.index_data.users[self._rows[row]])

    def row_of(self, user: str) -> int | None:
        """The displayed row of ``user`` (None if filtered out)."""
        if self.index_data is None:
            return None
        found = np.flatnonzero(self.index_data.users[self._rows] == user)
        return int(found[0]) if len(found) else None

    @property
    def total(self) -> int:
        return len(self.index_data) if self.index_data is not None else 0

    # -- Qt model -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {1: "Interactions in the user's history",
                    2: "The run's gate: the share of the long-term side in this user's "
                       "scores (1 = all long-term)"}.get(section)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.index_data is None:
            return None
        data, i, column = self.index_data, self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(data.users[i])
            if column == 1:
                return f"{int(data.interactions[i]):,}"
            if column == 2:
                gate = data.gate[i]
                return "" if np.isnan(gate) else f"{gate:.2f}"
            if not data.has_timestamps:
                return f"#{int(data.last_time[i]) + 1}"
            return datetime.fromtimestamp(int(data.last_time[i]), timezone.utc) \
                .strftime("%Y-%m-%d %H:%M")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _ranks(keys: np.ndarray) -> np.ndarray:
    """Dense ranks of ``keys`` (equal keys, equal rank), for a stable descending sort."""
    _, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.int64)
