"""The main window: menus, tool bar, the four screens, status bar, and the project.

Its texts follow the language chosen under View > Language (:mod:`ui.language`): they are
set in :meth:`MainWindow.retranslate`, again whenever the language changes. Its actions,
menus and tool bar, with their texts, are built in :mod:`ui.window_actions`.

The window appears at once: it imports only Qt. Opening the project, the first time,
also imports the engine and storage (pandas, SciPy, SQLAlchemy) on the worker thread; the
screens are built when that is done. torch and transformers are imported by the models
that need them, when a run first needs them.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QProgressBar, QStackedWidget, QWidget)

from engine.core.progress import Task
from engine.core.stages import Stage
from ui.about import APP_NAME, show_about
from ui.icons import icon
from ui.messages import log_path, report, show_error
from ui.preferences import Preferences
from ui.project import Project
from ui.window_actions import PAGES, WindowActions
from ui.worker import Job, Progress, Worker

if TYPE_CHECKING:
    from storage import Database
    from ui.import_dialog import ImportDialog
    from ui.pages.data import DataPage
    from ui.pages.evaluation import EvaluationPage
    from ui.pages.run import RunPage
    from ui.pages.users import UsersPage

#: The database the command line and the window open when none is named (a file or an
#: SQLAlchemy URL): storage.database.URL_ENV, not imported here to keep start-up light.
DB_ENV = "INTEREST_FUSION_STUDIO_DB"
translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls
STYLE = """
QListWidget#sidebar { background: #27313f; color: #e8edf3; border: none; font-size: 13px;
                      padding-top: 8px; }
