"""Where a cluster's fit workers report their progress, for the driver to read.

A fit on the cluster runs in another process, often on another machine, so its
:class:`~engine.core.progress.Task` cannot reach the run's progress bar. Each fit
reports instead into one small actor that the driver polls (:mod:`engine.cluster.ray_compute`),
the fit tasks and the transformer's TorchTrainer workers (:mod:`engine.cluster.trainer`)
alike.
"""
from __future__ import annotations

import time
from typing import Any

import ray

from engine.core.progress import Task

#: Seconds between two progress reports of a fit worker, and between two polls of the driver.
REPORT_INTERVAL = 0.25


@ray.remote(num_cpus=0)
class ProgressBoard:
    """Where the fit workers report their progress (fraction, status) by model name."""

    def __init__(self) -> None:
        self._state: dict[str, tuple[float, str]] = {}

    def report(self, name: str, fraction: float, status: str) -> None:
        self._state[name] = (fraction, status)

    def read(self) -> dict[str, tuple[float, str]]:
        return dict(self._state)


def reporter(board: Any, name: str, prefix: str = "") -> Any:
    """A task listener that sends ``name``'s progress to the board, its status after
    ``prefix``, at most every :data:`REPORT_INTERVAL` seconds (fire and forget: the fit
    never waits for it)."""
    last = [0.0]

    def listen(task: Task) -> None:
        now = time.perf_counter()
        if now - last[0] >= REPORT_INTERVAL:
            last[0] = now
            board.report.remote(name, task.progress, prefix + task.status)

    return listen
