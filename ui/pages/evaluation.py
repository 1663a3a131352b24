"""The Evaluation screen: the metrics of every run in one table, and charts of the
selected runs: model comparison, the distribution of gate values, and accuracy by
history length; any chart can be saved as PNG.

Accuracy by history length reads the metric phases named ``test: history 1-4``,
``test: history 50+`` ... that a run records besides ``test`` and ``valid``.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from storage import RunInfo, list_datasets, list_runs
from storage.browse import gate_values
from ui.charts import LONG_COLOUR, Chart
from ui.icons import icon
from ui.messages import report, show_error
from ui.preferences import Preferences
from ui.project import Project
from ui.stage_progress import seconds_text
from ui.worker import Worker

METRICS = ("HR@10", "NDCG@10", "Recall@20", "MRR@10", "Coverage@10", "Novelty@10",
           "ILD@10", "Gini@10")
COMPARED = ("NDCG@10", "HR@10", "Coverage@10", "Novelty@10")
FIXED = ("Run", "Dataset", "Model", "Components", "K")
HISTORY_PHASE = re.compile(r"^test: history (\d+)(?:-(\d+)|\+)$")
MAX_DEFAULT_SELECTION = 6
PHASES = {"test": "Test", "valid": "Validation"}


def history_buckets(metrics: dict[str, dict[str, float]]) -> list[tuple[str, dict[str, float]]]:
    """The run's ``test: history ...`` phases in order of history length."""
    found = []
    for phase, values in metrics.items():
        match = HISTORY_PHASE.match(phase)
        if match:
            found.append((int(match.group(1)), phase.removeprefix("test: history "), values))
    return [(label, values) for _, label, values in sorted(found)]


def run_label(run: RunInfo) -> str:
    return f"#{run.id} {run.model}"


