"""Property-based fuzzing of every file the application reads, many cases at a time.

    python bench/fuzz_inputs.py [--cases 10000] [--seed N]

Runs the properties of ``bench/fuzz_cases.py`` (the ones the test suite runs a few
hundred times) on ``--cases`` generated files in all, split over the kinds: the three
readers (interactions, catalogue, feedback; an accepted file is also preprocessed) and
the three commands that read a file into the project database (``import``, ``append``,
``feedback``), each on a fresh copy of a database holding the demo shop and one run. A
case ends accepted, refused with a DataError (exit status 2 and one message, the
database byte for byte unchanged) or crashed (anything else: a traceback, another
status, a message without the file, a changed database). Crashes are counted, not
shrunk, so every case runs; the first few are written out with their input. Writes
``bench/results/fuzz_inputs.json`` and ``.md``; exits 1 when a case crashed, and
``--seed`` replays a run.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from bench.common import machine, write_results  # noqa: E402
from bench.fuzz_cases import (ACCEPTED, CLI_KINDS, CRASHED, READER_KINDS, REFUSED,  # noqa: E402
                              Case, cases, check_cli, check_read, count_outcomes,
                              make_database)
from engine.data.synthetic import ShopConfig, generate, write_csv  # noqa: E402

#: Share of the cases per kind: the readers are cheap, a command costs a database copy.
SHARES = {("read", "interactions"): 0.16, ("read", "catalogue"): 0.12,
          ("read", "feedback"): 0.12, ("read", "preview"): 0.1, ("read", "movielens"): 0.1,
          ("cli", "import"): 0.1, ("cli", "items"): 0.1, ("cli", "append"): 0.1,
          ("cli", "feedback"): 0.1}
assert {kind for how, kind in SHARES if how == "read"} == set(READER_KINDS)
assert {kind for how, kind in SHARES if how == "cli"} == set(CLI_KINDS)
KIND_NAMES = {("read", "preview"): "import dialog: preview, then read",
              ("read", "movielens"): "MovieLens folder (one file)",
              ("cli", "import"): "import --interactions",
              ("cli", "items"): "import --items (catalogue)",
              ("cli", "append"): "append --interactions", ("cli", "feedback"): "feedback --file"}


def run_kind(how: str, kind: str, n: int, run_seed: int, folder: Path,
             shop: tuple[Path, Path], template: Path) -> dict[str, object]:
    """``n`` generated cases of one kind through its property; the outcome counts."""
    tally: dict[str, int] = {}
    crashes: list[str] = []

    def check(case: Case) -> str:
        return (check_read(case, folder, shop) if how == "read"
                else check_cli(case, folder, template, shop))

    body = count_outcomes(check, tally, crashes)
    test = seed(run_seed)(settings(
        max_examples=n, deadline=None, database=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck))(given(cases(kind))(body)))
    start = time.perf_counter()
    test()
    seconds = time.perf_counter() - start
    return {"kind": KIND_NAMES.get((how, kind), f"{kind} reader"),
            "cases": sum(tally.values()), "accepted": tally.get(ACCEPTED, 0),
            "refused": tally.get(REFUSED, 0), "crashes": tally.get(CRASHED, 0),
            "seconds": round(seconds, 1), "crash_examples": crashes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000,
                        help="generated files in all, over every kind (default 10,000)")
    parser.add_argument("--seed", type=int, help="replay a run (default: a fresh seed)")
    args = parser.parse_args()
    run_seed = args.seed if args.seed is not None else random.randrange(2**32)
    warnings.simplefilter("ignore")  # pandas' notes on odd dates are not outcomes
    rows = []
    with tempfile.TemporaryDirectory(prefix="fuzz_inputs_") as tmp:
        folder = Path(tmp)
        (folder / "shop").mkdir()
        shop = write_csv(generate(ShopConfig(n_users=60, seed=3)), folder / "shop")
        template = make_database(folder, shop)
        for (how, kind), share in SHARES.items():
            n = max(1, round(args.cases * share))
            row = run_kind(how, kind, n, run_seed, folder, shop, template)
            rows.append(row)
            print(f"{row['kind']:34} {row['cases']:6,} cases: {row['accepted']:,} accepted, "
                  f"{row['refused']:,} refused, {row['crashes']:,} crashes in "
                  f"{row['seconds']} s", flush=True)
            for example in row["crash_examples"]:  # type: ignore[union-attr]
                print(example[-3000:], file=sys.stderr)
    total = {key: sum(r[key] for r in rows)  # type: ignore[misc]
             for key in ("cases", "accepted", "refused", "crashes")}
    total["seconds"] = round(sum(r["seconds"] for r in rows), 1)  # type: ignore[misc]
    m = machine()
    md = "\n".join(
        [f"Fuzzed input files (hypothesis, seed {run_seed}), measured {m['date']} on "
         f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}. "
         "Refused: a DataError (the command line: exit status 2, one message, the database "
         "byte for byte unchanged); crashes: anything else.",
         "", "| kind | cases | accepted | refused | crashes | seconds |",
         "|---|---|---|---|---|---|"]
        + [f"| {r['kind']} | {r['cases']:,} | {r['accepted']:,} | {r['refused']:,} | "
           f"{r['crashes']:,} | {r['seconds']} |" for r in rows]
        + [f"| **all** | {total['cases']:,} | {total['accepted']:,} | {total['refused']:,} | "
           f"{total['crashes']:,} | {total['seconds']} |"])
    write_results("fuzz_inputs", {"machine": m, "seed": run_seed, "requested": args.cases,
                                  "total": total, "kinds": rows}, md)
    print(md)
    if total["crashes"]:
        raise SystemExit(f"{total['crashes']} cases crashed; see the examples above and "
                         "bench/results/fuzz_inputs.json")


if __name__ == "__main__":
    main()
