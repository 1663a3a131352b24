"""One worker thread for long work, with progress, status and cooperative cancel.

Like Orange3's widgets and superqt's thread workers: a job is a plain function of an
:class:`engine.core.progress.Task`; it runs on the worker thread, reports into the task, and
stops at the engine's next safe point after :meth:`Job.cancel`. What the task reports
crosses to the UI thread through a queued signal, throttled so that a chatty loop cannot
flood the event queue. Jobs run one after another in the order they were submitted.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal

from engine.core.errors import Cancelled
from engine.core.progress import Task

#: Seconds between two progress reports of the same stage that reach the UI thread.
PROGRESS_INTERVAL = 0.05


@dataclass(frozen=True)
class Progress:
    """What a job reported last: stage, fraction of the stage done, status text."""

    stage: str
    fraction: float
    status: str


class Job(QObject):
    """A function of a :class:`Task` run on the worker; its signals arrive on the UI thread."""

    progress = Signal(object)  # Progress
    succeeded = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception
    cancelled = Signal(str)
    finished = Signal()  # after any of the three above
    _relay = Signal(str, object)  # worker thread -> UI thread

    def __init__(self, name: str, function: Callable[[Task], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.task = Task()
        self._function = function
        self._last: tuple[str, float] = ("", 0.0)
        self.task.listeners.append(self._forward)
        # The job lives on the UI thread, so the queued relay runs _deliver there.
        self._relay.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        """Ask the job to stop at its next safe point (or not to start)."""
        self.task.cancel()

    def run(self) -> None:
        """Called on the worker thread."""
        try:
            self.task.check()
            result = self._function(self.task)
        except Cancelled as exc:
            self._relay.emit("cancelled", str(exc))
        except Exception as exc:  # with its traceback: ui.errors logs it if it is a bug
            self._relay.emit("failed", exc)
        else:
            self._relay.emit("succeeded", result)
        self._relay.emit("finished", None)

    def _forward(self, task: Task) -> None:
        """Task listener (worker thread): a new stage at once, progress at most every 50 ms."""
        now = time.perf_counter()
        stage, last = self._last
        if task.stage == stage and now - last < PROGRESS_INTERVAL and task.progress < 1.0:
            return
        self._last = (task.stage, now)
        self._relay.emit("progress", Progress(task.stage, task.progress, task.status))

    def _deliver(self, kind: str, payload: object) -> None:
        if kind == "progress":
            self.progress.emit(payload)
        elif kind == "succeeded":
            self.succeeded.emit(payload)
        elif kind == "failed":
            self.failed.emit(payload)
        elif kind == "cancelled":
            self.cancelled.emit(payload)
        else:
            self.finished.emit()


class Worker(QObject):
    """The single worker thread and its queue of jobs."""

    busy_changed = Signal(bool)
    submitted = Signal(object)  # a new Job, for whoever shows what the worker does

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # keep the one thread: no start-up cost per job
        self._jobs: list[Job] = []

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    @property
    def jobs(self) -> list[Job]:
        """Running and waiting jobs, oldest first."""
        return list(self._jobs)

    def submit(self, name: str, function: Callable[[Task], Any]) -> Job:
        """Queue ``function(task)``; connect to the returned job's signals right away."""
        job = Job(name, function, self)
        job.finished.connect(lambda: self._done(job))
        self._jobs.append(job)
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        # A plain callable: the pool owns the runnable it wraps, so no Python wrapper of a
        # freed QRunnable is left behind for shiboken to hand out again for a new object.
        self._pool.start(job.run)
        self.submitted.emit(job)
        return job

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the queue is empty (shutdown and tests only); False on time-out."""
        return self._pool.waitForDone(msecs)

    def _done(self, job: Job) -> None:
        self._jobs.remove(job)
        job.deleteLater()
        if not self._jobs:
            self.busy_changed.emit(False)