class EvaluationPage(QWidget):
    """Compare runs: a metrics table and three charts of the selected runs."""

    message = Signal(str)

    def __init__(self, project: Project, worker: Worker, prefs: Preferences,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._worker = worker
        self._prefs = prefs
        self.runs: list[RunInfo] = []
        self._gates: dict[int, np.ndarray] = {}  # finished runs never change: cached
        self._loading: set[int] = set()

        self.dataset = QComboBox(self)
        self.dataset.setObjectName("evaluationDataset")
        self.dataset.setMinimumWidth(160)
        self.phase = QComboBox(self)
        for key, label in PHASES.items():
            self.phase.addItem(label, key)
        save = QPushButton(icon("save-chart"), "Save chart as PNG...", self)
        save.setObjectName("saveChart")
        save.clicked.connect(lambda: self.save_chart())
        top = QHBoxLayout()
        top.addWidget(QLabel("Dataset:", self))
        top.addWidget(self.dataset)
        top.addSpacing(8)
        top.addWidget(QLabel("Metrics of:", self))
        top.addWidget(self.phase)
        top.addStretch(1)
        top.addWidget(QLabel("Select runs in the table to chart them.", self))
        top.addSpacing(8)
        top.addWidget(save)

        columns = (*FIXED, *METRICS, "Seconds")
        self.table = QTableWidget(0, len(columns), self)
        self.table.setObjectName("metrics")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.itemSelectionChanged.connect(self.draw)

        self.comparison = Chart(self)
        self.gates = Chart(self)
        self.by_history = Chart(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("charts")
        self.tabs.addTab(self.comparison, "Model comparison")
        self.tabs.addTab(self.gates, "Gate distribution")
        self.tabs.addTab(self.by_history, "Accuracy by history length")
        self.tabs.currentChanged.connect(self.draw)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.tabs)
        splitter.setSizes([230, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.dataset.currentIndexChanged.connect(self.refresh_runs)
        self.phase.currentIndexChanged.connect(self.refresh_runs)
        project.opened.connect(self.refresh)
        project.datasets_changed.connect(self.refresh)
        project.runs_changed.connect(self.refresh_runs)

    def refresh(self) -> None:
        db = self._project.db
        current = self.dataset.currentData()
        names = [d.name for d in list_datasets(db)] if db is not None else []
        self.dataset.blockSignals(True)
        self.dataset.clear()
        self.dataset.addItem("All datasets", None)
        for name in names:
            self.dataset.addItem(name, name)
        self.dataset.setCurrentIndex(max(self.dataset.findData(current), 0))
        self.dataset.blockSignals(False)
        self.refresh_runs()

    def refresh_runs(self) -> None:
        """Every finished run (of the chosen dataset), newest first."""
        db = self._project.db
        known = {run.id for run in self.runs}
        selected = {run.id for run in self.selected_runs()}
        self.runs = ([r for r in list_runs(db, self.dataset.currentData())
                      if r.status == "finished"] if db is not None else [])
        phase = self.phase.currentData()
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(self.runs))
        for row, run in enumerate(self.runs):
            metrics = run.metrics.get(phase, {})
            cells = [_cell(str(run.id), run.id), _cell(run.dataset), _cell(run.model),
                     _cell(", ".join(run.components)), _cell(str(run.config.get("k", "")),
                                                             run.config.get("k"))]
            cells += [_cell(f"{metrics[m]:.4f}" if m in metrics else "", metrics.get(m))
                      for m in METRICS]
            cells.append(_cell(seconds_text(run.seconds) if run.seconds else "", run.seconds))
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        for column in range(self.table.columnCount()):  # room for the sort arrow
            self.table.setColumnWidth(column, self.table.columnWidth(column) + 14)
        self.table.setSortingEnabled(True)
        keep = [row for row, run in enumerate(self.runs)  # and runs that are new here
                if run.id in selected or (known and run.id not in known)]
        for row in keep or range(min(MAX_DEFAULT_SELECTION, len(self.runs))):
            self.table.selectionModel().select(
                self.table.model().index(row, 0),
                self.table.selectionModel().SelectionFlag.Select
                | self.table.selectionModel().SelectionFlag.Rows)
        self.table.blockSignals(False)
        self.draw()

    def selected_runs(self) -> list[RunInfo]:
        """The selected runs, oldest first (so colours stay put as runs are added)."""
        ids = set()
        for index in self.table.selectionModel().selectedRows():
            item = self.table.item(index.row(), 0)
            if item is not None:
                ids.add(int(item.text()))
        return sorted((r for r in self.runs if r.id in ids), key=lambda r: r.id)

    # -- charts ---------------------------------------------------------------------------

    def draw(self) -> None:
        """Draw the chart of the current tab (the others when they are shown)."""
        runs = self.selected_runs()
        chart = self.tabs.currentWidget()
        if chart is self.comparison:
            self._draw_comparison(runs)
        elif chart is self.gates:
            self._draw_gates(runs)
        else:
            self._draw_by_history(runs)

    def _draw_comparison(self, runs: list[RunInfo]) -> None:
        if not runs:
            self.comparison.message("Select one or more finished runs in the table.")
            return
        from matplotlib import colormaps

        phase = self.phase.currentData()
        figure = self.comparison.clear()
        axes = figure.subplots(1, len(COMPARED))
        colours = [colormaps["tab10"](i % 10) for i in range(len(runs))]
        labels = [run_label(r) for r in runs]
        for ax, metric in zip(axes, COMPARED, strict=True):
            values = [r.metrics.get(phase, {}).get(metric, np.nan) for r in runs]
            bars = ax.bar(range(len(runs)), values, color=colours, width=0.7)
            ax.set_xlim(-0.75, max(len(runs), 3) - 0.25)
            ax.bar_label(bars, fmt="%.3f" if metric != "Novelty@10" else "%.2f", fontsize=7,
                         padding=2)
            ax.set_title(metric)
            ax.set_xticks(range(len(runs)), labels, rotation=30, ha="right", fontsize=8)
            ax.grid(axis="x", visible=False)
            ax.margins(y=0.15)
        figure.suptitle(f"{PHASES[phase]} metrics of the selected runs")
        self.comparison.draw()

    def _draw_gates(self, runs: list[RunInfo]) -> None:
        fused = [r for r in runs if len(r.components) > 1]
        if not fused:
            self.gates.message("Gate values exist for fused runs: select a run that fuses "
                               "several components.")
            return
        missing = [r.id for r in fused if r.id not in self._gates]
        if missing:
            self._load_gates(missing)
            self.gates.message("Reading the gate values...")
            return
        from matplotlib import colormaps

        figure = self.gates.clear()
        ax = figure.add_subplot()
        bins = np.linspace(0.0, 1.0, 26)
        for i, run in enumerate(fused):
            values = self._gates[run.id]
            if not len(values):
                continue
            colour = LONG_COLOUR if len(fused) == 1 else colormaps["tab10"](i % 10)
            ax.hist(values, bins=bins, histtype="bar" if len(fused) == 1 else "step",
                    color=colour, alpha=0.75 if len(fused) == 1 else 1.0, linewidth=1.6,
                    label=f"{run_label(run)} (median {np.median(values):.2f}, "
                          f"{len(values):,} users)")
        ax.set_xlim(0, 1)
        ax.set_xlabel("gate: share of the long-term side in a user's scores "
                      "(0 = all short-term, 1 = all long-term)")
        ax.set_ylabel("users")
        ax.set_title("How much long- versus short-term interests drive each user")
        ax.legend(loc="upper left")
        self.gates.draw()

    def _load_gates(self, run_ids: list[int]) -> None:
        wanted = [r for r in run_ids if r not in self._loading]
        if not wanted:
            return
        db = self._project.db
        self._loading.update(wanted)
        job = self._worker.submit("gate values",
                                  lambda task: {r: gate_values(db, r) for r in wanted})

        def loaded(values: dict[int, np.ndarray]) -> None:
            self._gates.update(values)
            if self.tabs.currentWidget() is self.gates:
                self.draw()

        job.succeeded.connect(loaded)
        job.failed.connect(lambda exc: report(self, exc, "Gate values"))
        job.finished.connect(lambda: self._loading.difference_update(wanted))

    def _draw_by_history(self, runs: list[RunInfo]) -> None:
        bucketed = [(r, history_buckets(r.metrics)) for r in runs]
        bucketed = [(r, b) for r, b in bucketed if b]
        if not bucketed:
            self.by_history.message("The selected runs recorded no test metrics by history "
                                    "length.")
            return
        from matplotlib import colormaps

        figure = self.by_history.clear()
        ax_ndcg, ax_users = figure.subplots(1, 2, width_ratios=[3, 1])
        labels = list(dict.fromkeys(label for _, b in bucketed for label, _ in b))
        width = 0.8 / len(bucketed)
        for i, (run, buckets) in enumerate(bucketed):
            values = dict(buckets)
            x = np.arange(len(labels)) + (i - (len(bucketed) - 1) / 2) * width
            ax_ndcg.bar(x, [values.get(lab, {}).get("NDCG@10", np.nan) for lab in labels],
                        width, color=colormaps["tab10"](i % 10), label=run_label(run))
        ax_ndcg.set_xticks(range(len(labels)), labels)
        ax_ndcg.set_xlabel("interactions in the training history")
        ax_ndcg.set_ylabel("NDCG@10 (test)")
        ax_ndcg.set_title("Accuracy by history length")
        ax_ndcg.grid(axis="x", visible=False)
        ax_ndcg.legend(loc="upper left")
        first = dict(bucketed[0][1])
        ax_users.bar(range(len(labels)), [first.get(lab, {}).get("users", 0) for lab in labels],
                     color="#9e9e9e")
        ax_users.set_xticks(range(len(labels)), labels, fontsize=7)
        ax_users.set_title("test users")
        ax_users.grid(axis="x", visible=False)
        self.by_history.draw()

    def save_chart(self, path: Path | None = None) -> Path | None:
        """Save the chart of the current tab as PNG (asks where when ``path`` is None)."""
        chart: Chart = self.tabs.currentWidget()
        if path is None:
            name = self.tabs.tabText(self.tabs.currentIndex()).lower().replace(" ", "-")
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save chart as PNG", str(Path(self._prefs.last_folder) / f"{name}.png"),
                "PNG images (*.png)")
            if not chosen:
                return None
            path = Path(chosen)
        try:
            chart.save_png(path)
        except OSError as exc:
            show_error(self, "Save chart", f"Cannot write {path}: {exc.strerror or exc}")
            return None
        self._prefs.remember_file(path)
        self.message.emit(f"saved the chart to {path}")
        return path


def _cell(text: str, sort_value: object = None) -> QTableWidgetItem:
    """A cell that sorts by ``sort_value`` (numbers as numbers) and shows ``text``."""
    item = _SortItem(text)
    item.setData(Qt.ItemDataRole.UserRole, sort_value if sort_value is not None else text)
    if isinstance(sort_value, (int, float)):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class _SortItem(QTableWidgetItem):
    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = (self.data(Qt.ItemDataRole.UserRole),
                        other.data(Qt.ItemDataRole.UserRole))
        try:
            return mine < theirs
        except TypeError:
            return str(mine) < str(theirs)
