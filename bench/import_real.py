"""Import the real data sets of ../shared/data and check what comes out.

Not a test: the files may not be redistributed, so a fresh clone does not have them.
Checks MovieLens 100K through the preset and, converted to a CSV with a header, through
the generic path (same result expected); and the UCI Online Retail sample as interactions
(roles detected by name) and as its own catalogue. Prints a summary and writes
bench/results/import_real.json; exits non-zero when a check fails.

    python bench/import_real.py [--data ../shared/data]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.data.importer import (Catalogue, InteractionTable, link_catalogue,  # noqa: E402
                                  read_catalogue, read_interactions, read_movielens)

T = TypeVar("T")
RETAIL_ROLES = {"user": "CustomerID", "item": "StockCode", "rating": "Quantity",
                "time": "InvoiceDate"}


def timed(read: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = read()
    return result, time.perf_counter() - start


def summary(table: InteractionTable | Catalogue, seconds: float) -> dict[str, object]:
    frame = table.frame
    out: dict[str, object] = {"rows": len(frame), "seconds": round(seconds, 4),
                              **table.report.to_dict()}
    if isinstance(table, InteractionTable):
        out.update(users=int(frame["user"].nunique()), items=int(frame["item"].nunique()),
                   has_timestamps=table.has_timestamps)
    else:
        out["genres"] = sorted({g for gs in frame["genres"] for g in gs.split("|") if g})
    return out


def check(failures: list[str], ok: bool, what: str) -> None:
    print(f"  [{'ok' if ok else 'FAIL'}] {what}")
    if not ok:
        failures.append(what)


def movielens(folder: Path, failures: list[str]) -> dict[str, object]:
    (table, catalogue), seconds = timed(lambda: read_movielens(folder))
    data, data_seconds = timed(lambda: read_interactions(folder / "u.data"))
    print(f"ml-100k: {len(table.frame)} ratings, {table.frame['user'].nunique()} users, "
          f"{len(catalogue.frame)} movies in {seconds:.3f} s (u.data alone: {data_seconds:.3f} s)")
    genres = {g for gs in catalogue.frame["genres"] for g in gs.split("|") if g}
    check(failures, len(table.frame) == 100_000, "100000 ratings")
    check(failures, table.frame["user"].nunique() == 943, "943 users")
    check(failures, table.frame["item"].nunique() == 1682, "1682 rated movies")
    check(failures, len(catalogue.frame) == 1682, "1682 movies in the catalogue")
    check(failures, len(genres) == 19, "19 genre names present")
    check(failures, data_seconds < 1.0, "u.data imports in under 1 s")
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "ratings.csv"
        text = (folder / "u.data").read_text().replace("\t", ",")
        csv.write_text("user_id,item_id,rating,timestamp\n" + text)
        generic, csv_seconds = timed(lambda: read_interactions(csv))
    columns = ["user", "item", "rating", "timestamp"]
    same = generic.frame[columns].equals(table.frame[columns])
    check(failures, same and (generic.frame["line"] == table.frame["line"] + 1).all(),
          "u.data as CSV with a header gives the same table (lines shifted by the header)")
    linked = link_catalogue(table, catalogue)
    check(failures, not linked.report.warnings, "every rated movie is in the catalogue")
    return {"preset": {"interactions": summary(table, seconds), "catalogue":
                       summary(catalogue, seconds)},
            "u.data": summary(data, data_seconds), "csv_with_header": summary(generic, csv_seconds)}


def retail(path: Path, failures: list[str]) -> dict[str, object]:
    table, seconds = timed(lambda: read_interactions(path))
    catalogue, catalogue_seconds = timed(lambda: read_catalogue(path))
    print(f"online retail: {len(table.frame)} interactions, {table.frame['user'].nunique()} "
          f"customers, {len(catalogue.frame)} products in {seconds + catalogue_seconds:.3f} s")
    check(failures, table.report.detected["roles"] == RETAIL_ROLES,
          f"roles detected by name: {table.report.detected['roles']}")
    check(failures, table.report.dropped.get("missing user", 0) > 0,
          "rows without CustomerID dropped as 'missing user'")
    check(failures, (table.frame["rating"] < 0).any(), "returns (negative quantities) kept")
    check(failures, table.has_timestamps and table.frame["timestamp"].min() >= 1291161600,
          "InvoiceDate parsed to Unix seconds on 2010-12-01 or later")
    check(failures, catalogue.report.detected["roles"].get("item") == "StockCode"
          and catalogue.report.detected["roles"].get("text") == "Description",
          "catalogue: StockCode as item, Description as text")
    check(failures, catalogue.frame["item"].is_unique, "catalogue item ids unique")
    linked = link_catalogue(table, catalogue)
    check(failures, not linked.report.warnings, "every purchased product is in the catalogue")
    return {"interactions": summary(table, seconds),
            "catalogue": summary(catalogue, catalogue_seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "import_real.json")
    args = parser.parse_args()
    failures: list[str] = []
    results = {
        "ml-100k": movielens(args.data / "ml-100k", failures),
        "online-retail": retail(args.data / "online-retail-sample" / "OnlineRetail.csv", failures),
        "failures": failures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"{len(failures)} failed check(s); results in {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
