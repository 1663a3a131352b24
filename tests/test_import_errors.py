"""Every bad input raises one DataError naming the file, the line and the column."""
from __future__ import annotations

import os

import pytest

from engine.cli_import import load_tables
from engine.errors import DataError
from engine.importer import ReadOptions, read_catalogue, read_interactions
from tests.test_import_interactions import parse
from tests.test_sniff import write


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


def test_text_in_numeric_timestamps(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,timestamp\na,x,881250949\n\nb,y,88125O950\n")
    err = error(path)
    assert (err.row, err.column) == (4, "timestamp") and "'88125O950'" in str(err)


def test_non_numeric_rating(tmp_path):
    path = write(tmp_path, "log.tsv", "user\titem\trating\na\tx\t4\nb\ty\tfive\n")
    err = error(path)
    assert (err.row, err.column) == (3, "rating")
    assert str(err).endswith("log.tsv, row 3, column 'rating': rating 'five' is not a number")


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
