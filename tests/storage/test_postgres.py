"""The storage round trip on a PostgreSQL server, and concurrent first opens of one.

The server is a real one that the test session starts (tests/support/postgres.py), or
the one ``IFS_TEST_POSTGRES_URL`` names. Each test creates a fresh database there and
drops it afterwards.
"""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa

from application.runs import run_and_save, update_and_save
from engine.core.progress import Task
from engine.pipeline.config import RunConfig
from storage import (Feedback, add_feedback, all_settings, count_users, dataset_info,
                     delete_dataset, export_lists, forget_user, get_setting, last_run_config,
                     list_feedback, list_runs, load_dataset, open_database, page_users, run_info,
                     save_dataset, save_run, set_setting, user_list, user_profile)
from storage.browse import user_index
from storage.migrations.runner import head
from tests.support import ROOT
from tests.support.storage import fused_result, shop_dataset



@pytest.fixture(scope="module")
def dataset(small_shop_files):
    return shop_dataset(small_shop_files)


def test_every_table_round_trips_on_postgresql(postgres_url, dataset, tmp_path):
    with open_database(postgres_url) as db:
        assert db.engine.dialect.name == "postgresql" and db.path is None
        save_dataset(db, dataset, "shop", {"interactions": "i.csv"}, {"k": 1})
        loaded = load_dataset(db, "shop")
        for field in ("user_ids", "item_ids", "user", "item", "weight", "timestamp",
                      "titles", "texts"):
            np.testing.assert_array_equal(getattr(loaded, field), getattr(dataset, field))
        assert count_users(db, "shop") == dataset.n_users
        assert [u.user for u in page_users(db, "shop", 10, 5)] == list(dataset.user_ids[10:15])

        result = fused_result(loaded)
        run_id = save_run(db, result)
        info = run_info(db, run_id)
        assert info.status == "finished" and info.components == ["long", "short"]
        user = str(dataset.user_ids[7])
        entries = user_list(db, run_id, user)
        valid = result.lists.items[7] >= 0
        assert [e.item for e in entries] == list(dataset.item_ids[result.lists.items[7][valid]])
        profile = user_profile(db, run_id, user)
        np.testing.assert_array_equal(profile.long_term, result.profiles.long_term[7])
        assert profile.gate == pytest.approx(result.profiles.gate[7])
        assert len(export_lists(db, run_id, tmp_path / "recs.csv")) == int(valid.sum()) + int(
            (result.lists.items[np.arange(dataset.n_users) != 7] >= 0).sum())
        assert last_run_config(db) == result.config
        index = user_index(db, "shop", run_id)
        assert len(index) == dataset.n_users and np.isfinite(index.gate).all()

        plus2 = timezone(timedelta(hours=2))
        moments = [datetime(2024, 5, 1, 12, 0, tzinfo=plus2),
                   datetime(2024, 5, 1, 11, 0, tzinfo=timezone.utc)]
        add_feedback(db, "shop", [Feedback(str(dataset.user_ids[n]), str(dataset.item_ids[n]),
                                           "like", at, run_id)
                                  for n, at in enumerate(moments)])
        assert [f.at for f in list_feedback(db, "shop")] == sorted(moments)

        set_setting(db, "recent", [{"dataset": "shop", "k": np.int64(20)}])
        assert get_setting(db, "recent", kind=list) == [{"dataset": "shop", "k": 20}]
        assert set(all_settings(db)) == {"recent", "last_run_config"}

        done = forget_user(db, "shop", user)
        assert done.purged and done.rows["users"] == 1
        assert dataset_info(db, "shop").n_users == dataset.n_users - 1
        save_dataset(db, dataset, "shop", replace=True)  # VACUUM FULL afterwards
        assert [r.id for r in list_runs(db)] == []
        assert delete_dataset(db, "shop").purged


def test_a_real_run_and_its_update_on_postgresql(postgres_url, dataset):
    config = RunConfig(model="als", k=5, params={"als": {"factors": 4, "iterations": 3}})
    with open_database(postgres_url) as db:
        save_dataset(db, dataset, "shop")
        first, result = run_and_save(db, "shop", config, Task())
        second, updated, _ = update_and_save(db, first, Task())
        for run_id, model in ((first, result.model), (second, updated.model)):
            profile = user_profile(db, run_id, str(dataset.user_ids[2]))
            np.testing.assert_array_equal(
                profile.long_term, model.user_vectors(np.array([2]), dataset.history())[0])


OPENER = """
import sys, time
from pathlib import Path
from storage import Database
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.005)
Database(url).close()
"""


def test_concurrent_first_opens_migrate_once(postgres_url, tmp_path):
    """Six processes open the same new database at the same moment (each imports first,
    then waits for the go): the advisory lock lets one migrate, the others wait and find
    the schema current. Processes, not threads: Alembic's context is process-global."""
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, postgres_url, str(tmp_path / f"r{n}"),
                               str(go)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in range(6)]
    try:
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"r{n}").exists() for n in range(len(procs))):
            assert time.monotonic() < deadline, "the openers never got ready"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.05)
        go.touch()
        outcomes = [p.communicate(timeout=120) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [p.returncode for p in procs] == [0] * len(procs), outcomes
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
                (head(),)]
    finally:
        engine.dispose()
