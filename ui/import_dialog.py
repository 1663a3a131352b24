"""The import dialog: two files, their previews and roles, the preprocessing options,
every problem listed before anything is written, then the import on the worker.

Any change (a file, a delimiter, a role, an option) schedules a check: the files are read
and preprocessed on the worker exactly as the import would, and the problems are listed
with file, row and column. Import stays disabled while an error is listed. The import
itself writes in one transaction and can be cancelled until it commits. The dialog is in
the window's language as it opens; the problems' messages are the importer's.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QSizePolicy, QSpinBox, QTabWidget, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from engine.core.errors import DataError
from engine.data.preprocess import PreprocessOptions
from storage import list_datasets
from storage.datasets import MAX_NAME
from ui.icons import icon
from ui.import_preview import FilePreviewSection
from application.importing import CheckResult, ImportSpec, Problem, append_checked, check_import, store_dataset
from ui.messages import report
from ui.preferences import Preferences
from ui.project import Project
from ui.worker import Job, Progress, Worker

CHECK_DELAY_MS = 300
SEVERITY_ICONS = {"error": "error", "warning": "warning", "note": "info"}


class ImportDialog(QDialog):
    """Import interactions (and optionally an item catalogue) as a new dataset, or, with
    ``append_to``, add them to that stored dataset (its preprocessing options apply)."""

    imported = Signal(str)  # the new (or grown) dataset's name

    def __init__(self, project: Project, worker: Worker, prefs: Preferences,
                 parent: QWidget | None = None, append_to: str | None = None) -> None:
        super().__init__(parent)
        self.append_to = append_to
        self.setWindowTitle(self.tr("Add interactions to {dataset}").format(dataset=append_to)
                            if append_to else self.tr("Import a dataset"))
        self.setObjectName("importDialog")
        self.resize(980, 720)
        self._project = project
        self._worker = worker
        self._checked: CheckResult | None = None
        self._check_job: Job | None = None
        self._store_job: Job | None = None
        self._taken = {d.name for d in list_datasets(project.db)} if project.db else set()

        self.interactions = FilePreviewSection("interactions", worker, prefs, self)
        self.items = FilePreviewSection("items", worker, prefs, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.interactions, icon("import"), self.tr("Interactions"))
        self.tabs.addTab(self.items, icon("items"), self.tr("Items (optional)"))

        options = self._options_box()
        checks = self._check_box()
        self._make_buttons()
        lower = QHBoxLayout()
        options.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        lower.addWidget(options)  # as wide as its labels and fields need, no wider
        lower.addWidget(checks, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 3)
        layout.addLayout(lower, 2)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self._connect_checks()
        if append_to is not None:
            self.name_edit.setText(append_to)
            self.name_edit.setReadOnly(True)
            for widget in (self.dedupe, self.min_rating, self.kcore, self.replace):
                widget.setEnabled(False)  # the stored dataset's own options apply
            self.import_button.setText(self.tr("Add"))
        self._update_buttons()

    def _options_box(self) -> QGroupBox:
        """The dataset's name and preprocessing options."""
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setPlaceholderText(self.tr("a name for the dataset"))
        self.dedupe = QComboBox(self)
        for label, value in ((self.tr("keep the latest"), "latest"),
                             (self.tr("sum their weights"), "sum"),
                             (self.tr("keep every one"), "none")):
            self.dedupe.addItem(label, value)
        self.min_rating = QDoubleSpinBox(self)
        self.min_rating.setRange(0.0, 1e6)
        self.min_rating.setDecimals(2)
        self.min_rating.setSpecialValueText(self.tr("off"))
        self.min_rating.setToolTip(self.tr("Keep only interactions rated at least this "
                                           "(0 = off)"))
        self.kcore = QSpinBox(self)
        self.kcore.setRange(0, 1000)
        self.kcore.setSpecialValueText(self.tr("off"))
        self.kcore.setToolTip(self.tr("Drop users and items with fewer interactions, "
                                      "repeatedly"))
        self.unknown_items = QComboBox(self)
        self.unknown_items.addItem(self.tr("keep them"), "keep")
        self.unknown_items.addItem(self.tr("drop them"), "drop")
        self.replace = QCheckBox(self.tr("Replace a dataset of this name"), self)
        self.replace.setToolTip(self.tr("The stored dataset of this name and its runs are "
                                        "replaced in the same transaction"))
        options = QGroupBox(self.tr("Dataset"), self)
        form = QFormLayout(options)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Repeated user-item pairs:"), self.dedupe)
        form.addRow(self.tr("Minimum rating:"), self.min_rating)
        form.addRow(self.tr("k-core filter:"), self.kcore)
        form.addRow(self.tr("Items missing from the catalogue:"), self.unknown_items)
        form.addRow(self.replace)  # across both columns: its text is never cut
        return options

    def _check_box(self) -> QGroupBox:
        """The problems the check found, its status and the progress of an import."""
        self.problems = QTreeWidget(self)
        self.problems.setObjectName("problems")
        self.problems.setRootIsDecorated(False)
        self.problems.setHeaderLabels(["", self.tr("File"), self.tr("Row"), self.tr("Column"),
                                       self.tr("Problem")])
        for column, width in ((0, 28), (1, 100), (2, 48), (3, 76)):
            self.problems.setColumnWidth(column, width)
        self.status = QLabel(self)
        self.status.setObjectName("importStatus")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        checks = QGroupBox(self.tr("Check"), self)
        check_layout = QVBoxLayout(checks)
        check_layout.addWidget(self.problems)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.progress)
        check_layout.addLayout(status_row)
        return checks

    def _make_buttons(self) -> None:
        self.buttons = QDialogButtonBox(self)
        self.import_button = QPushButton(icon("import"), self.tr("Import"), self)
        self.import_button.setDefault(True)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self._cancel)

    def _connect_checks(self) -> None:
        """Any change to a file, a role or an option checks the import again (after
        :data:`CHECK_DELAY_MS`, so that typing does not start a check per key)."""
        for section in (self.interactions, self.items):
            section.changed.connect(self._schedule_check)
        self.interactions.previewed.connect(self._suggest_name)
        for signal in (self.dedupe.currentIndexChanged, self.min_rating.valueChanged,
                       self.kcore.valueChanged, self.unknown_items.currentIndexChanged):
            signal.connect(self._schedule_check)
        self.name_edit.textChanged.connect(self._update_buttons)
        self.replace.toggled.connect(self._update_buttons)

    # -- checking -------------------------------------------------------------------------

    def _suggest_name(self) -> None:
        if self.append_to is not None:
            return
        preview = self.interactions.preview
        if preview is not None and not self.name_edit.text().strip():
            self.name_edit.setText(preview.path.stem)

    def _schedule_check(self) -> None:
        self._checked = None
        self._update_buttons()
        self._timer.start()

    def spec(self) -> ImportSpec | None:
        """What the dialog would import, or None while no interactions file is read."""
        options = self.interactions.read_options()
        if options is None:
            return None
        items = self.items.preview
        min_rating = self.min_rating.value()
        return ImportSpec(
            name=self.name_edit.text().strip(),
            interactions=self.interactions.preview.path,
            interaction_options=options,
            items=items.path if items else None,
            item_options=self.items.read_options(),
            preprocess=PreprocessOptions(self.dedupe.currentData(),
                                         min_rating if min_rating > 0 else None,
                                         self.kcore.value()),
            unknown_items=self.unknown_items.currentData(),
            replace=self.replace.isChecked())

    def check(self) -> None:
        """Read and preprocess the files on the worker; list what is wrong."""
        self._timer.stop()
        if self._check_job is not None:
            self._check_job.cancel()
            self._check_job = None
        if self.interactions.busy or self.items.busy:
            return  # a preview is on its way and will ask again
        try:
            spec = self.spec()
        except DataError as exc:  # e.g. two columns marked as the user
            self._show_result(CheckResult([Problem.from_error(exc)]))
            return
        if spec is None:
            self._show_result(CheckResult([Problem(
                "error", self.tr("choose the interactions file (user, item, and optionally "
                                 "rating and time columns)"))]))
            return
        self.status.setText(self.tr("checking..."))
        job = self._worker.submit(self.tr("check import"),
                                  lambda task: check_import(spec, task))
        self._check_job = job
        job.succeeded.connect(lambda result: self._checked_result(job, result))
        job.failed.connect(lambda exc: self._check_failed(job, exc))

    def _checked_result(self, job: Job, result: CheckResult) -> None:
        if job is not self._check_job:
            return  # an older check, overtaken by a change
        self._check_job = None
        self._show_result(result)

    def _check_failed(self, job: Job, exc: BaseException) -> None:
        if job is self._check_job:
            self._check_job = None
            self.status.setText(self.tr("the check failed"))
            report(self, exc, self.tr("Check"))

    def _show_result(self, result: CheckResult) -> None:
        self._checked = result
        self.problems.clear()
        for problem in result.problems:
            item = QTreeWidgetItem(["", Path(problem.file).name if problem.file else "",
                                    f"{problem.row:,}" if problem.row is not None else "",
                                    problem.column or "", problem.message])
            item.setIcon(0, icon(SEVERITY_ICONS[problem.severity]))
            item.setToolTip(4, problem.message)
            item.setToolTip(1, problem.file or "")
            self.problems.addTopLevelItem(item)
        if result.dataset is not None and not result.problems:
            item = QTreeWidgetItem(["", "", "", "", self.tr("No problems found.")])
            item.setIcon(0, icon("info"))
            self.problems.addTopLevelItem(item)
        self._update_buttons()

    def _name_problem(self) -> str | None:
        if self.append_to is not None:
            return None
        name = self.name_edit.text().strip()
        if not name:
            return self.tr("give the dataset a name")
        if name in self._taken and not self.replace.isChecked():
            return self.tr("a dataset named {name} exists: choose another name or tick "
                           "Replace").format(name=repr(name))
        return None

    def _update_buttons(self) -> None:
        ready = self._checked is not None and self._checked.dataset is not None
        problem = self._name_problem()
        storing = self._store_job is not None
        self.import_button.setEnabled(ready and problem is None and not storing)
        if storing:
            return
        if self._checked is None:
            self.status.setText(self.tr("checking...") if self._check_job
                                or self._timer.isActive() else "")
        elif self._checked.dataset is None:
            errors = sum(p.severity == "error" for p in self._checked.problems)
            self.status.setText(self.tr("1 error: fix it before importing") if errors == 1
                                else self.tr("{n} errors: fix them before importing").format(
                                    n=errors))
        elif problem:
            self.status.setText(problem)
        else:
            data = self._checked.dataset
            text = (self.tr("to add: {users:,} users, {items:,} items, {interactions:,} "
                            "interactions") if self.append_to is not None
                    else self.tr("ready: {users:,} users, {items:,} items, {interactions:,} "
                                 "interactions"))
            self.status.setText(text.format(users=data.n_users, items=data.n_items,
                                            interactions=data.n_interactions))

    # -- importing ------------------------------------------------------------------------

    def start_import(self) -> None:
        """Store the checked dataset on the worker, with progress and Cancel."""
        spec = self.spec()
        checked = self._checked
        if spec is None or checked is None or checked.dataset is None or self._name_problem():
            return
        db = self._project.db
        dataset = checked.dataset
        if self.append_to is not None:
            job = self._worker.submit(self.tr("add to {dataset}").format(dataset=spec.name),
                                      lambda task: append_checked(db, spec, checked, task))
        else:
            job = self._worker.submit(self.tr("import {dataset}").format(dataset=spec.name),
                                      lambda task: store_dataset(db, spec, dataset, task))
        self._store_job = job
        self.progress.setVisible(True)
        self.progress.setValue(0)
        self.tabs.setEnabled(False)
        self.status.setText(self.tr("importing..."))
        self._update_buttons()
        job.progress.connect(self._store_progress)
        job.succeeded.connect(lambda _: self._stored(spec.name))
        job.cancelled.connect(lambda _: self._store_ended(self.tr("import cancelled; nothing "
                                                                  "was written")))
        job.failed.connect(lambda exc: (self._store_ended(self.tr("the import failed; nothing "
                                                                  "was written")),
                                        report(self, exc, self.tr("Import"))))

    def _store_progress(self, progress: Progress) -> None:
        self.progress.setValue(int(progress.fraction * 1000))
        self.status.setText(progress.status)

    def _stored(self, name: str) -> None:
        self._store_job = None
        self.imported.emit(name)
        self.accept()

    def _store_ended(self, message: str) -> None:
        self._store_job = None
        self.progress.setVisible(False)
        self.tabs.setEnabled(True)
        self._update_buttons()
        self.status.setText(message)

    def _cancel(self) -> None:
        """Cancel stops a running import; otherwise it closes the dialog."""
        if self._store_job is not None:
            self._store_job.cancel()
            self.status.setText(self.tr("cancelling..."))
            return
        if self._check_job is not None:
            self._check_job.cancel()
        self.reject()

    def reject(self) -> None:
        if self._store_job is None:  # Escape during an import must not hide it
            super().reject()
