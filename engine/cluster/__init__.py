"""Beyond one workstation: a run's fits and its scoring on a Ray cluster.

The pipeline (:mod:`engine.pipeline`) does its heavy steps through a
:class:`~engine.pipeline.compute.Compute`; :func:`open_compute` gives this computer's,
or connects to a Ray cluster and gives :class:`~engine.cluster.ray_compute.RayCompute`
(fits as Ray tasks side by side, the transformer with Ray Train's TorchTrainer across
workers, every user's list through Ray Data), and disconnects at the end. Ray is an
optional extra (``pip install 'interest-fusion-studio[ray]'``): this package imports it
only when a cluster is chosen, so the desktop and the command line without it work as
before. docs/scale-out.md says what a cluster buys and costs.

Layer: above :mod:`engine.pipeline` (it implements the pipeline's compute), beside
:mod:`storage`, below :mod:`application`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from engine.cluster.session import ClusterError, ClusterInfo, connect, disconnect
from engine.core.errors import DataError
from engine.pipeline.compute import LOCAL, Compute

#: Where a run computes: ``local`` (this computer) or ``ray`` (a Ray cluster).
KINDS = ("local", "ray")


@dataclass(frozen=True)
class ComputeChoice:
    """Where to compute (``--compute``, the Run screen's Compute): ``kind`` and, for
    ``ray``, the cluster's ``address`` (``auto``: the one started on this computer or
    ``RAY_ADDRESS``; else the head's ``host:port``). Not part of a run's configuration:
    the results do not depend on it."""

    kind: str = "local"
    address: str = "auto"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DataError(f"compute must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind == "ray" and not self.address.strip():
            raise DataError("give the Ray cluster's address (host:port), or auto")

    def describe(self) -> str:
        return "this computer" if self.kind == "local" else f"the Ray cluster at {self.address}"


@contextmanager
def open_compute(choice: ComputeChoice) -> Iterator[Compute]:
    """The compute ``choice`` names, connected for the ``with`` block and disconnected
    after it (a cluster keeps running; only this process's work on it ends)."""
    if choice.kind == "local":
        yield LOCAL
        return
    info = connect(choice.address)
    try:
        from engine.cluster.ray_compute import RayCompute

        yield RayCompute(info)
    finally:
        disconnect()


__all__ = ["KINDS", "ComputeChoice", "ClusterError", "ClusterInfo", "open_compute", "connect",
           "disconnect"]
