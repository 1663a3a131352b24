"""A real Ray cluster made of processes on this computer, and ended without a trace.

``ray start`` on 127.0.0.1 starts a head node and then each worker node as its own
raylet with its own CPUs, exactly as on separate machines, only closer: that is what
the tests and bench/ray_scale.py run the studio against, and a way to try
``--compute ray`` before there is a cluster. Everything lives in a private temporary
folder, on free ports, so that it meets no other Ray on the machine; :meth:`stop` ends
exactly the processes that name that folder and their children, rather than
``ray stop``, which ends every Ray process of the user.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine.cluster.session import ClusterError, import_ray

HOST = "127.0.0.1"
#: Seconds to wait for the killed processes to end, and rounds of killing.
STOP_WAIT, STOP_ROUNDS = 5.0, 3
#: Seconds ``ray start`` may take.
START_TIMEOUT = 120.0
#: Tries of a worker node to join the head, and the seconds between them (times the try).
JOIN_TRIES, JOIN_WAIT = 3, 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class LocalCluster:
    """A head node with ``head_cpus`` CPUs and ``workers`` worker nodes with
    ``cpus_per_node`` each, every node's object store ``object_store_mib`` large; a
    context manager that stops them all on the way out.

    ``worker_niceness`` is the nice value of the nodes' worker processes; None keeps
    Ray's (15), which lets the processes that drive a cluster stay responsive while its
    workers fill the CPUs, and makes the workers wait behind any other program that
    wants the same CPUs. The tests pass 0: on a machine busy with another program their
    workers then get the share of the CPUs a local run gets."""

    def __init__(self, workers: int = 1, cpus_per_node: int = 1, head_cpus: int = 1,
                 object_store_mib: int = 256, worker_niceness: int | None = None) -> None:
        self.workers, self.cpus_per_node, self.head_cpus = workers, cpus_per_node, head_cpus
        self.object_store_mib = object_store_mib
        self.worker_niceness = worker_niceness
        self.folder: Path | None = None
        self.address = ""

    def __enter__(self) -> "LocalCluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> "LocalCluster":
        """Start the head, then the worker nodes; stops what started if one fails."""
        import_ray()
        # short: the nodes' socket paths live under it, and sockets allow ~100 characters
        self.folder = Path(tempfile.mkdtemp(prefix="ray_", dir="/tmp"))
        port = _free_port()
        self.address = f"{HOST}:{port}"
        try:
            self._ray_start(["--head", f"--port={port}", f"--num-cpus={self.head_cpus}",
                             "--include-dashboard=false", f"--dashboard-port={_free_port()}"])
            for _ in range(self.workers):
                self.add_node()
        except BaseException:
            self.stop()
            raise
        return self

    def add_node(self, cpus: int | None = None) -> None:
        """One more worker node joined to the head. A join whose first connection to the
        head's GCS fails (it does when the machine is busy and the head still starting:
        Ray then reports a missing auth token) is tried again, :data:`JOIN_TRIES` times."""
        arguments = [f"--address={self.address}",
                     f"--num-cpus={self.cpus_per_node if cpus is None else cpus}"]
        for attempt in range(1, JOIN_TRIES + 1):
            try:
                self._ray_start(arguments)
                return
            except ClusterError as error:
                if attempt == JOIN_TRIES or "connect to GCS" not in str(error):
                    raise
                time.sleep(JOIN_WAIT * attempt)

    def _ray_start(self, arguments: list[str]) -> None:
        command = [str(Path(sys.executable).with_name("ray")), "start", *arguments,
                   f"--node-ip-address={HOST}", f"--temp-dir={self.folder}",
                   f"--object-store-memory={self.object_store_mib * 2**20}",
                   f"--dashboard-agent-listen-port={_free_port()}",
                   f"--dashboard-agent-grpc-port={_free_port()}",
                   f"--runtime-env-agent-port={_free_port()}",
                   f"--metrics-export-port={_free_port()}", "--disable-usage-stats"]
        # Nothing of a Ray the user ran before: no address, and no token file of
        # ~/.ray (a local ``ray.init`` writes one, and a head that finds it wants a token
        # its joining nodes do not send), so the nodes' home is the private folder.
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("RAY_ADDRESS", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")}
        environment["HOME"] = str(self.folder)
        if self.worker_niceness is not None:
            environment["RAY_worker_niceness"] = str(self.worker_niceness)
        done = subprocess.run(command, capture_output=True, text=True, env=environment,
                              timeout=START_TIMEOUT)
        if done.returncode != 0:
            raise ClusterError(f"`ray start` failed ({done.returncode}): "
                               f"{(done.stderr or done.stdout).strip()[-2000:]}")

    def processes(self) -> dict[int, str]:
        """The cluster's processes (pid: command line): those that name its folder and
        all their descendants, the workers included."""
        if self.folder is None:
            return {}
        table: dict[int, tuple[int, str]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                    errors="replace").strip()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # ended meanwhile
            table[int(entry.name)] = (parent, command)
        mine = {pid for pid, (_, command) in table.items()
                if str(self.folder) in command and pid != os.getpid()}
        grown = True
        while grown:
            children = {pid for pid, (parent, _) in table.items()
                        if parent in mine and pid not in mine and pid != os.getpid()}
            mine |= children
            grown = bool(children)
        return {pid: table[pid][1] for pid in mine}

    def worker_pids(self) -> list[int]:
        """Processes running the studio's tasks now (``ray::fit_on_worker``, a scoring
        worker's ``ray::MapWorker``...)."""
        return [pid for pid, command in self.processes().items()
                if command.startswith("ray::") and "Agent" not in command
                and "IDLE" not in command]

    def stop(self) -> None:
        """End every process of the cluster at once (SIGKILL, as ``ray stop --force``:
        the cluster holds nothing to save), remove its folder; safe to call twice. The
        processes are listed before any ends (a worker whose raylet ended descends from
        nothing of the cluster's any more), and again after, for one started meanwhile."""
        pids = set(self.processes())
        for _ in range(STOP_ROUNDS):
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + STOP_WAIT
            while time.monotonic() < deadline and any(_alive(p) for p in pids):
                time.sleep(0.05)
            pids = {p for p in pids if _alive(p)} | set(self.processes())
            if not pids:
                break
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
