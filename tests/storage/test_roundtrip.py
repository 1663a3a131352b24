"""Every table written and read back through the storage API, on real SQLite files."""
from __future__ import annotations

import dataclasses
import re
import sqlite3
import warnings
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from engine.core.errors import Cancelled
from engine.core.progress import Task
from storage import (LAST_RUN_CONFIG, Feedback, StorageError, add_feedback, all_settings,
                     count_users, dataset_info, delete_setting, end_run, export_lists, finish_run,
                     get_setting, last_run_config, list_datasets, list_feedback, list_runs,
                     load_dataset, open_database, page_users, run_info, save_dataset, save_run,
                     set_setting, start_run, user_list, user_profile)
from tests.support.storage import VECTOR_SIZE, count, fused_result, shop_dataset


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "studio.db")
    yield database
    database.close()


@pytest.fixture(scope="module")
def dataset(small_shop_files):
    data = shop_dataset(small_shop_files)
    data.report.warn("a warning that must survive")
    return data


@pytest.fixture(scope="module")
def result(dataset):
    return fused_result(dataset)


def test_dataset_round_trip_rebuilds_the_same_dataset(db, dataset, small_shop_files):
    sources = {"interactions": str(small_shop_files[0]), "items": str(small_shop_files[1])}
    options = {"preprocess": {"dedupe": "latest", "min_rating": None, "kcore": 0}}
    dataset_id = save_dataset(db, dataset, "shop", sources, options)
    loaded = load_dataset(db, "shop")
    for field in ("user_ids", "item_ids", "user", "item", "weight", "timestamp", "titles",
                  "texts"):
        np.testing.assert_array_equal(getattr(loaded, field), getattr(dataset, field), field)
    assert loaded.user.dtype == np.int32 and loaded.weight.dtype == np.float32
    assert loaded.genres == dataset.genres
    assert loaded.has_timestamps == dataset.has_timestamps and loaded.name == "shop"
    assert loaded.report.to_dict() == dataset.report.to_dict()
    info = dataset_info(db, "shop")
    assert (info.id, info.sources, info.options) == (dataset_id, sources, options)
    assert (info.n_users, info.n_items, info.n_interactions) == (
        dataset.n_users, dataset.n_items, dataset.n_interactions)
    assert info.created_at.tzinfo is not None
    assert [d.name for d in list_datasets(db)] == ["shop"]


def test_a_taken_name_is_refused_unless_replaced(db, dataset):
    first = save_dataset(db, dataset, "shop")
    with pytest.raises(StorageError, match="a dataset named 'shop' already exists"):
        save_dataset(db, dataset, "shop")
    assert dataset_info(db, "shop").id == first
    smaller = dataclasses.replace(dataset, user=dataset.user[:100], item=dataset.item[:100],
                                  weight=dataset.weight[:100], timestamp=dataset.timestamp[:100])
    second = save_dataset(db, smaller, "shop", replace=True)
    assert second > first, "ids are never reused"
    assert dataset_info(db, "shop").n_interactions == 100
    assert count(db.path, "interactions") == 100
    assert count(db.path, "users") == dataset.n_users


def test_unknown_and_bad_names_are_clear_errors(db, dataset):
    with pytest.raises(StorageError, match="no dataset named 'nope'.*none is stored yet"):
        load_dataset(db, "nope")
    save_dataset(db, dataset, "shop")
    with pytest.raises(StorageError, match="stored: shop"):
        dataset_info(db, "nope")
    with pytest.raises(StorageError, match="needs a name"):
        save_dataset(db, dataset, "   ")


def test_cancelled_import_stores_nothing(db, dataset):
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        save_dataset(db, dataset, "shop", task=task)
    assert list_datasets(db) == []
    for table in ("datasets", "users", "items", "interactions"):
        assert count(db.path, table) == 0


