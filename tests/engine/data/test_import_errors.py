"""Every bad input raises one DataError naming the file, the line and the column."""
from __future__ import annotations

import os
import warnings

import pytest

from cli.import_options import load_tables
from engine.core.errors import DataError
from engine.data.importer import ReadOptions, read_catalogue, read_interactions
from tests.support.files import parse, write


def error(path, options=None, reader=read_interactions) -> DataError:
    with pytest.raises(DataError) as info:
        reader(path, options)
    return info.value


def test_missing_file(tmp_path):
    err = error(tmp_path / "nope.csv")
    assert "nope.csv" in str(err) and "not found" in str(err)


def test_folder_instead_of_file(tmp_path):
    assert "folder" in str(error(tmp_path))


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n"])
def test_empty_file(tmp_path, content):
    err = error(write(tmp_path, "empty.csv", content))
    assert "empty.csv" in str(err) and "empty" in err.detail


def test_header_only(tmp_path):
    err = error(write(tmp_path, "head.csv", "user_id,item_id,rating\n"))
    assert "head.csv" in str(err) and "no data rows" in str(err)


def test_nul_bytes_are_binary(tmp_path):
    err = error(write(tmp_path, "book.xlsx", b"PK\x03\x04\n\x00\x00garbage"))
    assert "book.xlsx" in str(err) and "binary" in str(err) and err.row == 2


def test_random_bytes_are_binary(tmp_path):
    err = error(write(tmp_path, "noise.bin", os.urandom(4096)))
    assert "noise.bin" in str(err) and "binary" in str(err)


def test_control_characters_without_nul_are_not_text(tmp_path):
    err = error(write(tmp_path, "ctl.csv", bytes(range(1, 32)) * 50))
    assert "not text" in str(err) and "ctl.csv" in str(err)


def test_missing_user_role_names_columns_and_flag(tmp_path):
    err = error(write(tmp_path, "log.csv", "product,rating\nx,5\n"))
    message = str(err)
    assert "log.csv" in message and "no user column" in message
    assert "product, rating" in message and "--user-col" in message


@pytest.mark.parametrize("content", [
    "<!DOCTYPE html>\n<html>\n<body><p>Not found</p></body>\n</html>\n",
    "u1 i1 5\nu2 i2 3\n",
    "only\n",
])
def test_one_column_file_is_called_that(tmp_path, content):
    err = error(write(tmp_path, "page.csv", content))
    assert str(err).startswith(f"{tmp_path / 'page.csv'}: found only one column")
    assert "delimited text file" in str(err) and "--sep" in str(err)
    assert "no item column" not in str(err) and "no user column" not in str(err)


def test_one_column_because_of_the_given_sep(tmp_path):
    err = error(write(tmp_path, "log.csv", "user,item\na,x\n"), ReadOptions(sep=";"))
    assert "found only one column" in str(err) and "semicolon delimiter given by --sep" in str(err)


def test_one_column_catalogue_without_item_column(tmp_path):
    path = write(tmp_path, "items.csv", "title\nHeat\n")
    err = error(path, ReadOptions(header=True), reader=read_catalogue)
    assert "found only one column" in str(err) and "--item-sep" in str(err)


def test_missing_catalogue_item_role_names_flag(tmp_path):
    err = error(write(tmp_path, "items.csv", "title,description\nA,B\n"), reader=read_catalogue)
    assert "no item column" in str(err) and "--item-id-col" in str(err)


def test_override_naming_absent_column(tmp_path):
    path = write(tmp_path, "log.csv", "user,item\na,b\n")
    err = error(path, ReadOptions(roles={"rating": "stars"}))
    assert err.column == "stars" and "--rating-col" in str(err) and "user, item" in str(err)


def test_two_overrides_naming_one_column(tmp_path):
    path = write(tmp_path, "log.csv", "user,item\na,b\n")
    err = error(path, ReadOptions(roles={"user": "user", "item": "user"}))
    assert "--user-col and --item-col" in str(err) and err.column == "user"


def test_unparseable_date(tmp_path):
    path = write(tmp_path, "log.csv",
                 "user,item,InvoiceDate\na,x,12/1/2010 8:26\nb,y,yesterday\nc,z,later\n")
    err = error(path)
    assert (err.file, err.row, err.column) == (str(path), 3, "InvoiceDate")
    assert "'yesterday'" in str(err) and "log.csv, row 3, column 'InvoiceDate'" in str(err)
    assert "--date-format" in str(err)


