"""The window as a whole: menus and shortcuts, About, what it remembers, projects (open,
new, save as), deleting a dataset, and errors that reach the user while the window
stays usable."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

import main
import ui.window
from engine.core.errors import DataError
from storage import list_datasets, list_runs
from storage.database import URL_ENV
from tests.support import ROOT
from tests.support.ui import copy_demo, dialogs, make_window, preferences, wait_idle
from ui.about import about_text, version
from ui.messages import install_excepthook, log_path, setup_logging
from ui.run_settings import RunSettings
from ui.window import DB_ENV, MainWindow


def test_menus_shortcuts_and_about(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Run", "&View", "&Help"]
    shortcuts = {a.text(): a.shortcut().toString() for a in window.findChildren(type(
        window.run_action)) if not a.shortcut().isEmpty()}
    assert shortcuts["&Run Pipeline"] == "F5" and shortcuts["&Import Interactions..."] == "Ctrl+I"
    assert shortcuts["&Open Project..."] == QKeySequence(QKeySequence.StandardKey.Open).toString()
    assert [shortcuts[f"&{page}"] for page in ("Data", "Run", "Users", "Evaluation")] == \
        ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"]
    for number, page in enumerate(("data", "run", "users", "evaluation")):
        window.page_actions[number].trigger()
        assert window.current_page() == page
        assert window.stack.currentWidget() is window.pages[page]

    window.about_action.trigger()
    [box] = dialogs("aboutDialog")
    text = about_text()
    assert box.text() == text
    for needle in ("Interest Fusion Studio", version(), "all-MiniLM-L6-v2", "Apache License 2.0",
                   "SmolLM2-135M-Instruct", "Demo shop data", "GNU LGPL v3"):
        assert needle in text
    box.close()


def test_geometry_folder_and_run_settings_are_remembered(qtbot, tmp_path):
    path, _ = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.prefs.remember_file(tmp_path / "some.csv")
    window.show_page("run")
    chosen = RunSettings(components=("pop", "cooc"), fusion="fixed", k=33, seed=5)
    window.run_page.form.set_settings(chosen)
    window.run_action.trigger()  # a run remembers the configuration it ran with
    qtbot.waitUntil(lambda: not window.run_page.running, timeout=60_000)
    wait_idle(qtbot, window)
    window.show_page("evaluation")
    geometry = window.saveGeometry()
    window.close()

    prefs = preferences(tmp_path)
    assert prefs.geometry == geometry
    assert prefs.last_folder == str(tmp_path)
    assert prefs.recent_projects == [str(path)]
    assert RunSettings.from_dict(prefs.run_settings) == chosen
    again = make_window(qtbot, tmp_path)  # no project named: the last one
    assert again.project.db.path == path
    assert again.current_page() == "evaluation"
    assert again.run_page.form.settings() == chosen
    assert [a.text() for a in again.recent_menu.actions()] == ["demo.db"]


def test_projects_open_new_and_save_as(qtbot, tmp_path):
    path, _ = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, tmp_path / "empty.db")
    assert window.data_page.datasets == []
    window.open_database(path)
    wait_idle(qtbot, window)
    assert window.project.db.path == path
    assert [d.name for d in window.data_page.datasets] == ["demo shop"]
    assert window.windowTitle() == "Interest Fusion Studio - demo.db"
    assert window.users_page.model.total == 300

    copy = tmp_path / "copy.db"
    window.save_project_as(copy)
    wait_idle(qtbot, window)
    assert window.project.db.path == copy
    assert [d.name for d in list_datasets(window.project.db)] == ["demo shop"]
    assert len(list_runs(window.project.db)) == 1
    assert window.prefs.recent_projects[:3] == [str(copy), str(path), str(tmp_path / "empty.db")]

    window.save_project_as(copy)  # the file exists now: refused, nothing lost
    wait_idle(qtbot, window)
    [box] = dialogs()
    assert "the file exists" in box.text()
    box.close()
    assert window.project.db.path == copy


def test_delete_a_dataset_after_confirming(qtbot, tmp_path):
    path, _ = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    page = window.data_page
    page.table.selectRow(0)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    [box] = dialogs("confirmDialog")
    assert "Delete the dataset 'demo shop' with its 6,651 interactions" in box.text()
    box.button(box.StandardButton.Cancel).click()
    assert [d.name for d in list_datasets(window.project.db)] == ["demo shop"]
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    [box] = dialogs("confirmDialog")
    next(b for b in box.buttons() if b.text() == "Delete").click()
    wait_idle(qtbot, window)
    assert list_datasets(window.project.db) == [] and list_runs(window.project.db) == []
    assert page.stack.currentWidget() is page.welcome
    assert window.users_page.model.total == 0


def test_errors_are_shown_logged_and_the_window_stays_usable(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    job = window.worker.submit("bad file", lambda task: (_ for _ in ()).throw(DataError(
        "rating 'x' is not a number", file="ratings.csv", row=17, column="rating")))
    job.failed.connect(lambda exc: __import__("ui.messages").messages.report(window, exc))
    wait_idle(qtbot, window)
    [box] = dialogs()
    assert box.windowTitle() == "Problem with the data"
    assert box.text() == "ratings.csv, row 17, column 'rating': rating 'x' is not a number"
    box.close()

    def broken(task):
        raise ZeroDivisionError("a bug in a job")

    job = window.worker.submit("bug", broken)
    job.failed.connect(lambda exc: __import__("ui.messages").messages.report(window, exc))
    wait_idle(qtbot, window)
    [box] = dialogs()
    assert box.windowTitle() == "Unexpected error"
    assert "ZeroDivisionError: a bug in a job" in box.text() and str(log_path()) in box.text()
    box.close()
    logged = log_path().read_text()
    assert "Traceback" in logged and "in broken" in logged

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook()
    try:
        raise KeyError("escaped from a slot")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    [box] = dialogs()
    assert "KeyError: 'escaped from a slot'" in box.text()
    box.close()
    assert "escaped from a slot" in log_path().read_text()

    window.show_page("run")  # still usable: screens switch, work runs
    wait_idle(qtbot, window)
    assert window.isVisible() and window.current_page() == "run"
    assert window.worker.submit("fine", lambda task: 42) is not None
    wait_idle(qtbot, window)


def test_first_launch_loads_the_demo_and_runs_the_default_pipeline(qtbot, tmp_path):
    from engine.models.fusion import DEFAULT_COMPONENTS

    window = make_window(qtbot, tmp_path)
    assert window.data_page.stack.currentWidget() is window.data_page.welcome
    welcome = " ".join(label.text() for label in window.data_page.welcome.findChildren(
        type(window.loading)))
    assert "the default pipeline runs on it" in welcome and "about a minute" in welcome
    assert "in seconds" not in welcome and "quick" not in welcome
    window.data_page.demo_button.click()
    qtbot.waitUntil(lambda: bool(list_runs(window.project.db))
                    and list_runs(window.project.db)[0].status != "running", timeout=300_000)
    wait_idle(qtbot, window)
    [run] = list_runs(window.project.db)
    assert run.status == "finished" and run.model == "fusion"
    assert tuple(run.components[:len(DEFAULT_COMPONENTS)]) == DEFAULT_COMPONENTS
    assert run.config["params"]["fusion"]["components"] == list(DEFAULT_COMPONENTS)


@pytest.mark.qt_no_exception_capture  # the application's own hook handles it, as in use
def test_a_bug_in_a_real_slot_is_shown_logged_and_the_window_stays_usable(
        qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook()

    def broken_about(parent):
        raise RuntimeError("the About box is broken")

    monkeypatch.setattr(ui.window, "show_about", broken_about)
    window.about_action.trigger()  # Help > About: QAction.triggered -> MainWindow.about
    [box] = dialogs()  # opened without a nested event loop: the test goes on
    assert box.windowTitle() == "Unexpected error" and box.isVisible()
    assert "RuntimeError: the About box is broken" in box.text()
    assert str(log_path()) in box.text()
    logged = log_path().read_text()
    assert "Traceback" in logged and "in broken_about" in logged and "in about" in logged
    box.close()

    assert window.isVisible()  # still usable: screens switch, work runs, About works
    window.page_actions[2].trigger()
    assert window.current_page() == "users"
    job = window.worker.submit("after the bug", lambda task: 6 * 7)
    results = []
    job.succeeded.connect(results.append)
    wait_idle(qtbot, window)
    assert results == [42]
    monkeypatch.undo()
    window.about_action.trigger()
    [about] = dialogs("aboutDialog")
    about.close()


def test_the_environment_database_wins_over_the_recent_projects(qtbot, tmp_path,
                                                                monkeypatch):
    recent, _ = copy_demo(tmp_path)
    prefs = preferences(tmp_path)
    prefs.add_recent_project(recent)
    assert DB_ENV == URL_ENV
    chosen = tmp_path / "from-the-environment.db"
    monkeypatch.setenv(URL_ENV, str(chosen))
    setup_logging(tmp_path / "logs")
    window = MainWindow(prefs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.project.db is not None, timeout=60_000)
    wait_idle(qtbot, window)
    assert window.project.db.path == chosen and chosen.is_file()
    assert window.data_page.datasets == []  # not the recent project's demo shop
    window.close()

    monkeypatch.delenv(URL_ENV)  # unset: the most recent project again
    again = MainWindow(preferences(tmp_path))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.project.db is not None, timeout=60_000)
    wait_idle(qtbot, again)
    assert again.project.db.path == chosen  # opening it made it the most recent
    again.close()


#: ``main.py --db ...`` up to the window's event loop, which reports what it opened.
START_WITH_DB = """
import json, os, sys, time
from PySide6.QtWidgets import QApplication

