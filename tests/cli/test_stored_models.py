"""A project file cannot run code: run models are stored as data, and a pickle planted in
``run_models`` (by an earlier version, or by someone who hands the file on) is refused
with a message that names the run, while nothing in it runs. Real SQLite files, the real
command line, written to with plain sqlite3 as an attacker would."""
from __future__ import annotations

import pickle
import sqlite3

import pytest

from cli.main import main
from engine.models.serialize import FORMAT, model_from_bytes


class Payload:
    """Unpickling it would create the marker file (any call would do as well)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def cli(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture
def project(tmp_path, small_shop_files):
    path = tmp_path / "studio.db"
    interactions, items = small_shop_files
    assert cli("import", "--interactions", str(interactions), "--items", str(items),
               "--name", "shop", "--db", str(path), "--quiet") == 0
    assert cli("run", "--dataset", "shop", "--model", "fusion", "--k", "5", "--db", str(path),
               "--set", 'fusion.components=["ease","cooc"]', "--quiet") == 0
    return path


def stored_row(path) -> tuple[str, bytes]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT format, data FROM run_models WHERE run_id = 1").fetchone()


def contents(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def plant(path, data: bytes, format: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE run_models SET data = ?, format = ? WHERE run_id = 1",
                     (data, format))


def test_a_run_stores_its_model_as_arrays_and_a_description(project):
    format, data = stored_row(project)
    assert format == FORMAT and not data.startswith(b"\x80")  # pickles start with PROTO
    assert model_from_bytes(data).components == ["ease", "cooc"]


@pytest.mark.parametrize("label", ["pickle-5", FORMAT])
def test_a_planted_pickle_is_refused_and_never_runs(project, tmp_path, capsys, label):
    marker = tmp_path / "payload-ran"
    user = "u00001"
    events = tmp_path / "events.csv"
    events.write_text(f"user,item,feedback\n{user},i00001,dislike\n")
    assert cli("feedback", "--run", "1", "--file", str(events), "--db", str(project)) == 0
    plant(project, pickle.dumps(Payload(str(marker))), label)
    before = contents(project)
    capsys.readouterr()
    for argv in (("show", "--run", "1", "--user", user), ("update", "--run", "1"),
                 ("export", "--run", "1", "--out", str(tmp_path / "out.csv"))):
        assert cli(*argv, "--db", str(project)) == 2
        err = capsys.readouterr().err
        assert "run 1's" in err and "update --run 1 --retrain" in err
        assert "Traceback" not in err
    assert not marker.exists()
    assert contents(project) == before  # refused: nothing written
    if label == "pickle-5":
        assert "stored by an earlier version as a pickle" in err
    else:
        assert "cannot be read" in err


def test_a_refused_run_is_run_again_with_update_retrain(project, capsys):
    plant(project, pickle.dumps({"an": "old model"}), "pickle-5")
    assert cli("update", "--run", "1", "--retrain", "--db", str(project), "--quiet") == 0
    assert "run 2 finished: a full retrain of run 1's config" in capsys.readouterr().out
    assert cli("show", "--run", "2", "--user", "u00001", "--db", str(project)) == 0
