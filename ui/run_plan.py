"""The plan of a run before it starts: its steps, and about how long each will take.

The Run screen shows it where the progress rows of a run will be, whenever the dataset
or the settings change: each step of the run (:func:`application.estimates.estimate_for`)
with its label, the method a model picks at this catalogue's size (the engine's words),
its time budget, and its time scaled from this project's earlier runs on this computer,
or that no earlier run had the step; then the whole run's time.

The estimate reads the project's runs and datasets: a few reads, done on a reader
thread of its own (never behind a run), at most one at a time after the edits pause, and
kept per dataset and settings until the project's runs or datasets change. Settings that
do not check out (the form can be mid-edit) show why instead of a plan.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from application.estimates import estimate_for
from engine.core.errors import DataError
from engine.pipeline.estimate import RunEstimate, Step
from ui.engine_texts import stage_label
from ui.run_settings import RunSettings
from ui.worker import Job, Worker

if TYPE_CHECKING:
    from storage import Database

PLAN_DELAY_MS = 120  # the plan is read again when the edits pause this long
#: What a plan is for: the database, the dataset's name and the settings (None: none).
Request = tuple["Database", str, RunSettings]


def duration_text(seconds: float) -> str:
    """``under 1 s``, ``40 s``, ``12 min``, ``1 h 05 min``: an estimate's precision."""
    if seconds < 1:
        return QCoreApplication.translate("RunPlan", "under 1 s")
    if seconds < 60:
        return QCoreApplication.translate("RunPlan", "{seconds} s").format(
            seconds=round(seconds))
    minutes = round(seconds / 60)
    if minutes < 60:
        return QCoreApplication.translate("RunPlan", "{minutes} min").format(minutes=minutes)
    return QCoreApplication.translate("RunPlan", "{hours} h {minutes:02d} min").format(
        hours=minutes // 60, minutes=minutes % 60)


def about(seconds: float) -> str:
    """``about 12 s``, ``under 1 s``."""
    if seconds < 1:
        return duration_text(seconds)
    return QCoreApplication.translate("RunPlan", "about {time}").format(
        time=duration_text(seconds))


def step_time(step: Step) -> str:
    """``about 12 s``, or that no earlier run had the step."""
    if step.seconds is None:
        return QCoreApplication.translate("RunPlan", "no earlier run to go by")
    return about(step.seconds)


def step_notes(step: Step) -> str:
    """The model's method at this size (the engine's words) and the step's budget."""
    notes = [step.method] if step.method else []
    if step.budget:
        notes.append(QCoreApplication.translate("RunPlan", "budget {time}").format(
            time=duration_text(step.budget)))
    return "; ".join(notes)


def step_basis(step: Step) -> str:
    """Which earlier run the step's time was scaled from (a tooltip)."""
    if step.basis is None:
        return QCoreApplication.translate("RunPlan", "No run in this project has had this "
                                                     "step yet.")
    return QCoreApplication.translate(
        "RunPlan", "Scaled from an earlier run on {users:,} users, {items:,} items and "
                   "{interactions:,} interactions").format(
        users=step.basis.users, items=step.basis.items,
        interactions=step.basis.interactions)


def total_text(estimate: RunEstimate) -> str:
    """The whole run's time: about so long, more than the steps timed, or unknown."""
    total = estimate.seconds
    if total is not None:
        return about(total)
    known = [s.seconds for s in estimate.steps if s.seconds is not None]
    if not known:
        return QCoreApplication.translate("RunPlan",
                                          "unknown until a first run on this computer")
    return QCoreApplication.translate(
        "RunPlan", "more than {time}: some steps have not run on this computer yet").format(
        time=duration_text(sum(known)))


def _key(request: Request) -> tuple[int, str, str]:
    db, dataset, settings = request
    return (id(db), dataset, json.dumps([settings.model, settings.params()], sort_keys=True,
                                        default=str))


class RunPlan(QWidget):
    """The steps of the run the settings describe, each with its time; the total below.

    ``source`` says what to plan for when asked (None: nothing, as without a dataset or
    while a run goes on); :meth:`refresh` asks, after a pause; :meth:`forget` drops the
    kept plans (the project's runs or datasets changed)."""

    def __init__(self, source: Callable[[], Request | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(2, 1)
        self._grid.setHorizontalSpacing(14)
        self._labels: list[QLabel] = []
        self._kept: dict[tuple[int, str, str], RunEstimate] = {}
        self._wanted: tuple[int, str, str] | None = None
        self._job: Job | None = None
        self._shown: RunEstimate | str | None = None  # a plan, a reason, or nothing
        self._reader = Worker(self)  # never behind a run: a few reads of its own
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PLAN_DELAY_MS)
        self._timer.timeout.connect(self._plan)
        self._generation = 0  # one more each time the kept plans are dropped
        self._retranslate()

    # -- asking -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Plan again once the edits pause."""
        self._timer.start()

    def forget(self) -> None:
        """The project's runs or datasets changed: no kept plan holds; plan again."""
        self._kept.clear()
        self._generation += 1
        self._wanted = None
        self.refresh()

    @property
    def busy(self) -> bool:
        """A plan is asked for or being read."""
        return self._timer.isActive() or self._reader.busy

    def stop(self, msecs: int = 5000) -> None:
        """Read nothing more and wait for the read going on (closing)."""
        self._timer.stop()
        self._reader.cancel_all()
        self._reader.wait(msecs)

    def _plan(self) -> None:
        request = self._source()
        if request is None:  # no dataset, or a run going on (the plan is hidden then)
            self._wanted = None
            self._show(None)
            return
        db, dataset, settings = request
        try:
            settings.check()
        except DataError as exc:
            self._wanted = None
            self._show(self.tr("No plan: {reason}").format(reason=exc))
            return
        key = _key(request)
        if key in self._kept:
            self._wanted = key
            self._show(self._kept[key])
            return
        if key == self._wanted and self._job is not None:
            return  # being read
        self._wanted = key
        if self._job is not None:
            self._job.cancel()  # not started yet: skipped
        config, generation = settings.to_config(), self._generation
        job = self._reader.submit("plan", lambda task: estimate_for(db, dataset, config))
        self._job = job
        job.succeeded.connect(lambda estimate: self._read(generation, key, estimate))
        job.failed.connect(lambda exc: self._read(generation, key, self.tr(
            "No plan: {reason}").format(reason=exc)))
        job.finished.connect(lambda: self._done(job))

    def _read(self, generation: int, key: tuple[int, str, str],
              result: RunEstimate | str) -> None:
        """A plan read (or why none could be): kept, and shown if still wanted."""
        if generation != self._generation:
            return  # read before the runs or datasets changed
        if isinstance(result, RunEstimate):
            self._kept[key] = result
        if key == self._wanted:
            self._show(result)

    def _done(self, job: Job) -> None:
        if job is self._job:
            self._job = None

    # -- showing ----------------------------------------------------------------------

    def _show(self, shown: RunEstimate | str | None) -> None:
        self._shown = shown
        for label in self._labels:
            self._grid.removeWidget(label)
            label.deleteLater()
        self._labels = []
        if isinstance(shown, str):
            self._add(0, 0, shown, span=3, note=True)
            self._labels[0].setWordWrap(True)
        elif isinstance(shown, RunEstimate):
            for row, step in enumerate(shown.steps):
                self._add(row, 0, stage_label(step.stage))
                self._add(row, 1, step_time(step), tip=step_basis(step),
                          note=step.seconds is None)
                self._add(row, 2, step_notes(step), note=True)
            last = len(shown.steps)
            self._add(last, 0, self.tr("In all"), bold=True)
            self._add(last, 1, total_text(shown), span=2, bold=True)

    def _add(self, row: int, column: int, text: str, span: int = 1, tip: str = "",
             note: bool = False, bold: bool = False) -> None:
        label = QLabel(text, self)
        if note:
            label.setStyleSheet("color: #666")
        if column == 2 or span > 1:  # as wide as there is room for; the whole in the tooltip
            label.setMinimumWidth(1)
            tip = tip or text
        label.setToolTip(tip)
        if bold:
            label.setStyleSheet("font-weight: 600")
        self._grid.addWidget(label, row, column, 1, span)
        self._labels.append(label)

    def lines(self) -> list[str]:
        """The plan as shown, a row a line, its cells joined by " | " (empty cells out)."""
        rows: dict[int, list[str]] = {}
        for label in self._labels:
            row, _, _, _ = self._grid.getItemPosition(self._grid.indexOf(label))
            if label.text():
                rows.setdefault(row, []).append(label.text())
        return [" | ".join(cells) for _, cells in sorted(rows.items())]

    def _retranslate(self) -> None:
        self.setToolTip(self.tr("The steps of a run with these settings, each timed from "
                                "this project's earlier runs on this computer"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            if isinstance(self._shown, RunEstimate):
                self._show(self._shown)
            self._wanted = None
            self.refresh()  # a reason is said again in the new language
        super().changeEvent(event)
