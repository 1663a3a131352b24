"""New data into a stored dataset, and a stored run's model updated with it: the command
line end to end on real SQLite files, with the shop split in time into an old and a new
part, a new user and a new catalogue item among the new rows."""
from __future__ import annotations

import pandas as pd
import pytest

from application.live import list_now, open_live_run
from cli.main import main
from storage import list_runs, open_database, user_list
from storage.datasets import dataset_info, load_dataset
from storage.feedback import Feedback, add_feedback
from storage.run_models import fitted_on
from tests.support.storage import count, file_bytes

FUSION = ["--model", "fusion", "--k", "10", "--set", 'fusion.components=["ease","als","cooc"]']


def cli(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture
def parts(tmp_path, small_shop_files):
    """The shop's interactions before and after its last 15% of time, plus a new user
    and a new item (with a catalogue row) in the new part."""
    interactions, items = small_shop_files
    frame = pd.read_csv(interactions)
    cut = frame["timestamp"].quantile(0.85)
    old, new = frame[frame["timestamp"] <= cut], frame[frame["timestamp"] > cut]
    extra = pd.DataFrame({"user_id": ["newcomer", "newcomer", old["user_id"].iloc[0]],
                          "item_id": [old["item_id"].iloc[0], "brand-new", "brand-new"],
                          "rating": [4, 5, 3],
                          "timestamp": [int(cut) + 10, int(cut) + 20, int(cut) + 30]})
    new = pd.concat([new, extra])
    catalogue = pd.read_csv(items)
    new_item = catalogue.iloc[[0]].assign(item_id="brand-new", title="Brand New Gadget")
    paths = {name: tmp_path / f"{name}.csv" for name in ("old", "new", "new_items")}
    old.to_csv(paths["old"], index=False)
    new.to_csv(paths["new"], index=False)
    pd.concat([catalogue, new_item]).to_csv(paths["new_items"], index=False)
    return paths, items, len(old), len(new)


def test_append_then_update_refreshes_every_list_without_refitting(tmp_path, parts, capsys):
    paths, items, n_old, n_new = parts
    db = str(tmp_path / "studio.db")
    assert cli("import", "--interactions", str(paths["old"]), "--items", str(items),
               "--name", "shop", "--db", db, "--quiet") == 0
    assert cli("run", "--dataset", "shop", *FUSION, "--db", db, "--quiet") == 0
    capsys.readouterr()
    assert cli("append", "--dataset", "shop", "--interactions", str(paths["new"]),
               "--items", str(paths["new_items"]), "--db", db, "--quiet") == 0
    out = capsys.readouterr().out
    assert f"{n_new:,} new interactions, 1 new users, 1 new items" in out
    with open_database(db) as database:
        grown = load_dataset(database, "shop")
        assert grown.n_interactions == n_old + n_new
        assert grown.titles[grown.item_index["brand-new"]] == "Brand New Gadget"
        history = grown.history()
        newcomer = grown.user_index["newcomer"]
        assert list(grown.item_ids[history.sequence(newcomer)]) == [
            grown.item_ids[history.sequence(newcomer)][0], "brand-new"]
        # before the update, feedback still works on the run's stored list (filtered)
        user = str(grown.user_ids[2])
        first = user_list(database, 1, user)[0].item
        add_feedback(database, "shop", [Feedback(user, first, "dislike")])
        assert not list_now(database, open_live_run(database, 1), user).reranked

    assert cli("update", "--run", "1", "--db", db, "--quiet") == 0
    out = capsys.readouterr().out
    assert "run 2 finished: run 1's model updated" in out and "full retrain" in out
    with open_database(db) as database:
        runs = {r.id: r for r in list_runs(database, "shop")}
        assert runs[2].config["updated_from"] == 1 and runs[2].metrics == {}
        assert user_list(database, 2, "newcomer")  # a new user gets a list
        assert first not in [e.item for e in user_list(database, 2, user)]  # feedback kept
        assert fitted_on(database, 2) == fitted_on(database, 1) == (n_old, 1200)
        live = open_live_run(database, 2)
        assert live.model is not None and list_now(database, live, user).reranked


def test_a_large_change_retrains_when_asked(tmp_path, parts, capsys):
    paths, items, n_old, n_new = parts
    db = str(tmp_path / "studio.db")
    half = tmp_path / "half.csv"
    frame = pd.read_csv(paths["old"])
    frame.iloc[: len(frame) // 2].to_csv(half, index=False)
    assert cli("import", "--interactions", str(half), "--items", str(items), "--name", "shop",
               "--db", db, "--quiet") == 0
    assert cli("run", "--dataset", "shop", *FUSION, "--db", db, "--quiet") == 0
    rest = tmp_path / "rest.csv"
    frame.iloc[len(frame) // 2:].to_csv(rest, index=False)
    assert cli("append", "--dataset", "shop", "--interactions", str(rest), "--db", db,
               "--quiet") == 0
    capsys.readouterr()
    assert cli("update", "--run", "1", "--retrain-if-needed", "--db", db, "--quiet") == 0
    out = capsys.readouterr().out
    assert "running the full pipeline" in out and "run 2 finished: a full retrain" in out
    with open_database(db) as database:
        assert list_runs(database, "shop")[0].metrics["test"]  # a real, evaluated run
        info = dataset_info(database, "shop")
        assert fitted_on(database, 2) == (info.n_interactions, info.n_items)


def test_a_bad_file_leaves_the_dataset_as_it_was(tmp_path, parts, capsys):
    paths, items, _, _ = parts
    db = tmp_path / "studio.db"
    assert cli("import", "--interactions", str(paths["old"]), "--name", "shop", "--db",
               str(db), "--quiet") == 0
    before = file_bytes(db)
    bad = tmp_path / "bad.csv"
    bad.write_text("user_id,item_id,rating,timestamp\nu1,i1,4,1700000000\nu2,i2,four,"
                   "1700000001\n")
    capsys.readouterr()
    assert cli("append", "--dataset", "shop", "--interactions", str(bad), "--db", str(db),
               "--quiet") == 2
    assert "bad.csv, row 3, column 'rating': rating 'four' is not a number" in \
           capsys.readouterr().err
    assert file_bytes(db) == before
    assert cli("append", "--dataset", "nope", "--interactions", str(paths["new"]), "--db",
               str(db), "--quiet") == 2
    assert "no dataset named 'nope'" in capsys.readouterr().err
    assert count(db, "interactions") == len(pd.read_csv(paths["old"]))
