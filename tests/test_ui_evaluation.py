"""The Evaluation screen: every run's metrics in one table, the three charts of the
selected runs, and a chart saved as PNG."""
from __future__ import annotations


import pytest

from engine.progress import Task
from engine.run import RunConfig, execute_run
from storage import list_runs, load_dataset, open_database, save_run
from storage.browse import gate_values
from tests.ui_support import copy_demo, make_window, wait_idle
from ui.jobs import run_pipeline
from ui.pages.evaluation import history_buckets
from ui.run_settings import RunSettings



def add_runs(path):
    """A single-model run, and a cooc run saved directly; both record metrics by history
    length. Returns the history-length labels of the cooc run."""
    with open_database(path) as db:
        run_pipeline(db, "demo shop", RunSettings(components=("pop",)), Task())
        result = execute_run(load_dataset(db, "demo shop"), RunConfig(model="cooc"))
        save_run(db, result, "demo shop")
    return result.metrics


def bars(ax):
    return [p for p in ax.patches if p.get_height() == p.get_height()]  # not NaN


def test_metrics_table_and_charts(qtbot, tmp_path):
    path, fused = copy_demo(tmp_path)
    recorded = add_runs(path)
    labels = [label for label, _ in history_buckets(recorded)]
    window = make_window(qtbot, tmp_path, path)
    window.show_page("evaluation")
    page = window.evaluation_page
    runs = list_runs(window.project.db)
    assert page.table.rowCount() == 3 == len(page.selected_runs())
    header = [page.table.horizontalHeaderItem(j).text() for j in range(page.table.columnCount())]
    for row, run in enumerate(runs):
        assert page.table.item(row, 0).text() == str(run.id)
        ndcg = page.table.item(row, header.index("NDCG@10")).text()
        assert ndcg == f"{run.metrics['test']['NDCG@10']:.4f}"

    comparison = page.comparison.figure.axes
    assert [ax.get_title() for ax in comparison] == ["NDCG@10", "HR@10", "Coverage@10",
                                                     "Novelty@10"]
    assert all(len(ax.patches) == 3 for ax in comparison)
    page.phase.setCurrentIndex(page.phase.findData("valid"))
    assert page.table.item(0, header.index("NDCG@10")).text() == \
        f"{runs[0].metrics['valid']['NDCG@10']:.4f}"

    page.tabs.setCurrentWidget(page.gates)  # only the fused run has gates
    wait_idle(qtbot, window)
    [ax] = page.gates.figure.axes
    counts = sum(p.get_height() for p in ax.patches)
    assert counts == len(gate_values(window.project.db, fused)) == 300
    assert f"#{fused} fusion" in ax.get_legend().get_texts()[0].get_text()

    cooc = max(r.id for r in runs)  # saved last
    page.table.selectRow(runs.index(next(r for r in runs if r.id == cooc)))
    page.tabs.setCurrentWidget(page.by_history)
    wait_idle(qtbot, window)
    ndcg_ax, users_ax = page.by_history.figure.axes
    assert labels and [t.get_text() for t in ndcg_ax.get_xticklabels()] == labels
    buckets = [recorded[f"test: history {label}"] for label in labels]
    assert [p.get_height() for p in bars(ndcg_ax)] == pytest.approx([b["NDCG@10"] for b in buckets])
    assert [p.get_height() for p in users_ax.patches] == [b["users"] for b in buckets]

    target = tmp_path / "by-history.png"
    assert page.save_chart(target) == target
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000
    assert window.statusBar().currentMessage() == f"saved the chart to {target}"



def test_history_buckets_are_ordered_by_length():
    metrics = {"test": {}, "valid": {}, "test: history 20+": {"a": 3.0},
               "test: history 5-9": {"a": 2.0}, "test: history 1-4": {"a": 1.0}}
    assert [label for label, _ in history_buckets(metrics)] == ["1-4", "5-9", "20+"]
