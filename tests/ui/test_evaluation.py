"""The Evaluation screen: every run's metrics in one table, the three charts of the
selected runs (drawn on the render thread, only when shown, sharp on HiDPI screens),
and a chart saved as PNG, by the button or its shortcut."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from engine.core.progress import Task
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run
from storage import list_runs, load_dataset, open_database, save_run
from storage.browse import gate_values
from tests.support import ROOT
from tests.support.ui import copy_demo, make_window, wait_idle
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
    with warnings.catch_warnings(record=True) as caught:  # the render thread's too
        warnings.simplefilter("always")
        check_metrics_table_and_charts(qtbot, tmp_path)
    layout = [str(w.message) for w in caught if "collapsed" in str(w.message)
              or "layout" in str(w.message).lower()]
    assert layout == []  # no chart is laid out while hidden or without a size


def check_metrics_table_and_charts(qtbot, tmp_path):
    path, fused = copy_demo(tmp_path)
    recorded = add_runs(path)
    labels = [label for label, _ in history_buckets(recorded)]
    window = make_window(qtbot, tmp_path, path)
    page = window.evaluation_page
    assert page.comparison.figure is None  # hidden: nothing drawn yet
    window.show_page("evaluation")
    wait_idle(qtbot, window)  # drawn on the render thread once shown
    page.show_components.setChecked(False)  # runs only (components: the test below)
    wait_idle(qtbot, window)
    runs = list_runs(window.project.db)
    assert page.table.rowCount() == 3 == len(page.selected_runs())
    header = [page.table.horizontalHeaderItem(j).text() for j in range(page.table.columnCount())]
    for row, run in enumerate(runs):
        assert page.table.item(row, 0).text() == str(run.id)
        ndcg = page.table.item(row, header.index("NDCG@10")).text()
        assert ndcg == f"{run.metrics['test']['NDCG@10']:.4f}"
    metrics = page.table.horizontalHeader()
    seconds = header.index("Seconds")
    assert metrics.sectionSize(seconds) >= metrics.sectionSizeFromContents(seconds).width()

    comparison = page.comparison.figure.axes
    assert [ax.get_title() for ax in comparison] == ["NDCG@10", "HR@10", "Coverage@10",
                                                     "Novelty@10"]
    assert all(len(ax.patches) == 3 for ax in comparison)
    page.phase.setCurrentIndex(page.phase.findData("valid"))
    assert page.table.item(0, header.index("NDCG@10")).text() == \
        f"{runs[0].metrics['valid']['NDCG@10']:.4f}"
    wait_idle(qtbot, window)

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
    legend = ndcg_ax.get_legend().get_window_extent()
    assert legend.x0 >= ndcg_ax.get_window_extent().x1  # beside the bars, not over them
    buckets = [recorded[f"test: history {label}"] for label in labels]
    assert [p.get_height() for p in bars(ndcg_ax)] == pytest.approx([b["NDCG@10"] for b in buckets])
    assert [p.get_height() for p in users_ax.patches] == [b["users"] for b in buckets]

    target = tmp_path / "by-history.png"
    assert page.save_chart(target) == target
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000
    assert window.statusBar().currentMessage() == f"saved the chart to {target}"


def test_a_fused_runs_components_have_rows_of_their_own(qtbot, tmp_path):
    path, fused = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    page = window.evaluation_page
    window.show_page("evaluation")
    wait_idle(qtbot, window)
    run = next(r for r in list_runs(window.project.db) if r.id == fused)
    parts = [c for c in run.components if f"component {c}: test" in run.metrics]
    assert len(parts) >= 2 and page.table.rowCount() == 1 + len(parts)
    header = [page.table.horizontalHeaderItem(j).text() for j in range(page.table.columnCount())]
    shown = {page.table.item(r, header.index("Model")).text():
             page.table.item(r, header.index("NDCG@10")).text()
             for r in range(page.table.rowCount())}
    for name in parts:
        assert shown[f"{name} (in fusion)"] == \
            f"{run.metrics[f'component {name}: test']['NDCG@10']:.4f}"
    # the run is selected by default, its components when asked for; the gates: the fusion's
    assert [r.model for r in page.selected_runs()] == ["fusion"]
    page.table.selectAll()
    wait_idle(qtbot, window)
    assert len(page.selected_runs()) == 1 + len(parts)
    assert all(len(ax.patches) == 1 + len(parts) for ax in page.comparison.figure.axes)
    labels = [t.get_text() for t in page.comparison.figure.axes[0].get_xticklabels()]
    assert labels[0] == f"#{fused} fusion" and f"#{fused} {parts[0]}" in labels
    page.tabs.setCurrentWidget(page.gates)
    wait_idle(qtbot, window)
    assert len(page.gates.figure.axes[0].get_legend().get_texts()) == 1
    page.show_components.setChecked(False)
    wait_idle(qtbot, window)
    assert page.table.rowCount() == 1


def test_save_chart_shortcut(qtbot, tmp_path):
    path, _ = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("users")
    action = window.save_chart_action
    assert action.shortcut() == QKeySequence("Ctrl+Shift+P")
    assert "(Ctrl+Shift+P)" in action.toolTip() and "Ctrl+Shift+P" in \
        window.evaluation_page.save_button.toolTip()
    assert action in window.menuBar().actions()[0].menu().actions()  # File
    shortcuts = [a.shortcut() for a in window.findChildren(type(action))
                 if not a.shortcut().isEmpty()]
    assert shortcuts.count(action.shortcut()) == 1  # not Save Project As's Ctrl+Shift+S

    target = tmp_path / "chart.png"
    answered: list[str] = []

    def answer() -> None:  # the real file dialog: type the name and press Enter
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, answer)
            return
        answered.append(dialog.windowTitle())
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.setText(str(target))
        QTest.keyClick(name, Qt.Key.Key_Return)

    QTimer.singleShot(50, answer)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert answered == ["Save chart as PNG"]
    assert window.current_page() == "evaluation"
    assert window.statusBar().currentMessage() == f"saved the chart to {target}"
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


#: A chart on a screen of device pixel ratio 2 (QT_SCALE_FACTOR, before Qt starts).
HIDPI = """
import json, sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
from ui.charts import Chart, rendering
window = QMainWindow()
chart = Chart(window)
window.setCentralWidget(chart)
window.resize(400, 300)
window.show()
chart.plot(lambda figure: figure.add_subplot().plot([0, 1], [1, 0]))
end = time.monotonic() + 60
while (chart.image is None or rendering()) and time.monotonic() < end:
    app.processEvents()
    time.sleep(0.01)
