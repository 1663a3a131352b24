"""Nothing lost: processes killed mid-transaction, and two writers on one file.

The killed processes are real ``python main.py`` subprocesses. The storage code's test
hook (INTEREST_FUSION_STUDIO_TEST_PAUSE) makes them stop inside the write transaction,
after the first batch of a bulk table, and announce it with a marker file; the test then
sends SIGKILL, which no Python code can intercept.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from application.runs import run_and_save
from application.texts import write_texts
from cli.main import main
from engine.core.progress import Task
from engine.pipeline.config import RunConfig
from storage import (Feedback, StorageError, add_feedback, dataset_info, get_setting,
                     last_run_config, list_runs, load_dataset, open_database, run_info)
from storage import runs as runs_module
from storage import save_dataset, save_run, set_setting, start_run
from storage.bulk import PAUSE_ENV
from storage.database import Database
from tests.support import ROOT
from tests.support.storage import count, fused_result, integrity, shop_dataset

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _paused(argv: list[str], table: str, marker: Path) -> subprocess.Popen[str]:
    """``main.py argv`` in a subprocess that stops after the first batch of ``table``."""
    env = {**os.environ, PAUSE_ENV: f"{table}:{marker}"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the subprocess ended before the pause: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the subprocess never reached the pause")
        time.sleep(0.05)
    return proc


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _tables(path: Path) -> dict[str, int]:
    return {t: count(path, t) for t in ("datasets", "users", "items", "interactions", "runs",
                                        "profiles", "lists", "entries")}


def test_import_killed_mid_transaction_leaves_the_previous_state(tmp_path, small_shop_files):
    path = tmp_path / "studio.db"
    full = shop_dataset(small_shop_files)
    old = dataclasses.replace(full, user=full.user[:500], item=full.item[:500],
                              weight=full.weight[:500], timestamp=full.timestamp[:500])
    with open_database(path) as db:
        old_id = save_dataset(db, old, "shop")
        save_run(db, fused_result(load_dataset(db, "shop")))
    before = _tables(path)

    interactions, items = small_shop_files
    proc = _paused(["import", "--interactions", str(interactions), "--items", str(items),
                    "--name", "shop", "--replace", "--db", str(path), "--quiet"],
                   "interactions", tmp_path / "paused")
    try:
        # While it holds the write lock: readers see the previous state, a second
        # writer is told clearly that the database is busy.
        with Database(path, busy_timeout=0.3) as other:
            assert dataset_info(other, "shop").n_interactions == 500
            with pytest.raises(StorageError, match="is busy: another window or command is "
                                                   r"writing to it \(waited 0.3 s\)"):
                set_setting(other, "theme", "dark")
    finally:
        _kill(proc)

    assert integrity(path) == "ok"
    assert _tables(path) == before
    with open_database(path) as db:
        info = dataset_info(db, "shop")
        assert (info.id, info.n_interactions) == (old_id, 500)
        assert len(load_dataset(db, "shop").user) == 500
        assert [r.status for r in list_runs(db)] == ["finished"]
        set_setting(db, "theme", "dark")  # writable again
        assert get_setting(db, "theme") == "dark"


def _all_tables(path: Path) -> dict[str, int]:
    """Row counts of every table in the file, whatever the schema holds."""
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {name: count(path, name) for name in sorted(names)}


def _rows_of_run(path: Path, run_id: int) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row of a run, and the project's settings, read with plain sqlite3."""
    lists = f"list_id IN (SELECT id FROM lists WHERE run_id = {run_id})"
    queries = {
        "runs": f"SELECT * FROM runs WHERE id = {run_id}",
        "profiles": f"SELECT * FROM profiles WHERE run_id = {run_id} ORDER BY user_id",
        "lists": f"SELECT * FROM lists WHERE run_id = {run_id} ORDER BY id",
        "entries": f"SELECT * FROM entries WHERE {lists} ORDER BY list_id, rank",
        "list_texts": f"SELECT * FROM list_texts WHERE {lists} ORDER BY list_id",
        "run_models": f"SELECT * FROM run_models WHERE run_id = {run_id}",
        "feedback": "SELECT * FROM feedback ORDER BY id",
        "settings": "SELECT * FROM settings ORDER BY key",
    }
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(sql).fetchall() for table, sql in queries.items()}


