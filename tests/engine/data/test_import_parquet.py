"""Parquet files are read wherever a delimited file is: the same tables, checks and
messages, with row N the file's N-th row."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.importing import preview_file, read_options
from bench.fuzz_cases import mutated
from engine.core.errors import DataError
from engine.data import parquet
from engine.data.feedback_file import read_feedback
from engine.data.importer import ReadOptions, read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from tests.support.files import write


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Batches of 100 rows: the shop's log is many."""
    monkeypatch.setattr(parquet, "BATCH_ROWS", 100)


def as_parquet(folder, name: str, columns: dict[str, object], **options) -> object:
    """``columns`` written with pyarrow as ``folder/name``."""
    path = folder / name
    pq.write_table(pa.table(columns), path, **options)
    return path


@pytest.fixture(scope="module")
def shop_tables(small_shop_files):
    """The small shop's two files as pyarrow tables, typed as a Parquet export would be."""
    interactions, items = small_shop_files
    log = pd.read_csv(interactions, dtype={"user_id": str, "item_id": str})
    catalogue = pd.read_csv(items, dtype=str, keep_default_na=False)
    return (pa.Table.from_pandas(log, preserve_index=False),
            pa.Table.from_pandas(catalogue, preserve_index=False))


def test_the_shop_as_parquet_is_the_dataset_of_its_csv(tmp_path, small_shop_files, shop_tables):
    log, catalogue = shop_tables
    assert log.schema.field("rating").type == pa.int64()
    pq.write_table(log, tmp_path / "log.parquet", row_group_size=500)
    pq.write_table(catalogue, tmp_path / "items.parquet")
    table = read_interactions(tmp_path / "log.parquet")
    items = read_catalogue(tmp_path / "items.parquet")
    csv_table = read_interactions(small_shop_files[0])
    csv_items = read_catalogue(small_shop_files[1])
    pd.testing.assert_frame_equal(table.frame.drop(columns="line"),
                                  csv_table.frame.drop(columns="line"))
    assert (table.frame["line"] == csv_table.frame["line"] - 1).all()  # no header row
    pd.testing.assert_frame_equal(items.frame, csv_items.frame)
    got, expected = build_dataset(table, items), build_dataset(csv_table, csv_items)
    for name in ("user_ids", "item_ids", "user", "item", "weight", "timestamp", "titles",
                 "texts"):
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    assert got.genres == expected.genres
    assert table.report.detected["format"] == "parquet"
    assert table.report.rows_read == csv_table.report.rows_read


def test_typed_columns_read_as_their_csv_text(tmp_path):
    stamps = pa.array([1_672_531_200_500, None, 1_672_617_600_000], pa.timestamp("ms", "UTC"))
    path = as_parquet(tmp_path, "log.parquet", {
        "user": pa.array([1, 2, 3], pa.int32()),
        "item": pa.array(["a", "b", "a"]).dictionary_encode(),
        "rating": pa.array([4.5, float("nan"), 0.1], pa.float32()),
        "time": stamps})
    table = read_interactions(path)
    assert table.frame["user"].tolist() == ["1", "3"]
    assert table.frame["item"].tolist() == ["a", "a"]
    assert table.frame["rating"].tolist() == [4.5, 0.1]
    assert table.frame["timestamp"].tolist() == [1_672_531_200, 1_672_617_600]
    assert table.frame["line"].tolist() == [1, 3]
    assert table.report.dropped == {"missing rating": 1}  # NaN is an empty cell, and the time


def test_dates_and_naive_times_are_utc(tmp_path):
    path = as_parquet(tmp_path, "log.parquet", {
        "user": ["u1", "u2"], "item": ["i1", "i2"],
        "date": pa.array([0, 19_358], pa.date32())})
    assert read_interactions(path).frame["timestamp"].tolist() == [0, 19_358 * 86_400]


def test_nulls_are_empty_cells(tmp_path):
    path = as_parquet(tmp_path, "log.parquet", {
        "user_id": ["u1", None, "u3", "u4"], "item_id": ["i1", "i2", None, "i4"],
        "rating": pa.array([5, 3, None, None], pa.int64())})
    table = read_interactions(path)
    assert table.frame["user"].tolist() == ["u1"]
    assert table.report.dropped == {"missing user": 1, "missing item": 1, "missing rating": 1}


