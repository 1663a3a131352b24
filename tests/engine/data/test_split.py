import numpy as np
import pytest

from engine.core.errors import DataError
from engine.data.preprocess import PreprocessOptions, build_dataset
from engine.data.split import leave_one_out, time_split
from tests.support.tables import table


def random_log(seed: int = 0, n: int = 600) -> list[tuple]:
    """Interactions with many equal timestamps, so the tie rule matters."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, 40, size=n)
    items = rng.integers(0, 60, size=n)
    times = rng.integers(0, 30, size=n) * 1000  # only 30 distinct seconds
    return [(f"u{u}", f"i{i}", 1.0, t) for u, i, t in zip(users, items, times)]


def test_leave_one_out_matches_an_independent_reference():
    rows = random_log()
    ds = build_dataset(table(rows), options=PreprocessOptions(dedupe="none"))
    split = leave_one_out(ds)
    # Reference: group the raw rows per user in file order, stable-sort by time, hold out the tail.
    per_user: dict[str, list[tuple[int, str]]] = {}
    for line, (u, i, _, t) in enumerate(rows):
        per_user.setdefault(u, []).append((t, line, i))
    expect_test, expect_valid, expect_train = set(), set(), 0
    for u, events in per_user.items():
        events.sort(key=lambda e: (e[0], e[1]))
        if len(events) >= 3:
            expect_test.add((u, events[-1][2]))
            expect_valid.add((u, events[-2][2]))
            expect_train += len(events) - 2
        else:
            expect_train += len(events)
    got = lambda rows_: {(ds.user_ids[ds.user[r]], ds.item_ids[ds.item[r]]) for r in rows_}
    assert got(split.test_targets) == expect_test
    assert got(split.valid_targets) == expect_valid
    assert len(split.train_rows) == expect_train
    assert split.summary()["test_users"] == len(expect_test)


def test_test_context_contains_the_validation_item():
    ds = build_dataset(table([("a", "x", 1, 1), ("a", "y", 1, 2), ("a", "z", 1, 3), ("a", "w", 1, 4)]))
    split = leave_one_out(ds)
    item = lambda name: ds.item_index[name]
    assert split.train.sequence(0).tolist() == [item("x"), item("y")]
    assert split.context("test").sequence(0).tolist() == [item("x"), item("y"), item("z")]
    assert split.targets("test")[0, item("w")] == 1
    assert split.targets("valid")[0, item("z")] == 1


def test_short_users_stay_in_train():
    ds = build_dataset(table([("a", "x", 1, 1), ("a", "y", 1, 2), ("b", "x", 1, 1)]))
    split = leave_one_out(ds)
    assert len(split.test_targets) == 0 and len(split.train_rows) == 3
    assert split.protocol["users_too_short_to_hold_out"] == 2


def test_time_split_by_calendar_date():
    day = 86400
    t0 = 1_600_000_000
    rows = [
        ("a", "x", 1, t0), ("a", "y", 1, t0 + day), ("a", "z", 1, t0 + 10 * day),
        ("a", "x", 1, t0 + 11 * day),  # repeat of a training item: not a target
        ("a", "z", 1, t0 + 12 * day),  # second occurrence of a target: counted once
        ("b", "x", 1, t0 + 11 * day),  # user without training history: not evaluated
    ]
    ds = build_dataset(table(rows), options=PreprocessOptions(dedupe="none"))
    cut = str(np.datetime64(t0 + 5 * day, "s"))
    split = time_split(ds, cut)
    assert len(split.train_rows) == 2
    assert [(ds.user_ids[ds.user[r]], ds.item_ids[ds.item[r]]) for r in split.test_targets] == [("a", "z")]
    assert split.protocol["test_interactions_of_users_without_history"] == 1
    with pytest.raises(DataError, match="leaves no test data"):
        time_split(ds, t0 + 100 * day)


def test_time_split_needs_timestamps():
    ds = build_dataset(table([("a", "x", 1, 0), ("a", "y", 1, 1)], has_timestamps=False))
    with pytest.raises(DataError, match="needs a timestamp column"):
        time_split(ds, "2020-01-01")
