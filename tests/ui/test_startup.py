"""Start-up: the window appears without loading the heavy libraries, an empty project offers
the demo in one click (which imports it and runs the default pipeline), and the command
line stays headless."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtCore import Qt

from storage import list_datasets, list_runs
from tests.support import ROOT
from tests.support.ui import dialogs, make_window, wait_idle

#: What ui.app.main does, up to the window being shown; then it reports and exits.
START = """
import json, os, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from ui.app import create_application
from ui.messages import install_excepthook, setup_logging
from ui.preferences import Preferences
from ui.window import MainWindow
folder = Path(sys.argv[1])
app = create_application([])
setup_logging(folder)
install_excepthook()
window = MainWindow(Preferences(QSettings(str(folder / "settings.ini"),
                                          QSettings.Format.IniFormat)), folder / "p.db")
window.show()
app.processEvents()
heavy = [m for m in ("torch", "transformers", "gensim", "matplotlib") if m in sys.modules]
print(json.dumps({"visible": window.isVisible(), "heavy": heavy}), flush=True)
os._exit(0)
"""


def test_window_appears_before_the_heavy_libraries_load(tmp_path):
    """What keeps start-up fast on any machine; the seconds are bench/ui_speed.py's."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", START, str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"visible": True, "heavy": []}


def test_command_line_stays_headless(tmp_path):
    code = ("import sys, main; status = main.run(['datasets', '--db', sys.argv[1]]); "
            "print('Qt loaded' if 'PySide6' in sys.modules else 'no Qt'); sys.exit(status)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "p.db")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "no datasets stored yet" in out.stdout and "no Qt" in out.stdout


def test_empty_project_offers_the_demo_in_one_click(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    page = window.data_page
    assert window.current_page() == "data"
    assert page.stack.currentWidget() is page.welcome and page.welcome.isVisible()
    qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_page() == "users", timeout=120_000)
    wait_idle(qtbot, window)
    assert not dialogs()
    db = window.project.db
    assert [d.name for d in list_datasets(db)] == ["demo shop"]
    [run] = list_runs(db)
    assert run.status == "finished" and run.model == "fusion"
    assert window.users_page.run_id == run.id and window.users_page.model.total == 300
    assert window.users_page.user is not None
    assert page.stack.currentWidget() is not page.welcome
