"""`explain` end to end: texts written for a stored run, kept with the lists, exported."""
from __future__ import annotations

import pandas as pd
import pytest

from cli.main import main
from engine.explanations import Explanation, facts_from_run
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run
from storage import open_database, save_dataset, save_run
from storage.explain import run_facts, save_texts
from storage.results import user_text
from tests.support.storage import EASE_COOC, count, shop_dataset


def cli(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture(scope="module")
def stored(tmp_path_factory, small_shop_files):
    """A database with the shop and one finished fusion run (id 1), and that run."""
    path = tmp_path_factory.mktemp("explain") / "studio.db"
    dataset = shop_dataset(small_shop_files)
    result = execute_run(dataset, RunConfig(model="fusion", k=6, params=EASE_COOC))
    with open_database(path) as db:
        save_dataset(db, dataset, "shop")
        assert save_run(db, result) == 1
    return path, result


def test_facts_read_back_from_the_database_are_the_runs(stored):
    path, result = stored
    users = ["u00003", "u00010"]
    expected = {f.user: f for f in facts_from_run(result)}
    with open_database(path) as db:
        back = run_facts(db, 1, users)
    assert [f.user for f in back.facts] == users
    for f in back.facts:
        want = expected[f.user]
        assert f.list_titles == want.list_titles and f.keywords == want.keywords
        assert f.recent == want.recent and f.top == want.top
        assert set(f.history_titles) == set(want.history_titles)
        assert f.gate == pytest.approx(want.gate)
        assert back.grounder.check(f.list_titles[0], f).mentioned == (f.list_titles[0],)
        assert f.recent_dates == want.recent_dates and len(f.recent_dates) == len(f.recent)
        for title in f.list_titles:  # each title's categories, as the catalogue has them
            assert back.grounder.categories(title) == tuple(
                result.dataset.genres[list(result.dataset.titles).index(title)])


def test_explain_writes_texts_that_show_and_export(stored, tmp_path, capsys):
    path, _ = stored
    db = str(path)
    assert cli("explain", "--run", "1", "--template-only", "--batch", "7", "--db", db,
               "--quiet") == 0
    assert "run 1: texts of 60 users stored (0 generated, 60 template)" in \
        capsys.readouterr().out
    assert count(path, "list_texts") == 60
    assert cli("show", "--run", "1", "--user", "u00004", "--db", db) == 0
    assert "why (template): " in capsys.readouterr().out

    assert cli("explain", "--run", "1", "--users", "u00004,u00005", "--device", "cpu",
               "--threads", "1", "--db", db) == 0  # the packaged SmolLM2 on llama.cpp
    assert "texts of 2 users stored (2 generated, 0 template)" in capsys.readouterr().out
    with open_database(path) as opened:
        text = user_text(opened, 1, "u00004")
        untouched = user_text(opened, 1, "u00006")
        stored = run_facts(opened, 1, ["u00004"])
    assert text is not None and text.source == "generated"
    assert text.model == "SmolLM2-135M-Instruct" and text.reasons == []
    assert stored.grounder.check(text.text, stored.facts[0]).ok  # true to the stored facts
    assert untouched is not None and untouched.model == "" and untouched.reasons == [
        "template asked for"]

    csv = tmp_path / "recs.csv"
    assert cli("export", "--run", "1", "--out", str(csv), "--db", db) == 0
    recs = pd.read_csv(csv, dtype={"user": str})
    assert list(recs.columns[-5:-3]) == ["recommendation_text", "recommendation_source"]
    assert set(recs["recommendation_source"]) == {"generated", "template"}
    one = recs[recs["user"] == "u00004"]
    assert one["recommendation_text"].nunique() == 1  # the list's text on each of its rows
    assert one["recommendation_text"].iloc[0] == text.text


def test_texts_are_stored_per_batch_all_or_nothing(stored):
    path, _ = stored
    good = Explanation("A fine text.", "generated", [], "m")
    with open_database(path) as db:
        before = user_text(db, 1, "u00001")
        with pytest.raises(Exception, match="user 'nobody' has no stored list in run 1"):
            save_texts(db, 1, {"u00001": good, "nobody": good})
        assert user_text(db, 1, "u00001") == before  # nothing of the batch was kept
        save_texts(db, 1, {"u00001": good})
        assert user_text(db, 1, "u00001").text == "A fine text."


def test_explain_errors_are_clear(stored, tmp_path, capsys):
    db = str(stored[0])
    assert cli("explain", "--run", "9", "--template-only", "--db", db) == 2
    assert "no run 9" in capsys.readouterr().err
    assert cli("explain", "--run", "1", "--users", "nobody", "--template-only", "--db", db) == 2
    assert "user 'nobody' is not in the dataset of run 1" in capsys.readouterr().err
    assert cli("explain", "--run", "1", "--model-file", str(tmp_path / "none.gguf"),
               "--db", db) == 2
    assert "no such model file or folder" in capsys.readouterr().err
    assert cli("explain", "--run", "1", "--model-file", str(tmp_path), "--db", db) == 2
    assert "no GGUF model file (.gguf) in this folder" in capsys.readouterr().err
    assert cli("explain", "--run", "1", "--threads", "0", "--db", db) == 2
    assert "--threads must be at least 1" in capsys.readouterr().err


def test_forgetting_a_user_deletes_the_text(stored):
    path, _ = stored
    assert count(path, "list_texts", "1") > 0
    with open_database(path) as db:
        lists = count(path, "list_texts")
        from storage import forget_user
        forget_user(db, "shop", "u00002")
    assert count(path, "list_texts") == lists - 1
