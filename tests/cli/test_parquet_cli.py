"""Parquet files on the command line: import, append, evaluate and recommend take them
where they take a CSV; a file that is not Parquet is one message and exit status 2."""
from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli.main import main
from storage import load_dataset, open_database


@pytest.fixture(scope="module")
def shop_parquet(small_shop_files, tmp_path_factory):
    """The small shop's files, and the same tables as Parquet (the log without its last
    100 rows, which ``tail.parquet`` holds for an append)."""
    interactions, items = small_shop_files
    folder = tmp_path_factory.mktemp("parquet")
    log = pd.read_csv(interactions, dtype={"user_id": str, "item_id": str})
    catalogue = pd.read_csv(items, dtype=str, keep_default_na=False)
    pq.write_table(pa.Table.from_pandas(log, preserve_index=False), folder / "log.parquet")
    pq.write_table(pa.Table.from_pandas(log.iloc[:-100], preserve_index=False),
                   folder / "head.parquet")
    pq.write_table(pa.Table.from_pandas(log.iloc[-100:], preserve_index=False),
                   folder / "tail.parquet")
    pq.write_table(pa.Table.from_pandas(catalogue, preserve_index=False),
                   folder / "items.parquet")
    return folder


def test_import_parquet_stores_the_dataset_of_the_csv(tmp_path, small_shop_files, shop_parquet,
                                                     capsys):
    db = str(tmp_path / "studio.db")
    assert main(["import", "--interactions", str(shop_parquet / "log.parquet"), "--items",
                 str(shop_parquet / "items.parquet"), "--name", "pq", "--db", db,
                 "--quiet"]) == 0
    assert main(["import", "--interactions", str(small_shop_files[0]), "--items",
                 str(small_shop_files[1]), "--name", "csv", "--db", db, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "imported dataset 'pq' (id 1): 60 users, 1,200 items" in out
    with open_database(db) as opened:
        got, expected = load_dataset(opened, "pq"), load_dataset(opened, "csv")
    assert got.n_interactions == expected.n_interactions
    assert (got.item_ids == expected.item_ids).all() and (got.weight == expected.weight).all()
    assert (got.texts == expected.texts).all()


def test_append_a_parquet_file(tmp_path, shop_parquet, capsys):
    db = str(tmp_path / "studio.db")
    assert main(["import", "--interactions", str(shop_parquet / "head.parquet"), "--name",
                 "shop", "--db", db, "--quiet"]) == 0
    assert main(["append", "--dataset", "shop", "--interactions",
                 str(shop_parquet / "tail.parquet"), "--db", db, "--quiet"]) == 0
    assert "100 new interactions" in capsys.readouterr().out


def test_evaluate_and_recommend_read_parquet(tmp_path, shop_parquet):
    out = tmp_path / "results.json"
    assert main(["evaluate", "--interactions", str(shop_parquet / "log.parquet"), "--items",
                 str(shop_parquet / "items.parquet"), "--models", "pop", "--k", "5",
                 "--json", str(out), "--quiet"]) == 0
    assert json.loads(out.read_text())["dataset"]["users"] == 60
    recs = tmp_path / "recs.csv"
    assert main(["recommend", "--interactions", str(shop_parquet / "log.parquet"), "--items",
                 str(shop_parquet / "items.parquet"), "--model", "pop", "--k", "3",
                 "--users", "u00003", "--out", str(recs), "--quiet"]) == 0
    assert len(pd.read_csv(recs)) == 3


@pytest.mark.parametrize("content", [b"user_id,item_id\nu1,i1\n", b"PAR1\x00\x01PAR1"])
def test_a_file_that_is_not_parquet_exits_2_naming_it(tmp_path, shop_parquet, capsys,
                                                       content):
    path = tmp_path / "broken.parquet"
    path.write_bytes(content)
    db = tmp_path / "studio.db"
    code = main(["import", "--interactions", str(path), "--items",
                 str(shop_parquet / "items.parquet"), "--name", "x", "--db", str(db),
                 "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and str(path) in errors[0] and "Parquet" in errors[0]
    assert "Traceback" not in err