def test_run_killed_while_saving_leaves_the_earlier_run_as_it_was(tmp_path, small_shop_files):
    """A database with a finished run (lists, profiles, model, texts, feedback, the last
    run configuration); a second run is killed while it writes its entries: every table
    and every row of the first run is as before, and only the second run's own row,
    committed when it started, remains, marked interrupted at the next open."""
    path = tmp_path / "studio.db"
    dataset = shop_dataset(small_shop_files)
    with open_database(path) as db:
        save_dataset(db, dataset, "shop")
        first, _ = run_and_save(db, "shop", RunConfig(model="als", k=8), Task())
        write_texts(db, first, None, [str(u) for u in dataset.user_ids[:5]])
        add_feedback(db, "shop", [Feedback(str(dataset.user_ids[1]), str(dataset.item_ids[2]),
                                           "dislike", run_id=first)])
    before, first_rows = _all_tables(path), _rows_of_run(path, first)
    assert all(before[t] > 0 for t in ("profiles", "lists", "entries", "list_texts",
                                       "run_models", "feedback", "settings"))

    proc = _paused(["run", "--dataset", "shop", "--model", "pop", "--k", "12", "--db",
                    str(path), "--quiet"], "entries", tmp_path / "paused")
    _kill(proc)

    assert integrity(path) == "ok"
    after = _all_tables(path)
    assert after == {**before, "runs": before["runs"] + 1}, "only the killed run's own row"
    assert _rows_of_run(path, first) == first_rows
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT id, status FROM runs ORDER BY id").fetchall() == [
            (first, "finished"), (first + 1, "running")]
    with open_database(path) as db:
        killed, kept = list_runs(db)
        assert killed.status == "interrupted" and "killed" in killed.error
        assert run_info(db, killed.id).finished_at is None
        assert kept.id == first and kept.status == "finished"
        assert last_run_config(db).model == "als"
    for table in ("profiles", "lists"):
        assert count(path, table, f"run_id = {first + 1}") == 0


def test_a_second_writer_waits_for_the_first(tmp_path):
    path = tmp_path / "studio.db"
    with open_database(path) as db:
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO settings VALUES ('first', '1', '2024-01-01 00:00:00')")
        threading.Timer(0.5, lambda: holder.execute("COMMIT")).start()
        started = time.perf_counter()
        set_setting(db, "second", 2)
        assert time.perf_counter() - started >= 0.4
        assert (get_setting(db, "first"), get_setting(db, "second")) == (1, 2)
        holder.close()


def test_the_command_line_says_when_the_database_is_busy(tmp_path, small_shop_files, capsys):
    path = tmp_path / "studio.db"
    dataset = shop_dataset(small_shop_files)
    with open_database(path) as db:
        save_dataset(db, dataset, "shop")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code = main(["forget", "--dataset", "shop", "--user", str(dataset.user_ids[0]),
                     "--db", str(path), "--busy-timeout", "0.2"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    err = capsys.readouterr().err
    assert "is busy: another window or command is writing" in err and "Traceback" not in err
    assert count(path, "users") == dataset.n_users


def test_only_runs_of_processes_that_are_gone_are_marked_interrupted(tmp_path, small_shop_files):
    path = tmp_path / "studio.db"
    with open_database(path) as db:
        save_dataset(db, shop_dataset(small_shop_files), "shop")
        ids = [start_run(db, "shop", RunConfig()) for _ in range(4)]
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    host = socket.gethostname()
    me = runs_module._owner()
    owners = {ids[0]: me,  # this process: alive
              ids[1]: f"{host}:{finished.stdout.strip()}:1",  # exited
              ids[2]: f"{host}:{os.getpid()}:{me.split(':')[2]}0",  # pid reused by another
              ids[3]: "another-machine:1:1"}  # cannot tell: left alone
    with sqlite3.connect(path) as conn:
        conn.executemany("UPDATE runs SET owner = ? WHERE id = ?",
                         [(owner, run_id) for run_id, owner in owners.items()])
    with open_database(path) as db:
        status = {run_id: run_info(db, run_id).status for run_id in ids}
    assert status == {ids[0]: "running", ids[1]: "interrupted", ids[2]: "interrupted",
                      ids[3]: "running"}
