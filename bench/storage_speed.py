"""Storage speed: bulk inserts, one user's list read with titles, the users table.

    python bench/storage_speed.py [--only users]

Targets (issue "Storage"): 100,000 interactions stored in < 3 s and 1,000,000 in < 30 s;
one user's stored list with titles read in < 5 ms; a page of the users table of a
100,000-user dataset in < 50 ms. The window's users table does not page: it loads every
user at once with :func:`storage.browse.user_index` (ids, history lengths, last activity
and the selected run's gate, on a worker thread) and sorts and searches in memory, so
that read is timed too, on the same 100,000 users with a stored run's gate for each.
Every timed read is reported as median, p95 and max. Synthetic shops from
``engine.data.synthetic``; every database is a fresh SQLite file in a temporary folder. Writes
``bench/results/storage_speed.json`` and ``.md``; ``--only users`` times the users table
alone and prints it without writing the results.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, write_results  # noqa: E402
from engine.data.dataset import Dataset  # noqa: E402
from engine.data.importer import Catalogue, InteractionTable  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.report import ImportReport  # noqa: E402
from engine.data.synthetic import Shop, ShopConfig, generate  # noqa: E402
from engine.pipeline.config import RunConfig  # noqa: E402
from engine.pipeline.execute import execute_run  # noqa: E402
from engine.pipeline.result import Profiles, RunResult, UserLists  # noqa: E402
from storage import (count_users, forget_user, load_dataset, open_database,  # noqa: E402
                     page_users, save_dataset, save_run, user_list)
from storage.browse import user_index  # noqa: E402

PAGE_SIZE = 100
INDEX_READS = 30


def as_dataset(shop: Shop, name: str) -> Dataset:
    """The shop's frames through the engine's preprocessing, as an import would give."""
    frame = shop.interactions.rename(columns={"user_id": "user", "item_id": "item"})
    frame = frame[["user", "item", "rating", "timestamp"]].assign(
        rating=lambda f: f["rating"].astype(float), line=np.arange(2, len(frame) + 2))
    table = InteractionTable(Path(f"{name}.csv"), frame, ImportReport(rows_read=len(frame)), True)
    items = shop.items.rename(columns={"item_id": "item", "description": "text",
                                       "category": "genres"})[["item", "title", "text", "genres"]]
    catalogue = Catalogue(Path("items.csv"), items, ImportReport(rows_read=len(items)))
    return build_dataset(table, catalogue, name=name)


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def store(folder: Path, dataset: Dataset) -> tuple[Path, float]:
    path = folder / f"{dataset.name}.db"
    with open_database(path) as db:
        _, seconds = timed(lambda: save_dataset(db, dataset))
    return path, seconds


def list_reads(path: Path, dataset: Dataset, run_id: int, n: int, seed: int) -> list[float]:
    """Seconds per read of one random user's list with titles, in a freshly opened database."""
    users = np.random.default_rng(seed).choice(dataset.user_ids, size=n)
    times = []
    with open_database(path) as db:
        user_list(db, run_id, str(users[0]))  # first connection and statement cache
        for user in users:
            entries, seconds = timed(lambda: user_list(db, run_id, str(user)))
            assert entries, user
            times.append(seconds)
    return times


def page_reads(path: Path, name: str, n: int, seed: int) -> tuple[int, list[float]]:
    """Seconds per page of PAGE_SIZE users at random offsets (the last page included)."""
    with open_database(path) as db:
        total = count_users(db, name)
        offsets = np.random.default_rng(seed).integers(0, total - PAGE_SIZE, size=n).tolist()
        offsets.append(total - PAGE_SIZE)
        page_users(db, name, 0, PAGE_SIZE)
        times = []
        for offset in offsets:
            page, seconds = timed(lambda: page_users(db, name, offset, PAGE_SIZE))
            assert len(page) == PAGE_SIZE
            times.append(seconds)
    return total, times


