"""The headless command line end to end, on files the tests write."""
import json

import pandas as pd
import pytest

from cli.main import main
from engine.data.synthetic import ShopConfig, generate, write_csv


@pytest.fixture(scope="module")
def shop_files(tmp_path_factory):
    return write_csv(generate(ShopConfig(n_users=120, seed=1)), tmp_path_factory.mktemp("cli"))


def test_evaluate_prints_a_table_and_writes_json(shop_files, tmp_path, capsys):
    interactions, items = shop_files
    out = tmp_path / "results.json"
    code = main(["evaluate", "--interactions", str(interactions), "--items", str(items),
                 "--models", "pop,itemknn,cooc", "--k", "5,10", "--json", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "NDCG@10" in printed and "itemknn" in printed
    result = json.loads(out.read_text())
    assert set(result["dataset"]) >= {"users", "items", "interactions", "train_interactions",
                                      "test_users"}
    assert result["dataset"]["test_users"] == 120
    assert result["protocol"]["k"] == [5, 10]
    for name in ("pop", "itemknn", "cooc"):
        model = result["models"][name]
        for key in ("HR@10", "NDCG@10", "Recall@10", "MRR@10", "Coverage@10", "Novelty@10",
                    "Precision@5", "ILD@10", "Gini@10", "PopPercentile@10", "fit_seconds",
                    "eval_seconds"):
            assert key in model, key
        assert 0 <= model["NDCG@10"] <= model["HR@10"] <= 1


def test_evaluate_measures_a_seeded_sample_beyond_eval_users(shop_files, tmp_path, capsys):
    interactions, items = shop_files
    results = {}
    for limit in ("40", "40", "all"):
        out = tmp_path / f"{limit}.json"
        assert main(["evaluate", "--interactions", str(interactions), "--models", "pop,cooc",
                     "--eval-users", limit, "--json", str(out), "--quiet"]) == 0
        printed = capsys.readouterr().out
        assert ("seeded sample of 40 of the 120 test users" in printed) == (limit == "40")
        results.setdefault(limit, []).append(json.loads(out.read_text()))
    sampled, whole = results["40"][0], results["all"][0]
    assert sampled["protocol"]["measured_users"] == {"valid": 40, "test": 40}
    assert whole["protocol"]["measured_users"] == {"valid": 120, "test": 120}
    ndcg = {r: {m: v["NDCG@10"] for m, v in res[0]["models"].items()} for r, res in results.items()}
    assert ndcg["40"] != ndcg["all"]
    assert [m["models"]["cooc"]["NDCG@10"] for m in results["40"]] == [ndcg["40"]["cooc"]] * 2


def test_evaluate_says_what_the_fusions_gate_check_kept(shop_files, tmp_path, capsys):
    interactions, items = shop_files
    out = tmp_path / "fusion.json"
    assert main(["evaluate", "--interactions", str(interactions), "--models", "cooc,fusion",
                 "--set", 'fusion.components=["pop","cooc"]', "--json", str(out),
                 "--quiet"]) == 0
    printed = capsys.readouterr().out
    report = json.loads(out.read_text())["models"]["fusion"]["fit_report"]
    assert report.startswith("gate checked on 120 validation users, NDCG@10 learned ")
    assert f"fusion: {report}" in printed
    assert json.loads(out.read_text())["models"]["cooc"]["fit_report"] == ""


def test_recommend_writes_lists_with_titles(shop_files, tmp_path):
    interactions, items = shop_files
    out = tmp_path / "recs.csv"
    code = main(["recommend", "--interactions", str(interactions), "--items", str(items),
                 "--k", "7", "--users", "u00003,u00010", "--out", str(out), "--quiet",
                 "--set", "sequential.max_epochs=3"])
    assert code == 0
    recs = pd.read_csv(out, dtype={"user": str, "item": str})
    assert list(recs.columns) == ["user", "rank", "item", "title", "score"]
    assert sorted(recs["user"].unique()) == ["u00003", "u00010"]
    assert recs.groupby("user")["rank"].apply(list).tolist() == [list(range(1, 8))] * 2
    seen = pd.read_csv(interactions, dtype=str)
    pairs = set(zip(seen["user_id"], seen["item_id"]))
    assert not any((u, i) in pairs for u, i in zip(recs["user"], recs["item"]))
    catalogue = pd.read_csv(items, dtype=str).set_index("item_id")["title"]
    assert (recs["title"] == catalogue.loc[recs["item"]].to_numpy()).all()


def test_time_split_from_the_command_line(shop_files, tmp_path):
    interactions, items = shop_files
    out = tmp_path / "time.json"
    code = main(["evaluate", "--interactions", str(interactions), "--split", "time",
                 "--test-from", "2023-11-01", "--models", "pop", "--json", str(out), "--quiet"])
    assert code == 0
    result = json.loads(out.read_text())
    assert result["protocol"]["split"] == "global time split"
    assert 0 < result["dataset"]["test_users"] < 120


@pytest.mark.parametrize("argv, message", [
    (["--models", "nope"], "unknown model(s) nope"),
    (["--k", "ten"], "--k expects comma-separated whole numbers"),
    (["--set", "als.factors"], "--set expects MODEL.PARAM=VALUE"),
    (["--split", "time"], "needs a cut-off"),
    (["--eval-users", "0"], "--eval-users expects a positive whole number or 'all'"),
    (["--eval-users", "half"], "--eval-users expects a positive whole number or 'all'"),
])
def test_bad_arguments_exit_2_with_a_message(shop_files, capsys, argv, message):
    interactions, _ = shop_files
    code = main(["evaluate", "--interactions", str(interactions), "--quiet", *argv])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_file_exits_2(tmp_path, capsys):
    missing = tmp_path / "nothing.csv"
    assert main(["evaluate", "--interactions", str(missing), "--quiet"]) == 2
    assert "nothing.csv" in capsys.readouterr().err


def test_unknown_user_in_recommend(shop_files, tmp_path, capsys):
    interactions, _ = shop_files
    code = main(["recommend", "--interactions", str(interactions), "--users", "ghost",
                 "--out", str(tmp_path / "r.csv"), "--quiet"])
    assert code == 2 and "unknown user id(s): ghost" in capsys.readouterr().err


def test_demo_command(capsys):
    # the default pipeline, with a short transformer training to keep the suite quick
    assert main(["demo", "--quiet", "--set", "sequential.max_epochs=4"]) == 0
    out = capsys.readouterr().out
    assert "demo shop" in out and "best on validation" in out


LOG = "user,item,timestamp\na,x,881250949\n"
VALIDATION = {  # case: (file content or None for no file, extra arguments, row, column, says)
    "missing file": (None, [], None, None, "file not found"),
    "empty file": ("", [], None, None, "file is empty"),
    "header only": ("user_id,item_id,rating\n", [], None, None, "no data rows"),
    "binary": (b"PK\x03\x04\n\x00\x00\x14\x00garbage", [], 2, None, "binary file"),
    "garbage": ("<html>\n<body><p>Not found</p></body>\n</html>\n", [], None, None,
                "found only one column"),
    "wrong --sep": ("user,item\na,x\n", ["--sep", ";"], None, None, "given by --sep"),
    "missing role": ("product,rating\nx,5\n", [], None, None, "no user column"),
    "bad timestamp": (LOG + "b,y,88125O950\n", [], 3, "timestamp", "'88125O950'"),
    "huge timestamp": (LOG + "b,y,99999999999999999999999\n", [], 3, "timestamp",
                       "out of range"),
    "non-numeric rating": ("user\titem\trating\na\tx\t4\nb\ty\tfive\n", [], 3, "rating",
                           "rating 'five' is not a number"),
    "duplicate header": ("user,item,rating,item\na,x,1,y\n", [], 1, "item", "columns 2 and 4"),
    "bad date": ("user,item,date\na,x,2020-01-02\nb,y,yesterday\n", [], 3, "date",
                 "'yesterday' does not fit"),
    "bad --date-format": ("user,item,date\na,x,2020-01-02\n", ["--date-format", "%Q"], None,
                          "date", "--date-format '%Q' is not a valid format"),
    "lone % --date-format": ("user,item,date\na,x,2020-01-02\n", ["--date-format", "%"],
                             None, "date", "--date-format '%' is not a valid format"),
    "out-of-range date": ("user,item,date\na,x,2020-01-02\nb,y,1200-01-01\n", [], 3, "date",
                          "between 1677-09-22 and 2262-04-10"),
}


@pytest.mark.parametrize("case", VALIDATION)
def test_bad_input_ends_with_one_message_and_exit_2(tmp_path, capsys, case):
    content, extra, row, column, says = VALIDATION[case]
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code = main(["evaluate", "--interactions", str(path), "--models", "pop", "--quiet", *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "mixed" not in err
    assert err.startswith(f"error: {path}") and says in err
    assert (f"row {row}" in err) == (row is not None)
    assert (f"column '{column}'" in err) == (column is not None)