def test_date_not_matching_given_format(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,date\na,x,2020-01-02\nb,y,2020/01/03\n")
    err = error(path, ReadOptions(date_format="%Y-%m-%d"))
    assert err.row == 3 and err.column == "date" and "'2020/01/03'" in str(err)
    assert "%Y-%m-%d" in str(err)


def test_date_no_format_recognises_is_said_in_plain_words(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,date\na,x,yesterday\nb,y,2020-01-02\n")
    err = error(path)
    assert (err.row, err.column) == (2, "date") and "'yesterday'" in str(err)
    assert "mixed" not in str(err) and "recognised" in str(err) and "--date-format" in str(err)


@pytest.mark.parametrize("fmt, reason", [
    ("%Q", "'Q' is a bad directive"), ("%", "stray %"), ("%d/%m/%Y %", "stray %"),
    ("%Y-%Y", "appears more than once"),
])
def test_invalid_date_format_is_named(tmp_path, fmt, reason):
    path = write(tmp_path, "log.csv", "user,item,date\na,x,2020-01-02\n")
    err = error(path, ReadOptions(date_format=fmt))
    assert (err.file, err.row, err.column) == (str(path), None, "date")
    assert f"--date-format '{fmt}' is not a valid format: " in str(err) and reason in str(err)


@pytest.mark.parametrize("dates, date_format, row", [
    (["2020-01-02", "1200-01-01", "2020-01-03"], None, 3),
    (["1200-01-01"], None, 2),
    (["02/01/2020", "01/01/2300"], "%d/%m/%Y", 3),
    (["2020-01-02T10:00:00+01:00", "9999-12-31T23:59:59+01:00"], None, 3),
])
def test_date_outside_the_supported_span(tmp_path, dates, date_format, row):
    body = "".join(f"u{i},i{i},{d}\n" for i, d in enumerate(dates))
    path = write(tmp_path, "log.csv", "user,item,date\n" + body)
    err = error(path, ReadOptions(date_format=date_format))
    assert (err.file, err.row, err.column) == (str(path), row, "date")
    assert f"'{dates[row - 2]}'" in str(err) and "out of range" in str(err)
    assert "1677" in str(err) and "2262" in str(err)


def test_the_span_is_whole_days(tmp_path):
    path = write(tmp_path, "log.csv",
                 "user,item,date\na,x,1677-09-22 00:00:00\nb,y,2262-04-10 23:59:59\n"
                 "c,z,1677-09-21 23:59:59\n")
    err = error(path)
    assert err.row == 4 and "between 1677-09-22 and 2262-04-10" in str(err)
    path = write(tmp_path, "log.csv",
                 "user,item,date\na,x,1677-09-22 00:00:00\nb,y,2262-04-10 23:59:59\n")
    assert read_interactions(path).frame["timestamp"].tolist() == [-9223286400, 9223286399]


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1e30", "1e300"])
def test_huge_numeric_timestamp_is_refused_without_a_cast_warning(tmp_path, value):
    path = write(tmp_path, "log.csv", f"user,item,timestamp\na,x,881250949\nb,y,{value}\n"
                                      "c,z,881250950\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        err = error(path)
    assert (err.row, err.column) == (3, "timestamp") and f"'{value}'" in str(err)
    assert "out of range" in str(err) and "2262" in str(err)


def test_microseconds_are_out_of_range_not_garbage(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,timestamp\na,x,1600000000000000\n")
    err = error(path)
    assert err.row == 2 and "Unix milliseconds" in str(err)


def test_text_in_numeric_timestamps(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,timestamp\na,x,881250949\n\nb,y,88125O950\n")
    err = error(path)
    assert (err.row, err.column) == (4, "timestamp") and "'88125O950'" in str(err)


def test_non_numeric_rating(tmp_path):
    path = write(tmp_path, "log.tsv", "user\titem\trating\na\tx\t4\nb\ty\tfive\n")
    err = error(path)
    assert (err.row, err.column) == (3, "rating")
    assert str(err).endswith("log.tsv, row 3, column 'rating': rating 'five' is not a number")


def test_an_error_names_the_next_rows_with_the_same_problem(tmp_path):
    rows = [f"u{i}\ti{i}\t{'bad' if i in (3, 5, 8, 9, 11, 12, 14, 20) else 4}" for i in range(25)]
    path = write(tmp_path, "log.tsv", "user\titem\trating\n" + "\n".join(rows) + "\n")
    err = error(path)
    assert (err.row, err.column) == (5, "rating")  # data row 3 is line 5 of the file
    assert err.also_rows == [7, 10, 11, 13, 14] and err.rows_in_all == 8
    assert str(err).endswith("rating 'bad' is not a number (the same in rows 7, 10, 11, 13, "
                             "14 and 2 more: 8 rows in all)")


def test_infinite_rating_is_not_a_number(tmp_path):
    err = error(write(tmp_path, "log.csv", "user,item,rating\na,x,inf\n"))
    assert err.row == 2 and "'inf'" in str(err)


def test_duplicate_header_names(tmp_path):
    path = write(tmp_path, "dup.csv", "user,item,rating,item\na,x,1,y\n")
    err = error(path)
    assert (err.row, err.column) == (1, "item") and "columns 2 and 4" in str(err)
    assert "dup.csv" in str(err)


@pytest.mark.parametrize("line", ["a,x,1,extra", "a,x"])
def test_wrong_field_count(tmp_path, line):
    path = write(tmp_path, "log.csv", f"user,item,rating\nb,y,2\n\n{line}\nc,z,3\n")
    err = error(path)
    assert err.row == 4 and "log.csv" in str(err) and "fields" in str(err)
    assert "line 1 has 3" in str(err)


def test_wrong_field_count_in_quoted_file(tmp_path):
    path = write(tmp_path, "log.csv", 'user,item,note\na,x,"multi\nline"\nb,y,"ok",oops\n')
    err = error(path)
    assert err.row == 4 and "has 4 fields" in str(err)


def test_columns_option_with_wrong_count(tmp_path):
    path = write(tmp_path, "log.csv", "1,2,3\n")
    err = error(path, ReadOptions(columns=["user", "item"]))
    assert "2 column names" in str(err) and "3 fields" in str(err) and err.row == 1


def test_forced_encoding_that_does_not_fit(tmp_path):
    path = write(tmp_path, "log.csv", "user,item\na,b\nrenée,x\n", encoding="cp1252")
    err = error(path, ReadOptions(encoding="utf-8"))
    assert err.row == 3 and "utf-8" in str(err) and "0xe9" in str(err)


def test_unknown_encoding_name(tmp_path):
    err = error(write(tmp_path, "log.csv", "user,item\na,b\n"), ReadOptions(encoding="klingon"))
    assert "klingon" in str(err)


def test_all_rows_unusable(tmp_path):
    err = error(write(tmp_path, "log.csv", "user,item\n,a\n,b\n"))
    assert "none of the 2 rows" in str(err)


def test_unclosed_quote_is_reported_not_raised_raw(tmp_path):
    err = error(write(tmp_path, "log.csv", 'user,item,note\na,x,"open\nb,y,z\n'))
    assert err.row == 2 and "quot" in str(err)


def test_cli_without_interactions():
    with pytest.raises(DataError, match="--interactions"):
        load_tables(parse([]))


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00", b"\"", b",,,\n,,,\n", b"a\n", b"user,item\n\"x", b"\xef\xbb\xbf",
    b"1;2;3\n4;5\n", b"user,item,rating\nx,y,\xff\xfe\n", b"\t\t\n\t\t\n", b"user|item\n|\n",
])
def test_odd_inputs_raise_only_data_errors(tmp_path, content):
    path = write(tmp_path, "odd.csv", content)
    for reader in (read_interactions, read_catalogue):
        try:
            reader(path)
        except DataError as err:
            assert "odd.csv" in str(err)


@pytest.mark.parametrize("quoted", [False, True])
def test_a_value_of_megabytes_is_read(tmp_path, quoted):
    """Longer than Python's csv limit (131,072 characters), below the importer's."""
    long = "x" * 5_000_000
    value = f'"{long}"' if quoted else long
    table = read_interactions(write(tmp_path, "long.csv",
                                    f"user,item,rating\nu1,i1,5\nu2,{value},3\nu3,i2,4\n"))
    assert table.frame["item"].tolist() == ["i1", long, "i2"]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_value_beyond_the_limit_is_refused_with_its_row(tmp_path, monkeypatch, quoted):
    from engine.data import sniff

    monkeypatch.setattr(sniff, "MAX_VALUE_CHARS", 1000)
    value = '"' + "x" * 2000 + '"' if quoted else "x" * 2000
    path = write(tmp_path, "runaway.csv", f"user,item,rating\n\nu1,i1,5\nu2,{value},3\n")
    err = error(path)
    assert err.file is not None and "runaway.csv" in str(err)
    assert err.row == 4 and "longer than 1,000 characters" in err.detail
