"""The Run screen: the configuration form, where the run computes (this computer or a Ray
cluster, with a connection check), Run and Cancel, a progress bar per stage with elapsed
time and an estimate of the rest, a log, and every run kept in the project."""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton,
                               QScrollArea, QSizePolicy, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from engine.cluster import ClusterInfo, ComputeChoice
from engine.core.errors import DataError
from engine.core.progress import Task
from engine.core.stages import Stage, run_stages, update_stages
from engine.pipeline.drift import Drift
from storage import RunInfo, list_runs, run_info
from ui.icons import icon
from ui.jobs import check_cluster, prepare_models, retrain_run, run_pipeline, update_run
from ui.messages import confirm, report
from ui.preferences import Preferences
from ui.project import Project
from ui.run_form import RunForm
from ui.run_settings import RunSettings
from ui.stage_progress import StageProgress, seconds_text
from ui.worker import Job, Progress, Worker

RUN_COLUMNS = ("Run", "Dataset", "Model", "Components", "Status", "Started", "Seconds",
               "NDCG@10", "HR@10", "Note")
STATUS_COLOURS = {"finished": "#2e7d32", "running": "#1565c0", "cancelled": "#8d6e63",
                  "failed": "#c62828", "interrupted": "#c62828"}
LOG_INTERVAL = 1.0  # seconds between two status lines of the same stage in the log


