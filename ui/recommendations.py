"""A user's recommendation list: rank, title, fused score, the long- and short-term
contributions, the explanation, and like / dislike / not interested on every row.

Contributions are summed per side of the user's interests (each component model says
whether it describes the long or the short term). Feedback is stored as an event when a
button is pressed; the Users screen then shows the list re-ranked after it, and a row
still in the list shows the latest feedback for its item. Headers and button texts are
translated when asked for or in :meth:`FeedbackButtons.retranslate`.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QEvent,
                            QModelIndex, QPersistentModelIndex, Qt, Signal)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from engine.models import MODELS
from storage import ListEntry
from ui.icons import icon

COLUMNS = ("#", QT_TRANSLATE_NOOP("RecommendationModel", "Title"),
           QT_TRANSLATE_NOOP("RecommendationModel", "Score"),
           QT_TRANSLATE_NOOP("RecommendationModel", "Long-term"),
           QT_TRANSLATE_NOOP("RecommendationModel", "Short-term"),
           QT_TRANSLATE_NOOP("RecommendationModel", "Why"),
           QT_TRANSLATE_NOOP("RecommendationModel", "Feedback"))
FEEDBACK_COLUMN = COLUMNS.index("Feedback")
#: Feedback kinds as storage names them, with the button text (translated where shown, in
#: the context of the screens that show it) and the row's tint.
KINDS = {"like": (QT_TRANSLATE_NOOP("UsersPage", "Like"), "#e8f5e9"),
         "dislike": (QT_TRANSLATE_NOOP("UsersPage", "Dislike"), "#ffebee"),
         "not_interested": (QT_TRANSLATE_NOOP("UsersPage", "Not interested"), "#f1f1f1")}
_Index = QModelIndex | QPersistentModelIndex


def horizon(component: str) -> str:
    """"long" or "short": which side of the interests a component describes."""
    model = MODELS.get(component)
    return model.horizon if model is not None else "long"


@dataclass(frozen=True)
class Row:
    entry: ListEntry
    long_term: float
    short_term: float


class RecommendationModel(QAbstractTableModel):
    """One user's stored list; the cells are computed once when the list is set."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.feedback: dict[str, str] = {}  # item -> latest kind
        self._cells: list[list[str]] = []

    def set_list(self, entries: list[ListEntry], feedback: dict[str, str]) -> None:
        """Show ``entries``. Rows that stay (the next user's list is as long) change in
        place, so a view keeps the widgets it placed in them (the feedback buttons)."""
        rows = [Row(e, sum(v for c, v in e.components.items() if horizon(c) == "long"),
                    sum(v for c, v in e.components.items() if horizon(c) == "short"))
                for e in entries]
        cells = [[str(r.entry.rank), r.entry.title, f"{r.entry.score:.3f}",
                  f"{r.long_term:+.3f}", f"{r.short_term:+.3f}", r.entry.explanation, ""]
                 for r in rows]
        before, after = len(self.rows), len(rows)
        if after < before:
            self.beginRemoveRows(QModelIndex(), after, before - 1)
            self.rows, self._cells = self.rows[:after], self._cells[:after]
            self.endRemoveRows()
        elif after > before:
            self.beginInsertRows(QModelIndex(), before, after - 1)
            self.rows, self._cells = self.rows + rows[before:], self._cells + cells[before:]
            self.endInsertRows()
        self.rows, self._cells, self.feedback = rows, cells, dict(feedback)
        if min(before, after):
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(min(before, after) - 1, len(COLUMNS) - 1))

    def set_feedback(self, item: str, kind: str) -> None:
        self.feedback[item] = kind
        for i, row in enumerate(self.rows):
            if row.entry.item == item:
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if section == 2:
                return self.tr("The fused score: the sum of the two contributions")
            if section == 3:
                return self.tr("What the long-term components (the whole history) add to the "
                               "score")
            if section == 4:
                return self.tr("What the short-term components (the latest actions) add")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[row][column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 5):
            entry = self.rows[row].entry
            return (self.tr("{title} (item {item})").format(title=entry.title, item=entry.item)
                    if column == 1 else entry.explanation)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            kind = self.feedback.get(self.rows[row].entry.item)
            return QBrush(QColor(KINDS[kind][1])) if kind else None
        if role == Qt.ItemDataRole.ForegroundRole \
                and self.feedback.get(self.rows[row].entry.item) == "not_interested":
            return QBrush(QColor("#888888"))
        return None


class FeedbackButtons(QWidget):
    """Like, dislike and not interested for one row; the latest choice stays pressed."""

    chosen = Signal(str, str)  # item, kind

    def __init__(self, item: str, kind: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.buttons: dict[str, QToolButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.setSpacing(2)
        for name in KINDS:
            button = QToolButton(self)
            button.setObjectName(name)
            button.setIcon(icon(name.replace("_", "-")))
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setChecked(name == kind)
            button.clicked.connect(lambda _=False, n=name: self.chosen.emit(self.item, n))
            layout.addWidget(button)
            self.buttons[name] = button
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        for name, button in self.buttons.items():
            label = QCoreApplication.translate("UsersPage", KINDS[name][0])
            button.setToolTip(label)
            button.setAccessibleName(label)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def rebind(self, item: str, kind: str | None) -> None:
        """The same buttons for another row's item."""
        self.item = item
        self.show_kind(kind)
        self.set_pending(False)

    def show_kind(self, kind: str | None) -> None:
        """Press the button of ``kind`` alone (the stored state, or the one being stored)."""
        for name, button in self.buttons.items():
            button.setChecked(name == kind)

    def set_pending(self, pending: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not pending)
