"""The Evaluation screen: the metrics of every run in one table, and charts of the
selected runs: model comparison, the distribution of gate values, and accuracy by
history length; any chart can be saved as PNG.

Accuracy by history length reads the metric phases named ``test: history 1-4``,
``test: history 50+`` ... that a run records besides ``test`` and ``valid``.

The charts are drawn by plain functions of a matplotlib figure and the data they need
(``draw_*`` below), on the render thread (:mod:`ui.charts`), and only the chart of the
tab shown, when the screen is shown: runs finishing while another screen is open cost
the UI thread nothing here.

The screen's fixed texts are set in :meth:`EvaluationPage.retranslate`, again when the
language changes; the charts translate theirs as they are drawn (thread-safe). Metric
names (NDCG@10 ...) and model names are shown as they are.
"""
from __future__ import annotations

import dataclasses
import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from storage import RunInfo, list_datasets, list_runs
from storage.browse import gate_values
from ui.charts import LONG_COLOUR, Chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from ui.icons import icon
from ui.messages import report, show_error
from ui.preferences import Preferences
from ui.project import Project
from ui.stage_progress import seconds_text
from ui.window_actions import SAVE_CHART_SHORTCUT
from ui.worker import Worker

METRICS = ("HR@10", "NDCG@10", "Recall@20", "MRR@10", "Coverage@10", "Novelty@10",
           "ILD@10", "Gini@10")
COMPARED = ("NDCG@10", "HR@10", "Coverage@10", "Novelty@10")
FIXED = (QT_TRANSLATE_NOOP("EvaluationPage", "Run"),
         QT_TRANSLATE_NOOP("EvaluationPage", "Dataset"),
         QT_TRANSLATE_NOOP("EvaluationPage", "Model"),
         QT_TRANSLATE_NOOP("EvaluationPage", "Components"), "K")
HISTORY_PHASE = re.compile(r"^test: history (\d+)(?:-(\d+)|\+)$")
MAX_DEFAULT_SELECTION = 6
ROW_INDEX = Qt.ItemDataRole.UserRole + 1  # on a row's first cell: its index in ``rows``
translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls
PHASES = {"test": QT_TRANSLATE_NOOP("EvaluationPage", "Test"),
          "valid": QT_TRANSLATE_NOOP("EvaluationPage", "Validation")}
#: The chart tabs' titles, in the order of the tabs.
TABS = (QT_TRANSLATE_NOOP("EvaluationPage", "Model comparison"),
        QT_TRANSLATE_NOOP("EvaluationPage", "Gate distribution"),
        QT_TRANSLATE_NOOP("EvaluationPage", "Accuracy by history length"))


def history_buckets(metrics: dict[str, dict[str, float]]) -> list[tuple[str, dict[str, float]]]:
    """The run's ``test: history ...`` phases in order of history length."""
    found = []
    for phase, values in metrics.items():
        match = HISTORY_PHASE.match(phase)
        if match:
            found.append((int(match.group(1)), phase.removeprefix("test: history "), values))
    return [(label, values) for _, label, values in sorted(found)]


def with_components(runs: list[RunInfo]) -> list[RunInfo]:
    """Each run, followed by its fusion's components measured on their own (a fused run
    records them as phases ``component <name>: test`` / ``: valid``) as runs of their
    own model, so that the table and the comparison show what fusing gained."""
    out = []
    for run in runs:
        out.append(run)
        for name in run.components:
            phases = {p: run.metrics[f"component {name}: {p}"] for p in PHASES
                      if f"component {name}: {p}" in run.metrics}
            if phases:
                out.append(dataclasses.replace(run, model=name, components=[name],
                                               metrics=phases, stage_seconds={},
                                               config={**run.config, "component_of": run.model}))
    return out


def row_key(run: RunInfo) -> tuple[int, str]:
    """A table row's identity: a component row shares its fused run's id."""
    return run.id, run.model


def run_label(run: RunInfo) -> str:
    return f"#{run.id} {run.model}"


def draw_comparison(figure: "Figure", runs: list[RunInfo], phase: str) -> None:
    """Bars of the compared metrics, one panel per metric, one bar per run."""
    from matplotlib import colormaps

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
    figure.suptitle(translate("EvaluationPage", "Test metrics of the selected runs")
                    if phase == "test"
                    else translate("EvaluationPage", "Validation metrics of the selected runs"))


