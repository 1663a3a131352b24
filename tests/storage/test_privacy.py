"""The right to be forgotten: after `forget` (or `import --replace`), the raw file no
longer holds the data."""
from __future__ import annotations

import dataclasses
import sqlite3

import numpy as np
import pytest
from sqlalchemy import event

from cli.main import main
from storage import Feedback, StorageError, add_feedback
from storage import database as storage_database
from storage import (dataset_info, delete_dataset, forget_user, list_datasets, load_dataset,
                     open_database, save_dataset, save_run)
from storage.database import Database
from tests.support.storage import count, file_bytes, fused_result, shop_dataset

SECRET = "alice-7f3c9e"


@pytest.fixture
def stored(tmp_path, small_shop_files):
    """A database where SECRET has interactions, a profile, a list, feedback and a
    mention in the import report, next to a second dataset that must stay untouched."""
    dataset = shop_dataset(small_shop_files)
    user_ids = dataset.user_ids.copy()
    user_ids[5] = SECRET
    dataset = dataclasses.replace(dataset, user_ids=user_ids)
    dataset.report.warn(f"row 12: user {SECRET} rated an item twice")
    db = open_database(tmp_path / "studio.db")
    save_dataset(db, dataset, "shop")
    save_dataset(db, shop_dataset(small_shop_files, "other"), "other")
    run_id = save_run(db, fused_result(dataset))
    add_feedback(db, "shop", [Feedback(SECRET, dataset.item_ids[0], "dislike", run_id=run_id),
                              Feedback(dataset.user_ids[1], dataset.item_ids[0], "like")])
    yield db, dataset
    db.close()


def test_forgetting_a_user_removes_every_trace_from_the_file(stored):
    db, dataset = stored
    assert SECRET.encode() in file_bytes(db.path)
    before_entries = count(db.path, "entries")

    done = forget_user(db, "shop", SECRET)

    assert done.purged
    assert done.rows["users"] == 1 and done.rows["feedback"] == 1 and done.rows["profiles"] == 1
    assert done.rows["interactions"] == int((dataset.user == 5).sum())
    assert done.rows["entries"] == int((fused_result(dataset).lists.items[5] >= 0).sum())
    assert SECRET.encode() not in file_bytes(db.path)
    assert count(db.path, "entries") == before_entries - done.rows["entries"]
    assert count(db.path, "feedback") == 1
    info = dataset_info(db, "shop")
    assert info.n_users == dataset.n_users - 1
    assert info.n_interactions == dataset.n_interactions - done.rows["interactions"]
    assert "[forgotten user]" in info.report["warnings"][-1]
    rebuilt = load_dataset(db, "shop")
    assert SECRET not in set(rebuilt.user_ids) and rebuilt.n_users == dataset.n_users - 1
    keep = dataset.user != 5
    np.testing.assert_array_equal(rebuilt.item, dataset.item[keep])
    assert dataset_info(db, "other").n_users == dataset.n_users


def test_an_unknown_user_deletes_nothing(stored):
    db, dataset = stored
    with pytest.raises(StorageError, match="user 'nobody' is not in dataset 'shop'"):
        forget_user(db, "shop", "nobody")
    assert count(db.path, "users") == 2 * dataset.n_users


def test_deleting_a_dataset_removes_it_from_the_file(stored):
    db, dataset = stored
    title = str(dataset.titles[0]).encode()
    done = delete_dataset(db, "shop")
    assert done.purged and done.rows["interactions"] == dataset.n_interactions
    assert [d.name for d in list_datasets(db)] == ["other"]
    for table in ("runs", "lists", "entries", "profiles", "feedback"):
        assert count(db.path, table) == 0
    assert count(db.path, "users") == dataset.n_users  # the other dataset's
    raw = file_bytes(db.path)
    assert SECRET.encode() not in raw
    assert raw.count(title) == 1  # the other dataset's copy only


def test_a_reader_in_another_window_delays_the_purge_until_vacuum(stored, capsys):
    db, dataset = stored
    reader = sqlite3.connect(db.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM interactions").fetchone()  # holds a snapshot
    with Database(db.path, busy_timeout=0.2) as impatient:
        done = forget_user(impatient, "shop", SECRET)
    assert not done.purged and done.rows["users"] == 1
    reader.execute("COMMIT")
    reader.close()
    assert main(["vacuum", "--db", str(db.path)]) == 0
    assert "deleted data is gone" in capsys.readouterr().out
    assert SECRET.encode() not in file_bytes(db.path)


def test_replacing_a_dataset_removes_the_old_data_from_the_file(stored, small_shop_files):
    db, dataset = stored
    assert SECRET.encode() in file_bytes(db.path)
    new_id = save_dataset(db, shop_dataset(small_shop_files), "shop", replace=True)
    assert dataset_info(db, "shop").id == new_id
    assert count(db.path, "runs") == count(db.path, "feedback") == 0  # went with the old one
    assert SECRET.encode() not in file_bytes(db.path)


@pytest.fixture
def without_secure_delete(monkeypatch):
    """Every database opened runs with ``PRAGMA secure_delete = OFF``, as SQLite is built
    for Python on Windows and macOS (Debian's turns it on, which zeroes freed pages and
    would hide a missing VACUUM here)."""
    configure = storage_database._configure_sqlite

    def insecure(engine, busy_timeout):  # type: ignore[no-untyped-def]
        configure(engine, busy_timeout)

        @event.listens_for(engine, "connect")
        def _off(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.execute("PRAGMA secure_delete = OFF")

    monkeypatch.setattr(storage_database, "_configure_sqlite", insecure)


def test_import_replace_vacuums_the_file(tmp_path, small_shop_files, capsys,
                                         without_secure_delete):
    """The secret is in a user id and in the catalogue; the replacement is a small dataset
    without a catalogue, so most pages the old one freed stay unused: only the VACUUM
    takes the secret out of the file."""
    interactions, items = small_shop_files
    secret_interactions = tmp_path / "interactions.csv"
    secret_interactions.write_text(interactions.read_text().replace("u00006", SECRET))
    secret_items = tmp_path / "items.csv"
    secret_items.write_text(items.read_text().replace("Kitchen", SECRET))
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("".join(interactions.read_text().splitlines(keepends=True)[:101]))
    path = tmp_path / "studio.db"

    def import_(*files):
        return main(["import", *files, "--name", "shop", "--db", str(path), "--quiet"])

    assert import_("--interactions", str(secret_interactions), "--items", str(secret_items)) == 0
    assert file_bytes(path).count(SECRET.encode()) > 10
    capsys.readouterr()
    assert import_("--interactions", str(smaller), "--replace") == 0
    out = capsys.readouterr().out
    assert "replaced dataset 1 of that name" in out and "vacuumed" in out
    assert count(path, "datasets") == 1 and count(path, "interactions") == 100
    assert SECRET.encode() not in file_bytes(path)