def report(self):
    from ui.window import MainWindow
    window = next(w for w in self.topLevelWidgets() if isinstance(w, MainWindow))
    end = time.monotonic() + 60
    while (window.project.db is None or window.worker.busy) and time.monotonic() < end:
        self.processEvents()
        time.sleep(0.01)
    print(json.dumps({"where": window.project.db.where, "title": window.windowTitle(),
                      "datasets": [d.name for d in window.data_page.datasets]}), flush=True)
    os._exit(0)

QApplication.exec = report
import main
sys.exit(main.run(sys.argv[1:]))
"""


@pytest.mark.parametrize("form", ["path", "url"])
def test_main_opens_the_window_on_the_database_given(tmp_path, form):
    path, _ = copy_demo(tmp_path)
    target = str(path) if form == "path" else f"sqlite:///{path}"
    home = tmp_path / "home"  # the user's settings and logs stay untouched
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache")}
    env.pop(URL_ENV, None)
    out = subprocess.run([sys.executable, "-c", START_WITH_DB, "--db", target], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    opened = json.loads(out.stdout.strip().splitlines()[-1])
    assert str(path) in opened["where"] and opened["datasets"] == ["demo shop"]
    assert opened["title"] == "Interest Fusion Studio - demo.db"
    assert main.window_arguments(["--db", target]) == (True, target)
    assert main.window_arguments([f"--db={target}"]) == (True, target)
    assert main.window_arguments(["runs", "--db", target]) == (False, None)