def test_a_bad_value_in_a_later_batch_is_named_by_its_row(tmp_path):
    ratings = [str(i % 5 + 1) for i in range(1000)]
    ratings[640], ratings[900] = "five", "?"
    path = as_parquet(tmp_path, "log.parquet", {
        "user_id": [f"u{i}" for i in range(1000)], "item_id": ["i"] * 1000, "stars": ratings})
    with pytest.raises(DataError) as raised:
        read_interactions(path, ReadOptions(roles={"rating": "stars"}))
    assert str(raised.value) == (f"{path}, row 641, column 'stars': rating 'five' is not a "
                                 "number (the same in row 901: 2 rows in all)")


def test_wrong_types_are_named_by_their_column(tmp_path):
    path = as_parquet(tmp_path, "log.parquet", {
        "user": ["u1", "u2"], "item": [["i1"], ["i2"]], "rating": [True, False]})
    with pytest.raises(DataError) as raised:
        read_interactions(path)
    assert raised.value.column == "item" and raised.value.file == str(path)
    assert "holds values of type list<element: string>; expected text, numbers" in str(
        raised.value)
    path = as_parquet(tmp_path, "log2.parquet", {"user": ["u1"], "item": ["i1"],
                                                 "rating": [True]})
    with pytest.raises(DataError, match="row 1, column 'rating': rating 'true' is not a number"):
        read_interactions(path)
    path = as_parquet(tmp_path, "log3.parquet", {"user": pa.array([b"\xff"], pa.binary()),
                                                 "item": ["i1"]})
    with pytest.raises(DataError, match="column 'user': holds binary values that are not text"):
        read_interactions(path)


def test_missing_and_misnamed_columns(tmp_path):
    path = as_parquet(tmp_path, "log.parquet", {"who": ["u1"], "what": ["i1"], "score": [4]})
    with pytest.raises(DataError) as raised:
        read_interactions(path)
    assert str(raised.value) == (f"{path}: no user column found among the columns who, what, "
                                 "score; name it with --user-col COLUMN")
    table = read_interactions(path, ReadOptions(roles={"user": "who", "item": "what"}))
    assert table.frame[["user", "item", "rating"]].values.tolist() == [["u1", "i1", 4.0]]
    renamed = read_interactions(path, ReadOptions(columns=["user", "item", "rating"]))
    pd.testing.assert_frame_equal(renamed.frame, table.frame)
    with pytest.raises(DataError, match="2 column names were given .* but the file has 3 "
                                        "columns"):
        read_interactions(path, ReadOptions(columns=["user", "item"]))
    with pytest.raises(DataError, match="--item-col names a column that is not in the file"):
        read_interactions(path, ReadOptions(roles={"user": "who", "item": "nope"}))
    one = as_parquet(tmp_path, "one.parquet", {"thing": ["x"]})
    with pytest.raises(DataError, match="no user column found among the columns thing"):
        read_interactions(one)


@pytest.mark.parametrize("content", [b"", b"user,item\nu1,i1\n", b"PAR1" + b"\x00" * 40,
                                     bytes(range(256))])
def test_a_file_that_is_not_parquet_is_one_message(tmp_path, content):
    path = write(tmp_path, "log.parquet", content)
    with pytest.raises(DataError) as raised:
        read_interactions(path)
    assert raised.value.file == str(path) and "cannot be read as Parquet" in str(raised.value)


def test_a_damaged_parquet_file_is_one_message(tmp_path):
    path = as_parquet(tmp_path, "log.parquet", {"user": [f"u{i}" for i in range(500)],
                                                "item": [f"i{i}" for i in range(500)]},
                      compression="none")
    data = bytearray(path.read_bytes())
    data[200:900] = b"\xff" * 700
    path.write_bytes(bytes(data))
    with pytest.raises(DataError) as raised:
        read_interactions(path)
    assert raised.value.file == str(path) and "Parquet" in str(raised.value)


