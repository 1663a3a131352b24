"""The import dialog: preview and detected roles, roles changed by the user, problems
listed with file, row and column before anything is written, name clashes, and Cancel."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from resources import demo_paths
from storage import list_datasets, load_dataset
from tests.support.ui import make_window, settled, wait_idle

LOG = "user_id,item_id,rating,timestamp\n" + "".join(
    f"u{u},i{i},{1 + (u + i) % 5},{1_700_000_000 + 60 * (u * 10 + i)}\n"
    for u in range(12) for i in range(6))


def open_dialog(qtbot, window, path, kind="interactions"):
    dialog = window.import_data(kind, path)
    section = dialog.interactions if kind == "interactions" else dialog.items
    qtbot.waitUntil(lambda: section.preview is not None, timeout=30_000)
    return dialog


def problems(dialog):
    tree = dialog.problems
    return [tuple(tree.topLevelItem(i).text(c) for c in range(1, 5))
            for i in range(tree.topLevelItemCount())]


def test_preview_roles_and_a_column_left_out(qtbot, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    window = make_window(qtbot, tmp_path)
    dialog = open_dialog(qtbot, window, path)
    section = dialog.interactions
    assert section.preview.columns == ["user_id", "item_id", "rating", "timestamp"]
    assert section.table.rowCount() == 1 + 50  # the role row, then the first 50 lines
    assert section.table.verticalHeaderItem(1).text() == "line 2"
    assert section.table.cellWidget(0, 2).currentText() == "Rating / weight"
    assert "72 rows, 4 columns, utf-8" in section.info.text()
    assert dialog.name_edit.text() == "log"

    section.set_role("rating", "")  # the user says: no rating column
    settled(qtbot, dialog)
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.data_page.datasets), timeout=30_000)
    stored = load_dataset(window.project.db, "log")
    assert stored.n_interactions == 72 and set(stored.weight.tolist()) == {1.0}
    [info] = list_datasets(window.project.db)
    assert "rating" not in info.report["detected"]["roles"]
    assert info.options["read"]["interactions"]["columns"][2] == "unused1"


def test_problems_are_listed_with_row_and_column_before_anything_is_written(qtbot, tmp_path):
    lines = LOG.splitlines()
    lines[4] = "u0,i4,five,1700000240"  # line 5 of the file
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    window = make_window(qtbot, tmp_path)
    dialog = open_dialog(qtbot, window, path)
    settled(qtbot, dialog)
    assert problems(dialog) == [("bad.csv", "5", "rating", "rating 'five' is not a number")]
    assert not dialog.import_button.isEnabled()
    assert "1 error" in dialog.status.text()

    dialog.interactions.set_role("timestamp", "user")  # two user columns
    settled(qtbot, dialog)
    [(file, row, column, message)] = problems(dialog)
    assert "2 columns (user_id, timestamp) are marked as user" in message
    assert list_datasets(window.project.db) == []


def test_a_taken_name_needs_replace_and_items_need_interactions(qtbot, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    window = make_window(qtbot, tmp_path)
    dialog = open_dialog(qtbot, window, path)
    settled(qtbot, dialog)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.data_page.datasets), timeout=30_000)

    again = open_dialog(qtbot, window, path)
    settled(qtbot, again)
    assert not again.import_button.isEnabled()
    assert "a dataset named 'log' exists" in again.status.text()
    again.replace.setChecked(True)
    assert again.import_button.isEnabled()
    again.reject()

    items = open_dialog(qtbot, window, demo_paths()[1], kind="items")
    assert items.tabs.currentWidget() is items.items
    assert items.items.roles() == {"item_id": "item", "title": "title",
                                   "description": "text", "category": "category"}
    settled(qtbot, items)
    [(_, _, _, message)] = problems(items)
    assert message.startswith("choose the interactions file")
    assert not items.import_button.isEnabled()


def test_cancel_stops_the_import_and_writes_nothing(qtbot, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    window = make_window(qtbot, tmp_path)
    dialog = open_dialog(qtbot, window, path)
    settled(qtbot, dialog)
    gate = threading.Event()
    window.worker.submit("hold the worker", lambda task: gate.wait(30))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.progress.isVisible() and not dialog.import_button.isEnabled()
    dialog.reject()  # Escape must not hide a running import
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # cancels, stays open
    gate.set()
    wait_idle(qtbot, window)
    assert dialog.isVisible()
    assert "import cancelled; nothing was written" in dialog.status.text()
    assert list_datasets(window.project.db) == []
    assert dialog.import_button.isEnabled()  # it can be tried again


def test_a_parquet_log_is_previewed_and_imported(qtbot, tmp_path):
    import io

    import pandas as pd

    path = tmp_path / "log.parquet"
    pd.read_csv(io.StringIO(LOG)).to_parquet(path, index=False)
    window = make_window(qtbot, tmp_path)
    dialog = open_dialog(qtbot, window, path)
    section = dialog.interactions
    assert section.preview.columns == ["user_id", "item_id", "rating", "timestamp"]
    assert "72 rows, 4 columns, Parquet" in section.info.text()
    assert section.table.cellWidget(0, 2).currentText() == "Rating / weight"
    # a Parquet file has no delimiter and no header row to choose
    assert not section.sep_combo.isEnabled() and not section.header_box.isEnabled()
    settled(qtbot, dialog)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.data_page.datasets), timeout=30_000)
    assert load_dataset(window.project.db, "log").n_interactions == 72
