"""Feedback closes the loop: it changes a user's next list at once (engine and stored
runs), is read from files with the importer's errors, survives a restart, and trains the
next run. Real data: the small demo shop, real SQLite files, the real command line."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from application.live import list_now, open_live_run
from cli.main import main
from engine.core.errors import DataError
from engine.data.feedback import Event, latest_events, training_signal
from engine.data.feedback_file import read_feedback
from engine.models import MODELS
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run
from engine.pipeline.rerank import GATE_BOUNDS, NEIGHBOURS, adjust, item_neighbours, moved_gate
from storage import forget_user, open_database
from storage.feedback import Feedback, add_feedback, list_feedback, reset_feedback
from storage.run_models import has_model
from tests.support.storage import count, shop_dataset

EASE_COOC = {"fusion": {"components": ["ease", "cooc"]}}


def cli(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture(scope="module")
def fused(small_shop_files):
    dataset = shop_dataset(small_shop_files)
    result = execute_run(dataset, RunConfig(model="fusion", params=EASE_COOC, k=10))
    return dataset, result


def test_without_feedback_the_list_is_the_models(fused):
    dataset, result = fused
    history = dataset.history()
    for user in (0, 7, 31):
        now = adjust(result.model, history, user, [], 10)
        assert np.array_equal(now.items, result.lists.items[user])
        assert now.gate == pytest.approx(result.profiles.gate[user])


def test_refused_items_go_and_after_several_their_neighbours_too(fused):
    dataset, result = fused
    history = dataset.history()
    user = 7
    model_list = result.lists.items[user]
    once = adjust(result.model, history, user, [Event(int(model_list[0]), "dislike")], 10)
    assert model_list[0] not in once.items
    assert list(once.items[:9]) == list(model_list[1:])  # nothing else changes
    twice = adjust(result.model, history, user,
                   [Event(int(model_list[0]), "dislike"),
                    Event(int(model_list[1]), "not_interested")], 10)
    neighbours = item_neighbours(history.matrix, [int(model_list[0])], NEIGHBOURS)
    assert neighbours[int(model_list[0])]
    for item in neighbours[int(model_list[0])]:
        assert item not in twice.items and twice.removed[item].why == "similar"
    assert not set(twice.items) & set(twice.removed)


def test_a_like_joins_the_recent_actions_and_moves_the_gate(fused):
    dataset, result = fused
    history = dataset.history()
    user = 7
    model_list = result.lists.items[user]
    parts = {n: c[user] for n, c in result.lists.contributions.items()}
    long_side = sum(np.abs(v) for n, v in parts.items() if MODELS[n].horizon == "long")
    short_side = sum(np.abs(v) for n, v in parts.items() if MODELS[n].horizon == "short")
    long_share = long_side / (long_side + short_side)  # cold start's text part is long-term
    pick = int(np.argmin(long_share))  # the item the short-term side brought most
    liked = int(model_list[pick])
    now = adjust(result.model, history, user, [Event(liked, "like")], 10)
    assert liked not in now.items and now.removed[liked].why == "liked"
    assert now.gate < now.model_gate  # toward the short-term side that brought it
    assert not np.array_equal(now.items, np.delete(model_list, pick)[:10])  # re-ranked
    assert moved_gate(0.5, [1.0] * 50) == GATE_BOUNDS[1]


def test_the_latest_word_on_an_item_counts():
    events = [Event(3, "dislike"), Event(4, "like"), Event(3, "like")]
    assert latest_events(events) == [Event(4, "like"), Event(3, "like")]
    signal = training_signal([0, 0, 1], [3, 3, 5], ["dislike", "like", "not_interested"])
    assert list(signal.liked_items) == [3] and list(signal.refused_items) == [5]


def test_the_next_run_trains_on_feedback_and_never_on_a_held_out_item(fused):
    dataset, result = fused
    user = 7
    refused = [int(i) for i in result.lists.items[user][:3]]
    signal = training_signal([user] * 3, refused, ["dislike"] * 3)
    again = execute_run(dataset, RunConfig(model="fusion", params=EASE_COOC, k=10),
                        feedback=signal)
    assert not set(refused) & set(again.lists.items[user])
    assert again.feedback_events == 3
    # a like of the user's own test item is dropped from training: same metrics as without
    test_item = int(dataset.item[dataset.history().indptr[user + 1] - 1])
    cheat = training_signal([user], [test_item], ["like"])
    honest = execute_run(dataset, RunConfig(model="ease", k=10))
    with_cheat = execute_run(dataset, RunConfig(model="ease", k=10), feedback=cheat)
    assert with_cheat.metrics["test"] == honest.metrics["test"]


def test_feedback_file_errors_name_the_row_and_column(tmp_path):
    bad_word = tmp_path / "bad.csv"
    bad_word.write_text("user,item,feedback\nu1,i1,like\nu1,i2,meh\n")
    with pytest.raises(DataError, match=r"bad.csv, row 3, column 'feedback': feedback 'meh'"):
        read_feedback(bad_word)
    no_column = tmp_path / "none.csv"
    no_column.write_text("user,item,stars\nu1,i1,5\n")
    with pytest.raises(DataError, match="no feedback column found.*--feedback-col"):
        read_feedback(no_column)
    with pytest.raises(DataError, match="row 2, column 'stars': feedback '5' is not one of"):
        read_feedback(no_column, feedback_col="stars")
    words = tmp_path / "words.tsv"
    words.write_text("customer\tproduct\taction\twhen\n"
                     "u1\ti1\tThumbs up\t2024-01-02\nu1\ti2\t-1\t2024-01-03\n"
                     "u2\ti3\tNot interested\t2024-01-04\n")
    table = read_feedback(words)
    assert list(table.frame["kind"]) == ["like", "dislike", "not_interested"]
    assert table.frame["timestamp"].iloc[0] == pd.Timestamp("2024-01-02", tz="UTC").timestamp()


@pytest.fixture
def stored_run(tmp_path, small_shop_files):
    path = tmp_path / "studio.db"
    interactions, items = small_shop_files
    assert cli("import", "--interactions", str(interactions), "--items", str(items),
               "--name", "shop", "--db", str(path), "--quiet") == 0
    assert cli("run", "--dataset", "shop", "--model", "fusion", "--k", "10", "--db",
               str(path), "--set", 'fusion.components=["ease","cooc"]', "--quiet") == 0
    return path


def test_feedback_from_a_file_changes_the_list_survives_a_restart_and_resets(
        stored_run, tmp_path, capsys):
    path = stored_run
    assert count(path, "run_models") == 1
    with open_database(path) as db:
        live = open_live_run(db, 1)
        user = str(live.dataset.user_ids[5])
        model_list = [e.item for e in list_now(db, live, user).entries]
    events = tmp_path / "events.csv"
    events.write_text(f"user,item,feedback\n{user},{model_list[0]},dislike\n"
                      f"{user},{model_list[1]},hide\n")
    capsys.readouterr()
    assert cli("feedback", "--run", "1", "--file", str(events), "--db", str(path)) == 0
    assert "stored 2 feedback events for run 1" in capsys.readouterr().out
    assert cli("show", "--run", "1", "--user", user, "--db", str(path)) == 0
    shown = capsys.readouterr().out
    assert "re-ranked with the run's model" in shown and "similar to" in shown
    with open_database(path) as db:  # a new process would read the same: it is all stored
        now = list_now(db, open_live_run(db, 1), user)
    assert now.reranked and not {model_list[0], model_list[1]} & {e.item for e in now.entries}

    bad = tmp_path / "bad.csv"
    bad.write_text(f"user,item,feedback\n{user},{model_list[2]},like\nnobody,{model_list[2]},"
                   "like\n")
    assert cli("feedback", "--run", "1", "--file", str(bad), "--db", str(path)) == 2
    assert "bad.csv, row 3, column 'user': user 'nobody' is not in dataset 'shop'; " \
           "nothing was stored" in capsys.readouterr().err
    assert count(path, "feedback") == 2  # the good row of the bad file was not stored

    assert cli("feedback", "--run", "1", "--reset", user, "--db", str(path)) == 0
    with open_database(path) as db:
        assert list_feedback(db, "shop", user) == []
        assert [e.item for e in list_now(db, open_live_run(db, 1), user).entries] == model_list


def test_export_writes_the_lists_as_they_stand_or_on_request_the_runs_own(
        stored_run, tmp_path, capsys):
    with open_database(stored_run) as db:
        live = open_live_run(db, 1)
        user = str(live.dataset.user_ids[2])
        model_list = [e.item for e in list_now(db, live, user).entries]
        add_feedback(db, "shop", [Feedback(user, model_list[0], "dislike", run_id=1)])
        shown = [e.item for e in list_now(db, live, user).entries]
    capsys.readouterr()
    after, own = tmp_path / "after.csv", tmp_path / "own.csv"
    assert cli("export", "--run", "1", "--out", str(after), "--db", str(stored_run),
               "--quiet") == 0
    assert "as they stand after the users' feedback" in capsys.readouterr().out
    assert cli("export", "--run", "1", "--out", str(own), "--model-list", "--db",
               str(stored_run)) == 0
    assert "the run's own lists" in capsys.readouterr().out
    exported = pd.read_csv(after, dtype={"user": str, "item": str})
    mine = exported[exported["user"] == user].sort_values("rank")
    assert list(mine["item"]) == shown and model_list[0] not in set(mine["item"])  # as `show`
    assert mine["changed_by_feedback"].any()
    others = exported[exported["user"] != user]
    assert not others["changed_by_feedback"].any()  # no feedback, the run's list
    original = pd.read_csv(own, dtype={"user": str, "item": str})
    assert list(original[original["user"] == user].sort_values("rank")["item"]) == model_list


def test_the_next_stored_run_keeps_refused_items_out(stored_run):
    with open_database(stored_run) as db:
        live = open_live_run(db, 1)
        user = str(live.dataset.user_ids[9])
        first = [e.item for e in list_now(db, live, user).entries]
        add_feedback(db, "shop", [Feedback(user, first[0], "dislike", run_id=1)])
    assert cli("run", "--dataset", "shop", "--model", "fusion", "--k", "10", "--db",
               str(stored_run), "--set", 'fusion.components=["ease","cooc"]', "--quiet") == 0
    with open_database(stored_run) as db:
        from storage import user_list
        assert first[0] not in [e.item for e in user_list(db, 2, user)]


def test_forgetting_a_user_drops_the_models_and_feedback_still_filters(stored_run):
    with open_database(stored_run) as db:
        live = open_live_run(db, 1)
        user, gone = str(live.dataset.user_ids[3]), str(live.dataset.user_ids[4])
        first = [e.item for e in list_now(db, live, user).entries]
        add_feedback(db, "shop", [Feedback(user, first[0], "dislike")])
        forget_user(db, "shop", gone)
        assert not has_model(db, 1)
        now = list_now(db, open_live_run(db, 1), user)
        assert not now.reranked and [e.item for e in now.entries] == first[1:]
        assert reset_feedback(db, "shop", user) == 1