def test_empty_and_missing_files(tmp_path):
    path = as_parquet(tmp_path, "log.parquet", {"user": pa.array([], pa.string()),
                                                "item": pa.array([], pa.string())})
    with pytest.raises(DataError, match="log.parquet: has no rows"):
        read_interactions(path)
    with pytest.raises(DataError, match="nope.parquet: file not found"):
        read_interactions(tmp_path / "nope.parquet")
    (tmp_path / "dir.parquet").mkdir()
    with pytest.raises(DataError, match="is a folder, expected a file"):
        read_interactions(tmp_path / "dir.parquet")


def test_pandas_index_columns_are_not_data(tmp_path):
    frame = pd.DataFrame({"user": ["u1", "u3"], "item": ["i1", "i3"]}, index=[3, 17])
    frame.to_parquet(tmp_path / "log.parquet")
    assert "__index_level_0__" in pq.read_schema(tmp_path / "log.parquet").names
    table = read_interactions(tmp_path / "log.parquet")
    assert table.report.detected["roles"] == {"user": "user", "item": "item"}
    assert table.frame["user"].tolist() == ["u1", "u3"]


def test_feedback_and_catalogue_files(tmp_path):
    path = as_parquet(tmp_path, "feedback.parquet", {
        "user": ["u1", "u2"], "item": ["i1", "i2"], "feedback": ["like", "hide"]})
    assert read_feedback(path).frame["kind"].tolist() == ["like", "not_interested"]
    items = as_parquet(tmp_path, "items.parquet", {
        "item_id": ["i1", "i2", "i1"], "title": ["One", None, "Again"],
        "Action": [1, 0, 0], "Comedy": [0, 1, 1]})
    catalogue = read_catalogue(items)
    assert catalogue.frame.to_dict("list") == {"item": ["i1", "i2"], "title": ["One", "i2"],
                                               "text": ["Action", "Comedy"],
                                               "genres": ["Action", "Comedy"]}
    assert catalogue.report.dropped == {"duplicate item": 1}


def test_the_import_dialog_previews_parquet(tmp_path, shop_tables):
    log, _ = shop_tables
    pq.write_table(log, tmp_path / "log.parquet")
    preview = preview_file(tmp_path / "log.parquet", "interactions")
    assert preview.file_format == "parquet" and preview.encoding == "Parquet"
    assert preview.sep == "" and preview.header
    assert preview.n_rows == log.num_rows and len(preview.rows) == 50
    assert preview.columns == ["user_id", "item_id", "rating", "timestamp"]
    assert preview.rows[0] == [log["user_id"][0].as_py(), log["item_id"][0].as_py(),
                               str(log["rating"][0].as_py()), str(log["timestamp"][0].as_py())]
    assert preview.lines[:3] == [1, 2, 3]
    options = read_options(preview, {**preview.roles, "rating": ""})
    table = read_interactions(tmp_path / "log.parquet", options)
    assert (table.frame["rating"] == 1.0).all()


def _parquet_bytes(**options) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table({
        "user_id": [f"u{i}" for i in range(40)],
        "item_id": pa.array([f"i{i % 9}" for i in range(40)]).dictionary_encode(),
        "rating": [float(i % 5) for i in range(40)],
        "timestamp": pa.array(range(40), pa.timestamp("s")), "title": ["t"] * 40}),
        out, row_group_size=13, **options)
    return out.getvalue()


GOOD = [_parquet_bytes(compression="none"), _parquet_bytes(compression="snappy")]


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.sampled_from(GOOD).flatmap(mutated),
       read=st.sampled_from(["interactions", "catalogue", "preview"]))
def test_a_damaged_parquet_file_is_read_or_refused_naming_it(tmp_path, data, read):
    path = write(tmp_path, "log.parquet", data)
    try:
        if read == "interactions":
            read_interactions(path)
        elif read == "catalogue":
            read_catalogue(path)
        else:
            preview_file(path, "interactions")
    except DataError as exc:
        assert exc.file == str(path) and exc.detail