def draw_gates(figure: "Figure", fused: list[RunInfo], gates: dict[int, np.ndarray]) -> None:
    """The distribution of the gate values of each fused run."""
    from matplotlib import colormaps

    ax = figure.add_subplot()
    bins = np.linspace(0.0, 1.0, 26)
    for i, run in enumerate(fused):
        values = gates[run.id]
        if not len(values):
            continue
        colour = LONG_COLOUR if len(fused) == 1 else colormaps["tab10"](i % 10)
        ax.hist(values, bins=bins, histtype="bar" if len(fused) == 1 else "step",
                color=colour, alpha=0.75 if len(fused) == 1 else 1.0, linewidth=1.6,
                label=translate("EvaluationPage", "{run} ({components}): median {median:.2f}, "
                                "{users:,} users").format(
                    run=run_label(run), components=" + ".join(run.components),
                    median=np.median(values), users=len(values)))
    ax.set_xlim(0, 1)
    ax.set_xlabel(translate("EvaluationPage", "gate: share of the long-term side in a user's "
                            "scores (0 = all short-term, 1 = all long-term)"))
    ax.set_ylabel(translate("EvaluationPage", "users"))
    ax.set_title(translate("EvaluationPage", "How much long- versus short-term interests drive "
                           "each user"))
    ax.legend(loc="upper left", fontsize=8)


