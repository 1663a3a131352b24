"""A progress bar per stage of a job, with elapsed time and an estimate of the rest.

Rows show a stage's label (:func:`ui.engine_texts.stage_label`: the engine's, in the
window's language) and are keyed by its name.
Stages expected in advance are listed from the start (so the user sees what is coming);
stages the job reports that were not expected are added as they begin. When an earlier
run of the same configuration is known, a stage's rest is that run's time of the stage
minus the time spent, and the whole job's rest that run's total minus the time spent.
Otherwise a stage's rest assumes its pace so far, except in stages whose progress is not
proportional to time (a fusion's fit reports each component as an equal share, while the
transformer takes nearly all the time): there no estimate is better than a wrong one.
Times, summaries and stage labels are in the window's language.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from ui.engine_texts import stage_label
from ui.worker import Progress

MIN_FRACTION_FOR_ESTIMATE = 0.03


def seconds_text(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 05 s`` (in the window's language)."""
    if seconds < 10:
        return QCoreApplication.translate("StageProgress", "{seconds:.1f} s").format(
            seconds=seconds)
    if seconds < 60:
        return QCoreApplication.translate("StageProgress", "{seconds:.0f} s").format(
            seconds=seconds)
    minutes, rest = divmod(int(round(seconds)), 60)
    return QCoreApplication.translate("StageProgress", "{minutes} min {seconds:02d} s").format(
        minutes=minutes, seconds=rest)


def remaining(elapsed: float, fraction: float) -> float | None:
    """Seconds left at the pace so far, or None before the pace means anything."""
    if fraction < MIN_FRACTION_FOR_ESTIMATE or fraction >= 1.0:
        return None
    return elapsed * (1.0 - fraction) / fraction


@dataclass
class _Row:
    label: QLabel
    bar: QProgressBar
    time: QLabel
    started: float | None = None
    ended: float | None = None
    fraction: float = 0.0
    expected: float | None = None  # seconds the stage took in an earlier run like this
    uneven: bool = False  # its fraction done is no guide to its time


class StageProgress(QWidget):
    """Rows of stage name, progress bar and timing; fed with :class:`Progress` reports."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self._rows: dict[str, _Row] = {}
        self._current: str | None = None
        self._started = 0.0
        self._expected_total: float | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("progressSummary")
        self._timer = QTimer(self)  # the clock moves even while a stage reports nothing
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._refresh_times)

    def start(self, stages: list[str], expected_total: float | None = None,
              expected: dict[str, float] | None = None, uneven: tuple[str, ...] = ()
              ) -> None:
        """A new job with these stages ahead; ``expected_total`` and ``expected`` (seconds
        per stage) from an earlier run like this one; ``uneven``: stages whose fraction
        done says nothing about the time left."""
        for row in self._rows.values():
            for widget in (row.label, row.bar, row.time):
                self._grid.removeWidget(widget)
                widget.deleteLater()
        self._rows.clear()
        self._current = None
        self._started = time.perf_counter()
        self._expected_total = expected_total
        for stage in stages:
            row = self._add(stage)
            row.expected = (expected or {}).get(stage)
            row.uneven = stage in uneven
        self._timer.start()
        self._refresh_times()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            for stage, row in self._rows.items():
                row.label.setText(stage_label(stage))
        super().changeEvent(event)

    def report(self, progress: Progress) -> None:
        if not progress.stage:  # the task finished its last stage
            self._close_current()
            return
        if progress.stage != self._current:
            self._close_current()
            row = self._rows.get(progress.stage) or self._add(progress.stage)
            row.started = time.perf_counter()
            row.label.setStyleSheet("font-weight: 600")
            self._current = progress.stage
        row = self._rows[progress.stage]
        row.fraction = progress.fraction
        row.bar.setRange(0, 1000)
        row.bar.setValue(int(progress.fraction * 1000))
        row.bar.setFormat(progress.status if progress.status != progress.stage else "%p%")
        self._refresh_times()

    def stop(self, outcome: str) -> None:
        """The job ended (finished, cancelled, failed): freeze the clock and say how."""
        if outcome == "finished":
            self._close_current()
        self._timer.stop()
        self._refresh_times()
        total = seconds_text(time.perf_counter() - self._started)
        texts = {"finished": self.tr("Finished after {time}"),
                 "cancelled": self.tr("Cancelled after {time}"),
                 "failed": self.tr("Failed after {time}")}
        self.summary.setText(texts[outcome].format(time=total))

    def _add(self, stage: str) -> _Row:
        n = len(self._rows)
        row = _Row(QLabel(stage_label(stage), self), QProgressBar(self), QLabel("", self))
        row.bar.setRange(0, 1000)
        row.bar.setValue(0)
        row.bar.setTextVisible(True)
        row.bar.setFormat("")
        row.time.setMinimumWidth(150)
        self._grid.addWidget(row.label, n, 0)
        self._grid.addWidget(row.bar, n, 1)
        self._grid.addWidget(row.time, n, 2)
        self._grid.removeWidget(self.summary)  # the summary stays below the last stage
        self._grid.addWidget(self.summary, n + 1, 0, 1, 3)
        self._rows[stage] = row
        return row

    def _close_current(self) -> None:
        if self._current is None:
            return
        row = self._rows[self._current]
        row.ended = time.perf_counter()
        row.fraction = 1.0
        row.bar.setValue(1000)
        row.bar.setFormat(self.tr("done"))
        row.label.setStyleSheet("")
        self._current = None
        self._refresh_times()

    def _refresh_times(self) -> None:
        now = time.perf_counter()
        for row in self._rows.values():
            if row.started is None:
                row.time.setText("")
                continue
            elapsed = (row.ended or now) - row.started
            left = None if row.ended else stage_left(row, elapsed)
            row.time.setText(seconds_text(elapsed) if left is None else self.tr(
                "{elapsed}, about {left} left").format(elapsed=seconds_text(elapsed),
                                                      left=seconds_text(left)))
        if self._timer.isActive():
            total = now - self._started
            expected = self._expected_total
            if expected is None:
                text = self.tr("Elapsed {elapsed}")
            elif total < expected:
                text = self.tr("Elapsed {elapsed}; about {left} left (from the last run like "
                               "this)")
            else:
                text = self.tr("Elapsed {elapsed}; longer than the last run like this "
                               "({expected})")
            self.summary.setText(text.format(
                elapsed=seconds_text(total),
                left=seconds_text(expected - total) if expected is not None else "",
                expected=seconds_text(expected) if expected is not None else ""))

    def estimate(self, stage: str) -> str:
        """The stage's time text as shown (elapsed, and the estimate of the rest)."""
        return self._rows[stage].time.text()


def stage_left(row: _Row, elapsed: float) -> float | None:
    """Seconds left in a running stage: from the earlier run while it is ahead, else at
    the pace so far (not in an uneven stage)."""
    if row.expected is not None and elapsed < row.expected:
        return row.expected - elapsed
    return None if row.uneven else remaining(elapsed, row.fraction)