QListWidget#sidebar::item { padding: 10px 8px; border-radius: 4px; margin: 2px 6px; }
QListWidget#sidebar::item:selected { background: #3b6fb6; color: white; }
QListWidget#sidebar::item:hover:!selected { background: #34404f; }
QLabel#pageTitle, QLabel#userTitle { font-size: 16px; font-weight: 600; }
QLabel#welcomeTitle { font-size: 22px; font-weight: 600; }
QPushButton#demoButton { font-weight: 600; padding: 6px 16px; }
QLabel#userSubtitle, QLabel#progressSummary { color: #555; }
"""


def project_filter() -> str:
    return translate("MainWindow", "Interest Fusion Studio projects (*.db);;All files (*)")


def open_project(path: str | Path | None, task: Task) -> "Database":
    """Worker: open (create, migrate) the project database.

    The first call also imports the engine and storage and prepares matplotlib here, off
    the UI thread, so that the screens built afterwards find them ready.
    """
    task.begin(Stage.OPEN, translate("MainWindow", "loading the engine"))
    from storage import open_database
    from ui import jobs  # engine and storage as the screens use them
    from ui.charts import prepare_rendering

    prepare_rendering()
    jobs.freeze_heap()  # the libraries just loaded: no full collection walks them again

    task.begin(Stage.OPEN, translate("MainWindow", "opening {path}").format(path=path) if path
               else translate("MainWindow", "opening the default project"))
    return open_database(path)


def startup_database(database: str | Path | None, prefs: Preferences) -> str | Path | None:
    """What the window opens: ``database`` (``--db``, a file or an SQLAlchemy URL), else
    $INTEREST_FUSION_STUDIO_DB when set, else the most recent project; None: the default
    project file."""
    if database is not None:
        return database
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    recent = prefs.recent_projects
    return recent[0] if recent else None


class MainWindow(WindowActions, QMainWindow):
    """The application window on ``database`` (see :func:`startup_database`)."""

    def __init__(self, prefs: Preferences, database: str | Path | None = None) -> None:
        super().__init__()
        self.prefs = prefs
        self.project = Project(self)
        self.worker = Worker(self)  # long work, one job at a time
        self.writer = Worker(self)  # short writes (feedback) that must not wait behind a run
        self.data_page: DataPage | None = None
        self.run_page: RunPage | None = None
        self.users_page: UsersPage | None = None
        self.evaluation_page: EvaluationPage | None = None
        self._status_job: Job | None = None
        self._loading_text: Callable[[], str] = lambda: self.tr("Opening the project...")

        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon("app"))
        self.setStyleSheet(STYLE)
        self.resize(1280, 820)
        self.setMinimumSize(QSize(900, 600))
        self._build_actions()
        self._build_menus()
        self._build_central()
        self._build_status_bar()
        self.retranslate()
        if prefs.geometry is not None:
            self.restoreGeometry(prefs.geometry)
        if prefs.window_state is not None:
            self.restoreState(prefs.window_state)
        self.worker.submitted.connect(self._watch_job)
        self.worker.busy_changed.connect(self._busy_changed)
        self.open_database(startup_database(database, prefs))

    # -- building -------------------------------------------------------------------------

    def _build_central(self) -> None:
        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(150)
        self.sidebar.setIconSize(QSize(22, 22))
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key, _, icon_name in PAGES:
            item = QListWidgetItem(icon(f"{icon_name}-light"), "")
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
        self.stack = QStackedWidget(self)
        self.loading = QLabel(self)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        self.sidebar.currentRowChanged.connect(self._page_chosen)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.job_label = QLabel(self)
        self.job_progress = QProgressBar(self)
        self.job_progress.setRange(0, 1000)
        self.job_progress.setMaximumWidth(160)
        self.job_progress.setMaximumHeight(16)
        self.job_progress.setTextVisible(False)
        self.job_label.setVisible(False)
        self.job_progress.setVisible(False)
        self.project_label = QLabel(self)
        self.project_label.setObjectName("projectLabel")
        bar.addPermanentWidget(self.job_label)
        bar.addPermanentWidget(self.job_progress)
        bar.addPermanentWidget(self.project_label)

    # -- texts --------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set every text of the window's own in the current language (at start and after
        a language change; the screens do theirs)."""
        self.retranslate_actions()
        for row, (_, name, _) in enumerate(PAGES):
            self.sidebar.item(row).setText(self.tr(name))
        self.loading.setText(self._loading_text())
        if self.project.db is not None:
            self.project_label.setText(self.tr("Project: {where}").format(
                where=self.project.db.where))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _build_pages(self) -> None:
        """The screens, once the engine and storage are loaded (see :func:`open_project`)."""
        from ui.pages.data import DataPage
        from ui.pages.evaluation import EvaluationPage
        from ui.pages.run import RunPage
        from ui.pages.users import UsersPage

        self.data_page = DataPage(self.project, self.worker, self)
        self.run_page = RunPage(self.project, self.worker, self.prefs, self)
        self.users_page = UsersPage(self.project, self.worker, self.writer, self.prefs, self)
        self.evaluation_page = EvaluationPage(self.project, self.worker, self.prefs, self)
        for page in (self.data_page, self.run_page, self.users_page, self.evaluation_page):
            self.stack.addWidget(page)
        self.data_page.import_interactions.connect(lambda: self.import_data("interactions"))
        self.data_page.import_items.connect(lambda: self.import_data("items"))
        self.data_page.append_requested.connect(self.add_to_dataset)
        self.data_page.demo_requested.connect(self.load_demo)
        self.run_page.run_finished.connect(self._run_finished)
        self.run_page.run_button.clicked.connect(lambda: self.show_page("run"))
        self.users_page.message.connect(self.statusBar().showMessage)
        self.evaluation_page.message.connect(self.statusBar().showMessage)
        for action in self._project_actions:
            action.setEnabled(True)

    @property
    def pages(self) -> dict[str, QWidget]:
        return {key: page for key, page in (
            ("data", self.data_page), ("run", self.run_page), ("users", self.users_page),
            ("evaluation", self.evaluation_page)) if page is not None}

    # -- navigation -----------------------------------------------------------------------

    def show_page(self, key: str) -> None:
        keys = [k for k, _, _ in PAGES]
        self.sidebar.setCurrentRow(keys.index(key))

    def current_page(self) -> str:
        return PAGES[max(self.sidebar.currentRow(), 0)][0]

    def _page_chosen(self, row: int) -> None:
        page = self.pages.get(PAGES[row][0]) if row >= 0 else None
        if page is not None:
            self.stack.setCurrentWidget(page)

    # -- projects -------------------------------------------------------------------------

    def open_database(self, path: str | Path | None) -> Job | None:
        """Open ``path`` (None: the default project) on the worker, then show it."""
        if self._refuse_while_busy(self.tr("Cannot open another project while work is "
                                           "running ({job}); wait or cancel it.")):
            return None
        self._loading_text = ((lambda: self.tr("Opening {path}...").format(path=path)) if path
                              else (lambda: self.tr("Opening the project...")))
        self.loading.setText(self._loading_text())
        job = self.worker.submit(self.tr("open project"), lambda task: open_project(path, task))
        job.succeeded.connect(self._opened)
        job.failed.connect(lambda exc: self._open_failed(exc))
        return job

    def _opened(self, db: "Database") -> None:
        first = self.data_page is None
        if first:
            self._build_pages()
        self.project.open(db)
        if db.path is not None:
            self.prefs.add_recent_project(db.path)
        self._update_recent_menu()
        self.setWindowTitle(f"{APP_NAME} - {db.path.name if db.path else db.where}")
        self.project_label.setText(self.tr("Project: {where}").format(where=db.where))
        self.project_label.setToolTip(db.where)
        if first:
            self.show_page(PAGES[min(self.prefs.page, len(PAGES) - 1)][0])
            self._page_chosen(self.sidebar.currentRow())
        if not self.data_page.datasets:
            self.show_page("data")  # the welcome panel
        self.statusBar().showMessage(self.tr("opened {where}").format(where=db.where), 5000)

    def _open_failed(self, exc: BaseException) -> None:
        self._loading_text = lambda: self.tr(
            "The project could not be opened. Choose another one under File > Open Project "
            "or create one with File > New Project.")
        self.loading.setText(self._loading_text())
        report(self, exc, self.tr("Open project"))

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open project"),
                                              self.prefs.last_folder, project_filter())
        if path:
            self.prefs.remember_file(path)
            self.open_database(Path(path))

    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("New project"), str(Path(self.prefs.last_folder) / "project.db"),
            project_filter(), options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        path = Path(path)
        if path.exists():
            show_error(self, self.tr("New project"),
                       self.tr("{path} already exists. Open it with File > Open Project, or "
                               "choose another name.").format(path=path))
            return
        self.prefs.remember_file(path)
        self.open_database(path)

    def save_project_as(self, path: Path | None = None) -> Job | None:
        """Copy the project to ``path`` (asked for when None) and continue in the copy."""
        db = self.project.db
        if db is None or self._refuse_while_busy(self.tr(
                "Cannot save the project while work is running ({job}); wait or cancel it.")):
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Save project as"),
                                                    self.prefs.last_folder, project_filter())
            if not chosen:
                return None
            path = Path(chosen)
            if db.path is not None and path.resolve() == db.path.resolve():
                self.statusBar().showMessage(self.tr("the project is saved as you work"), 5000)
                return None
            if path.exists():  # the file dialog asked before replacing it
                path.unlink()
        self.prefs.remember_file(path)
        from storage.browse import copy_database

        def copy_and_open(task: Task) -> "Database":
            task.begin(Stage.SAVE_AS, translate("MainWindow", "copying the project to {path}")
                       .format(path=path))
            copy_database(db, path)
            return open_project(path, task)

        job = self.worker.submit(self.tr("save as"), copy_and_open)
        job.succeeded.connect(self._opened)
        job.failed.connect(lambda exc: report(self, exc, self.tr("Save project as")))
        return job

    def _refuse_while_busy(self, refusal: str) -> bool:
        """Say ``refusal`` (its {job}: the running job) while the worker is busy."""
        if self.worker.busy:
            show_error(self, APP_NAME, refusal.format(job=self.worker.jobs[0].name))
            return True
        return False

    # -- the main actions -----------------------------------------------------------------

    def add_to_dataset(self, name: str, path: Path | None = None) -> ImportDialog | None:
        """Open the import dialog to add an interactions file to the stored ``name``."""
        return self.import_data("interactions", path, append_to=name)

    def import_data(self, kind: str, path: Path | None = None,
                    append_to: str | None = None) -> ImportDialog | None:
        """Open the import dialog with the file of ``kind`` (asked for when None), for a new
        dataset or to add to the stored dataset ``append_to``."""
        if self.data_page is None:
            return None
        from ui.import_dialog import ImportDialog
        from ui.import_preview import FILE_FILTER

        if path is None:
            title = (self.tr("Import interactions") if kind == "interactions"
                     else self.tr("Import items (catalogue)"))
            chosen, _ = QFileDialog.getOpenFileName(self, title, self.prefs.last_folder,
                                                    FILE_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
        dialog = ImportDialog(self.project, self.worker, self.prefs, self, append_to)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        section = dialog.interactions if kind == "interactions" else dialog.items
        dialog.tabs.setCurrentWidget(section)
        section.set_file(path)
        dialog.imported.connect(self._imported)
        dialog.open()
        return dialog

    def _imported(self, name: str) -> None:
        self.project.datasets_changed.emit()
        self.project.runs_changed.emit()  # a grown dataset's runs can be updated
        self.statusBar().showMessage(self.tr("imported into dataset {name}").format(
            name=repr(name)), 8000)
        self.show_page("data")

    def load_demo(self, language: str = "en") -> Job | None:
        """Import the demo shop in ``language`` ("en" or "zh"), then run the default
        pipeline on it."""
        db = self.project.db
        if db is None or self.run_page is None:
            return None
        if self.run_page.running:
            show_error(self, APP_NAME,
                       self.tr("A run is going on; wait for it or cancel it first."))
            return None
        from application.importing import import_demo
        from ui.run_settings import RunSettings

        self.show_page("run")
        job = self.worker.submit(self.tr("demo shop"),
                                 lambda task: import_demo(db, task, language))

        def imported(name: str) -> None:
            self.project.datasets_changed.emit()
            self.run_page.dataset.setCurrentText(name)
            self.run_page.start_run(name, RunSettings())  # the default pipeline

        job.succeeded.connect(imported)
        job.failed.connect(lambda exc: report(self, exc, self.tr("Demo shop")))
        return job

    def run_pipeline(self) -> None:
        if self.run_page is not None:
            self.show_page("run")
            self.run_page.start_run()

    def cancel_work(self) -> None:
        if self.run_page is not None and self.run_page.running:
            self.run_page.cancel()
        else:
            self.worker.cancel_all()

    def _run_finished(self, run_id: int) -> None:
        from storage import run_info

        info = run_info(self.project.db, run_id)
        self.statusBar().showMessage(self.tr("run {run} finished").format(run=run_id), 8000)
        self.users_page.show_run(info.dataset, run_id)
        self.show_page("users")

    def find_user(self) -> None:
        """Show the Users screen with the keyboard in its search box."""
        if self.users_page is not None:
            self.show_page("users")
            self.users_page.focus_search()

    def save_chart(self) -> None:
        """Save the Evaluation screen's chart as PNG (asks where)."""
        if self.evaluation_page is not None:
            self.show_page("evaluation")
            self.evaluation_page.save_chart()

    def export_lists(self) -> None:
        if self.users_page is not None:
            self.show_page("users")
            self.users_page.export(everyone=True)

    def about(self) -> None:
        show_about(self)

    def show_log_folder(self) -> None:
        path = log_path()
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    # -- the status bar -------------------------------------------------------------------

    def _watch_job(self, job: Job) -> None:
        job.progress.connect(lambda progress: self._job_progress(job, progress))

    def _job_progress(self, job: Job, progress: Progress) -> None:
        self.job_label.setText(f"{job.name}: {progress.status or progress.stage}")
        self.job_progress.setValue(int(progress.fraction * 1000))

    def _busy_changed(self, busy: bool) -> None:
        self.job_label.setVisible(busy)
        self.job_progress.setVisible(busy)
        self.cancel_action.setEnabled(busy)
        if not busy:
            self.job_label.clear()
            self.job_progress.setValue(0)

    # -- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the window; stop the worker at its next safe point; close the project."""
        self.prefs.geometry = self.saveGeometry()
        self.prefs.window_state = self.saveState()
        self.prefs.page = max(self.sidebar.currentRow(), 0)
        self.prefs.sync()
        self.worker.cancel_all()
        self.worker.wait(15000)
        self.writer.wait(15000)
        if self.run_page is not None:
            self.run_page.plan.stop()
        if self.users_page is not None:
            self.users_page.stop_reading()
            self.users_page.text_pane.shutdown()
        from ui.charts import stop_rendering

        stop_rendering()
        self.project.close()
        super().closeEvent(event)
