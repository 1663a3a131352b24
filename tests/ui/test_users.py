"""The Users screen: every user in a sortable, searchable table (100,000 too: the right
rows in the right order; its speed is measured by bench/ui_speed.py), and for the
selected user the timeline, interests, gate, list with contributions and explanations,
and feedback."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from bench.ui_speed import many_users  # the benchmark's 100,000 users, shared
from engine.pipeline.config import RunConfig
from engine.pipeline.result import Profiles, RunResult, UserLists
from storage import (list_feedback, open_database, run_info, save_dataset, save_run, user_list,
                     user_profile)
from storage.browse import user_history
from tests.support.ui import copy_demo, make_window, wait_idle
from ui.recommendations import horizon


def column(page, j):
    model = page.model
    return [model.data(model.index(i, j)) for i in range(model.rowCount())]


def test_users_table_sorts_searches_and_shows_a_user(qtbot, tmp_path):
    path, run_id = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("users")
    page = window.users_page
    db = window.project.db
    assert page.run_id == run_id and page.model.total == 300
    assert page.count.text() == "300 users"

    lengths = [int(v.replace(",", "")) for v in column(page, 1)]
    assert lengths == sorted(lengths, reverse=True)  # longest history first by default
    page.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    gates = [float(v) for v in column(page, 2)]
    assert gates == sorted(gates) and 0 < gates[0] < gates[-1] < 1
    page.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    last = column(page, 3)
    assert last == sorted(last, reverse=True)
    QTest.keyClicks(page.search, "u0001")
    assert page.model.rowCount() == 300  # the search waits until the typing pauses
    qtbot.waitUntil(lambda: page.count.text() == "10 of 300 users", timeout=5_000)
    assert sorted(column(page, 0)) == [f"u0001{d}" for d in range(10)]
    last = column(page, 3)
    assert last == sorted(last, reverse=True)  # still in the chosen order
    page.search.clear()
    QTest.keyClicks(page.search, "U0029")
    QTest.keyClick(page.search, Qt.Key.Key_Return)  # Enter: at once, any case
    assert sorted(column(page, 0)) == [f"u0029{d}" for d in range(10)]
    page.search.clear()
    qtbot.waitUntil(lambda: page.count.text() == "300 users", timeout=5_000)

    page.select_user("u00014")
    assert page.about.title.text() == "User u00014"  # at once; the rest is read off the UI thread
    wait_idle(qtbot, window)  # and the timeline drawn on the render thread
    history = user_history(db, "demo shop", "u00014")
    assert f"{len(history)} interactions from 2023-" in page.about.subtitle.text()
    ax = page.about.timeline.figure.axes[0]
    assert len(ax.collections[0].get_offsets()) == len(history)
    assert ax.get_legend().get_texts()[0].get_text() == "short-term window (last 5)"
    profile = user_profile(db, run_id, "u00014")
    assert all(k in page.about.keywords.text() for k in profile.keywords)
    assert page.about.gate.gate == pytest.approx(profile.gate)
    assert page.about.gate.text().startswith(f"long-term {profile.gate:.0%}")

    entries = user_list(db, run_id, "u00014")
    rows = page.recommendations.rows
    assert [r.entry for r in rows] == entries
    for row in rows:  # the fused score is exactly its two sides' sum
        assert row.long_term + row.short_term == pytest.approx(row.entry.score, abs=1e-4)
        assert row.long_term == pytest.approx(sum(  # the long-term components' share
            v for c, v in row.entry.components.items() if horizon(c) == "long"))
        assert row.entry.components["ease"] <= row.long_term + 1e-6
    model = page.recommendations
    assert model.data(model.index(0, 1)) == entries[0].title
    assert model.data(model.index(0, 5)) == entries[0].explanation
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole).startswith(
        entries[0].title)  # elided titles are whole in the tooltip
    assert page.about.gate_label.text() == "<b>Gate</b>"  # no feedback: the run's own gate

    # Sorting keeps the selected user selected.
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    [selected] = page.table.selectionModel().selectedRows()
    assert page.model.user_at(selected.row()) == "u00014" == page.user
    assert column(page, 0) == sorted(column(page, 0))


def test_ctrl_f_focuses_the_user_search(qtbot, tmp_path):
    path, _ = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("data")
    window.activateWindow()
    page = window.users_page
    assert window.find_user_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.find_user_action.shortcut().toString() == "Ctrl+F"
    assert "(Ctrl+F)" in window.find_user_action.toolTip()
    assert "Ctrl+F" in page.search.placeholderText()
    assert window.find_user_action in window.menuBar().actions()[2].menu().actions()
    page.search.setText("u0002")
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "users"
    qtbot.waitUntil(page.search.hasFocus, timeout=5_000)
    assert page.search.selectedText() == "u0002"  # typing replaces the last search


def test_feedback_re_ranks_the_list_at_once_and_reset_restores_it(qtbot, tmp_path):
    path, run_id = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("users")
    page = window.users_page
    wait_idle(qtbot, window)  # the run's model is loaded
    db = window.project.db
    page.select_user("u00021")
    wait_idle(qtbot, window)  # the details are read on the reader thread
    model_list = [r.entry.item for r in page.recommendations.rows]
    model_gate = page.about.gate.gate
    assert not page.reset_button.isEnabled()

    qtbot.mouseClick(page.feedback_widgets[model_list[0]].buttons["dislike"],
                     Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    shown = [r.entry.item for r in page.recommendations.rows]
    assert model_list[0] not in shown and shown[0] == model_list[1]  # the rest moves up
    assert page.list_note.text().strip().startswith("re-ranked after 1 feedback event")
    assert page.reset_button.isEnabled()

    page.list_view.setFocus()
    page.list_view.selectRow(2)
    refused = shown[2]
    QTest.keyClick(page.list_view, Qt.Key.Key_N)  # not interested, by key
    wait_idle(qtbot, window)
    shown = [r.entry.item for r in page.recommendations.rows]
    assert refused not in shown
    kept_out = page.list_note.toolTip().splitlines()
    assert len(kept_out) > 2  # two refusals: their neighbours go too
    assert any(line.endswith(f"similar to {refused}, which was refused") for line in kept_out)

    liked = shown[0]
    qtbot.mouseClick(page.feedback_widgets[liked].buttons["like"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert liked not in [r.entry.item for r in page.recommendations.rows]  # now recent
    assert page.about.gate.gate != pytest.approx(model_gate)  # moved toward the liked side
    assert page.about.gate.model_gate == pytest.approx(model_gate)  # marked on the bar
    assert page.about.gate_label.text() == f"<b>Gate</b> after feedback (run: {model_gate:.0%})"
    table_gate = page.model.data(page.model.index(page.model.row_of("u00021"), 2))
    assert table_gate == f"{model_gate:.2f}"  # the table keeps the run's gate
    events = [(f.item, f.kind) for f in list_feedback(db, "demo shop")]
    assert events == [(model_list[0], "dislike"), (refused, "not_interested"), (liked, "like")]

    after = [r.entry.item for r in page.recommendations.rows]
    page.select_user("u00022")  # away and back: the same list, from storage and the model
    page.select_user("u00021")
    wait_idle(qtbot, window)
    assert [r.entry.item for r in page.recommendations.rows] == after

    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert [r.entry.item for r in page.recommendations.rows] == model_list
    assert page.about.gate.gate == pytest.approx(model_gate)
    assert list_feedback(db, "demo shop") == [] and not page.reset_button.isEnabled()


def test_a_hundred_thousand_users_sort_and_search(qtbot, tmp_path):
    n = 100_000
    dataset = many_users(n)
    rng = np.random.default_rng(1)
    result = RunResult(  # a stored run with a gate per user, as a fused run leaves it
        RunConfig(model="fusion", k=1), dataset, {"test": {}}, {"total": 1.0},
        UserLists(rng.integers(0, 300, (n, 1)).astype(np.int32), np.ones((n, 1), np.float32),
                  {"ease": np.full((n, 1), 0.6, np.float32),
                   "cooc": np.full((n, 1), 0.4, np.float32)}),
        Profiles(keywords=[["books"]] * n, recent=np.full((n, 5), -1, np.int32),
                 gate=rng.random(n).astype(np.float32)))
    path = tmp_path / "big.db"
    with open_database(path) as db:
        save_dataset(db, dataset)
        run_id = save_run(db, result)
        assert run_info(db, run_id).status == "finished"
    window = make_window(qtbot, tmp_path, path)
    window.show_page("users")
    page = window.users_page
    qtbot.waitUntil(lambda: page.model.total == n, timeout=60_000)
    wait_idle(qtbot, window)
    users = [f"user{u:06d}" for u in range(n)]
    counts = np.bincount(dataset.user, minlength=n)
    gates = result.profiles.gate.astype(np.float64)

    def shown(j, rows=range(50)):
        return [page.model.data(page.model.index(i, j)) for i in rows]

    # History, longest first; ties in import order.
    page.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    expected = sorted(range(n), key=lambda u: (-counts[u], u))
    assert shown(0) == [users[u] for u in expected[:50]]
    assert shown(0, range(n - 5, n)) == [users[u] for u in expected[-5:]]
    # Gate, highest first, to the lowest.
    page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    expected = np.argsort(-gates, kind="stable")
    assert shown(2) == [f"{g:.2f}" for g in gates[expected[:50]]]
    assert shown(0, [0, n - 1]) == [users[expected[0]], users[expected[-1]]]
    # Last activity, oldest first.
    page.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    last_time = page.model.index_data.last_time
    assert np.all(np.diff(last_time[page.model._rows]) >= 0)
    # Id, last first.
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert shown(0, range(3)) == ["user099999", "user099998", "user099997"]

    # A search keeps the order and finds exactly the matching ids.
    page.search.setText("USER0999")
    page.apply_search()
    assert page.model.rowCount() == 100 and page.count.text() == "100 of 100,000 users"
    assert shown(0, range(100)) == [f"user0999{d:02d}" for d in range(99, -1, -1)]
    page.search.setText("")
    page.apply_search()
    assert page.model.rowCount() == n

    # Selecting a user far down shows them; scrolling to the end shows the last row.
    page.select_user("user050000")
    assert page.about.title.text() == "User user050000"
    wait_idle(qtbot, window)
    assert [r.entry.item for r in page.recommendations.rows] == [
        e.item for e in user_list(window.project.db, run_id, "user050000")]
    page.table.scrollToBottom()
    assert page.model.user_at(n - 1) == "user000000"
    wait_idle(qtbot, window)
