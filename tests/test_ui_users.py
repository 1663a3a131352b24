"""The Users screen: every user in a sortable, searchable table (smooth at 100,000), and
for the selected user the timeline, interests, gate, list with contributions and
explanations, and feedback."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.dataset import Dataset
from engine.run import Profiles, RunConfig, RunResult, UserLists
from storage import (list_feedback, open_database, run_info, save_dataset, save_run, user_list,
                     user_profile)
from storage.browse import user_history
from tests.ui_support import copy_demo, make_window, wait_idle

#: A table operation (sort, search) with 100,000 users must not block the UI longer.
#: The target is 100 ms; the shared 2-core test machine gets some slack.
MAX_TABLE_MS = 150


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
    assert sorted(column(page, 0)) == [f"u0001{d}" for d in range(10)]
    assert page.count.text() == "10 of 300 users"
    page.search.clear()

    page.select_user("u00014")
    assert page.title.text() == "User u00014"
    history = user_history(db, "demo shop", "u00014")
    assert f"{len(history)} interactions from 2023-" in page.subtitle.text()
    ax = page.timeline.figure.axes[0]
    assert len(ax.collections[0].get_offsets()) == len(history)
    assert ax.get_legend().get_texts()[0].get_text() == "short-term window (last 5)"
    profile = user_profile(db, run_id, "u00014")
    assert all(k in page.keywords.text() for k in profile.keywords)
    assert page.gate.gate == pytest.approx(profile.gate)
    assert page.gate.text().startswith(f"long-term {profile.gate:.0%}")

    entries = user_list(db, run_id, "u00014")
    rows = page.recommendations.rows
    assert [r.entry for r in rows] == entries
    for row in rows:  # the fused score is exactly its two sides' sum
        assert row.long_term + row.short_term == pytest.approx(row.entry.score, abs=1e-4)
        assert row.long_term == pytest.approx(row.entry.components["ease"])
    model = page.recommendations
    assert model.data(model.index(0, 1)) == entries[0].title
    assert model.data(model.index(0, 5)) == entries[0].explanation
    assert page.detail_seconds < 0.5


def test_feedback_re_ranks_the_list_at_once_and_reset_restores_it(qtbot, tmp_path):
    path, run_id = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("users")
    page = window.users_page
    wait_idle(qtbot, window)  # the run's model is loaded
    db = window.project.db
    page.select_user("u00021")
    model_list = [r.entry.item for r in page.recommendations.rows]
    model_gate = page.gate.gate
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
    assert page.gate.gate != pytest.approx(model_gate)  # moved toward the liked side
    events = [(f.item, f.kind) for f in list_feedback(db, "demo shop")]
    assert events == [(model_list[0], "dislike"), (refused, "not_interested"), (liked, "like")]

    after = [r.entry.item for r in page.recommendations.rows]
    page.select_user("u00022")  # away and back: the same list, from storage and the model
    page.select_user("u00021")
    assert [r.entry.item for r in page.recommendations.rows] == after

    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert [r.entry.item for r in page.recommendations.rows] == model_list
    assert page.gate.gate == pytest.approx(model_gate)
    assert list_feedback(db, "demo shop") == [] and not page.reset_button.isEnabled()


def many_users(n_users: int) -> Dataset:
    """``n_users`` users with 1-4 timed interactions each over 300 items."""
    rng = np.random.default_rng(0)
    counts = rng.integers(1, 5, n_users)
    user = np.repeat(np.arange(n_users, dtype=np.int32), counts)
    n = len(user)
    return Dataset(
        user_ids=np.array([f"user{u:06d}" for u in range(n_users)], dtype=object),
        item_ids=np.array([f"item{i}" for i in range(300)], dtype=object),
        user=user, item=rng.integers(0, 300, n).astype(np.int32),
        weight=np.ones(n, np.float32),
        timestamp=np.sort(rng.integers(1_600_000_000, 1_700_000_000, n)).astype(np.int64),
        titles=np.array([f"Item {i}" for i in range(300)], dtype=object),
        texts=np.array([""] * 300, dtype=object), genres=[("Books",)] * 300,
        name="big")


def test_a_hundred_thousand_users_stay_smooth(qtbot, tmp_path):
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
    timings = {}
    for name, act in (
            ("sort by history", lambda: page.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)),
            ("sort by gate", lambda: page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)),
            ("sort by last activity",
             lambda: page.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)),
            ("sort by id", lambda: page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)),
            ("search", lambda: page.search.setText("user0999")),
            ("clear search", lambda: page.search.clear()),
            ("scroll to the end", lambda: page.table.scrollToBottom())):
        started = time.perf_counter()
        act()
        qtbot.wait(1)  # let the view repaint what it shows
        timings[name] = (time.perf_counter() - started) * 1000
    print("\n" + ", ".join(f"{k} {v:.0f} ms" for k, v in timings.items()))
    assert max(timings.values()) < MAX_TABLE_MS
    assert page.model.rowCount() == n
    gates = [float(page.model.data(page.model.index(i, 2))) for i in range(50)]
    assert page.model.data(page.model.index(0, 0)) == "user099999"  # sorted by id, last first
    page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    gates = [float(page.model.data(page.model.index(i, 2))) for i in range(50)]
    assert gates == sorted(gates, reverse=True) and gates[0] > 0.99
