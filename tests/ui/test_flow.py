"""The whole flow on real widgets and a real database file: import the demo files through
the import dialog, run the default pipeline through the display of its results, select a
user, like and dislike, export the list as shown. How long the UI thread is kept busy
meanwhile depends on the machine: bench/ui_speed.py measures it (target 100 ms)."""
from __future__ import annotations

import sqlite3

import pandas as pd
from PySide6.QtCore import Qt

from engine.models.fusion import DEFAULT_COMPONENTS
from resources import demo_paths
from storage import list_feedback, list_runs, user_list
from tests.support.ui import dialogs, idle, make_window, wait_idle
from ui.run_settings import RunSettings

#: The default pipeline with the sequential transformer trained for a few epochs only:
#: every component of the default fusion, in seconds.
SHORT_DEFAULT = RunSettings(epochs=3)


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
    assert dialog.items.roles()["category"] == "category"
    dialog.name_edit.setText("shop")
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=30_000)
    assert "300 users, 1,200 items, 6,651 interactions" in dialog.status.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.data_page.datasets), timeout=30_000)
    assert [d.name for d in window.data_page.datasets] == ["shop"]
    assert window.data_page.table.item(0, 3).text() == "6,651"

    # Run the default pipeline (a short transformer training) until the results are
    # shown: the Users screen with the run's users, the first user's list and timeline.
    # Showing the Run screen loads the models' libraries on the worker first (a one-time
    # cost kept out of runs).
    window.show_page("run")
    wait_idle(qtbot, window)
    page = window.run_page
    users = window.users_page
    assert page.dataset.currentText() == "shop"
    assert page.form.settings() == RunSettings()  # the default fusion, with the transformer
    page.form.set_settings(SHORT_DEFAULT)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.running and page.cancel_button.isEnabled()
    stages: list[str] = []
    page.job.progress.connect(lambda p: stages.append(p.stage) if p.stage not in stages
                              else None)
    qtbot.waitUntil(lambda: not page.running, timeout=300_000)
    qtbot.waitUntil(lambda: window.current_page() == "users" and users.user is not None
                    and users.recommendations.rowCount() > 0
                    and users.about.timeline.renders > 0 and idle(window), timeout=60_000)
    assert not dialogs(), [d.text() for d in dialogs()]
    assert stages[:3] == ["load", "split", "fit fusion"] and "save" in stages
    [run] = list_runs(window.project.db)
    assert run.status == "finished" and run.model == "fusion"
    assert tuple(run.components[:len(DEFAULT_COMPONENTS)]) == DEFAULT_COMPONENTS
    assert run.config["params"]["sequential"]["max_epochs"] == 3
    assert "finished" in page.stages.summary.text().lower()
    assert "NDCG@10" in page.log.toPlainText()

    # The window shows the run's users; pick one.
    assert users.run_id == run.id and users.model.total == 300
    users.select_user("u00014")
    wait_idle(qtbot, window)
    assert users.about.title.text() == "User u00014"
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

    # Export this user's list as shown (after the feedback), then everyone's.
    out = tmp_path / "u00014.csv"
    users.export(everyone=False, path=out)
    wait_idle(qtbot, window)
    frame = pd.read_csv(out, dtype={"user": str, "item": str})
    assert list(frame["item"]) == shown and first not in shown and second not in shown
    assert list(frame["rank"]) == list(range(1, len(shown) + 1))
    assert {f"score_{c}" for c in DEFAULT_COMPONENTS} | {"explanation"} <= set(frame.columns)
    model_rank = {e.item: e.rank for e in entries}
    assert list(frame["model_rank"].fillna(0)) == [model_rank.get(i, 0) for i in shown]
    assert list(frame["changed_by_feedback"]) == [
        model_rank.get(i) != rank for rank, i in enumerate(shown, start=1)]
    assert frame["changed_by_feedback"].iloc[0]  # the liked and disliked top two went
    everyone = tmp_path / "all.csv"
    users.export(everyone=True, path=everyone)
    wait_idle(qtbot, window)
    every = pd.read_csv(everyone, dtype={"user": str, "item": str})
    assert every["user"].nunique() == 300
    assert list(every.loc[every["user"] == "u00014", "item"]) == shown  # as on screen
    others = every[every["user"] != "u00014"]
    assert not others["changed_by_feedback"].any()
    assert (others["model_rank"] == others["rank"]).all()
    with sqlite3.connect(tmp_path / "project.db") as conn:
        assert conn.execute("SELECT count(*) FROM feedback").fetchone()[0] == 2