def draw_by_history(figure: "Figure", bucketed: list[tuple[RunInfo, list]]) -> None:
    """NDCG@10 per bucket of history length, one bar per run; the users per bucket."""
    from matplotlib import colormaps

    ax_ndcg, ax_users = figure.subplots(1, 2, width_ratios=[3, 1])
    labels = list(dict.fromkeys(label for _, b in bucketed for label, _ in b))
    width = 0.8 / len(bucketed)
    for i, (run, buckets) in enumerate(bucketed):
        values = dict(buckets)
        x = np.arange(len(labels)) + (i - (len(bucketed) - 1) / 2) * width
        ax_ndcg.bar(x, [values.get(lab, {}).get("NDCG@10", np.nan) for lab in labels],
                    width, color=colormaps["tab10"](i % 10), label=run_label(run))
    ax_ndcg.set_xticks(range(len(labels)), labels)
    ax_ndcg.set_xlabel(translate("EvaluationPage", "interactions in the training history"))
    ax_ndcg.set_ylabel(translate("EvaluationPage", "NDCG@10 (test)"))
    ax_ndcg.set_title(translate("EvaluationPage", "Accuracy by history length"))
    ax_ndcg.grid(axis="x", visible=False)
    # Beside the bars, never over them: a legend inside covered the shortest group.
    ax_ndcg.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                   fontsize=8)
    first = dict(bucketed[0][1])
    ax_users.bar(range(len(labels)), [first.get(lab, {}).get("users", 0) for lab in labels],
                 color="#9e9e9e")
    ax_users.set_xticks(range(len(labels)), labels, fontsize=7)
    ax_users.set_title(translate("EvaluationPage", "test users"))
    ax_users.grid(axis="x", visible=False)


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
        self.rows: list[RunInfo] = []  # the table's: runs, and fused runs' components
        self._gates: dict[int, np.ndarray] = {}  # finished runs never change: cached
        self._loading: set[int] = set()
        self._stale = True  # the chart needs drawing when the screen is next shown

        self.dataset = QComboBox(self)
        self.dataset.setObjectName("evaluationDataset")
        self.dataset.setMinimumWidth(160)
        self.phase = QComboBox(self)
        for key, label in PHASES.items():
            self.phase.addItem(label, key)
        save = QPushButton(icon("save-chart"), "", self)
        save.setObjectName("saveChart")
        save.clicked.connect(lambda: self.save_chart())
        self.save_button = save
        top = QHBoxLayout()
        self.dataset_label = QLabel(self)
        top.addWidget(self.dataset_label)
        top.addWidget(self.dataset)
        top.addSpacing(8)
        self.phase_label = QLabel(self)
        top.addWidget(self.phase_label)
        top.addWidget(self.phase)
        top.addSpacing(8)
        self.show_components = QCheckBox(self)
        self.show_components.setObjectName("showComponents")
        self.show_components.setChecked(True)
        self.show_components.toggled.connect(self.refresh_runs)
        top.addWidget(self.show_components)
        top.addStretch(1)
        self.hint = QLabel(self)
        top.addWidget(self.hint)
        top.addSpacing(8)
        top.addWidget(save)

        self.table = QTableWidget(0, len(FIXED) + len(METRICS) + 1, self)
        self.table.setObjectName("metrics")
        self.table.horizontalHeader().setMinimumSectionSize(40)
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
        for chart in (self.comparison, self.gates, self.by_history):
            self.tabs.addTab(chart, "")  # the titles: retranslate
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
        self.retranslate()

    def retranslate(self) -> None:
        """The screen's fixed texts in the current language; with a project open, the
        table and the chart again."""
        for i in range(self.phase.count()):
            self.phase.setItemText(i, self.tr(PHASES[self.phase.itemData(i)]))
        self.save_button.setText(self.tr("Save chart as PNG..."))
        keys = QKeySequence(SAVE_CHART_SHORTCUT).toString(
            QKeySequence.SequenceFormat.NativeText)
        self.save_button.setToolTip(self.tr("Save the chart shown below as a PNG image "
                                            "({keys})").format(keys=keys))
        self.dataset_label.setText(self.tr("Dataset:"))
        self.phase_label.setText(self.tr("Metrics of:"))
        self.show_components.setText(self.tr("Components of fused runs"))
        self.show_components.setToolTip(self.tr("Rows for each component of a fused run, "
                                                "measured on its own as fitted inside the "
                                                "fusion"))
        self.hint.setText(self.tr("Select runs in the table to chart them."))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in FIXED] + list(METRICS)
                                             + [self.tr("Seconds")])
        for i, title in enumerate(TABS):
            self.tabs.setTabText(i, self.tr(title))
        if self._project.db is not None:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refresh(self) -> None:
        db = self._project.db
        current = self.dataset.currentData()
        names = [d.name for d in list_datasets(db)] if db is not None else []
        self.dataset.blockSignals(True)
        self.dataset.clear()
        self.dataset.addItem(self.tr("All datasets"), None)
        for name in names:
            self.dataset.addItem(name, name)
        self.dataset.setCurrentIndex(max(self.dataset.findData(current), 0))
        self.dataset.blockSignals(False)
        self.refresh_runs()

    def refresh_runs(self) -> None:
        """Every finished run (of the chosen dataset), newest first, each fused one
        followed by its components when they are shown."""
        db = self._project.db
        known = {row_key(run) for run in self.rows}
        selected = {row_key(run) for run in self.selected_runs()}
        self.runs = ([r for r in list_runs(db, self.dataset.currentData())
                      if r.status == "finished"] if db is not None else [])
        self.rows = with_components(self.runs) if self.show_components.isChecked() \
            else list(self.runs)
        phase = self.phase.currentData()
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(self.rows))
        for row, run in enumerate(self.rows):
            metrics = run.metrics.get(phase, {})
            part_of = run.config.get("component_of")
            cells = [_cell(str(run.id), run.id), _cell(run.dataset),
                     _cell(self.tr("{model} (in {fused})").format(model=run.model, fused=part_of)
                           if part_of else run.model),
                     _cell(", ".join(run.components)), _cell(str(run.config.get("k", "")),
                                                             run.config.get("k"))]
            cells += [_cell(f"{metrics[m]:.4f}" if m in metrics else "", metrics.get(m))
                      for m in METRICS]
            cells.append(_cell(seconds_text(run.seconds) if run.seconds else "", run.seconds))
            cells[0].setData(ROW_INDEX, row)
            for column, cell in enumerate(cells):
                if part_of:
                    cell.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, cell)
        self.table.setSortingEnabled(True)
        # Cells and header labels with the sort arrow's room (sorting is on by now), and a
        # little air: no header is cut ("Seconds" was).
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(self.table.columnCount()):
            self.table.setColumnWidth(column, max(self.table.columnWidth(column),
                                                  header.sectionSizeFromContents(column)
                                                  .width()) + 8)
        # the selection stays; runs new here join it (their components only when asked
        # for: a chart of every part of every run would be unreadable)
        whole = [i for i, run in enumerate(self.rows) if "component_of" not in run.config]
        keep = [i for i, run in enumerate(self.rows) if row_key(run) in selected] + [
            i for i in whole if known and row_key(self.rows[i]) not in known]
        for i in keep or whole[:MAX_DEFAULT_SELECTION]:
            self.table.selectionModel().select(
                self.table.indexFromItem(self._row_item(i)),
                self.table.selectionModel().SelectionFlag.Select
                | self.table.selectionModel().SelectionFlag.Rows)
        self.table.blockSignals(False)
        self.draw()

    def _row_item(self, index: int) -> QTableWidgetItem:
        """The first cell of ``self.rows[index]``'s table row, wherever sorting put it."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(ROW_INDEX) == index:
                return item
        raise LookupError(index)

    def selected_runs(self) -> list[RunInfo]:
        """The selected rows' runs, oldest first, each run before its components (so
        colours stay put as runs are added)."""
        picked = set()
        for index in self.table.selectionModel().selectedRows():
            item = self.table.item(index.row(), 0)
            if item is not None and item.data(ROW_INDEX) is not None:
                picked.add(int(item.data(ROW_INDEX)))
        return [self.rows[i] for i in sorted(picked, key=lambda i: (self.rows[i].id, i))]

    # -- charts ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.draw()

    def draw(self) -> None:
        """Draw the chart of the current tab (the others when they are shown); while the
        screen is hidden, only remember to."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
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
            self.comparison.message(self.tr("Select one or more finished runs in the table."))
            return
        self.comparison.plot(partial(draw_comparison, runs=runs,
                                     phase=self.phase.currentData()))

    def _draw_gates(self, runs: list[RunInfo]) -> None:
        fused = [r for r in runs if len(r.components) > 1]
        if not fused:
            self.gates.message(self.tr("Gate values exist for fused runs: select a run that "
                                       "fuses several components."))
            return
        missing = [r.id for r in fused if r.id not in self._gates]
        if missing:
            self._load_gates(missing)
            self.gates.message(self.tr("Reading the gate values..."))
            return
        self.gates.plot(partial(draw_gates, fused=fused,
                                gates={r.id: self._gates[r.id] for r in fused}))

    def _load_gates(self, run_ids: list[int]) -> None:
        wanted = [r for r in run_ids if r not in self._loading]
        if not wanted:
            return
        db = self._project.db
        self._loading.update(wanted)
        job = self._worker.submit(self.tr("gate values"),
                                  lambda task: {r: gate_values(db, r) for r in wanted})

        def loaded(values: dict[int, np.ndarray]) -> None:
            self._gates.update(values)
            if self.tabs.currentWidget() is self.gates:
                self.draw()

        job.succeeded.connect(loaded)
        job.failed.connect(lambda exc: report(self, exc, self.tr("Gate values")))
        job.finished.connect(lambda: self._loading.difference_update(wanted))

    def _draw_by_history(self, runs: list[RunInfo]) -> None:
        bucketed = [(r, history_buckets(r.metrics)) for r in runs]
        bucketed = [(r, b) for r, b in bucketed if b]
        if not bucketed:
            self.by_history.message(self.tr("The selected runs recorded no test metrics by "
                                            "history length."))
            return
        self.by_history.plot(partial(draw_by_history, bucketed=bucketed))

    def save_chart(self, path: Path | None = None) -> Path | None:
        """Save the chart of the current tab as PNG (asks where when ``path`` is None)."""
        chart: Chart = self.tabs.currentWidget()
        if path is None:
            name = self.tabs.tabText(self.tabs.currentIndex()).lower().replace(" ", "-")
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save chart as PNG"),
                str(Path(self._prefs.last_folder) / f"{name}.png"), self.tr("PNG images (*.png)"))
            if not chosen:
                return None
            path = Path(chosen)
        try:
            chart.save_png(path)
        except OSError as exc:
            show_error(self, self.tr("Save chart"), self.tr("Cannot write {path}: {error}").format(
                path=path, error=exc.strerror or exc))
            return None
        self._prefs.remember_file(path)
        self.message.emit(self.tr("saved the chart to {path}").format(path=path))
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
