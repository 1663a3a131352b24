"""Importing large logs: seconds and peak memory of the readers, old and new side by side.

    python bench/import_scale.py [--sizes 1m,3m] [--repeats 3]

A synthetic shop log (``engine.data.synthetic``, about 1 and 3 million interactions) is
written as CSV and as Parquet, then read with :func:`engine.data.importer.read_interactions`
in a fresh process per measurement, so that each peak resident memory (``VmHWM``, Linux)
is that read's alone:

* CSV, in memory: the reader before streaming (``sniff.read_raw``), forced by raising
  ``engine.data.reading.STREAM_ABOVE`` above the file's size;
* CSV, streamed: the reader for files above ``STREAM_ABOVE``;
* Parquet, in batches (the reader for .parquet files) and in one batch (what the
  importer falls back to for the exact message when a batch holds a bad value).

Each process first imports everything and notes its resident memory, the baseline; the
increase over it is the read's own peak, compared with the final arrays: the bytes of the
table the reader returns (user and item ids as Arrow strings, rating, timestamp and line).
A last column reads the CSV again and builds the dataset (``build_dataset``), whose own
peak is what an import reaches after the reader. Median of ``--repeats`` runs. Writes
``bench/results/import_scale.json`` and ``.md``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, machine, write_results  # noqa: E402
from engine.data import reading  # noqa: E402
from engine.data.importer import read_interactions  # noqa: E402
from engine.data.parquet import parquet_source  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.synthetic import INTERACTION_COLUMNS, ShopConfig, generate, write_csv  # noqa: E402

SIZES = {"1m": 20_000, "3m": 59_000}
"""Users of the shop for about 1 and 3 million interactions (5,000 items, 7 to 18
sessions per user: ``ShopConfig.large``)."""
READERS = {
    "csv-memory": ("interactions.csv", "in memory (before)"),
    "csv-stream": ("interactions.csv", "streamed (now)"),
    "parquet-batches": ("interactions.parquet", "Parquet, in batches (now)"),
    "parquet-whole": ("interactions.parquet", "Parquet, in one batch"),
}
MB = 1e6


def _memory(field: str) -> int:
    """A resident memory figure of this process from ``/proc/self/status``, in bytes.

    Not ``ru_maxrss``: Linux keeps it across ``exec``, so a child started by a process
    that has just generated a 3-million-row shop would report that process's size.
    ``VmHWM``, the peak, belongs to the process's own address space.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def child(reader: str, path: Path, build: bool) -> None:
    """One measurement, in this process: print its figures as JSON."""
    if reader == "csv-memory":
        reading.STREAM_ABOVE = path.stat().st_size + 1
    elif reader == "csv-stream":
        reading.STREAM_ABOVE = 0
    elif reader == "parquet-whole":
        reading.parquet_source = partial(parquet_source, whole=True)  # type: ignore[assignment]
    baseline = _memory("VmRSS")
    start = time.perf_counter()
    table = read_interactions(path)
    if build:
        build_dataset(table)
    seconds = time.perf_counter() - start
    peak = _memory("VmHWM")
    print(json.dumps({"seconds": seconds, "baseline": baseline, "peak": peak,
                      "arrays": int(table.frame.memory_usage(deep=True).sum()),
                      "rows": len(table.frame)}))


def measure(reader: str, path: Path, build: bool, repeats: int) -> dict[str, float]:
    """Median figures of ``repeats`` fresh processes."""
    runs = []
    for _ in range(repeats):
        command = [sys.executable, __file__, "--child", reader, str(path)]
        out = subprocess.run(command + (["--build"] if build else []), cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        runs.append(json.loads(out.splitlines()[-1]))
    figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    figures["increase"] = figures["peak"] - figures["baseline"]
    figures["ratio"] = figures["increase"] / figures["arrays"]
    figures["seconds_all"] = [round(run["seconds"], 3) for run in runs]
    return figures


def write_files(users: int, folder: Path) -> dict[str, object]:
    """The shop's log as CSV and Parquet (pyarrow's defaults) in ``folder``; what was
    written."""
    shop = generate(ShopConfig(n_users=users, n_items=5_000, sessions_per_user=(7, 18)))
    write_csv(shop, folder)
    pq.write_table(pa.Table.from_pandas(shop.interactions[INTERACTION_COLUMNS],
                                        preserve_index=False), folder / "interactions.parquet")
    return {"users": users, "interactions": len(shop.interactions),
            "bytes": {name: (folder / name).stat().st_size
                      for name in ("interactions.csv", "interactions.parquet")}}


def markdown(results: list[dict[str, object]], repeats: int) -> str:
    facts = machine()
    lines = [(f"Import of a synthetic shop log, measured {facts['date']} on {facts['cpu']}, "
              f"{facts['cores']} cores, {facts['memory_gib']} GiB, Python {facts['python']}; "
              f"each read in a fresh process, median of {repeats}. Peak = the process's peak "
              "resident memory; increase = peak minus the process's memory before the read "
              "(its imports); arrays = the bytes of the table read; ratio = increase / "
              "arrays. Command: `python bench/import_scale.py`."), "",
             ("| log | file | reader | seconds | peak MB | increase MB | arrays MB | ratio | "
              "with build_dataset (one run): s / peak MB |"),
             "|---|---|---|---|---|---|---|---|---|"]
    for size in results:
        for reader, (name, label) in READERS.items():
            got = size["readers"][reader]
            built = size["build"].get(reader)
            lines.append(
                f"| {size['interactions']:,} rows | {name} ({size['bytes'][name] / MB:.0f} MB) | "
                f"{label} | {got['seconds']:.2f} | {got['peak'] / MB:.0f} | "
                f"{got['increase'] / MB:.0f} | {got['arrays'] / MB:.0f} | {got['ratio']:.1f} | "
                + (f"{built['seconds']:.2f} / {built['peak'] / MB:.0f} |" if built else "- |"))
    lines += ["", ("The last column reads the CSV and builds the dataset: with the streamed "
                   "reader, `build_dataset` (sorting and coding the string ids) now sets the "
                   "import's peak.")]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,3m")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.build)
        return
    results = []
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            written = write_files(SIZES[size], folder)
            print(f"{size}: {written}", flush=True)
            readers = {}
            for reader, (name, _) in READERS.items():
                readers[reader] = measure(reader, folder / name, False, args.repeats)
                print(f"  {reader}: {readers[reader]}", flush=True)
            build = {reader: measure(reader, folder / "interactions.csv", True, 1)
                     for reader in ("csv-memory", "csv-stream")}
            print(f"  with build_dataset: {build}", flush=True)
            results.append({**written, "readers": readers, "build": build})
    write_results("import_scale", {"machine": machine(), "repeats": args.repeats,
                                   "results": results}, markdown(results, args.repeats))


if __name__ == "__main__":
    main()
