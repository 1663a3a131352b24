"""The Run screen: the configuration form, where the run computes (this computer or a Ray
cluster, with a connection check), Run and Cancel, the plan of the run before it starts
(its steps and their times from earlier runs, :mod:`ui.run_plan`), a progress bar per
stage with elapsed time and an estimate of the rest, a log, and every run kept in the
project.

Its fixed texts are set in :meth:`RunPage.retranslate`, again when the language changes;
stage names, model names and the engine's own messages in the log are shown as written."""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
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
from ui.run_plan import Request, RunPlan
from ui.run_settings import RunSettings
from ui.stage_progress import StageProgress, seconds_text
from ui.worker import Job, Progress, Worker

RUN_COLUMNS = (QT_TRANSLATE_NOOP("RunPage", "Run"), QT_TRANSLATE_NOOP("RunPage", "Dataset"),
               QT_TRANSLATE_NOOP("RunPage", "Model"), QT_TRANSLATE_NOOP("RunPage", "Components"),
               QT_TRANSLATE_NOOP("RunPage", "Status"), QT_TRANSLATE_NOOP("RunPage", "Started"),
               QT_TRANSLATE_NOOP("RunPage", "Seconds"), "NDCG@10", "HR@10",
               QT_TRANSLATE_NOOP("RunPage", "Note"))
STATUS_COLOURS = {"finished": "#2e7d32", "running": "#1565c0", "cancelled": "#8d6e63",
                  "failed": "#c62828", "interrupted": "#c62828"}
