"""New data in the window: "Add interactions..." grows a stored dataset through the import
dialog, "Update with new data" refreshes a run's model in seconds, and a large change
offers a full retrain that runs in the background."""
from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt

from resources import demo_paths
from storage import dataset_info, list_runs, user_list
from tests.support.ui import close_dialogs, copy_demo, dialogs, make_window, settled, wait_idle


def new_rows(path, users: int, per_user: int) -> None:
    """Interactions of existing demo users and one new user, after the demo's last one."""
    demo = pd.read_csv(demo_paths()[0])
    start = int(demo["timestamp"].max()) + 60
    rows = [(f"u{u:05d}", f"i{(u * 7 + j) % 1200:05d}", 4, start + 60 * (u * per_user + j))
            for u in range(users) for j in range(per_user)]
    rows += [("newcomer", "i00010", 5, start), ("newcomer", "i00011", 4, start + 1)]
    pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"]).to_csv(
        path, index=False)


def add_rows(qtbot, window, path) -> None:
    dialog = window.add_to_dataset("demo shop", path)
    qtbot.waitUntil(lambda: dialog.interactions.preview is not None, timeout=30_000)
    settled(qtbot, dialog)
    assert dialog.name_edit.isReadOnly() and dialog.import_button.text() == "Add"
    assert not dialog.kcore.isEnabled()  # the stored dataset's options apply
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)


def test_add_interactions_then_update_the_run(qtbot, tmp_path):
    path, run_id = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    db = window.project.db
    before = dataset_info(db, "demo shop").n_interactions
    rows = tmp_path / "new.csv"
    new_rows(rows, users=20, per_user=3)
    window.show_page("data")
    window.data_page.table.selectRow(0)
    assert window.data_page.append_button.isEnabled()
    add_rows(qtbot, window, rows)
    assert dataset_info(db, "demo shop").n_interactions == before + 62

    window.show_page("run")
    page = window.run_page
    page.runs.selectRow(0)
    assert page.selected_run().id == run_id and page.update_button.isEnabled()
    qtbot.mouseClick(page.update_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    newest = list_runs(db)[0]
    assert newest.config["updated_from"] == run_id and newest.status == "finished"
    assert "model updated in" in page.log.toPlainText()
    assert page.runs.item(0, 9).text().startswith(f"run {run_id}'s model updated")
    assert user_list(db, newest.id, "newcomer")
    assert not dialogs("confirmDialog")  # 1% more data: no retrain offered


def test_a_large_change_offers_a_retrain_in_the_background(qtbot, tmp_path):
    path, run_id = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    db = window.project.db
    rows = tmp_path / "many.csv"
    new_rows(rows, users=300, per_user=6)  # 27% more interactions
    add_rows(qtbot, window, rows)
    page = window.run_page
    page.update_run(run_id)
    wait_idle(qtbot, window)
    [offer] = dialogs("confirmDialog")
    assert "more interactions" in offer.text()
    retrain = next(b for b in offer.buttons() if b.text() == "Retrain")
    qtbot.mouseClick(retrain, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.worker.busy and len(list_runs(db)) == 3,
                    timeout=300_000)
    newest = list_runs(db)[0]
    assert newest.status == "finished" and newest.metrics["test"]  # a full, evaluated run
    assert newest.config.get("updated_from") is None
    close_dialogs()
