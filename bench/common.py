"""Shared helpers for the benchmark scripts: where the data is, machine facts, output files."""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results"


def machine() -> dict[str, object]:
    """What the numbers were measured on, written next to every result."""
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(mem_gib, 1), "python": platform.python_version(), "gpu": "none"}


def median_seconds(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_cli(args: list[str]) -> tuple[float, int]:
    """Run ``main.py`` in a fresh process; wall seconds and peak resident memory (KiB)."""
    command = [sys.executable, str(ROOT / "main.py"), *args]
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    proc = subprocess.run(wrapper + command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"command failed: {' '.join(command)}")
    peak_kib = int(proc.stderr.strip().splitlines()[-1]) if wrapper else -1
    sys.stdout.write(proc.stdout)
    return wall, peak_kib


def write_results(name: str, payload: dict[str, object], markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2))
    (RESULTS / f"{name}.md").write_text(markdown + "\n")
    print(f"wrote {RESULTS / name}.json and .md")
