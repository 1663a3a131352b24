"""How long the window's UI thread is kept busy: the Users screen with 100,000 users, and
a run of the default pipeline.

    python bench/ui_speed.py [--users 100000] [--repeats 30] [--run-epochs 3]

A project with ``--users`` synthetic users (1-4 timed interactions each over 300 items)
and one stored fused run (a gate and a one-item list per user) is written to a temporary
SQLite file; the real window opens on it (offscreen, no display needed) and, on the Users
screen, each operation is repeated ``--repeats`` times:

- typing one character into the search box (the filter waits until typing pauses),
- the search itself (the filter applied), and clearing it,
- sorting by each column, both ways,
- selecting a user: the UI thread's part when the row is selected, the longest single
  UI-thread event until the user's details are shown (they are read on the reader thread,
  the timeline drawn on the render thread), and the time until they are all shown,
- scrolling to the end of the table.

Then, on a new project with the demo shop, Run is clicked with the default pipeline (the
transformer trained ``--run-epochs`` epochs) and every event the UI thread handles is
timed until the Users screen shows the run's first user: the worker's progress, timers,
paints and the display of the results.

An operation's time is its call plus the repaint that follows (``processEvents``): what
the UI thread spends before it can take the next key or click. Median, 95th percentile
and slowest are written to ``bench/results/ui_speed.json`` and ``.md``; the target is
100 ms for each. On a shared machine the UI thread may wait for a CPU in the middle of an
operation: the slowest is also given without that wait (Linux schedstat of the thread).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.common import ROOT, machine, write_results  # noqa: E402
from bench.ui_probes import EventTimes, Heartbeat, waiting_seconds  # noqa: E402

TARGET_MS = 100.0


def many_users(n_users: int, seed: int = 0):
    """``n_users`` users with 1-4 timed interactions each over 300 items."""
    from engine.data.dataset import Dataset

    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 5, n_users)
    user = np.repeat(np.arange(n_users, dtype=np.int32), counts)
    n = len(user)
    return Dataset(
        user_ids=np.array([f"user{u:06d}" for u in range(n_users)], dtype=object),
        item_ids=np.array([f"item{i}" for i in range(300)], dtype=object),
        user=user, item=rng.integers(0, 300, n).astype(np.int32),
        weight=np.ones(n, np.float32),
        timestamp=np.sort(rng.integers(1_600_000_000, 1_700_000_000, n)).astype(np.int64),
        titles=np.array([f"Item {i}" for i in range(300)], dtype=object),
        texts=np.array([""] * 300, dtype=object), genres=[("Books",)] * 300, name="big")


def make_project(path: Path, n_users: int) -> None:
    """The dataset and one stored fused run with a gate per user."""
    from engine.pipeline.config import RunConfig
    from engine.pipeline.result import Profiles, RunResult, UserLists
    from storage import open_database, save_dataset, save_run

    dataset = many_users(n_users)
    rng = np.random.default_rng(1)
    result = RunResult(
        RunConfig(model="fusion", k=1), dataset, {"test": {}}, {"total": 1.0},
        UserLists(rng.integers(0, 300, (n_users, 1)).astype(np.int32),
                  np.ones((n_users, 1), np.float32),
                  {"ease": np.full((n_users, 1), 0.6, np.float32),
                   "cooc": np.full((n_users, 1), 0.4, np.float32)}),
        Profiles(keywords=[["books"]] * n_users, recent=np.full((n_users, 5), -1, np.int32),
                 gate=rng.random(n_users).astype(np.float32)))
    with open_database(path) as db:
        save_dataset(db, dataset)
        save_run(db, result)


def summary(times: list[tuple[float, float]]) -> dict[str, float]:
    """Median, 95th percentile and slowest of (wall, CPU wait) pairs, in ms; and the
    slowest without the wait for a CPU."""
    ms = sorted(wall * 1000 for wall, _ in times)
    busy = max((wall - waited) * 1000 for wall, waited in times)
    return {"median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(ms[min(len(ms) - 1, int(np.ceil(0.95 * len(ms))) - 1)], 2),
            "max_ms": round(ms[-1], 2), "max_without_cpu_wait_ms": round(busy, 2),
            "n": len(ms)}


def cpu_wait() -> float:
    """Seconds the calling (UI) thread has waited for a CPU (0 where Linux does not say)."""
    return waiting_seconds(threading.get_native_id()) or 0.0


def open_window(folder: Path, path: Path):
    """The real window on ``path`` (offscreen), its settings and logs in ``folder``."""
    from PySide6.QtCore import QSettings

    from ui.app import create_application
    from ui.messages import setup_logging
    from ui.preferences import Preferences
    from ui.window import MainWindow

    app = create_application([])
    setup_logging(folder / "logs")
    prefs = Preferences(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(prefs, path)
    window.resize(1320, 840)
    window.show()
    return app, window


def until(app, condition: Callable[[], bool], timeout: float = 600) -> None:
    end = time.monotonic() + timeout
    while not condition():
        app.processEvents()
        time.sleep(0.002)
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")


def idle(window) -> bool:
    from ui.charts import rendering

    users = window.users_page
    return (not window.worker.busy and not window.writer.busy and not rendering()
            and (users is None or not users.reading))


def measure_startup(times: int) -> list[float]:
    """Seconds from the process start to the window's first paint, ``times`` starts of
    ``main.py`` on a new project (the window's own IFS_STARTUP_REPORT)."""
    seconds = []
    for n in range(times):
        folder = Path(tempfile.mkdtemp(prefix="ifs-ui-start-"))
        report = folder / "shown.json"
        env = {**os.environ, "IFS_STARTUP_REPORT": str(report), "HOME": str(folder),
               "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
               "XDG_STATE_HOME": str(folder / "state")}
        process = subprocess.Popen([sys.executable, "main.py"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            until_file(report, process)
            seconds.append(json.loads(report.read_text())["since_process_start_s"])
        finally:
            process.terminate()
            process.wait(timeout=30)
    return seconds


def until_file(path: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None or time.monotonic() > end:
            raise RuntimeError(f"the window did not report its first paint to {path}")
        time.sleep(0.02)
    time.sleep(0.05)  # the report is written in one go; let it be closed


def measure_run(epochs: int) -> tuple[dict[str, float], str]:
    """Every UI-thread event from the click on Run (the default pipeline on the demo shop,
    the transformer trained ``epochs`` epochs) until the run's results are shown, and
    the heartbeat's account of the worst stall."""
    from application.importing import import_demo
    from engine.core.progress import Task
    from storage import open_database
    from ui.run_settings import RunSettings

    folder = Path(tempfile.mkdtemp(prefix="ifs-ui-run-"))
    path = folder / "demo.db"
    with open_database(path) as db:
        import_demo(db, Task())
    app, window = open_window(folder, path)
    until(app, lambda: window.data_page is not None and idle(window))
    window.show_page("run")  # loads the models' libraries on the worker, once
    until(app, lambda: idle(window))
    page, users = window.run_page, window.users_page
    page.form.set_settings(RunSettings(epochs=epochs))
    heartbeat = Heartbeat()
    heartbeat.start()
    with EventTimes(app) as events:
        page.run_button.click()
        until(app, lambda: not page.running)
        until(app, lambda: window.current_page() == "users" and users.user is not None
              and users.recommendations.rowCount() > 0 and idle(window))
    heartbeat.stop()
    window.close()
    times = [(busy + queued, queued) for _, busy, queued, _ in events.events]
    return summary(times), events.report(heartbeat)


def measure(n_users: int, repeats: int) -> dict[str, dict[str, float]]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    folder = Path(tempfile.mkdtemp(prefix="ifs-ui-speed-"))
    path = folder / "big.db"
    started = time.perf_counter()
    make_project(path, n_users)
    print(f"project with {n_users:,} users written in {time.perf_counter() - started:.1f} s")
    app, window = open_window(folder, path)
    until(app, lambda: window.users_page is not None)
    window.show_page("users")
    page = window.users_page
    until(app, lambda: page.model.total == n_users and idle(window))
    for _ in range(20):
        app.processEvents()

    def timed(act: Callable[[], object]) -> tuple[float, float]:
        begun, waited = time.perf_counter(), cpu_wait()
        act()
        app.processEvents()  # the repaint the operation caused
        return time.perf_counter() - begun, cpu_wait() - waited

    results: dict[str, list[tuple[float, float]]] = {}
    rng = np.random.default_rng(2)
    sorts = [(name, column, order) for column, name in enumerate(
        ("id", "history", "gate", "last activity"))
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)]
    for _ in range(repeats):
        for name, column, order in sorts:
            way = "ascending" if order == Qt.SortOrder.AscendingOrder else "descending"
            label = f"sort by {name}, {way}"
            results.setdefault(label, []).append(
                timed(lambda: page.table.sortByColumn(column, order)))
            until(app, lambda: idle(window))
        needle = f"user0{rng.integers(0, 10)}{rng.integers(0, 10)}{rng.integers(0, 10)}"
        page.search.setFocus()
        results.setdefault("typing a character into the search", []).append(
            timed(lambda: QTest.keyClick(page.search, needle[0])))
        page.search.setText(needle)
        results.setdefault("search (the filter applied)", []).append(
            timed(page.apply_search))
        until(app, lambda: idle(window))
        page.search.setText("")
        results.setdefault("clear the search", []).append(timed(page.apply_search))
        until(app, lambda: idle(window))

        user = f"user{rng.integers(0, n_users):06d}"
        with EventTimes(app) as events:
            results.setdefault("select a user: the selection", []).append(
                timed(lambda: page.select_user(user)))
            begun, waited = time.perf_counter(), cpu_wait()
            until(app, lambda: page.user == user and idle(window))
            shown = (time.perf_counter() - begun, cpu_wait() - waited)
        _, busy, queued, _ = events.longest(1)[0]
        results.setdefault("select a user: longest UI-thread event until shown",
                           []).append((busy + queued, queued))
        results.setdefault("select a user: until the details are shown (not blocking)",
                           []).append(shown)
        results.setdefault("scroll to the end", []).append(timed(page.table.scrollToBottom))
        page.table.scrollToTop()
    window.close()
    return {name: summary(times) for name, times in results.items()}


def markdown(figures: dict[str, dict[str, float]], facts: dict[str, object], n_users: int
             ) -> str:
    lines = [f"# The window's UI thread: each operation on the Users screen with {n_users:,} "
             "users, and each event during a run",
             "", f"Measured {facts['date']} on {facts['cpu']} ({facts['cores']} cores), "
             "offscreen, by `bench/ui_speed.py`; each operation's call and the repaint it "
             "caused.", "",
             "| operation | median | p95 | slowest | slowest without CPU wait | target |",
             "|---|---|---|---|---|---|"]
    for name, row in figures.items():
        blocking = "not blocking" not in name
        lines.append(f"| {name} | {row['median_ms']:.1f} ms | {row['p95_ms']:.1f} ms | "
                     f"{row['max_ms']:.1f} ms | {row['max_without_cpu_wait_ms']:.1f} ms | "
                     f"{'< 100 ms' if blocking else ''} |")
    lines += ["", f"Load average while measured: {facts.get('load', '?')} (other jobs shared "
              "the machine). \"Slowest without CPU wait\" leaves out the time the UI thread "
              "was ready but waited for a CPU (Linux schedstat)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--run-epochs", type=int, default=3,
                        help="transformer epochs of the timed run (default 3)")
    parser.add_argument("--starts", type=int, default=5,
                        help="times the window is started and timed (default 5)")
    parser.add_argument("--out", default="ui_speed",
                        help="results name in bench/results (default ui_speed; e.g. "
                             "ui_speed_1m for --users 1000000)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    figures = measure(args.users, args.repeats)
    run_label = (f"a run of the default pipeline on the demo shop ({args.run_epochs} "
                 "transformer epochs) until its results are shown: each UI-thread event")
    figures[run_label], worst = measure_run(args.run_epochs)
    print(f"during the run: {worst}")
    starts = measure_startup(args.starts)
    facts = {**machine(), "load": f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"}
    blocking = {k: v for k, v in figures.items() if "not blocking" not in k}
    slowest = max(v["max_ms"] for v in blocking.values())
    busy = max(v["max_without_cpu_wait_ms"] for v in blocking.values())
    payload = {"machine": facts, "users": args.users, "repeats": args.repeats,
               "target_ms": TARGET_MS, "operations": figures,
               "slowest_blocking_ms": slowest, "slowest_without_cpu_wait_ms": busy,
               "all_under_target": slowest < TARGET_MS,
               "all_under_target_without_cpu_wait": busy < TARGET_MS,
               "run_longest_events": worst,
               "startup_seconds": {"median": round(statistics.median(starts), 2),
                                   "max": round(max(starts), 2), "n": len(starts)}}
    text = markdown(figures, facts, args.users) + (
        f"\n\nStart-up: the window painted {statistics.median(starts):.2f} s (median of "
        f"{len(starts)}; slowest {max(starts):.2f} s) after its process started, on a new "
        "project.")
    write_results(args.out, payload, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