def test_users_are_paged_in_import_order(db, dataset):
    save_dataset(db, dataset, "shop")
    assert count_users(db, "shop") == dataset.n_users
    page = page_users(db, "shop", offset=10, limit=5)
    assert [u.user for u in page] == list(dataset.user_ids[10:15])
    first = page[0]
    times = dataset.timestamp[dataset.user == 10]
    assert (first.interactions, first.first_time, first.last_time) == (
        len(times), times.min(), times.max())
    assert page_users(db, "shop", offset=dataset.n_users) == []
    with pytest.raises(StorageError, match="offset >= 0"):
        page_users(db, "shop", offset=-1)


def test_run_round_trip_lists_profiles_and_metrics(db, dataset, result):
    save_dataset(db, dataset, "shop")
    run_id = save_run(db, result)
    info = run_info(db, run_id)
    assert (info.status, info.model, info.dataset) == ("finished", "als", "shop")
    assert info.components == ["long", "short"]
    assert set(info.metrics) == set(result.metrics)
    for phase, values in result.metrics.items():
        assert info.metrics[phase] == pytest.approx(values)
    assert info.config["k"] == 6 and info.config["split"]["kind"] == "loo"
    assert info.finished_at >= info.started_at and info.seconds == pytest.approx(
        result.stage_seconds["total"])
    for u in (0, 7, dataset.n_users - 1):
        user = dataset.user_ids[u]
        entries = user_list(db, run_id, user)
        valid = result.lists.items[u] >= 0
        assert [e.rank for e in entries] == list(range(1, valid.sum() + 1))
        assert [e.item for e in entries] == list(dataset.item_ids[result.lists.items[u][valid]])
        assert [e.title for e in entries] == list(dataset.titles[result.lists.items[u][valid]])
        np.testing.assert_allclose([e.score for e in entries], result.lists.scores[u][valid],
                                   rtol=1e-6)
        for name in ("long", "short"):
            np.testing.assert_array_equal([e.components[name] for e in entries],
                                          result.lists.contributions[name][u][valid])
        assert all(e.explanation.startswith(("long", "short")) for e in entries)
        profile = user_profile(db, run_id, user)
        assert profile.keywords == result.profiles.keywords[u]
        recent = result.profiles.recent[u]
        assert [item for item, _ in profile.recent] == list(dataset.item_ids[recent[recent >= 0]])
        assert profile.gate == pytest.approx(result.profiles.gate[u])
        np.testing.assert_array_equal(profile.long_term, result.profiles.long_term[u])
        assert profile.long_term.dtype == np.float32
    assert count(db.path, "entries") == int((result.lists.items >= 0).sum())


def test_the_vector_is_a_float32_blob(db, dataset, result):
    save_dataset(db, dataset, "shop")
    save_run(db, result)
    with sqlite3.connect(db.path) as conn:
        blob, kind = conn.execute("SELECT long_term, typeof(long_term) FROM profiles").fetchone()
    assert kind == "blob" and len(blob) == VECTOR_SIZE * 4


def test_run_life_cycle_and_failed_runs_keep_no_results(db, dataset, result):
    save_dataset(db, dataset, "shop")
    run_id = start_run(db, "shop", result.config)
    assert run_info(db, run_id).status == "running"
    end_run(db, run_id, "failed", "ValueError: boom")
    failed = run_info(db, run_id)
    assert (failed.status, failed.error) == ("failed", "ValueError: boom")
    with pytest.raises(StorageError, match=f"run {run_id} is failed, not running"):
        finish_run(db, run_id, result)
    assert count(db.path, "lists") == count(db.path, "profiles") == 0
    second = start_run(db, "shop", result.config)
    finish_run(db, second, result)
    assert [r.id for r in list_runs(db)] == [second, run_id]
    assert [r.status for r in list_runs(db, "shop")] == ["finished", "failed"]
    with pytest.raises(StorageError, match="no run 99"):
        user_list(db, 99, "u00001")
    with pytest.raises(StorageError, match="user 'ghost' is not in the dataset of run"):
        user_list(db, second, "ghost")