class RunPage(QWidget):
    """Configure, start, watch and cancel runs; the list of every run."""

    run_finished = Signal(int)  # the id of a run that finished and was saved

    def __init__(self, project: Project, worker: Worker, prefs: Preferences,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._worker = worker
        self._prefs = prefs
        self.job: Job | None = None
        self._torch_prepared = False
        self._logged = ("", 0.0, "")
        self._run_rows: list[RunInfo] = []  # the runs table's rows
        self.retrain_offer: QMessageBox | None = None

        self._make_controls(prefs)
        scroll = self._form_panel()
        progress_box, log_box, runs_box = (self._progress_panel(), self._log_panel(),
                                           self._runs_panel())
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.setObjectName("runSplitter")
        right.addWidget(progress_box)
        right.addWidget(log_box)
        right.addWidget(runs_box)
        right.setStretchFactor(2, 1)
        right.setSizes([progress_box.sizeHint().height(), 150, 400])
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([390, 870])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        project.opened.connect(self.refresh)
        project.datasets_changed.connect(self._refresh_datasets)
        project.runs_changed.connect(self._refresh_runs)
        self.form.changed.connect(self._update_buttons)
        self._update_buttons()

    def _make_controls(self, prefs: Preferences) -> None:
        """The dataset choice, the configuration form, Run and Cancel."""
        self.dataset = QComboBox(self)
        self.dataset.setObjectName("runDataset")
        self.dataset.setMinimumWidth(200)
        self.form = RunForm(prefs, self)
        self.run_button = QPushButton(icon("run"), "Run", self)
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip("Run the pipeline on the dataset (F5)")
        self.run_button.clicked.connect(lambda: self.start_run())
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop at the next safe point; nothing is saved (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self._make_compute_controls(RunSettings.from_dict(prefs.run_settings))

    def _make_compute_controls(self, settings: RunSettings) -> None:
        """Compute: this computer, or the Ray cluster at an address, with a check that
        connects and shows the cluster's nodes, CPUs and GPUs."""
        self.compute = QComboBox(self)
        self.compute.setObjectName("compute")
        self.compute.addItem("this computer", "local")
        self.compute.addItem("Ray cluster at", "ray")
        self.compute.setToolTip("Where models are fitted and every user's list is scored; a "
                                "Ray cluster needs pip install 'interest-fusion-studio[ray]' "
                                "here and on its nodes (docs/scale-out.md)")
        self.ray_address = QLineEdit(self)
        self.ray_address.setObjectName("rayAddress")
        self.ray_address.setPlaceholderText("auto, or the head's host:port")
        self.check_button = QPushButton("Check", self)
        self.check_button.setObjectName("checkCluster")
        self.check_button.setToolTip("Connect to the cluster and show its nodes, CPUs and GPUs")
        self.check_button.clicked.connect(lambda: self.check_cluster())
        self.cluster_info = QLabel(self)
        self.cluster_info.setObjectName("clusterInfo")
        self.cluster_info.setWordWrap(True)
        self.compute.currentIndexChanged.connect(self._compute_changed)
        self._show_compute(settings)

    def _show_compute(self, settings: RunSettings) -> None:
        self.compute.setCurrentIndex(max(0, self.compute.findData(settings.compute)))
        self.ray_address.setText(settings.ray_address)
        self._compute_changed()

    def _compute_changed(self) -> None:
        on_ray = self.compute.currentData() == "ray"
        self.ray_address.setEnabled(on_ray)
        self.check_button.setEnabled(on_ray)
        self.cluster_info.clear()

    def compute_choice(self) -> ComputeChoice:
        """Where runs compute, as chosen (an empty address is ``auto``)."""
        return ComputeChoice(self.compute.currentData(), self.ray_address.text().strip() or "auto")

    def check_cluster(self) -> Job:
        """Connect to the chosen cluster on the worker and show what it has."""
        address = self.compute_choice().address
        self.cluster_info.setText(f"connecting to {address}...")
        job = self._worker.submit("check the Ray cluster",
                                  lambda task: check_cluster(address, task))
        job.succeeded.connect(self._cluster_checked)
        job.failed.connect(lambda exc: self.cluster_info.setText(f"cannot use it: {exc}"))
        return job

    def _cluster_checked(self, info: ClusterInfo) -> None:
        nodes = "; ".join(f"{n.host}: {n.cpus:g} CPU, {n.gpus:g} GPU" for n in info.nodes)
        self.cluster_info.setText(f"connected to {info.address}: {info.describe()} ({nodes})")

    def _form_panel(self) -> QScrollArea:
        """The left side: the controls, scrolled when the window is short."""
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        top = QHBoxLayout()
        top.addWidget(QLabel("Dataset:", left))
        top.addWidget(self.dataset, 1)
        left_layout.addLayout(top)
        left_layout.addWidget(self.form, 1)
        compute = QGroupBox("Compute", left)
        compute_layout = QVBoxLayout(compute)
        where = QHBoxLayout()
        where.addWidget(self.compute)
        where.addWidget(self.ray_address, 1)
        where.addWidget(self.check_button)
        compute_layout.addLayout(where)
        compute_layout.addWidget(self.cluster_info)
        left_layout.addWidget(compute)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.run_button)
        left_layout.addLayout(buttons)
        scroll = QScrollArea(self)
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(380)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        return scroll

    def _progress_panel(self) -> QGroupBox:
        self.stages = StageProgress(self)
        self.stages.setObjectName("stages")
        progress_box = QGroupBox("Progress", self)
        progress_layout = QVBoxLayout(progress_box)
        progress_layout.addWidget(self.stages)
        # As tall as its stages: the runs table below gets the rest of the height.
        progress_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return progress_box

    def _log_panel(self) -> QGroupBox:
        self.log = QPlainTextEdit(self)
        self.log.setObjectName("runLog")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        self.log.setPlaceholderText("What each run does appears here.")
        log_box = QGroupBox("Log", self)
        QVBoxLayout(log_box).addWidget(self.log)
        return log_box

    def _runs_panel(self) -> QGroupBox:
        """The table of the project's runs, with Update and Retrain for the selected one."""
        self.runs = QTableWidget(0, len(RUN_COLUMNS), self)
        self.runs.setObjectName("runs")
        self.runs.setHorizontalHeaderLabels(RUN_COLUMNS)
        self.runs.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs.verticalHeader().setVisible(False)
        self.runs.verticalHeader().setDefaultSectionSize(24)
        self.runs.setAlternatingRowColors(True)
        self.runs.setWordWrap(False)
        self.runs.setTextElideMode(Qt.TextElideMode.ElideRight)  # whole text: tooltips
        self.runs.horizontalHeader().setSectionResizeMode(len(RUN_COLUMNS) - 1,
                                                          QHeaderView.ResizeMode.Stretch)
        self.runs.itemSelectionChanged.connect(self._update_buttons)
        self.update_button = QPushButton(icon("run"), "Update with new data", self)
        self.update_button.setObjectName("updateRun")
        self.update_button.setToolTip("A new run from the selected run's model, updated with "
                                      "the interactions added to its dataset since (seconds, "
                                      "no full retrain)")
        self.update_button.clicked.connect(lambda: self.update_run())
        self.retrain_button = QPushButton("Retrain", self)
        self.retrain_button.setObjectName("retrainRun")
        self.retrain_button.setToolTip("The full pipeline again with the selected run's "
                                       "configuration, on the dataset as it is now")
        self.retrain_button.clicked.connect(lambda: self.retrain())
        runs_box = QGroupBox("Runs in this project (compare them under Evaluation)", self)
        runs_layout = QVBoxLayout(runs_box)
        runs_layout.addWidget(self.runs)
        run_actions = QHBoxLayout()
        run_actions.addStretch(1)
        run_actions.addWidget(self.update_button)
        run_actions.addWidget(self.retrain_button)
        runs_layout.addLayout(run_actions)
        return runs_box

    def showEvent(self, event: QShowEvent) -> None:
        """The first time the screen shows, load the models' libraries on the worker (see
        prepare_models)."""
        super().showEvent(event)
        if not self._torch_prepared:
            self._torch_prepared = True
            self._worker.submit("prepare models", prepare_models).failed.connect(
                lambda exc: report(self, exc, "Loading the models' libraries"))

    # -- listing --------------------------------------------------------------------------

    def refresh(self) -> None:
        self._refresh_datasets()
        self._refresh_runs()

    def _refresh_datasets(self) -> None:
        self._project.fill_datasets(self.dataset)
        self._update_buttons()

    def _refresh_runs(self) -> None:
        db = self._project.db
        runs = list_runs(db) if db is not None else []
        self._run_rows = runs
        self.runs.setRowCount(len(runs))
        for row, run in enumerate(runs):
            test = run.metrics.get("test", {})
            values = [f"{run.id}", run.dataset, run.model, ", ".join(run.components),
                      run.status, run.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                      seconds_text(run.seconds) if run.seconds is not None else "",
                      _metric(test.get("NDCG@10")), _metric(test.get("HR@10")),
                      run.error or _note(run)]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value if column in (3, 9) else "")
                if column in (0, 6, 7, 8):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.runs.setItem(row, column, item)
            status = self.runs.item(row, 4)
            status.setForeground(QColor(STATUS_COLOURS.get(run.status, "#000000")))
            self.runs.item(row, 9).setToolTip(run.error or _note(run))
        self.runs.resizeColumnsToContents()
        components = RUN_COLUMNS.index("Components")
        self.runs.setColumnWidth(components, min(self.runs.columnWidth(components), 170))
        self._update_buttons()

    def selected_run(self) -> RunInfo | None:
        rows = self.runs.selectionModel().selectedRows()
        runs = self._run_rows
        return runs[rows[0].row()] if rows and rows[0].row() < len(runs) else None

    # -- running --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.job is not None

    def _update_buttons(self) -> None:
        ready = self.dataset.count() > 0 and bool(self.form.checked_components())
        self.run_button.setEnabled(ready and not self.running)
        self.cancel_button.setEnabled(self.running)
        selected = self.selected_run()
        finished = selected is not None and selected.status == "finished"
        self.update_button.setEnabled(finished and not self.running)
        self.retrain_button.setEnabled(finished and not self.running)

    def start_run(self, dataset: str | None = None,
                  settings: RunSettings | None = None) -> Job | None:
        """Run on ``dataset`` (default: the chosen one) with ``settings`` (default: the
        form's, which shows the ones given); None when there is nothing to run or a run is
        going on."""
        db = self._project.db
        dataset = dataset or self.dataset.currentText()
        if db is None or not dataset or self.running:
            return None
        if settings is None:
            choice = self.compute_choice()
            settings = dataclasses.replace(self.form.settings(), compute=choice.kind,
                                           ray_address=choice.address)
        else:
            self.form.set_settings(settings)
            self._show_compute(settings)
        try:
            settings.check()
        except DataError as exc:
            report(self, exc, "Run")
            return None
        self._prefs.run_settings = settings.to_dict()
        self._start_stages(dataset, settings.model, settings.params().get(settings.model, {}))
        self._log(f"run {settings.model} on {dataset!r} "
                  f"(components {', '.join(settings.components)}, K={settings.k}, "
                  f"device {settings.device}, seed {settings.seed}, on "
                  f"{settings.compute_choice().describe()})")
        job = self._start(f"run {settings.model}",
                          lambda task: run_pipeline(db, dataset, settings, task))
        job.succeeded.connect(self._finished)
        return job

    def update_run(self, run_id: int | None = None) -> Job | None:
        """A new run from run ``run_id``'s (default: the selected run's) model updated with
        the data added since; when the dataset has grown a lot, offers a full retrain."""
        db = self._project.db
        run = run_info(db, run_id) if db is not None and run_id is not None \
            else self.selected_run()
        if db is None or run is None or self.running:
            return None
        self.stages.start(update_stages(run.model), None)
        self._log(f"update run {run.id} ({run.model} on {run.dataset!r}) with the data "
                  "added since")
        compute = self.compute_choice()
        job = self._start(f"update run {run.id}",
                          lambda task: update_run(db, run.id, task, compute))
        job.succeeded.connect(lambda result: self._updated(run, *result))
        return job

    def retrain(self, run_id: int | None = None) -> Job | None:
        """The full pipeline again with run ``run_id``'s (default: the selected) config."""
        db = self._project.db
        run = run_info(db, run_id) if db is not None and run_id is not None \
            else self.selected_run()
        if db is None or run is None or self.running:
            return None
        self._start_stages(run.dataset, run.model,
                           run.config.get("params", {}).get(run.model, {}))
        self._log(f"retrain run {run.id}'s configuration on {run.dataset!r}")
        compute = self.compute_choice()
        job = self._start(f"retrain run {run.id}",
                          lambda task: retrain_run(db, run.id, task, compute))
        job.succeeded.connect(self._finished)
        return job

    def _start(self, name: str, function: Callable[[Task], Any]) -> Job:
        job = self._worker.submit(name, function)
        self.job = job
        job.progress.connect(self._progress)
        job.cancelled.connect(lambda why: self._ended("cancelled", f"cancelled ({why}); the "
                                                      "database is as it was"))
        job.failed.connect(self._failed)
        job.finished.connect(self._project.runs_changed)
        self._update_buttons()
        return job

    def _updated(self, run: RunInfo, new_id: int, drift: Drift) -> None:
        info = run_info(self._project.db, new_id)
        seconds = info.stage_seconds.get(Stage.UPDATE.of(run.model), 0.0)
        self._ended("finished", f"run {new_id} finished: run {run.id}'s model updated in "
                                f"{seconds_text(seconds)}; the dataset has "
                                f"{drift.describe()}")
        self.run_finished.emit(new_id)
        if drift.retrain_advised:
            self.retrain_offer = confirm(
                self, "Retrain?", f"The dataset has {drift.describe()}. An updated model "
                f"drifts from a full fit as the data grows: run the full pipeline again "
                f"with run {run.id}'s configuration in the background?", "Retrain",
                lambda: self.retrain(run.id))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._log("cancel requested: stopping at the next safe point")
            self.cancel_button.setEnabled(False)

    def _start_stages(self, dataset: str, model: str, params: dict[str, Any]) -> None:
        """The progress rows of a run, with the times of an earlier run like it."""
        earlier = self.earlier_run(dataset, model, params)
        fit = Stage.FIT.of(model)
        fused = len(params.get("components", [])) > 1
        self.stages.start(run_stages(model), earlier.seconds if earlier else None,
                          dict(earlier.stage_seconds) if earlier else None,
                          uneven=(fit,) if fused else ())

    def earlier_run(self, dataset: str, model: str, params: dict[str, Any]
                    ) -> RunInfo | None:
        """The latest finished, fully trained run of ``model`` with these parameters on
        ``dataset`` (the same components, sizes and epochs), else of ``model`` with the
        same components; None when there is none."""
        db = self._project.db
        runs = [r for r in (list_runs(db) if db is not None else [])
                if r.dataset == dataset and r.model == model and r.status == "finished"
                and r.seconds
                and not r.config.get("updated_from")]
        wanted = _plain(params)
        same = [r for r in runs if _plain(r.config.get("params", {}).get(model, {})) == wanted]
        if same:
            return same[0]
        components = params.get("components")
        alike = [r for r in runs if components is None or r.components[:len(components)]
                 == list(components)]
        return alike[0] if alike else None

    def _progress(self, progress: Progress) -> None:
        self.stages.report(progress)
        stage, when, status = self._logged
        now = time.perf_counter()
        if progress.stage and progress.stage != stage:
            self._log(f"{progress.stage}")
            self._logged = (progress.stage, now, progress.status)
            if progress.stage == Stage.SPLIT:  # the run is stored as running by now
                self._project.runs_changed.emit()
        elif (progress.status and progress.status != status and progress.status != stage
              and now - when >= LOG_INTERVAL):
            self._log(f"  {progress.status}")
            self._logged = (stage, now, progress.status)

    def _finished(self, run_id: int) -> None:
        info: RunInfo = run_info(self._project.db, run_id)
        test = info.metrics.get("test", {})
        self._ended("finished", f"run {run_id} finished in {seconds_text(info.seconds or 0)}: "
                                f"NDCG@10 {_metric(test.get('NDCG@10'))}, "
                                f"HR@10 {_metric(test.get('HR@10'))}")
        self.run_finished.emit(run_id)

    def _failed(self, exc: BaseException) -> None:
        self._ended("failed", f"failed: {exc}")
        report(self, exc, "Run")

    def _ended(self, outcome: str, message: str) -> None:
        self.job = None
        self._logged = ("", 0.0, "")
        self.stages.stop(outcome)
        self._log(message)
        self._update_buttons()

    def _log(self, line: str) -> None:
        self.log.appendPlainText(f"{time.strftime('%H:%M:%S')}  {line}")


def _note(run: RunInfo) -> str:
    parent = run.config.get("updated_from")
    return f"run {parent}'s model updated with new data (not evaluated)" if parent else ""


def _plain(params: dict[str, Any]) -> str:
    """Parameters as stored (JSON), comparable with a stored run's; the seed aside."""
    return json.dumps({k: v for k, v in params.items() if k != "seed"}, sort_keys=True,
                      default=str)


def _metric(value: float | None) -> str:
    return f"{value:.4f}" if value is not None else ""
