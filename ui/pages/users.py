"""The Users screen: every user of a dataset in a searchable, sortable table; for the
selected user, the history timeline, long-term interests, the gate, and the run's list
with its contributions, explanations and feedback buttons; export to CSV.

Feedback changes the list at once: when a run is chosen its fitted model is loaded in
the background (:class:`application.live.LiveRun`), and every click stores the event and
re-ranks that user's list with it (refused items and, after several refusals, their
neighbours out; liked items into the recent actions; the gate moved toward the side
that brought the liked items). "Reset feedback" returns to the model's list.

With 100,000 users the screen stays smooth (bench/results/ui_speed.md): the table's orders
and search text are prepared on the worker when the users load (:mod:`ui.user_table`),
the search waits until typing pauses, and the user's timeline is drawn on the render
thread (:mod:`ui.charts`); a user's other details are a few indexed reads, read off the
UI thread (bench/results/storage_speed.md times one user's list). What the user gets (the
list, its feedback buttons, Reset, Export and the list's text) is a pane of its own,
:mod:`ui.user_list_pane`; the screen stores and re-ranks what is asked there.

Its fixed texts are set in :meth:`UsersPage.retranslate`, again when the language
changes, with the run choices, the count and the shown user's details."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QSplitter, QTableView, QVBoxLayout, QWidget)

from storage import (Feedback, RunInfo, StoredProfile, add_feedback, list_feedback, list_runs,
                     user_list, user_profile)
from storage.browse import user_history
from application.live import LiveRun, UserListNow, list_now, open_live_run
from storage.feedback import reset_feedback
from storage.results import StoredText, user_text
from application.export import ShownList, export_run, export_shown
from ui.jobs import load_user_index
from ui.messages import report
from ui.preferences import Preferences
from ui.project import Project
from ui.recommendations import KINDS, FeedbackButtons
from ui.user_about import UserAbout
from ui.user_list_pane import UserListPane
from ui.user_table import UserTable, UserTableModel
from ui.worker import Job, Worker

DEFAULT_WINDOW = 5  # RunConfig.recent_window of runs that do not record one


@dataclass(frozen=True)
class UserDetails:
    """What the Users screen shows of one user, read off the UI thread."""

    user: str
    run_id: int | None
    history: list
    profile: StoredProfile | None
    entries: list  # the run's own list
    feedback: dict[str, str]  # item -> the latest feedback on it
    now: UserListNow | None  # the list after the feedback (None: none, or no model yet)
    text: StoredText | None  # the list's stored recommendation text


def read_details(db: object, dataset: str, run_id: int | None, user: str,
                 live: LiveRun | None) -> UserDetails:
    """A few indexed reads, and the re-rank after the user's feedback (any thread)."""
    history = user_history(db, dataset, user)
    profile = user_profile(db, run_id, user) if run_id is not None else None
    entries = user_list(db, run_id, user) if run_id is not None else []
    feedback = {f.item: f.kind for f in list_feedback(db, dataset, user)}  # latest wins
    now = list_now(db, live, user) if live is not None and feedback and entries else None
    text = user_text(db, run_id, user) if run_id is not None and entries else None
    return UserDetails(user, run_id, history, profile, entries, feedback, now, text)


SEARCH_DELAY_MS = 150  # the search filters when typing pauses this long (or on Enter)
FIND_SHORTCUT = QKeySequence.StandardKey.Find  # Ctrl+F: the window's Find User action


