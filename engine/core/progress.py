"""Task state shared between a long computation and whoever watches it.

Like Orange3's task state: the engine reports progress and status into this object and
checks the cooperative cancel flag at safe points; the command line prints it to stderr
and the GUI forwards it to widgets from a worker thread. The engine never imports Qt.
"""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TextIO

from engine.core.errors import Cancelled

Listener = Callable[["Task"], None]


@dataclass
class Task:
    """Progress (0..1 within the current stage), stage name, status text and cancel flag."""

    stage: str = ""
    progress: float = 0.0
    status: str = ""
    listeners: list[Listener] = field(default_factory=list)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _stage_started: float = field(default_factory=time.perf_counter, repr=False)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def begin(self, stage: str, status: str = "") -> None:
        """Start a named stage (a :class:`~engine.core.stages.Stage`, or one of a model:
        ``Stage.FIT.of(name)``); the time spent in the previous one is recorded."""
        self._close_stage()
        self.stage, self.status, self.progress = stage, status or stage, 0.0
        self._stage_started = time.perf_counter()
        self._notify()

    def update(self, progress: float, status: str | None = None) -> None:
        """Report progress within the stage and stop here if cancel was requested."""
        self.progress = min(max(progress, 0.0), 1.0)
        if status is not None:
            self.status = status
        self._notify()
        self.check()

    def finish(self) -> None:
        self._close_stage()
        self.stage, self.progress = "", 1.0

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """A safe point: raise :class:`Cancelled` if the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled(f"cancelled during {self.stage or 'task'}")

    def _close_stage(self) -> None:
        if self.stage:
            elapsed = time.perf_counter() - self._stage_started
            self.stage_seconds[self.stage] = self.stage_seconds.get(self.stage, 0.0) + elapsed

    def _notify(self) -> None:
        for listener in self.listeners:
            listener(self)


class SubTask(Task):
    """A slice ``[start, end]`` of a parent task's progress, for one step of a stage.

    Fusion fits its components inside one stage: each component reports 0..1 into its
    own slice, and a cancel of the parent stops the component at its next safe point.
    """

    def __init__(self, parent: Task, start: float, end: float) -> None:
        super().__init__(stage=parent.stage)
        self.parent, self.start, self.end = parent, start, end

    def update(self, progress: float, status: str | None = None) -> None:
        share = min(max(progress, 0.0), 1.0)
        self.parent.update(self.start + (self.end - self.start) * share, status)

    def cancel(self) -> None:
        self.parent.cancel()

    @property
    def cancelled(self) -> bool:
        return self.parent.cancelled

    def check(self) -> None:
        self.parent.check()


def stderr_listener(stream: TextIO = sys.stderr, min_interval: float = 0.5) -> Listener:
    """Progress lines for the command line, at most one per ``min_interval`` per stage."""
    last: dict[str, float] = {}

    def listen(task: Task) -> None:
        now = time.perf_counter()
        key = task.stage
        if task.progress not in (0.0, 1.0) and now - last.get(key, 0.0) < min_interval:
            return
        last[key] = now
        stream.write(f"[{task.stage}] {task.progress:4.0%} {task.status}\n")
        stream.flush()

    return listen