def test_a_cancelled_save_leaves_the_run_running_without_results(db, dataset, result):
    save_dataset(db, dataset, "shop")
    run_id = start_run(db, "shop", result.config)
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        finish_run(db, run_id, result, task)
    assert run_info(db, run_id).status == "running"
    for table in ("lists", "entries", "profiles"):
        assert count(db.path, table) == 0


def test_a_run_the_user_cancels_leaves_no_trace(db, dataset, result):
    from application.runs import run_and_save
    from storage.runs import list_runs

    save_dataset(db, dataset, "shop")
    save_run(db, result)
    before = {t: count(db.path, t) for t in ("runs", "lists", "entries", "profiles")}
    task = Task()
    seen_run: list[int] = []

    def stop(run_id: int) -> None:  # the run row exists; then the user presses Cancel
        seen_run.append(run_id)
        assert [r.status for r in list_runs(db)][0] == "running"
        task.cancel()

    with pytest.raises(Cancelled):
        run_and_save(db, "shop", result.config, task, started=stop)
    assert seen_run and {t: count(db.path, t) for t in before} == before
    assert seen_run[0] not in {r.id for r in list_runs(db)}


def test_export_writes_every_list_with_component_columns(db, dataset, result, tmp_path):
    save_dataset(db, dataset, "shop")
    run_id = save_run(db, result)
    out = tmp_path / "recs.csv"
    export_lists(db, run_id, out)
    recs = pd.read_csv(out, dtype={"user": str, "item": str})
    assert list(recs.columns) == ["user", "rank", "item", "title", "score", "score_long",
                                  "score_short", "explanation", "recommendation_text",
                                  "recommendation_source"]
    assert len(recs) == int((result.lists.items >= 0).sum())
    assert recs["user"].iloc[0] == dataset.user_ids[0]
    some = export_lists(db, run_id, tmp_path / "two.csv", [dataset.user_ids[3]])
    assert set(some["user"]) == {dataset.user_ids[3]}
    with pytest.raises(StorageError, match="folder .* does not exist"):
        export_lists(db, run_id, tmp_path / "missing" / "x.csv")


def test_feedback_batch_is_all_or_nothing(db, dataset, result):
    save_dataset(db, dataset, "shop")
    run_id = save_run(db, result)
    u, i = dataset.user_ids, dataset.item_ids
    at = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    good = [Feedback(u[0], i[0], "like", at, run_id), Feedback(u[1], i[2], "not_interested")]
    assert add_feedback(db, "shop", good) == 2
    stored = list_feedback(db, "shop")
    assert stored[0] == good[0]
    assert stored[1].kind == "not_interested" and stored[1].at is not None
    assert [f.item for f in list_feedback(db, "shop", u[1])] == [i[2]]
    for bad, message in [
        (Feedback(u[0], i[1], "love"), "feedback event 2: kind must be one of"),
        (Feedback("ghost", i[1], "like"), "feedback event 2: user 'ghost' is not in"),
        (Feedback(u[0], "nothing", "dislike"), "feedback event 2: item 'nothing' is not in"),
        (Feedback(u[0], i[1], "like", run_id=run_id + 5), "run .* is not a run of dataset"),
    ]:
        with pytest.raises(StorageError, match=message):
            add_feedback(db, "shop", [Feedback(u[2], i[3], "dislike"), bad])
    assert count(db.path, "feedback") == 2


def test_settings_round_trip(db, tmp_path):
    assert get_setting(db, "theme", "light") == "light"
    set_setting(db, "theme", "dark")
    set_setting(db, "recent", [{"dataset": "shop", "k": np.int64(20)}])
    set_setting(db, "theme", "contrast")
    db.close()
    reopened = open_database(tmp_path / "studio.db")
    assert all_settings(reopened) == {"theme": "contrast",
                                      "recent": [{"dataset": "shop", "k": 20}]}
    reopened.close()


