"""Connecting this process to a Ray cluster, and what the cluster has.

The studio is a driver: it never starts a cluster of its own (``ray start`` does, on
each node; :mod:`engine.cluster.local` for one computer), so that nothing is left
running when a run ends. Ray's own ``ray.init`` keeps retrying an address where nobody
answers for minutes; the address is therefore checked with a plain TCP connection
first, and every failure becomes one :class:`ClusterError` that says what to do.
"""
from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType

from engine.core.errors import DataError

#: Seconds a connection may take before the address counts as unreachable.
CONNECT_TIMEOUT = 5.0
#: Seconds the first task may take to start on the cluster (a worker process starts).
PROBE_TIMEOUT = 120.0
INSTALL_HINT = "pip install 'interest-fusion-studio[ray]'"


class ClusterError(DataError):
    """The cluster cannot be used, or lost the work it was given: one message that says
    what happened, never a traceback (the command line exits with status 2)."""


def import_ray() -> ModuleType:
    """The ``ray`` package, or a ClusterError that says how to install it."""
    try:
        import ray
    except ImportError:
        raise ClusterError(f"Ray is not installed in this Python: {INSTALL_HINT} "
                           "(or run on this computer, --compute local)") from None
    return ray


@dataclass(frozen=True)
class NodeInfo:
    """One live node of the cluster."""

    host: str
    cpus: float
    gpus: float


@dataclass(frozen=True)
class ClusterInfo:
    """The cluster a process is connected to: its address and live nodes."""

    address: str
    nodes: tuple[NodeInfo, ...]

    @property
    def cpus(self) -> int:
        return int(sum(n.cpus for n in self.nodes))

    @property
    def gpus(self) -> int:
        return int(sum(n.gpus for n in self.nodes))

    def describe(self) -> str:
        """``2 nodes, 4 CPUs, 1 GPU``: what the Run screen and the command line show."""
        def count(n: int, what: str) -> str:
            return f"{n} {what}{'' if n == 1 else 's'}"
        return ", ".join([count(len(self.nodes), "node"), count(self.cpus, "CPU"),
                          count(self.gpus, "GPU")])


def connect(address: str = "auto") -> ClusterInfo:
    """Connect this process to the Ray cluster at ``address`` (``auto``: the one
    started on this computer, or ``RAY_ADDRESS``; else ``host:port`` of its head) and
    check that its workers can run the studio's code; stays connected until
    :func:`disconnect`."""
    ray = import_ray()
    if ray.is_initialized():
        ray.shutdown()
    resolved = _reachable(ray, address)
    try:
        ray.init(address=resolved, namespace="interest-fusion-studio",
                 logging_level=logging.WARNING, log_to_driver=False)
    except Exception as error:  # Ray raises ConnectionError, RuntimeError, ValueError...
        raise ClusterError(f"cannot connect to the Ray cluster at {address!r}: "
                           f"{error}") from None
    try:
        info = _describe(ray, resolved)
        _check_workers(ray, info)
    except BaseException:
        ray.shutdown()
        raise
    return info


def disconnect() -> None:
    """Leave the cluster (it keeps running; its tasks of this process end)."""
    ray = import_ray()
    if ray.is_initialized():
        ray.shutdown()


def _reachable(ray: ModuleType, address: str) -> str:
    """``address`` as Ray's ``host:port``, once something answers there."""
    from ray._private.services import canonicalize_bootstrap_address

    try:
        resolved = canonicalize_bootstrap_address(address)
    except (ConnectionError, ValueError) as error:
        raise ClusterError(f"no Ray cluster at {address!r}: {error}. Start one with "
                           "`ray start --head` and give its address (host:port)") from None
    if resolved is None:
        raise ClusterError(f"no Ray cluster found at {address!r}: start one with `ray start "
                           "--head`, or give its head's address (host:port)")
    host, _, port = resolved.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except (OSError, ValueError) as error:
        raise ClusterError(f"no Ray cluster answers at {address!r} ({resolved}: {error}); "
                           "is its head running (`ray start --head`) and the port open?"
                           ) from None
    return str(resolved)


def _describe(ray: ModuleType, address: str) -> ClusterInfo:
    nodes = tuple(NodeInfo(str(n["NodeManagerAddress"]), float(n["Resources"].get("CPU", 0)),
                           float(n["Resources"].get("GPU", 0)))
                  for n in ray.nodes() if n["Alive"])
    return ClusterInfo(address, nodes)


def _studio_version() -> str:
    """The studio's version, as installed in this Python (a worker's, on the cluster)."""
    return metadata.version("interest-fusion-studio")


def _check_workers(ray: ModuleType, info: ClusterInfo) -> None:
    """A first task on the cluster: its workers import the studio, at this version."""
    if info.cpus < 1:
        raise ClusterError(f"the Ray cluster at {info.address} has no CPU to run on "
                           f"({info.describe()})")
    probe = ray.remote(num_cpus=0, max_retries=0)(_studio_version)
    try:
        theirs = ray.get(probe.remote(), timeout=PROBE_TIMEOUT)
    except ray.exceptions.GetTimeoutError:
        raise ClusterError(f"the Ray cluster at {info.address} started no task within "
                           f"{PROBE_TIMEOUT:.0f} s") from None
    except ray.exceptions.RayError as error:
        raise ClusterError(f"the Ray cluster's workers cannot run the studio ({error}); "
                           f"install it on every node: {INSTALL_HINT}") from None
    ours = _studio_version()
    if theirs != ours:
        raise ClusterError(f"the Ray cluster's workers run Interest Fusion Studio {theirs}, "
                           f"this computer {ours}: install the same version on every node")
