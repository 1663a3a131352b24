"""Builders shared by the window tests (this module holds no tests of its own).

Everything is real: the window and its widgets (offscreen), SQLite files in temporary
folders, the shipped demo files, and the worker thread.
"""
from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from application.importing import import_demo
from engine.core.progress import Task
from storage import open_database
from ui.charts import rendering
from ui.jobs import run_pipeline
from ui.messages import setup_logging
from ui.preferences import Preferences
from ui.run_settings import RunSettings
from ui.window import MainWindow

#: How long a test waits for the window before it calls it a hang: a guard, not a speed
#: target (a wait ends as soon as its condition holds), so generous enough for a run on
#: a cluster while other programs hold every core.
WAIT_MS = 600_000
#: The tests' quick run: the two components of the default fusion that train in a
#: second (long-term EASE, short-term co-occurrence), fused with a learned gate.
QUICK = RunSettings(components=("ease", "cooc"))


def preferences(folder: Path) -> Preferences:
    """Preferences in an ini file of the test's own, never the user's."""
    return Preferences(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))


def make_window(qtbot, folder: Path, database: Path | None = None) -> MainWindow:
    """A shown window on ``database`` (default: the last project, else a new file), with
    its screens built; preferences and logs live in ``folder``."""
    setup_logging(folder / "logs")
    prefs = preferences(folder)
    recent = prefs.recent_projects
    window = MainWindow(prefs, database or (recent[0] if recent else folder / "project.db"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data_page is not None and window.project.db is not None,
                    timeout=WAIT_MS)
    wait_idle(qtbot, window)
    return window


def idle(window: MainWindow) -> bool:
    """The worker, the writer, the Users screen's reader and the chart renderer have
    nothing left to do."""
    users = window.users_page
    return (not window.worker.busy and not window.writer.busy and not rendering()
            and (users is None or not users.reading))


def wait_idle(qtbot, window: MainWindow, timeout: int = WAIT_MS) -> None:
    """Until the worker, the writer, the user details and the charts have nothing left to
    do and their signals arrived."""
    qtbot.waitUntil(lambda: idle(window), timeout=timeout)


def dialogs(kind: str = "errorDialog") -> list[QMessageBox]:
    """Open message boxes of one kind (errors, confirmations, about)."""
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == kind and w.isVisible()]


def close_dialogs() -> None:
    for kind in ("errorDialog", "confirmDialog", "aboutDialog"):
        for box in dialogs(kind):
            box.close()


@cache
def demo_project() -> tuple[Path, int]:
    """A project with the demo shop and one finished quick run, made headless once
    per test session; tests work on copies (:func:`copy_demo`)."""
    path = Path(tempfile.mkdtemp(prefix="ifs-ui-demo-")) / "demo.db"
    with open_database(path) as db:
        name = import_demo(db, Task())
        run_id = run_pipeline(db, name, QUICK, Task())
    return path, run_id


def copy_demo(folder: Path) -> tuple[Path, int]:
    """A private copy of the demo project in ``folder``, and its run id."""
    source, run_id = demo_project()
    target = folder / "demo.db"
    shutil.copy(source, target)
    return target, run_id


def settled(qtbot, dialog):
    """Until the scheduled check ran and its result is shown."""
    qtbot.waitUntil(lambda: dialog._checked is not None and dialog._check_job is None
                    and not dialog._timer.isActive(), timeout=WAIT_MS)
