"""Builders shared by the window tests (this module holds no tests of its own).

Everything is real: the window and its widgets (offscreen), SQLite files in temporary
folders, the shipped demo files, and the worker thread.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from functools import cache
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.progress import Task
from storage import open_database
from ui.jobs import import_demo, run_pipeline
from ui.messages import setup_logging
from ui.preferences import Preferences
from ui.run_settings import QUICK
from ui.window import MainWindow

WAIT_MS = 60_000


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


def wait_idle(qtbot, window: MainWindow, timeout: int = WAIT_MS) -> None:
    """Until the worker and the writer have nothing left to do and their signals arrived."""
    qtbot.waitUntil(lambda: not window.worker.busy and not window.writer.busy, timeout=timeout)


def dialogs(kind: str = "errorDialog") -> list[QMessageBox]:
    """Open message boxes of one kind (errors, confirmations, about)."""
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == kind and w.isVisible()]


def close_dialogs() -> None:
    for kind in ("errorDialog", "confirmDialog", "aboutDialog"):
        for box in dialogs(kind):
            box.close()


class Heartbeat:
    """A 20 ms timer on the UI thread; the largest gap between its ticks is how long the
    UI thread was blocked at worst."""

    def __init__(self, interval_ms: int = 20) -> None:
        self.ticks: list[tuple[float, float]] = []  # (when, seconds since the previous)
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.ticks.append((now, now - self._last))
        self._last = now

    def max_gap_ms(self, until: float = float("inf")) -> float:
        """The longest gap among the ticks up to ``until`` (a perf_counter time)."""
        gaps = [gap for when, gap in self.ticks if when <= until]
        return max(gaps) * 1000 if gaps else float("nan")


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
