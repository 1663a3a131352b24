"""The Users screen with 100,000 users: how long each table operation keeps the UI thread.

    python bench/ui_speed.py [--users 100000] [--repeats 30]

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

An operation's time is its call plus the repaint that follows (``processEvents``): what
the UI thread spends before it can take the next key or click. Median, 95th percentile
and slowest are written to ``bench/results/ui_speed.json`` and ``.md``; the target is
100 ms for each. On a shared machine the UI thread may wait for a CPU in the middle of an
operation: the slowest is also given without that wait (Linux schedstat of the thread).
"""
from __future__ import annotations

import argparse
import os
import statistics
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

from bench.common import machine, write_results  # noqa: E402

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


def cpu_wait() -> float:
    """Seconds this (the UI) thread has waited for a CPU (0 where Linux does not say)."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat",
                  encoding="ascii") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


class LongestEvent:
    """The longest event the UI thread delivered while installed (QApplication.notify),
    wall time and the UI thread's wait for a CPU during it."""

    def __init__(self, app) -> None:
        self.app, self.longest, self.waited, self._depth = app, 0.0, 0.0, 0
        self._thread = threading.get_ident()

    def __enter__(self) -> "LongestEvent":
        original = type(self.app).notify
        app = self.app

        def notify(receiver, event):
            if threading.get_ident() != self._thread or self._depth:
                try:
                    return original(app, receiver, event)
                finally:
                    del receiver, event
            self._depth += 1
            started, waited = time.perf_counter(), cpu_wait()
            try:
                return original(app, receiver, event)
            finally:
                del receiver, event
                took = time.perf_counter() - started
                if took > self.longest:
                    self.longest, self.waited = took, cpu_wait() - waited
                self._depth -= 1

        self.app.notify = notify
        return self

    def __exit__(self, *exc: object) -> None:
        del self.app.notify


def summary(times: list[tuple[float, float]]) -> dict[str, float]:
    """Median, 95th percentile and slowest of (wall, CPU wait) pairs, in ms; and the
    slowest without the wait for a CPU."""
    ms = sorted(wall * 1000 for wall, _ in times)
    busy = max((wall - waited) * 1000 for wall, waited in times)
    return {"median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(ms[min(len(ms) - 1, int(np.ceil(0.95 * len(ms))) - 1)], 2),
            "max_ms": round(ms[-1], 2), "max_without_cpu_wait_ms": round(busy, 2),
            "n": len(ms)}


def measure(n_users: int, repeats: int) -> dict[str, dict[str, float]]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest

    from ui.app import create_application
    from ui.charts import rendering
    from ui.messages import setup_logging
    from ui.preferences import Preferences
    from ui.window import MainWindow

    folder = Path(tempfile.mkdtemp(prefix="ifs-ui-speed-"))
    path = folder / "big.db"
    started = time.perf_counter()
    make_project(path, n_users)
    print(f"project with {n_users:,} users written in {time.perf_counter() - started:.1f} s")

    app = create_application([])
    setup_logging(folder / "logs")
    prefs = Preferences(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(prefs, path)
    window.resize(1320, 840)
    window.show()

    def until(condition: Callable[[], bool], timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while not condition():
            app.processEvents()
            time.sleep(0.002)
            if time.monotonic() > end:
                raise TimeoutError("the window did not get there in time")

    def idle() -> bool:
        users = window.users_page
        return (not window.worker.busy and not window.writer.busy and not rendering()
                and users is not None and not users.reading)

    until(lambda: window.users_page is not None)
    window.show_page("users")
    page = window.users_page
    until(lambda: page.model.total == n_users and idle())
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
            until(idle)
        needle = f"user0{rng.integers(0, 10)}{rng.integers(0, 10)}{rng.integers(0, 10)}"
        page.search.setFocus()
        results.setdefault("typing a character into the search", []).append(
            timed(lambda: QTest.keyClick(page.search, needle[0])))
        page.search.setText(needle)
        results.setdefault("search (the filter applied)", []).append(
            timed(page.apply_search))
        until(idle)
        page.search.setText("")
        results.setdefault("clear the search", []).append(timed(page.apply_search))
        until(idle)

        user = f"user{rng.integers(0, n_users):06d}"
        with LongestEvent(app) as longest:
            results.setdefault("select a user: the selection", []).append(
                timed(lambda: page.select_user(user)))
            begun, waited = time.perf_counter(), cpu_wait()
            until(lambda: page.user == user and idle())
            shown = (time.perf_counter() - begun, cpu_wait() - waited)
        results.setdefault("select a user: longest UI-thread event until shown",
                           []).append((longest.longest, longest.waited))
        results.setdefault("select a user: until the details are shown (not blocking)",
                           []).append(shown)
        results.setdefault("scroll to the end", []).append(timed(page.table.scrollToBottom))
        page.table.scrollToTop()
    window.close()
    return {name: summary(times) for name, times in results.items()}


def markdown(figures: dict[str, dict[str, float]], facts: dict[str, object], n_users: int
             ) -> str:
    lines = [f"# Users screen with {n_users:,} users: UI-thread time per operation",
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
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    figures = measure(args.users, args.repeats)
    facts = {**machine(), "load": f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"}
    blocking = {k: v for k, v in figures.items() if "not blocking" not in k}
    slowest = max(v["max_ms"] for v in blocking.values())
    busy = max(v["max_without_cpu_wait_ms"] for v in blocking.values())
    payload = {"machine": facts, "users": args.users, "repeats": args.repeats,
               "target_ms": TARGET_MS, "operations": figures,
               "slowest_blocking_ms": slowest, "slowest_without_cpu_wait_ms": busy,
               "all_under_target": slowest < TARGET_MS,
               "all_under_target_without_cpu_wait": busy < TARGET_MS}
    text = markdown(figures, facts, args.users)
    write_results("ui_speed", payload, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