print(json.dumps({"ratio": chart.devicePixelRatioF(), "widget": [chart.width(), chart.height()],
                  "image": [chart.image.width(), chart.image.height()],
                  "image_ratio": chart.image.devicePixelRatio(), "dpi": chart.figure.dpi,
                  "inches": list(chart.figure.get_size_inches())}))
"""


@pytest.mark.parametrize("scale", [1, 2])
def test_charts_are_drawn_at_the_screens_pixel_ratio(scale):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": str(scale)}
    out = subprocess.run([sys.executable, "-c", HIDPI], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    drawn = json.loads(out.stdout.strip().splitlines()[-1])
    width, height = drawn["widget"]
    assert drawn["ratio"] == scale
    assert drawn["image"] == [scale * width, scale * height]  # every device pixel drawn
    assert drawn["image_ratio"] == scale and drawn["dpi"] == 100 * scale
    assert drawn["inches"] == pytest.approx([width / 100, height / 100])  # same layout



def test_history_buckets_are_ordered_by_length():
    metrics = {"test": {}, "valid": {}, "test: history 20+": {"a": 3.0},
               "test: history 5-9": {"a": 2.0}, "test: history 1-4": {"a": 1.0}}
    assert [label for label, _ in history_buckets(metrics)] == ["1-4", "5-9", "20+"]
