"""Probes of the window's UI thread for the benchmarks: how long each event it handles
keeps it from the next (:class:`EventTimes`), and a heartbeat that names what ran when it
could not answer (:class:`Heartbeat`). The figures depend on the machine, so they live in
``bench/`` (bench/ui_speed.py), never in a test's assertion.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bench.common import ROOT


def waiting_seconds(thread_id: int) -> float | None:
    """Seconds the thread ``thread_id`` (native id) has spent ready to run but waiting
    for a CPU (Linux schedstat), or None where the kernel does not say."""
    try:
        with open(f"/proc/self/task/{thread_id}/schedstat", encoding="ascii") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class Heartbeat:
    """A 20 ms timer on the UI thread, and what the UI thread was doing.

    The gap between two ticks is how long the UI thread could not answer, but on a loaded
    machine part of that gap is time the process was not given a CPU at all. Each tick
    therefore also records how long the UI thread waited on the kernel's run queue since
    the previous tick (``/proc/self/task/TID/schedstat``); a gap minus that wait is the
    time the UI thread was busy or blocked by this process: running slots and events, or
    waiting for the interpreter lock held by another of its threads (:meth:`max_stall_ms`).
    Qt handles every queued event before the next timer, so one gap can hold many short
    tasks: :class:`EventTimes` times each task. A sampler thread records the innermost
    project frame of the UI thread and of the others every 10 ms, so a long stall or
    event can be named (:meth:`during`).
    """

    def __init__(self, interval_ms: int = 20) -> None:
        self.interval_ms = interval_ms
        self.ticks: list[tuple[float, float, float]] = []  # (when, gap, unscheduled) in s
        self.samples: list[tuple[float, str, tuple[str, ...]]] = []  # when, UI, others
        self._thread_id = threading.get_native_id()  # built on the UI thread
        self._ident = threading.get_ident()
        self._last = time.perf_counter()
        self._waited = waiting_seconds(self._thread_id)
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._sampling = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    @property
    def measures_scheduling(self) -> bool:
        return self._waited is not None

    def start(self) -> None:
        self._last = time.perf_counter()
        self._waited = waiting_seconds(self._thread_id)
        self._timer.start()
        self._sampling.set()
        self._sampler.start()

    def stop(self) -> None:
        self._timer.stop()
        self._sampling.clear()
        self._sampler.join(timeout=5)

    def _tick(self) -> None:
        now = time.perf_counter()
        waited = waiting_seconds(self._thread_id)
        unscheduled = (waited - self._waited) if waited is not None and \
            self._waited is not None else 0.0
        self.ticks.append((now, now - self._last, unscheduled))
        self._last, self._waited = now, waited

    def _sample(self) -> None:
        root = str(ROOT)
        me = threading.get_ident()

        def where(frame) -> str:
            while frame is not None:
                name = frame.f_code.co_filename
                if name.startswith(root) and "/tests/" not in name \
                        and "/site-packages/" not in name:
                    return (f"{os.path.relpath(name, root)}:{frame.f_lineno} "
                            f"{frame.f_code.co_name}")
                frame = frame.f_back
            return "Qt event loop"

        while self._sampling.is_set():
            frames = sys._current_frames()
            ui = where(frames.get(self._ident))
            others = sorted({where(f) for ident, f in frames.items()
                             if ident not in (self._ident, me)} - {"Qt event loop"})
            del frames  # no frame (nor the Qt objects in its locals) outlives the sample
            self.samples.append((time.perf_counter(), ui, tuple(others)))
            time.sleep(0.01)

    def max_gap_ms(self, until: float = float("inf")) -> float:
        """The longest wall-clock gap among the ticks up to ``until`` (perf_counter)."""
        gaps = [gap for when, gap, _ in self.ticks if when <= until]
        return max(gaps) * 1000 if gaps else float("nan")

    def stalls(self) -> list[tuple[float, float, float]]:
        """(when, gap minus unscheduled time, unscheduled time) of every tick, in ms."""
        return [(when, (gap - unscheduled) * 1000, unscheduled * 1000)
                for when, gap, unscheduled in self.ticks]

    def max_stall_ms(self) -> float:
        """The longest time the UI thread was busy or blocked by this process."""
        stalls = [stall for _, stall, _ in self.stalls()]
        return max(stalls) if stalls else float("nan")

    def during(self, when: float, milliseconds: float) -> list[str]:
        """What the sampler saw in the ``milliseconds`` before ``when``: the UI thread's
        innermost project frame, with the other threads' (in brackets), consecutive
        repeats merged, and how long each lasted; a long one on a thread other than the
        UI thread is one that held the interpreter lock (the sampler needs it too)."""
        start = when - milliseconds / 1000
        seen = [(at, ui, others) for at, ui, others in self.samples if start <= at <= when]
        merged: list[list] = []
        for at, ui, others in seen:
            if merged and merged[-1][1:] == [ui, others]:
                continue
            merged.append([at, ui, others])
        out = []
        for i, (at, ui, others) in enumerate(merged):
            end = merged[i + 1][0] if i + 1 < len(merged) else when
            out.append(f"+{(at - start) * 1000:.0f} ms {ui}"
                       f"{' [' + ', '.join(others) + ']' if others else ''} "
                       f"({(end - at) * 1000:.0f} ms)")
        return out

    def report(self) -> str:
        """The worst stall, how much of its gap the CPU was elsewhere, and what ran."""
        if not self.ticks:
            return "no ticks"
        when, stall, unscheduled = max(self.stalls(), key=lambda s: s[1])
        return (f"worst stall {stall:.0f} ms (gap {stall + unscheduled:.0f} ms, of which "
                f"{unscheduled:.0f} ms waiting for a CPU) over {len(self.ticks)} ticks; "
                f"during it: {'; '.join(self.during(when, stall + unscheduled))}")


class EventTimes:
    """The duration of every event the UI thread handles, outermost deliveries only.

    Everything the UI thread does for the application arrives as an event: a queued
    signal from a worker (a slot), a timer, a paint, input. ``QApplication.notify``
    delivers each one; this wraps it for as long as it is installed and records, for each
    delivery that is not nested in another, its wall time minus the time the UI thread
    waited on the kernel's run queue meanwhile (see :func:`waiting_seconds`): how long
    that one task kept the UI thread from anything else, whatever else loads the machine.
    Waiting for the interpreter lock held by another thread of the process counts.
    """

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.events: list[tuple[float, float, float, str]] = []  # start, busy, queued, what
        self._thread = threading.get_ident()
        self._native = threading.get_native_id()
        self._depth = 0

    def __enter__(self) -> "EventTimes":
        original = type(self.app).notify
        app, native = self.app, self._native

        # The wrappers of ``receiver`` and ``event`` are dropped as soon as the delivery
        # returns: a wrapper outliving its C++ object would be handed out again for a new
        # object at the same address.
        def notify(receiver, event):
            if threading.get_ident() != self._thread:
                try:
                    return original(app, receiver, event)
                finally:
                    del receiver, event
            self._depth += 1
            if self._depth > 1:
                try:
                    return original(app, receiver, event)
                finally:
                    self._depth -= 1
                    del receiver, event
            what = f"{event.type().name} to {type(receiver).__name__}"
            waited = waiting_seconds(native)
            started = time.perf_counter()
            try:
                return original(app, receiver, event)
            finally:
                del receiver, event
                took = time.perf_counter() - started
                after = waiting_seconds(native)
                queued = after - waited if after is not None and waited is not None else 0.0
                self.events.append((started, took - queued, queued, what))
                self._depth -= 1

        self.app.notify = notify
        return self

    def __exit__(self, *exc: object) -> None:
        del self.app.notify  # the class's own again

    def longest(self, n: int = 5) -> list[tuple[float, float, float, str]]:
        return sorted(self.events, key=lambda e: e[1], reverse=True)[:n]

    def max_ms(self) -> float:
        return max((busy for _, busy, _, _ in self.events), default=float("nan")) * 1000

    def report(self, heartbeat: "Heartbeat | None" = None) -> str:
        lines = []
        for started, busy, queued, what in self.longest():
            line = f"{busy * 1000:.0f} ms {what} (+{queued * 1000:.0f} ms on the run queue)"
            if heartbeat is not None:
                seen = heartbeat.during(started + busy + queued, (busy + queued) * 1000)
                line += f": {'; '.join(seen)}" if seen else ""
            lines.append(line)
        return f"{len(self.events)} UI-thread events; the longest: " + " | ".join(lines)
