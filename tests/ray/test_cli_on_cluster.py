"""The command line on a real Ray cluster: ``run``, ``update``, ``evaluate`` and
``recommend`` with ``--compute ray`` store and print what they do locally; a worker
killed mid-run is retried and the run finishes, one killed at every try ends the run
as failed with nothing of it stored."""
from __future__ import annotations

import json
import os
import signal
import threading
import time

import pandas as pd
import pytest

from cli.main import main
from storage import list_runs, open_database
from storage.results import export_lists
from tests.support.storage import count

pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")
from engine.cluster.ray_compute import RETRIES  # noqa: E402  (imports ray)

#: ALS fitting for a few seconds: its worker is killed as soon as the fit starts, so the
#: fit has to outlast one look at the process table (50 ms), and the retry has to end.
ALS = ["--model", "als", "--set", "als.iterations=3000"]
#: ALS that would fit for many minutes: every try is killed before it could end.
ENDLESS_ALS = ["--model", "als", "--set", "als.iterations=1000000"]


def cli(*argv: object) -> int:
    return main([str(a) for a in argv])


class Killer(threading.Thread):
    """Kills the cluster's worker process running a task titled ``title`` as soon as it
    is seen, ``times`` times (None: every one) while the ``with`` block runs."""

    def __init__(self, cluster, title: str, times: int | None) -> None:
        super().__init__(daemon=True)
        self.cluster, self.title, self.times = cluster, title, times
        self.killed: list[int] = []
        self._finished = threading.Event()

    def __enter__(self) -> "Killer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._finished.set()
        self.join()

    def run(self) -> None:
        while not self._finished.is_set() and (self.times is None or len(self.killed) < self.times):
            for pid, command in self.cluster.processes().items():
                if command.startswith(self.title) and pid not in self.killed:
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append(pid)
                    break
            time.sleep(0.05)


def imported(tmp_path, files) -> list[str]:
    """A project with the shop imported as 'shop'; its --db option."""
    db = ["--db", str(tmp_path / "studio.db")]
    interactions, items = files
    assert cli("import", "--interactions", interactions, "--items", items, "--name", "shop",
               "--quiet", *db) == 0
    return db


def lists(db: list[str], run_id: int, tmp_path) -> pd.DataFrame:
    with open_database(db[1]) as database:
        return export_lists(database, run_id, tmp_path / f"run{run_id}.csv")


def test_a_lost_worker_is_retried_and_the_run_finishes_as_locally(cluster, ray_shop_files,
                                                                 tmp_path):
    db = imported(tmp_path, ray_shop_files)
    on_ray = ["--compute", "ray", "--ray-address", cluster.address]
    with Killer(cluster, "ray::fit als", times=1) as killer:
        assert cli("run", "--dataset", "shop", *ALS, *on_ray, "--quiet", *db) == 0
    assert len(killer.killed) == 1
    assert cli("run", "--dataset", "shop", *ALS, "--quiet", *db) == 0
    pd.testing.assert_frame_equal(lists(db, 1, tmp_path), lists(db, 2, tmp_path))
    # an update's lists are scored on the cluster too
    assert cli("update", "--run", 1, *on_ray, "--quiet", *db) == 0
    assert cli("update", "--run", 2, "--quiet", *db) == 0
    pd.testing.assert_frame_equal(lists(db, 3, tmp_path), lists(db, 4, tmp_path))
    with open_database(db[1]) as database:
        runs = {r.id: r for r in list_runs(database)}
    assert [runs[i].status for i in (1, 2, 3, 4)] == ["finished"] * 4
    assert runs[1].metrics == runs[2].metrics
    assert runs[1].config == runs[2].config  # where a run computed is no part of its config


def test_a_worker_lost_at_every_try_fails_the_run_and_stores_nothing(cluster, ray_shop_files,
                                                                     tmp_path, capsys):
    db = imported(tmp_path, ray_shop_files)
    capsys.readouterr()
    with Killer(cluster, "ray::fit als", times=None) as killer:
        code = cli("run", "--dataset", "shop", *ENDLESS_ALS, "--compute", "ray",
                   "--ray-address", cluster.address, "--quiet", *db)
    assert code == 2
    err = capsys.readouterr().err
    assert "error: fitting als on the cluster failed, after Ray retried" in err
    assert "Traceback" not in err
    assert len(killer.killed) == RETRIES + 1  # the first try and Ray's retries
    with open_database(db[1]) as database:
        [run] = list_runs(database)
    assert run.status == "failed" and "fitting als on the cluster failed" in run.error
    assert count(tmp_path / "studio.db", "lists") == count(tmp_path / "studio.db",
                                                            "profiles") == 0


def test_evaluate_and_recommend_on_the_cluster_as_locally(cluster, ray_shop_files, tmp_path):
    interactions, items = ray_shop_files
    files = ["--interactions", interactions, "--items", items, "--quiet"]
    on_ray = ["--compute", "ray", "--ray-address", cluster.address]
    for where, extra in (("local", []), ("ray", on_ray)):
        assert cli("evaluate", *files, "--models", "ease,cooc", "--json",
                   tmp_path / f"{where}.json", *extra) == 0
        assert cli("recommend", *files, "--model", "als", "--k", 5, "--out",
                   tmp_path / f"{where}.csv", *extra) == 0

    def metrics(where: str) -> dict[str, dict[str, object]]:
        models = json.loads((tmp_path / f"{where}.json").read_text())["models"]
        return {name: {k: v for k, v in m.items() if not k.endswith("_seconds")}
                for name, m in models.items()}

    assert metrics("local") == metrics("ray")
    local, remote = (pd.read_csv(tmp_path / f"{w}.csv", dtype=str) for w in ("local", "ray"))
    assert len(local) == 120 * 5
    pd.testing.assert_frame_equal(local, remote)