class UsersPage(QWidget):
    """Browse the users of a dataset through one of its runs."""

    message = Signal(str)  # for the status bar

    def __init__(self, project: Project, worker: Worker, writer: Worker, prefs: Preferences,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._worker = worker
        self._writer = writer
        self._prefs = prefs
        self._runs: list[RunInfo] = []
        self._index_job: Job | None = None
        self._live: LiveRun | None = None  # the chosen run's model, once loaded
        self.user: str | None = None
        self._model_ranks: dict[str, int] = {}  # the run's own list of the shown user
        self.detail_seconds = 0.0  # from choosing the last user to their details shown
        self._shown_at = 0.0
        self._reader = Worker(self)  # a user's details: never behind a run or a click
        self._details_job: Job | None = None
        self.feedback_seconds = 0.0  # the last click's time to the re-ranked list

        top = self._top_bar()
        left = self._users_panel()
        self.about = UserAbout(self)  # who the user is: title, timeline, interests, gate
        # what they get: the list, its feedback, its text
        self.listing = listing = UserListPane(prefs, self)
        self.recommendations = listing.recommendations
        self.list_view = listing.list_view
        self.list_note = listing.list_note
        self.reset_button = listing.reset_button
        self.text_pane = listing.text_pane
        listing.feedback_chosen.connect(self.give_feedback)
        listing.reset_requested.connect(self.reset_feedback)
        listing.export_requested.connect(lambda everyone: self.export(everyone))
        listing.message.connect(self.message)
        self.details = QSplitter(Qt.Orientation.Vertical, self)
        self.details.setObjectName("userDetails")
        self.details.setChildrenCollapsible(False)
        self.details.addWidget(self.about)
        self.details.addWidget(listing)
        self.details.setStretchFactor(1, 1)
        self.details.setSizes([250, 510])  # the list gets the room: 13 rows or more
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.details)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("usersSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 930])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self.dataset.currentIndexChanged.connect(self._dataset_changed)
        self.run.currentIndexChanged.connect(self._run_changed)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_search)
        project.opened.connect(self.refresh)
        project.datasets_changed.connect(self.refresh)
        project.runs_changed.connect(self._refresh_runs)
        self.retranslate()
        self._update_actions()

    def retranslate(self) -> None:
        """The screen's fixed texts in the current language; with a project open, the run
        choices, the count and the shown user's details again."""
        self.dataset_label.setText(self.tr("Dataset:"))
        self.run_label.setText(self.tr("Run:"))
        find = QKeySequence(FIND_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        self.search.setPlaceholderText(self.tr("Search user id ({keys})").format(keys=find))
        self.search.setToolTip(self.tr("Users whose id contains the text ({keys})").format(
            keys=find))
        if self._project.db is not None:
            self._refresh_runs()
            if self._index_job is None:
                self._update_count()
            self.show_user(self.user)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _top_bar(self) -> QHBoxLayout:
        """The dataset and run choices and the count of users."""
        self.dataset = QComboBox(self)
        self.dataset.setObjectName("usersDataset")
        self.dataset.setMinimumWidth(160)
        self.run = QComboBox(self)
        self.run.setObjectName("usersRun")
        self.run.setMinimumWidth(260)
        self.count = QLabel(self)
        top = QHBoxLayout()
        self.dataset_label = QLabel(self)
        top.addWidget(self.dataset_label)
        top.addWidget(self.dataset)
        top.addSpacing(8)
        self.run_label = QLabel(self)
        top.addWidget(self.run_label)
        top.addWidget(self.run)
        top.addStretch(1)
        top.addWidget(self.count)
        return top

    def _users_panel(self) -> QWidget:
        """The search box over the table of users."""
        self.search = QLineEdit(self)
        self.search.setObjectName("userSearch")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.model = UserTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("users")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in ((0, 84), (1, 60), (2, 46)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.table, 1)
        return left

    # -- choosing a dataset and a run -----------------------------------------------------

    @property
    def dataset_name(self) -> str | None:
        return self.dataset.currentText() or None

    @property
    def run_id(self) -> int | None:
        value = self.run.currentData()
        return int(value) if value is not None else None

    def refresh(self) -> None:
        self._project.fill_datasets(self.dataset)
        self._dataset_changed()

    def show_run(self, dataset: str, run_id: int) -> None:
        """Switch to ``dataset`` and its run ``run_id`` (after a run finished)."""
        if self.dataset.currentText() != dataset:
            self.dataset.setCurrentText(dataset)  # loads the runs, newest selected
        else:
            self._refresh_runs()
        index = self.run.findData(run_id)
        if index >= 0:
            self.run.setCurrentIndex(index)

    def _dataset_changed(self) -> None:
        self._refresh_runs(keep=False)

    def _refresh_runs(self, keep: bool = True) -> None:
        db, dataset = self._project.db, self.dataset_name
        current = self.run_id if keep else None
        self._runs = ([r for r in list_runs(db, dataset) if r.status == "finished"]
                      if db is not None and dataset else [])
        self.run.blockSignals(True)
        self.run.clear()
        for run in self._runs:
            components = f" ({' + '.join(run.components)})" if len(run.components) > 1 else ""
            when = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.run.addItem(self.tr("run {run}: {model}{components}, {when}").format(
                run=run.id, model=run.model, components=components, when=when), run.id)
        if not self._runs:
            self.run.addItem(self.tr("no finished run: start one under Run"), None)
        index = self.run.findData(current) if current is not None else -1
        self.run.setCurrentIndex(max(index, 0))
        self.run.blockSignals(False)
        if not keep or index < 0:
            self._run_changed()

    def _run_changed(self) -> None:
        """Load the users (with this run's gates) on the worker, and the run's model on the
        writer (feedback re-ranks with it)."""
        db, dataset, run_id = self._project.db, self.dataset_name, self.run_id
        if self._index_job is not None:
            self._index_job.cancel()
        self._live = None
        if db is not None and run_id is not None:
            live_job = self._writer.submit(f"model of run {run_id}",
                                           lambda task: open_live_run(db, run_id, task))
            live_job.succeeded.connect(self._live_loaded)
        if db is None or dataset is None:
            self._set_index(None)
            return
        self.count.setText(self.tr("loading users..."))
        job = self._worker.submit(self.tr("users of {dataset}").format(dataset=dataset),
                                  lambda task: load_user_index(db, dataset, run_id, task))
        self._index_job = job
        job.succeeded.connect(lambda index: self._set_index(index) if job is self._index_job
                              else None)
        job.failed.connect(lambda exc: report(self, exc, self.tr("Users"))
                           if job is self._index_job
                           else None)

    def _live_loaded(self, live: LiveRun) -> None:
        if live.run_id != self.run_id:
            return  # another run was chosen meanwhile
        self._live = live
        if self.user is not None and self.recommendations.feedback:
            self.show_user(self.user)  # feedback given before the model was there

    def _set_index(self, table: UserTable | None) -> None:
        self._index_job = None
        previous, self.user = self.user, None  # a new index: details read again
        self.model.set_table(table)
        self._update_count()
        row = self.model.row_of(previous) if previous else None
        if row is None and self.model.rowCount() > 0:
            row = 0
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.show_user(None)

    def focus_search(self) -> None:
        """Put the keyboard in the search box, its text selected (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def apply_search(self) -> None:
        """Filter the table by the search text now (typing waits SEARCH_DELAY_MS)."""
        self._search_timer.stop()
        if self.search.text().strip().lower() == self.model.search:
            return
        self.model.set_search(self.search.text())
        self._update_count()
        row = self.model.row_of(self.user) if self.user else None
        if row is not None:
            self.table.selectRow(row)
        elif self.model.rowCount():
            self.table.selectRow(0)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        self.count.setText(self.tr("{total:,} users").format(total=total) if shown == total
                           else self.tr("{shown:,} of {total:,} users").format(shown=shown,
                                                                              total=total))

    def _selection_changed(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        user = self.model.user_at(rows[0].row()) if rows else None
        if user is not None and user == self.user:
            return  # the same user on another row (the table was filtered or sorted)
        self.show_user(user)

    # -- one user -------------------------------------------------------------------------

    def select_user(self, user: str) -> None:
        """Select ``user`` in the table (clearing a search that hides them)."""
        if self.model.row_of(user) is None:
            self.search.clear()
            self.apply_search()
        row = self.model.row_of(user)
        if row is None:
            raise KeyError(f"user {user!r} is not in the dataset")
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0),
                            QAbstractItemView.ScrollHint.PositionAtCenter)

    @property
    def reading(self) -> bool:
        """A user's details are being read."""
        return self._reader.busy

    def stop_reading(self, msecs: int = 5000) -> None:
        """Skip the reads not started and wait for the one going on (closing)."""
        self._reader.cancel_all()
        self._reader.wait(msecs)

    def show_user(self, user: str | None) -> None:
        """Show ``user``: the title at once, then their history, profile, list and text,
        read on the reader thread (a few indexed reads) and shown when they arrive."""
        self._shown_at = time.perf_counter()
        self.user = user
        db, dataset, run_id = self._project.db, self.dataset_name, self.run_id
        self._update_actions()
        if self._details_job is not None:
            self._details_job.cancel()  # not started yet: skipped
            self._details_job = None
        if user is None or db is None or dataset is None:
            self.about.clear()
            self._model_ranks = {}
            self.listing.clear_list()
            self.text_pane.show_list(db, run_id, None)
            return
        self.about.title.setText(self.tr("User {user}").format(user=user))
        live = self._live if self._live is not None and self._live.run_id == run_id else None
        job = self._reader.submit(f"details of {user}", lambda task: read_details(
            db, dataset, run_id, user, live))
        self._details_job = job
        job.succeeded.connect(lambda details: self._show_details(details)
                              if job is self._details_job else None)
        job.failed.connect(lambda exc: report(self, exc, self.tr("User details"))
                           if job is self._details_job else None)

    def _show_details(self, details: UserDetails) -> None:
        self._details_job = None
        if (details.user, details.run_id) != (self.user, self.run_id):
            return  # another user or run was chosen meanwhile
        db, run_id, user = self._project.db, details.run_id, details.user
        run = next((r for r in self._runs if r.id == run_id), None)
        window = int(run.config.get("recent_window", DEFAULT_WINDOW)) if run else DEFAULT_WINDOW
        has_time = self.model.index_data.has_timestamps if self.model.index_data else True
        entries, feedback = details.entries, details.feedback
        self.about.show_history(details.history, has_time, window, run)
        self._model_ranks = {e.item: e.rank for e in entries}
        self.about.show_profile(details.profile, run)
        self.text_pane.show_list(db, run_id, user if entries else None, bool(feedback),
                                 stored=details.text)
        if details.now is not None:
            self._show_list_now(details.now, feedback)
        else:
            self.listing.show_list(entries, feedback, run_id is not None)
        self.reset_button.setEnabled(bool(feedback))
        self.detail_seconds = time.perf_counter() - self._shown_at

    def _show_list_now(self, now: UserListNow, feedback: dict[str, str]) -> None:
        """The list after the user's feedback, the moved gate, and what was kept out."""
        self.listing.show_list_now(now, feedback)
        if now.gate is not None and now.model_gate is not None:
            self.about.show_moved_gate(now.gate, now.model_gate)

    @property
    def feedback_widgets(self) -> dict[str, FeedbackButtons]:
        """The feedback buttons of the shown list's rows, by item."""
        return self.listing.feedback_widgets

    # -- feedback and export --------------------------------------------------------------

    def give_feedback(self, item: str, kind: str) -> Job | None:
        """Store the event on the writer thread and re-rank the user's list there with the
        run's model (when it is loaded); the list shows the result."""
        db, dataset, user, run_id = self._project.db, self.dataset_name, self.user, self.run_id
        if db is None or dataset is None or user is None:
            return None
        clicked = time.perf_counter()
        buttons = self.feedback_widgets.get(item)
        previous = self.recommendations.feedback.get(item)
        if buttons is not None:
            buttons.show_kind(kind)
            buttons.set_pending(True)
        event = Feedback(user=user, item=item, kind=kind, run_id=run_id)
        live = self._live if self._live is not None and self._live.run_id == run_id else None

        def store(task: object) -> UserListNow | None:
            add_feedback(db, dataset, [event])
            return list_now(db, live, user) if live is not None else None

        job = self._writer.submit("feedback", store)

        def stored(now: UserListNow | None) -> None:
            if self.user == user:
                self.recommendations.set_feedback(item, kind)
                if now is not None:
                    self._show_list_now(now, dict(self.recommendations.feedback))
                    self.text_pane.show_list(db, run_id, user, has_feedback=True)
                self.reset_button.setEnabled(True)
            self.feedback_seconds = time.perf_counter() - clicked
            text = (self.tr("{feedback}: {item} for user {user}; the list is re-ranked")
                    if now is not None else self.tr("{feedback}: {item} for user {user}"))
            self.message.emit(text.format(feedback=self.tr(KINDS[kind][0]), item=item,
                                          user=user))

        def failed(exc: BaseException) -> None:
            if buttons is not None and self.user == user:
                buttons.show_kind(previous)
            report(self, exc, self.tr("Feedback"))

        job.succeeded.connect(stored)
        job.failed.connect(failed)
        if buttons is not None:
            job.finished.connect(lambda: buttons.set_pending(False)
                                 if self.feedback_widgets.get(item) is buttons else None)
        return job

    def reset_feedback(self) -> Job | None:
        """Delete the user's feedback; the model's list comes back."""
        db, dataset, user = self._project.db, self.dataset_name, self.user
        if db is None or dataset is None or user is None:
            return None
        job = self._writer.submit("reset feedback",
                                  lambda task: reset_feedback(db, dataset, user))

        def done(deleted: int) -> None:
            if self.user == user:
                self.show_user(user)
            self.message.emit(self.tr("deleted {n} feedback events of user {user}").format(
                n=deleted, user=user))

        job.succeeded.connect(done)
        job.failed.connect(lambda exc: report(self, exc, self.tr("Reset feedback")))
        return job

    def shown_list(self) -> ShownList | None:
        """The selected user's list exactly as shown (after their feedback)."""
        if self.user is None:
            return None
        return ShownList(self.user, [row.entry for row in self.recommendations.rows],
                         dict(self._model_ranks), dict(self.recommendations.feedback))

    def export(self, everyone: bool, path: Path | None = None) -> Job | None:
        """Write the lists as CSV on the worker: this user's as shown, or everyone's,
        each as it stands after the user's feedback; a column says which rows feedback
        changed (see :func:`application.export.export_run`)."""
        db, run_id, user = self._project.db, self.run_id, self.user
        if db is None or run_id is None or (user is None and not everyone):
            return None
        if path is None:
            suggested = Path(self._prefs.last_folder) / (
                f"run{run_id}-lists.csv" if everyone else f"run{run_id}-{user}.csv")
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export lists as CSV"),
                                                    str(suggested), self.tr("CSV files (*.csv)"))
            if not chosen:
                return None
            path = Path(chosen)
        self._prefs.remember_file(path)
        live = self._live if self._live is not None and self._live.run_id == run_id else None
        shown = self.shown_list()
        if everyone:
            job = self._worker.submit(self.tr("export"), lambda task: len(export_run(
                db, run_id, path, None, task, live)))
        else:
            job = self._worker.submit(self.tr("export"), lambda task: export_shown(
                shown, db, run_id, path, task))
        job.succeeded.connect(lambda rows: self.message.emit(
            self.tr("wrote {rows:,} rows to {path}").format(rows=rows, path=path)))
        job.failed.connect(lambda exc: report(self, exc, self.tr("Export")))
        return job

    def _update_actions(self) -> None:
        self.listing.enable_actions(self.run_id is not None, self.user is not None)
