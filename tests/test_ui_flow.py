"""The whole flow on real widgets and a real database file: import the demo files through
the import dialog, run the default pipeline while the UI thread keeps ticking, select a
user, like and dislike, export."""
from __future__ import annotations

import sqlite3
import time

import pandas as pd
from PySide6.QtCore import Qt

from engine.demo import demo_paths
from storage import list_feedback, list_runs, user_list
from tests.ui_support import Heartbeat, dialogs, make_window, wait_idle
from ui.run_settings import QUICK, RunSettings

#: The issue's bound. EASE inverts its gram matrix with numpy, which releases the
#: interpreter lock (scipy's Cholesky held it and froze this thread for 65-250 ms).
MAX_GAP_MS = 100


def test_import_run_browse_feedback_export(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    assert window.data_page.stack.currentWidget() is window.data_page.welcome

    # Import: preview, detected roles, the check, then the import on the worker.
    interactions, items = demo_paths()
    dialog = window.import_data("interactions", interactions)
    qtbot.waitUntil(lambda: dialog.interactions.preview is not None, timeout=30_000)
    assert dialog.interactions.roles() == {"user_id": "user", "item_id": "item",
                                           "rating": "rating", "timestamp": "time"}
    dialog.items.set_file(items)
    qtbot.waitUntil(lambda: dialog.items.preview is not None, timeout=30_000)
    assert dialog.items.roles()["category"] == "text"
    dialog.name_edit.setText("shop")
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=30_000)
    assert "300 users, 1,200 items, 6,651 interactions" in dialog.status.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.data_page.datasets), timeout=30_000)
    assert [d.name for d in window.data_page.datasets] == ["shop"]
    assert window.data_page.table.item(0, 3).text() == "6,651"

    # Run, with a heartbeat on the UI thread for the whole run. Showing the Run screen
    # loads torch on the worker first (a one-time cost kept out of runs).
    window.show_page("run")
    wait_idle(qtbot, window)
    page = window.run_page
    assert page.dataset.currentText() == "shop"
    assert page.form.settings() == RunSettings()  # the default fusion, with the transformer
    page.form.set_settings(QUICK)  # its two fast components: a test of seconds
    heartbeat = Heartbeat()
    heartbeat.start()
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.running and page.cancel_button.isEnabled()
    reports: list[float] = []  # when each progress report reached the UI thread
    page.job.progress.connect(lambda _: reports.append(time.perf_counter()))
    qtbot.waitUntil(lambda: not page.running, timeout=120_000)
    heartbeat.stop()
    worst = heartbeat.max_gap_ms(until=reports[-1])  # the work, not the result's display
    print(f"\nUI heartbeat while the run worked: max gap {worst:.0f} ms over "
          f"{sum(when <= reports[-1] for when, _ in heartbeat.ticks)} ticks")
    assert not dialogs(), [d.text() for d in dialogs()]
    assert worst < MAX_GAP_MS
    [run] = list_runs(window.project.db)
    assert run.status == "finished" and run.model == "fusion"
    assert run.components == ["ease", "cooc"]
    assert "finished" in page.stages.summary.text().lower()
    assert "NDCG@10" in page.log.toPlainText()

    # The window shows the run's users; pick one.
    wait_idle(qtbot, window)
    assert window.current_page() == "users"
    users = window.users_page
    assert users.run_id == run.id and users.model.total == 300
    users.select_user("u00014")
    assert users.title.text() == "User u00014"
    entries = user_list(window.project.db, run.id, "u00014")
    assert users.recommendations.rowCount() == len(entries) == 20

    # Like the first item, dislike the second, on the row's buttons.
    first, second = entries[0].item, entries[1].item
    qtbot.mouseClick(users.feedback_widgets[first].buttons["like"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(users.feedback_widgets[second].buttons["dislike"],
                     Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    stored = {(f.item, f.kind, f.run_id) for f in list_feedback(window.project.db, "shop")}
    assert stored == {(first, "like", run.id), (second, "dislike", run.id)}
    assert users.recommendations.feedback == {first: "like", second: "dislike"}
    shown = [r.entry.item for r in users.recommendations.rows]
    assert first not in shown and second not in shown  # re-ranked at once
    assert users.list_note.text().strip().startswith("re-ranked after 2 feedback events")

    # Export this user's list, then everyone's.
    out = tmp_path / "u00014.csv"
    users.export(everyone=False, path=out)
    wait_idle(qtbot, window)
    frame = pd.read_csv(out, dtype={"user": str, "item": str})
    assert list(frame["item"]) == [e.item for e in entries]
    assert {"score_ease", "score_cooc", "explanation"} <= set(frame.columns)
    everyone = tmp_path / "all.csv"
    users.export(everyone=True, path=everyone)
    wait_idle(qtbot, window)
    assert pd.read_csv(everyone)["user"].nunique() == 300
    with sqlite3.connect(tmp_path / "project.db") as conn:
        assert conn.execute("SELECT count(*) FROM feedback").fetchone()[0] == 2
