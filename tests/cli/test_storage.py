"""The storage commands end to end: import, datasets, run, runs, show, export, forget."""
from __future__ import annotations

import pandas as pd
import pytest

from cli.main import main
from storage import list_runs, open_database
from tests.support.storage import count


def cli(*argv: str) -> int:
    return main(list(argv))


def import_shop(path, files) -> int:
    interactions, items = files
    return cli("import", "--interactions", str(interactions), "--items", str(items),
               "--name", "shop", "--db", str(path), "--quiet")


@pytest.fixture
def db_path(tmp_path, small_shop_files):
    """A database with the shop imported under the name 'shop'."""
    path = tmp_path / "studio.db"
    assert import_shop(path, small_shop_files) == 0
    return path


def test_import_run_show_export_forget(tmp_path, small_shop_files, capsys):
    db_path = tmp_path / "studio.db"
    assert import_shop(db_path, small_shop_files) == 0
    out = capsys.readouterr().out
    assert "imported dataset 'shop' (id 1): 60 users, 1,200 items" in out
    assert cli("datasets", "--db", str(db_path)) == 0
    listing = capsys.readouterr().out
    assert "shop" in listing and str(small_shop_files[0]) in listing

    assert cli("run", "--dataset", "shop", "--model", "itemknn", "--k", "8",
               "--metrics-k", "5,10", "--db", str(db_path), "--quiet") == 0
    out = capsys.readouterr().out
    assert "run 1 finished: model itemknn on dataset 'shop'" in out and "NDCG@10" in out
    with open_database(db_path) as db:
        [run] = list_runs(db)
    assert run.status == "finished" and run.config["k"] == 8
    assert run.config["metrics_k"] == [5, 10]
    assert run.config["preprocess"] == {"dedupe": "latest", "min_rating": None, "kcore": 0}

    assert cli("runs", "--db", str(db_path)) == 0
    assert "itemknn  finished" in capsys.readouterr().out

    assert cli("show", "--run", "1", "--user", "u00004", "--db", str(db_path)) == 0
    shown = capsys.readouterr().out
    assert "run 1 (itemknn on 'shop', finished), user u00004" in shown
    assert "interests:" in shown and "scored by itemknn" in shown

    csv = tmp_path / "recs.csv"
    assert cli("export", "--run", "1", "--out", str(csv), "--db", str(db_path)) == 0
    recs = pd.read_csv(csv, dtype={"user": str, "item": str})
    assert len(recs) == 60 * 8 and recs["user"].nunique() == 60
    assert list(recs.columns) == ["user", "rank", "item", "title", "score", "score_itemknn",
                                  "explanation", "recommendation_text",
                                  "recommendation_source", "model_rank", "feedback",
                                  "changed_by_feedback"]  # as the window exports, after feedback
    assert not recs["changed_by_feedback"].any()  # nobody gave any
    items = pd.read_csv(small_shop_files[1], dtype=str).set_index("item_id")["title"]
    assert (recs["title"] == items.loc[recs["item"]].to_numpy()).all()
    seen = pd.read_csv(small_shop_files[0], dtype=str)
    assert not set(zip(seen["user_id"], seen["item_id"])) & set(zip(recs["user"], recs["item"]))

    assert cli("forget", "--dataset", "shop", "--user", "u00004", "--db", str(db_path)) == 0
    assert "the database file was vacuumed" in capsys.readouterr().out
    assert count(db_path, "lists") == 59
    assert cli("show", "--run", "1", "--user", "u00004", "--db", str(db_path)) == 2
    assert "user 'u00004' is not in the dataset of run 1" in capsys.readouterr().err

    assert cli("forget", "--dataset", "shop", "--everything", "--db", str(db_path)) == 0
    assert count(db_path, "datasets") == count(db_path, "runs") == 0


def test_a_run_measures_a_seeded_sample_beyond_eval_users(db_path, capsys):
    for limit in ("25", "all"):
        assert cli("run", "--dataset", "shop", "--model", "cooc", "--eval-users", limit,
                   "--db", str(db_path), "--quiet") == 0
        out = capsys.readouterr().out
        assert ("seeded sample of 25 users per phase" in out) == (limit == "25")
    with open_database(db_path) as db:
        sampled, whole = sorted(list_runs(db), key=lambda r: r.id)
    assert sampled.config["split"]["eval_users"] == 25
    assert whole.config["split"]["eval_users"] is None
    assert sampled.metrics["test"]["users"] == sampled.metrics["valid"]["users"] == 25
    assert whole.metrics["test"]["users"] == 60
    assert sum(v["users"] for p, v in sampled.metrics.items() if "history" in p) == 25
    assert count(db_path, "lists") == 2 * 60  # everyone's list, either way


def test_run_failures_are_recorded(db_path, capsys):
    code = cli("run", "--dataset", "shop", "--split", "time", "--test-from", "2099-01-01",
               "--db", str(db_path), "--quiet")
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    with open_database(db_path) as db:
        [run] = list_runs(db)
    assert run.status == "failed" and run.error in err
    assert count(db_path, "lists") == 0


@pytest.mark.parametrize("argv, message", [
    (["run", "--dataset", "nope"], "no dataset named 'nope'"),
    (["run", "--dataset", "shop", "--set", "pop.colour=1"], "bad parameters for model 'pop'"),
    (["run", "--dataset", "shop", "--k", "0"], "--k must be at least 1"),
    (["show", "--run", "7", "--user", "u00001"], "no run 7 in"),
    (["export", "--run", "1", "--out", "/nonexistent/dir/x.csv"], "no run 1 in"),
    (["forget", "--dataset", "shop", "--user", "ghost"], "user 'ghost' is not in dataset"),
    (["runs", "--dataset", "nope"], "no dataset named 'nope'"),
])
def test_bad_requests_exit_2_with_one_message(db_path, capsys, argv, message):
    before = {t: count(db_path, t) for t in ("datasets", "users", "runs")}
    quiet = ["--quiet"] if argv[0] == "run" else []
    assert cli(*argv, *quiet, "--db", str(db_path)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert {t: count(db_path, t) for t in before} == before


def test_importing_a_taken_name_needs_replace(db_path, small_shop_files, capsys):
    interactions, items = small_shop_files
    argv = ["import", "--interactions", str(interactions), "--name", "shop",
            "--db", str(db_path), "--quiet"]
    assert cli(*argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli(*argv, "--replace") == 0
    used = pd.read_csv(interactions, dtype=str)["item_id"].nunique()
    assert count(db_path, "datasets") == 1 and count(db_path, "items") == used < 1200


def test_bad_database_locations_exit_2(tmp_path, capsys):
    assert cli("runs", "--db", str(tmp_path / "missing" / "s.db")) == 2
    assert "folder" in capsys.readouterr().err
    notes = tmp_path / "notes.db"
    notes.write_text("not a database " * 200)
    assert cli("datasets", "--db", str(notes)) == 2
    assert "not a readable SQLite database" in capsys.readouterr().err
