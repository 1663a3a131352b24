"""What the Users screen's user gets: their recommendation list with a like / dislike /
not interested button on every row (and the keys L, D and N on the selected row), the
note on how their feedback changed it, Reset and Export above it, and the list's
recommendation text below (:class:`ui.explanation_pane.ExplanationPane`).

A widget of its own so that the Users screen (:mod:`ui.pages.users`) only says which
list to show and acts on what is asked here (feedback, reset, export): storing and
re-ranking stay the screen's. Its texts are set in :meth:`UserListPane.retranslate`,
again when the language changes.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMenu,
                               QTableView, QToolButton, QVBoxLayout, QWidget)

from application.live import UserListNow
from storage import ListEntry
from ui.explanation_pane import ExplanationPane
from ui.icons import icon
from ui.preferences import Preferences
from ui.recommendations import FEEDBACK_COLUMN, KINDS, FeedbackButtons, RecommendationModel

#: The keys that give the selected row's item feedback.
FEEDBACK_KEYS = {"like": "L", "dislike": "D", "not_interested": "N"}


class UserListPane(QWidget):
    """One user's list, its feedback buttons and keys, Reset, Export and its text."""

    feedback_chosen = Signal(str, str)  # item, kind: a row's button or key
    reset_requested = Signal()
    export_requested = Signal(bool)  # everyone's lists (else the user's as shown)
    message = Signal(str)  # for the status bar

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recommendations = RecommendationModel(self)
        self.list_view = self._list_view()
        self.feedback_widgets: dict[str, FeedbackButtons] = {}
        header = self._header()
        self.feedback_actions: list[QAction] = []
        for kind in KINDS:
            action = QAction(self)
            action.setData(kind)
            action.setShortcut(QKeySequence(FEEDBACK_KEYS[kind]))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, k=kind: self._feedback_on_current(k))
            self.list_view.addAction(action)
            self.feedback_actions.append(action)
        self.text_pane = ExplanationPane(prefs, self)
        self.text_pane.setObjectName("textPane")
        self.text_pane.message.connect(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.text_pane)
        self.retranslate()

    def retranslate(self) -> None:
        """The pane's fixed texts in the current language."""
        for action in self.feedback_actions:
            action.setText(QCoreApplication.translate("UsersPage", KINDS[action.data()][0]))
        self.export_button.setText(self.tr("Export"))
        self.export_user_action.setText(self.tr("This user's list as CSV..."))
        self.export_all_action.setText(self.tr("Every user's list as CSV..."))
        self.reset_button.setText(self.tr("Reset feedback"))
        self.reset_button.setToolTip(self.tr("Delete this user's feedback: back to the "
                                             "model's list"))
        self.list_title.setText("<b>" + self.tr("Recommendations") + "</b>")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _list_view(self) -> QTableView:
        view = QTableView(self)
        view.setObjectName("recommendations")
        view.setModel(self.recommendations)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(25)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)  # full text: tooltips
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the title
        for column, width in ((0, 30), (2, 54), (3, 70), (4, 74), (5, 210), (6, 86)):
            view.setColumnWidth(column, width)
        return view

    def _header(self) -> QHBoxLayout:
        """"Recommendations", the note on how the list was changed, Reset and Export."""
        self.export_button = QToolButton(self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setIcon(icon("export"))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.export_user_action = menu.addAction("", lambda: self.export_requested.emit(False))
        self.export_all_action = menu.addAction("", lambda: self.export_requested.emit(True))
        self.export_button.setMenu(menu)
        self.reset_button = QToolButton(self)
        self.reset_button.setObjectName("resetFeedback")
        self.reset_button.clicked.connect(self.reset_requested)
        header = QHBoxLayout()
        self.list_title = QLabel(self)
        header.addWidget(self.list_title)
        self.list_note = QLabel(self)
        self.list_note.setObjectName("listNote")
        header.addWidget(self.list_note, 1)
        header.addWidget(self.reset_button)
        header.addWidget(self.export_button)
        return header

    # -- showing a list -------------------------------------------------------------------

    def clear_list(self) -> None:
        """No user: no rows (the note stays as it is)."""
        self.recommendations.set_list([], {})
        self.place_feedback_buttons()

    def show_list(self, entries: list[ListEntry], feedback: dict[str, str],
                  has_run: bool) -> None:
        """The run's own list (``has_run``: a run is chosen), with the user's feedback."""
        self.recommendations.set_list(entries, feedback)
        self.place_feedback_buttons()
        self.list_note.setText("" if entries else "  " + (
            self.tr("no list stored for this user") if has_run
            else self.tr("no finished run yet")))
        self.list_note.setToolTip("")

    def show_list_now(self, now: UserListNow, feedback: dict[str, str]) -> None:
        """The list after the user's feedback, and what was kept out of it."""
        self.recommendations.set_list(now.entries, feedback)
        self.place_feedback_buttons()
        how = self.tr("re-ranked") if now.reranked else self.tr("filtered (no stored model)")
        events = (self.tr("{how} after 1 feedback event") if len(feedback) == 1
                  else self.tr("{how} after {n} feedback events"))
        kept_out = (self.tr("1 item kept out") if len(now.removed) == 1
                    else self.tr("{n} items kept out"))
        self.list_note.setText(f"  {events.format(how=how, n=len(feedback))}; "
                               f"{kept_out.format(n=len(now.removed))}")
        self.list_note.setToolTip("\n".join(f"{item}: {why}"
                                             for item, why in now.removed.items()))

    def place_feedback_buttons(self) -> None:
        """Like / dislike / not interested buttons in the Feedback cell of every row: the
        rows' buttons are kept from user to user and given their new item (the list's
        rows stay when its length does), so showing a user creates no widgets."""
        self.feedback_widgets = {}
        for row, entry_row in enumerate(self.recommendations.rows):
            item = entry_row.entry.item
            kind = self.recommendations.feedback.get(item)
            index = self.recommendations.index(row, FEEDBACK_COLUMN)
            buttons = self.list_view.indexWidget(index)
            if isinstance(buttons, FeedbackButtons):
                buttons.rebind(item, kind)
            else:
                buttons = FeedbackButtons(item, kind, self.list_view)
                buttons.chosen.connect(self.feedback_chosen)
                self.list_view.setIndexWidget(index, buttons)
            self.feedback_widgets[item] = buttons

    def _feedback_on_current(self, kind: str) -> None:
        rows = self.list_view.selectionModel().selectedRows()
        if rows:
            self.feedback_chosen.emit(self.recommendations.rows[rows[0].row()].entry.item, kind)

    def enable_actions(self, has_run: bool, has_user: bool) -> None:
        """Export with a run (a user's list with a user too); Reset once the user's
        feedback is read."""
        self.reset_button.setEnabled(False)
        self.export_button.setEnabled(has_run)
        self.export_user_action.setEnabled(has_run and has_user)
