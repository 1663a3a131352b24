"""The window as a whole: menus and shortcuts, About, what it remembers, projects (open,
new, save as), deleting a dataset, and errors that reach the user while the window
stays usable."""
from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from engine.errors import DataError
from storage import list_datasets, list_runs
from tests.ui_support import copy_demo, dialogs, make_window, preferences, wait_idle
from ui.about import about_text, version
from ui.messages import install_excepthook, log_path
from ui.run_settings import RunSettings


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
    window.data_page.demo_button.click()
    qtbot.waitUntil(lambda: bool(list_runs(window.project.db))
                    and list_runs(window.project.db)[0].status != "running", timeout=300_000)
    wait_idle(qtbot, window)
    [run] = list_runs(window.project.db)
    assert run.status == "finished" and run.model == "fusion"
    assert tuple(run.components) == DEFAULT_COMPONENTS
