"""The test suite, several times in a row, while busy loops hold every core.

    python tools/suite_under_load.py [--times 3] [--hogs N] [-- PYTEST ARGS]

Tests assert what the code does, never how fast this machine is; this is the check that
they keep to it. One busy-loop process per core (``--hogs``, default: the core count)
runs at the suite's own priority for as long as the suite does, like another program a
user runs beside it; the suite (``python -m pytest -q`` and any arguments after ``--``)
then runs ``--times`` times. The hogs are stopped at the end, whatever happened. Exit
status 0 only when every pass succeeded; each pass's status and minutes are printed.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _spin() -> None:
    while True:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=3, help="passes of the suite (default 3)")
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 1,
                        help="busy-loop processes (default: one per core)")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args(argv)
    hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.hogs)]
    for hog in hogs:
        hog.start()
    results = []
    try:
        for n in range(1, args.times + 1):
            started = time.monotonic()
            status = subprocess.call([sys.executable, "-m", "pytest", "-q", *args.pytest_args],
                                     cwd=ROOT)
            minutes = (time.monotonic() - started) / 60
            results.append(status)
            print(f"pass {n} of {args.times} under {args.hogs} busy loops: exit status "
                  f"{status}, {minutes:.1f} min", flush=True)
    finally:
        for hog in hogs:
            hog.kill()
    return 0 if all(status == 0 for status in results) else 1


if __name__ == "__main__":
    sys.exit(main())