def gated_run(dataset: Dataset, seed: int) -> RunResult:
    """A stored run's worth of profiles for every user, each with a gate, as a fused run
    leaves them (one-item lists: the users table reads only the profiles' gates)."""
    rng = np.random.default_rng(seed)
    n = dataset.n_users
    history = dataset.history()
    items = history.last_items(np.arange(n), 1).astype(np.int32)
    lists = UserLists(items, np.ones(items.shape, np.float32), {})
    profiles = Profiles(keywords=[[] for _ in range(n)],
                        recent=history.last_items(np.arange(n), 5).astype(np.int32),
                        gate=rng.random(n).astype(np.float32))
    return RunResult(RunConfig(model="fusion", k=1), dataset, {}, {}, lists, profiles)


def index_reads(path: Path, name: str, run_id: int, n: int) -> list[float]:
    """Seconds per load of the users table as the window makes it (every user, the run's
    gate), in a freshly opened database."""
    times = []
    with open_database(path) as db:
        user_index(db, name, run_id)  # first connection and statement cache
        for _ in range(n):
            index, seconds = timed(lambda: user_index(db, name, run_id))
            assert len(index) == count_users(db, name) and np.isfinite(index.gate).all()
            times.append(seconds)
    return times


def spread(times: list[float]) -> dict[str, float]:
    """Median, p95 and max of timed reads, in milliseconds."""
    return {"median": ms(statistics.median(times)), "p95": ms(float(np.percentile(times, 95))),
            "max": ms(max(times))}


def users_table(folder: Path, many: Dataset, reads: int, seed: int) -> dict[str, object]:
    """Pages of the users table and the window's whole-table load, 100,000 users."""
    many_path, _ = store(folder, many)
    total, pages = page_reads(many_path, many.name, reads, seed)
    facts: dict[str, object] = {
        "users_page_ms": {"users": total, "page_size": PAGE_SIZE, "pages": len(pages),
                          **spread(pages), "last_page": ms(pages[-1])}}
    print("users page", facts["users_page_ms"], flush=True)
    with open_database(many_path) as db:
        run_id, save_seconds = timed(lambda: save_run(db, gated_run(many, seed)))
    index = index_reads(many_path, many.name, run_id, INDEX_READS)
    facts["user_index_ms"] = {"users": total, "reads": len(index), "with_run_gate": True,
                              **spread(index), "profiles_saved_seconds": round(save_seconds, 2)}
    print("user index", facts["user_index_ms"], flush=True)
    return facts