#: A run's status as storage records it, and as the table says it.
STATUS_LABELS = {"finished": QT_TRANSLATE_NOOP("RunPage", "finished"),
                 "running": QT_TRANSLATE_NOOP("RunPage", "running"),
                 "cancelled": QT_TRANSLATE_NOOP("RunPage", "cancelled"),
                 "failed": QT_TRANSLATE_NOOP("RunPage", "failed"),
                 "interrupted": QT_TRANSLATE_NOOP("RunPage", "interrupted")}
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
        self._showing_plan = True  # the progress box shows the plan, not a run's stages
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
        project.runs_changed.connect(self.plan.forget)
        self.form.changed.connect(self._settings_changed)
        self.dataset.currentIndexChanged.connect(self._settings_changed)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        """The screen's fixed texts in the current language; the runs table again."""
        self.run_button.setText(self.tr("Run"))
        self.run_button.setToolTip(self.tr("Run the pipeline on the dataset (F5)"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop at the next safe point; nothing is saved "
                                              "(Esc)"))
        self.compute.setItemText(0, self.tr("this computer"))
        self.compute.setItemText(1, self.tr("Ray cluster at"))
        self.compute.setToolTip(self.tr("Where models are fitted and every user's list is "
                                        "scored; a Ray cluster needs pip install "
                                        "'interest-fusion-studio[ray]' here and on its nodes "
                                        "(docs/scale-out.md)"))
        self.ray_address.setPlaceholderText(self.tr("auto, or the head's host:port"))
        self.check_button.setText(self.tr("Check"))
        self.check_button.setToolTip(self.tr("Connect to the cluster and show its nodes, CPUs "
                                             "and GPUs"))
        self.dataset_label.setText(self.tr("Dataset:"))
        self.compute_box.setTitle(self.tr("Compute"))
        self.progress_box.setTitle(self.tr("Plan") if self._showing_plan
                                   else self.tr("Progress"))
        self.log.setPlaceholderText(self.tr("What each run does appears here."))
        self.log_box.setTitle(self.tr("Log"))
        self.update_button.setText(self.tr("Update with new data"))
        self.update_button.setToolTip(self.tr("A new run from the selected run's model, "
                                              "updated with the interactions added to its "
                                              "dataset since (seconds, no full retrain)"))
        self.retrain_button.setText(self.tr("Retrain"))
        self.retrain_button.setToolTip(self.tr("The full pipeline again with the selected "
                                               "run's configuration, on the dataset as it is "
                                               "now"))
        self.runs_box.setTitle(self.tr("Runs in this project (compare them under "
                                       "Evaluation)"))
        self.runs.setHorizontalHeaderLabels([self.tr(c) for c in RUN_COLUMNS])
        self._refresh_runs()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _make_controls(self, prefs: Preferences) -> None:
        """The dataset choice, the configuration form, Run and Cancel."""
        self.dataset = QComboBox(self)
        self.dataset.setObjectName("runDataset")
        self.dataset.setMinimumWidth(200)
        self.form = RunForm(prefs, self)
        self.run_button = QPushButton(icon("run"), "", self)
        self.run_button.setObjectName("runButton")
        self.run_button.clicked.connect(lambda: self.start_run())
        self.cancel_button = QPushButton(icon("cancel"), "", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        self._make_compute_controls(RunSettings.from_dict(prefs.run_settings))

    def _make_compute_controls(self, settings: RunSettings) -> None:
        """Compute: this computer, or the Ray cluster at an address, with a check that
        connects and shows the cluster's nodes, CPUs and GPUs."""
        self.compute = QComboBox(self)
        self.compute.setObjectName("compute")
        self.compute.addItem("", "local")  # the texts: retranslate
        self.compute.addItem("", "ray")
        self.ray_address = QLineEdit(self)
        self.ray_address.setObjectName("rayAddress")
        self.check_button = QPushButton(self)
        self.check_button.setObjectName("checkCluster")
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
        self.cluster_info.setText(self.tr("connecting to {address}...").format(address=address))
        job = self._worker.submit(self.tr("check the Ray cluster"),
                                  lambda task: check_cluster(address, task))
        job.succeeded.connect(self._cluster_checked)
        job.failed.connect(lambda exc: self.cluster_info.setText(
            self.tr("cannot use it: {error}").format(error=exc)))
        return job

    def _cluster_checked(self, info: ClusterInfo) -> None:
        nodes = "; ".join(self.tr("{host}: {cpus:g} CPU, {gpus:g} GPU").format(
            host=n.host, cpus=n.cpus, gpus=n.gpus) for n in info.nodes)
        self.cluster_info.setText(self.tr("connected to {address}: {cluster} ({nodes})").format(
            address=info.address, cluster=info.describe(), nodes=nodes))

    def _form_panel(self) -> QScrollArea:
        """The left side: the controls, scrolled when the window is short."""
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        top = QHBoxLayout()
        self.dataset_label = QLabel(left)
        top.addWidget(self.dataset_label)
        top.addWidget(self.dataset, 1)
        left_layout.addLayout(top)
        left_layout.addWidget(self.form, 1)
        self.compute_box = compute = QGroupBox(left)
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
        """The plan of the run before it starts; its stages' progress once it runs."""
        self.stages = StageProgress(self)
        self.stages.setObjectName("stages")
        self.stages.setVisible(False)
        self.plan = RunPlan(self._plan_request, self)
        self.plan.setObjectName("runPlan")
        self.progress_box = progress_box = QGroupBox(self)
        progress_layout = QVBoxLayout(progress_box)
        progress_layout.addWidget(self.plan)
        progress_layout.addWidget(self.stages)
        # As tall as its stages: the runs table below gets the rest of the height.
        progress_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return progress_box

    def _log_panel(self) -> QGroupBox:
        self.log = QPlainTextEdit(self)
        self.log.setObjectName("runLog")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        self.log_box = log_box = QGroupBox(self)
        QVBoxLayout(log_box).addWidget(self.log)
        return log_box

    def _runs_panel(self) -> QGroupBox:
        """The table of the project's runs, with Update and Retrain for the selected one."""
        self.runs = QTableWidget(0, len(RUN_COLUMNS), self)
        self.runs.setObjectName("runs")
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
        self.update_button = QPushButton(icon("run"), "", self)
        self.update_button.setObjectName("updateRun")
        self.update_button.clicked.connect(lambda: self.update_run())
        self.retrain_button = QPushButton(self)
        self.retrain_button.setObjectName("retrainRun")
        self.retrain_button.clicked.connect(lambda: self.retrain())
        self.runs_box = runs_box = QGroupBox(self)
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
            self._worker.submit(self.tr("prepare models"), prepare_models).failed.connect(
                lambda exc: report(self, exc, self.tr("Loading the models' libraries")))

    # -- listing --------------------------------------------------------------------------

    def refresh(self) -> None:
        self._refresh_datasets()
        self._refresh_runs()

    def _refresh_datasets(self) -> None:
        self._project.fill_datasets(self.dataset)
        self._update_buttons()
        self.plan.forget()

    # -- the plan -------------------------------------------------------------------------

    def _settings_changed(self) -> None:
        """Another dataset or other settings: their plan, unless a run is going on."""
        self._update_buttons()
        if not self.running:
            self.show_plan(True)

    def show_plan(self, shown: bool) -> None:
        """The plan in the progress box (read again), or the stages of a run."""
        self._showing_plan = shown
        self.stages.setVisible(not shown)
        self.plan.setVisible(shown)
        self.progress_box.setTitle(self.tr("Plan") if shown else self.tr("Progress"))
        if shown:
            self.plan.refresh()

    def _plan_request(self) -> Request | None:
        """What the plan is for: the chosen dataset and the form's settings (nothing
        while a run is going on)."""
        db, dataset = self._project.db, self.dataset.currentText()
        if db is None or not dataset or self.running:
            return None
        return db, dataset, self.form.settings()

    def _refresh_runs(self) -> None:
        db = self._project.db
        runs = list_runs(db) if db is not None else []
        self._run_rows = runs
        self.runs.setRowCount(len(runs))
        for row, run in enumerate(runs):
            test = run.metrics.get("test", {})
            values = [f"{run.id}", run.dataset, run.model, ", ".join(run.components),
                      self.tr(STATUS_LABELS.get(run.status, run.status)),
                      run.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
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
            report(self, exc, self.tr("Run"))
            return None
        self._prefs.run_settings = settings.to_dict()
        self._start_stages(dataset, settings.model, settings.params().get(settings.model, {}))
        self._log(self.tr("run {model} on {dataset} (components {components}, K={k}, device "
                          "{device}, seed {seed}, on {compute})").format(
            model=settings.model, dataset=repr(dataset),
            components=", ".join(settings.components), k=settings.k, device=settings.device,
            seed=settings.seed, compute=settings.compute_choice().describe()))
        job = self._start(self.tr("run {model}").format(model=settings.model),
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
        self._log(self.tr("update run {run} ({model} on {dataset}) with the data added "
                          "since").format(run=run.id, model=run.model, dataset=repr(run.dataset)))
        compute = self.compute_choice()
        job = self._start(self.tr("update run {run}").format(run=run.id),
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
        self._log(self.tr("retrain run {run}'s configuration on {dataset}").format(
            run=run.id, dataset=repr(run.dataset)))
        compute = self.compute_choice()
        job = self._start(self.tr("retrain run {run}").format(run=run.id),
                          lambda task: retrain_run(db, run.id, task, compute))
        job.succeeded.connect(self._finished)
        return job

    def _start(self, name: str, function: Callable[[Task], Any]) -> Job:
        job = self._worker.submit(name, function)
        self.job = job
        job.progress.connect(self._progress)
        job.cancelled.connect(lambda why: self._ended("cancelled", self.tr(
            "cancelled ({why}); the database is as it was").format(why=why)))
        job.failed.connect(self._failed)
        job.finished.connect(self._project.runs_changed)
        self.show_plan(False)
        self._update_buttons()
        return job

    def _updated(self, run: RunInfo, new_id: int, drift: Drift) -> None:
        info = run_info(self._project.db, new_id)
        seconds = info.stage_seconds.get(Stage.UPDATE.of(run.model), 0.0)
        self._ended("finished", self.tr("run {new} finished: run {run}'s model updated in "
                                        "{seconds}; the dataset has {drift}").format(
            new=new_id, run=run.id, seconds=seconds_text(seconds), drift=self._drift(drift)))
        self.run_finished.emit(new_id)
        if drift.retrain_advised:
            self.retrain_offer = confirm(
                self, self.tr("Retrain?"),
                self.tr("The dataset has {drift}. An updated model drifts from a full fit as "
                        "the data grows: run the full pipeline again with run {run}'s "
                        "configuration in the background?").format(drift=self._drift(drift),
                                                                   run=run.id),
                self.tr("Retrain"), lambda: self.retrain(run.id))

    def _drift(self, drift: Drift) -> str:
        """How far the dataset grew, as :meth:`Drift.describe` says it, translated."""
        return self.tr("{interactions:.1%} more interactions and {items:.1%} more items than "
                       "at the last full fit").format(interactions=drift.interactions,
                                                      items=drift.items)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._log(self.tr("cancel requested: stopping at the next safe point"))
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
        self._ended("finished", self.tr("run {run} finished in {seconds}: NDCG@10 {ndcg}, "
                                        "HR@10 {hr}").format(
            run=run_id, seconds=seconds_text(info.seconds or 0),
            ndcg=_metric(test.get("NDCG@10")), hr=_metric(test.get("HR@10"))))
        self.run_finished.emit(run_id)

    def _failed(self, exc: BaseException) -> None:
        self._ended("failed", self.tr("failed: {error}").format(error=exc))
        report(self, exc, self.tr("Run"))

    def _ended(self, outcome: str, message: str) -> None:
        self.job = None
        self._logged = ("", 0.0, "")
        self.stages.stop(outcome)
        self._log(message)
        self._update_buttons()
        if outcome == "finished":  # a cancelled or failed run's stages stay until a change
            self.show_plan(True)

    def _log(self, line: str) -> None:
        self.log.appendPlainText(f"{time.strftime('%H:%M:%S')}  {line}")


def _note(run: RunInfo) -> str:
    parent = run.config.get("updated_from")
    return QCoreApplication.translate(
        "RunPage", "run {run}'s model updated with new data (not evaluated)").format(
        run=parent) if parent else ""


def _plain(params: dict[str, Any]) -> str:
    """Parameters as stored (JSON), comparable with a stored run's; the seed aside."""
    return json.dumps({k: v for k, v in params.items() if k != "seed"}, sort_keys=True,
                      default=str)


def _metric(value: float | None) -> str:
    return f"{value:.4f}" if value is not None else ""
