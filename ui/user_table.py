"""The users table: every user of a dataset, searchable and sortable, smooth at 100,000.

Everything that costs time in proportion to the number of users is done once, on the
worker, when the users are loaded (:func:`prepare_table`): the ids in lower case for the
search, every column's order in both directions, and where each user is. On the UI
thread a sort is then picking one of those orders, a search one vectorised substring
test (``numpy.char.find``, a ufunc in numpy 2) and one boolean selection of that order,
and finding a user's row is an array lookup. The model holds only the displayed row
positions; a cell is an array lookup and only the visible rows are ever formatted. A
sort keeps the selection on the same user (persistent indexes follow the rows). The
headers are translated when asked for, so they follow the window's language.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex,
                            QPersistentModelIndex, Qt)

from storage.browse import UserIndex

COLUMNS = (QT_TRANSLATE_NOOP("UserTableModel", "User"),
           QT_TRANSLATE_NOOP("UserTableModel", "History"),
           QT_TRANSLATE_NOOP("UserTableModel", "Gate"),
           QT_TRANSLATE_NOOP("UserTableModel", "Last activity"))
_Index = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class UserTable:
    """A :class:`UserIndex` made ready for the table (see :func:`prepare_table`)."""

    index: UserIndex
    lower: np.ndarray  # the ids in lower case, fixed-width unicode
    orders: dict[tuple[int, bool], np.ndarray]  # (column, descending) -> positions
    position: dict[str, int] = field(default_factory=dict)  # id -> position in index

    def __len__(self) -> int:
        return len(self.index)


def _order(keys: np.ndarray, descending: bool) -> np.ndarray:
    """Positions sorted by ``keys``; ties keep import order either way, users without a
    value (NaN gates) come last either way."""
    if keys.dtype.kind == "f":
        keys = np.where(np.isnan(keys), np.inf if not descending else -np.inf, keys)
    if descending:
        if keys.dtype.kind in "fi":
            return np.argsort(-keys, kind="stable")
        _, ranks = np.unique(keys, return_inverse=True)  # strings: dense ranks first
        return np.argsort(-ranks.astype(np.int64), kind="stable")
    return np.argsort(keys, kind="stable")


def prepare_table(index: UserIndex) -> UserTable:
    """The orders and search text of ``index`` (any thread: run it on the worker)."""
    ids = index.users.astype(str)
    lower = np.char.lower(ids)
    keys = {0: lower, 1: index.interactions, 2: index.gate, 3: index.last_time}
    orders = {(column, descending): _order(values, descending)
              for column, values in keys.items() for descending in (False, True)}
    return UserTable(index, lower, orders, {user: i for i, user in enumerate(ids.tolist())})


class UserTableModel(QAbstractTableModel):
    """Rows are the users matching the search, in the chosen order."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self.table: UserTable | None = None
        self._rows = np.empty(0, dtype=np.int64)  # positions in the index, as displayed
        self._row_of = np.empty(0, dtype=np.int64)  # position -> displayed row, -1 if hidden
        self._sort: tuple[int, Qt.SortOrder] = (1, Qt.SortOrder.DescendingOrder)
        self._search = ""

    @property
    def index_data(self) -> UserIndex | None:
        return self.table.index if self.table is not None else None

    # -- content --------------------------------------------------------------------------

    def set_table(self, table: UserTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self._arrange()
        self.endResetModel()

    def set_index(self, index: UserIndex | None) -> None:
        """Show ``index`` (prepared here, on the calling thread)."""
        self.set_table(prepare_table(index) if index is not None else None)

    @property
    def search(self) -> str:
        return self._search

    def set_search(self, text: str) -> None:
        """Keep the users whose id contains ``text`` (case-insensitive)."""
        text = text.strip().lower()
        if text == self._search:
            return
        self._search = text
        self.beginResetModel()
        self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        positions = [int(self._rows[i.row()]) if i.isValid() else -1 for i in before]
        self._arrange()
        after = [self.index(int(self._row_of[p]), i.column()) if p >= 0 else QModelIndex()
                 for p, i in zip(positions, before, strict=True)]
        self.changePersistentIndexList(before, after)  # the selection follows its user
        self.layoutChanged.emit()

    def _arrange(self) -> None:
        table = self.table
        if table is None or not len(table):
            self._rows = np.empty(0, dtype=np.int64)
            self._row_of = np.empty(0, dtype=np.int64)
            return
        column, order = self._sort
        rows = table.orders[(column, order == Qt.SortOrder.DescendingOrder)]
        if self._search:
            keep = np.char.find(table.lower, self._search) >= 0
            rows = rows[keep[rows]]
        self._rows = rows
        self._row_of = np.full(len(table), -1, dtype=np.int64)
        self._row_of[rows] = np.arange(len(rows))

    def user_at(self, row: int) -> str:
        return str(self.table.index.users[self._rows[row]])

    def row_of(self, user: str) -> int | None:
        """The displayed row of ``user`` (None if filtered out or unknown)."""
        if self.table is None:
            return None
        position = self.table.position.get(user)
        row = int(self._row_of[position]) if position is not None else -1
        return row if row >= 0 else None

    @property
    def total(self) -> int:
        return len(self.table) if self.table is not None else 0

    # -- Qt model -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if section == 1:
                return self.tr("Interactions in the user's history")
            if section == 2:
                return self.tr("The run's gate: the share of the long-term side in this "
                               "user's scores (1 = all long-term), before any feedback")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.table is None:
            return None
        data, i, column = self.table.index, self._rows[index.row()], index.column()
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