def test_feedback_moments_are_stored_as_the_orm_stores_them(db, dataset):
    """Bulk rows carry their moments in UTC, in the text SQLAlchemy writes for every other
    DateTime column, so they read back as the same instants and sort in time order."""
    save_dataset(db, dataset, "shop")
    u, i = dataset.user_ids, dataset.item_ids
    plus2, minus5 = timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))
    moments = [datetime(2024, 5, 1, 12, 0, tzinfo=plus2),  # 10:00 UTC
               datetime(2024, 5, 1, 11, 0, tzinfo=timezone.utc),
               datetime(2024, 5, 1, 10, 30),  # naive: taken as UTC
               datetime(2024, 5, 1, 5, 15, 30, 123456, tzinfo=minus5)]  # 10:15:30.123456 UTC
    events = [Feedback(u[n], i[n], "like", at) for n, at in enumerate(moments)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # sqlite3's datetime adapter
        add_feedback(db, "shop", events + [Feedback(u[9], i[9], "dislike")])
    with sqlite3.connect(db.path) as conn:
        raw = [at for (at,) in conn.execute("SELECT at FROM feedback ORDER BY id")]
        created = conn.execute("SELECT created_at FROM datasets").fetchone()[0]
    orm_text = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
    assert all(orm_text.fullmatch(text) for text in raw + [created]), raw
    assert raw[:4] == ["2024-05-01 10:00:00.000000", "2024-05-01 11:00:00.000000",
                       "2024-05-01 10:30:00.000000", "2024-05-01 10:15:30.123456"]
    stored = list_feedback(db, "shop")
    in_utc = [m if m.tzinfo else m.replace(tzinfo=timezone.utc) for m in moments]
    assert [f.at for f in stored[:4]] == sorted(in_utc), "oldest first, as instants"
    assert [f.user for f in stored[:4]] == [u[0], u[3], u[2], u[1]]
    assert all(f.at.utcoffset() == timedelta(0) for f in stored)
    assert stored[4].user == u[9] and stored[4].at > in_utc[0]


def test_a_saved_run_is_the_projects_last_run_config(db, dataset, result):
    save_dataset(db, dataset, "shop")
    assert last_run_config(db) is None
    save_run(db, result)
    assert last_run_config(db) == result.config
    assert get_setting(db, LAST_RUN_CONFIG, kind=dict)["params"] == result.config.params
    # Written with the results, in their transaction: a save that fails changes nothing.
    other = dataclasses.replace(result.config, k=3, seed=7, metrics_k=(5,), updated_from=1)
    run_id = start_run(db, "shop", other)
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        finish_run(db, run_id, dataclasses.replace(result, config=other), task)
    assert last_run_config(db) == result.config
    finish_run(db, run_id, dataclasses.replace(result, config=other))
    assert last_run_config(db) == dataclasses.replace(other, updated_from=None)
    db.close()
    with open_database(db.path) as reopened:
        assert last_run_config(reopened).k == 3


def test_settings_are_json_values_checked_on_the_way_in_and_out(db):
    set_setting(db, "theme", "dark")
    assert get_setting(db, "theme", kind=str) == "dark"
    with pytest.raises(StorageError, match="setting 'theme' .* holds a str, not a dict"):
        get_setting(db, "theme", kind=dict)
    with pytest.raises(StorageError, match="only JSON values"):
        set_setting(db, "when", datetime.now())
    with pytest.raises(StorageError, match="only JSON values"):
        set_setting(db, "nan", float("nan"))
    with pytest.raises(StorageError, match="a setting needs a name"):
        set_setting(db, "", 1)
    set_setting(db, "sizes", {"k": np.int64(5), "ks": (10, 20), "on": np.bool_(True)})
    assert get_setting(db, "sizes", kind=dict) == {"k": 5, "ks": [10, 20], "on": True}
    assert delete_setting(db, "theme") and not delete_setting(db, "theme")
    assert all_settings(db) == {"sizes": {"k": 5, "ks": [10, 20], "on": True}}