def many_users(seed: int) -> Dataset:
    return as_dataset(generate(ShopConfig(n_users=100_000, n_items=1_200,
                                          sessions_per_user=(1, 1), session_length=(1, 2),
                                          seed=seed)), "users-100k")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reads", type=int, default=500, help="list reads and page reads")
    parser.add_argument("--only", choices=["all", "users"], default="all",
                        help="users: time the users table alone and write no results")
    args = parser.parse_args()
    facts: dict[str, object] = {}
    if args.only == "users":
        with tempfile.TemporaryDirectory() as tmp:
            users_table(Path(tmp), many_users(args.seed), args.reads, args.seed)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = as_dataset(generate(ShopConfig(n_users=4_700, seed=args.seed)), "shop-100k")
        large = as_dataset(generate(ShopConfig.large(seed=args.seed)), "shop-1m")
        many = many_users(args.seed)
        for key, dataset in (("store_100k", small), ("store_1m", large)):
            path, seconds = store(folder, dataset)
            facts[key] = {"interactions": dataset.n_interactions, "users": dataset.n_users,
                          "items": dataset.n_items, "seconds": round(seconds, 2),
                          "interactions_per_second": round(dataset.n_interactions / seconds),
                          "file_mib": round(path.stat().st_size / 2**20, 1)}
            print(key, facts[key], flush=True)

        large_path = folder / "shop-1m.db"
        with open_database(large_path) as db:
            loaded, load_seconds = timed(lambda: load_dataset(db, "shop-1m"))
            result = execute_run(loaded, RunConfig(model="cooc", k=20))
            run_id, save_seconds = timed(lambda: save_run(db, result))
        entries = int((result.lists.items >= 0).sum())
        facts["load_1m_seconds"] = round(load_seconds, 2)
        facts["save_run"] = {"users": loaded.n_users, "entries": entries,
                             "seconds": round(save_seconds, 2)}
        reads = list_reads(large_path, loaded, run_id, args.reads, args.seed)
        facts["user_list_read_ms"] = {"reads": len(reads), **spread(reads), "list_length": 20}
        print("user list", facts["user_list_read_ms"], flush=True)

        facts.update(users_table(folder, many, args.reads, args.seed))

        with open_database(large_path) as db:
            done, forget_seconds = timed(lambda: forget_user(db, "shop-1m",
                                                             str(loaded.user_ids[0])))
        facts["forget_user_1m_seconds"] = round(forget_seconds, 2)  # incl. VACUUM
        facts["forget_purged"] = done.purged

    targets = {"store_100k_s": 3, "store_1m_s": 30, "user_list_ms": 5, "users_page_ms": 50}
    meets = {
        "store_100k_s": facts["store_100k"]["seconds"] < targets["store_100k_s"],  # type: ignore[index]
        "store_1m_s": facts["store_1m"]["seconds"] < targets["store_1m_s"],  # type: ignore[index]
        "user_list_ms": facts["user_list_read_ms"]["median"] < targets["user_list_ms"],  # type: ignore[index]
        "users_page_ms": facts["users_page_ms"]["median"] < targets["users_page_ms"],  # type: ignore[index]
    }
    m = machine()
    s100, s1m = facts["store_100k"], facts["store_1m"]
    lr, pg, sr = facts["user_list_read_ms"], facts["users_page_ms"], facts["save_run"]
    ix = facts["user_index_ms"]

    def dist(read: dict[str, float]) -> str:  # type: ignore[type-arg]
        return f"{read['median']:.2f} / {read['p95']:.2f} / {read['max']:.2f} ms"

    rows = [
        ("store 100k interactions (users, items, interactions, one transaction)",
         f"{s100['interactions']:,} rows", f"{s100['seconds']:.2f} s", "< 3 s", meets["store_100k_s"]),  # type: ignore[index]
        ("store 1M interactions", f"{s1m['interactions']:,} rows", f"{s1m['seconds']:.2f} s",  # type: ignore[index]
         "< 30 s", meets["store_1m_s"]),
        ("one user's list with titles", f"{lr['reads']} reads, k=20",  # type: ignore[index]
         dist(lr), "< 5 ms (median)", meets["user_list_ms"]),  # type: ignore[arg-type]
        ("a page of the users table", f"{pg['users']:,} users, {PAGE_SIZE}/page, "  # type: ignore[index]
         f"{pg['pages']} pages (last page {pg['last_page']:.2f} ms)", dist(pg),  # type: ignore[index, arg-type]
         "< 50 ms (median)", meets["users_page_ms"]),
        ("the window's users table: every user with the run's gate (`user_index`)",
         f"{ix['users']:,} users, {ix['reads']} reads", dist(ix), "-", None),  # type: ignore[index, arg-type]
        ("save a run (profiles, lists, entries, one transaction)",
         f"{sr['users']:,} users, {sr['entries']:,} entries", f"{sr['seconds']:.2f} s", "-", None),  # type: ignore[index]
        ("rebuild the 1M dataset from the database", "", f"{facts['load_1m_seconds']:.2f} s", "-",
         None),
        ("forget one user in the 1M database, incl. VACUUM", "",
         f"{facts['forget_user_1m_seconds']:.2f} s", "-", None),
    ]
    md = "\n".join(
        [f"Storage speed, measured {m['date']} on {m['cpu']}, {m['cores']} cores, "
         f"{m['memory_gib']} GiB, SQLite file in a temporary folder (WAL), Python {m['python']}. "
         "Reads: median / p95 / max.",
         "", "| operation | size | time | target | met |", "|---|---|---|---|---|"]
        + [f"| {op} | {size} | {t} | {target} | "
           f"{'' if ok is None else ('yes' if ok else '**no**')} |"
           for op, size, t, target, ok in rows])
    write_results("storage_speed", {"machine": m, "facts": facts, "targets": targets,
                                    "meets_targets": meets}, md)
    print(md)


if __name__ == "__main__":
    main()
