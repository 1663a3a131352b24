"""Encoding, delimiter, header and line-number detection on small files written here."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data.report import ImportReport
from engine.data.sniff import detect_header, detect_sep, is_number, read_raw
from tests.support.files import write


def raw(path: Path, **options):
    report = ImportReport()
    settings = dict(sep=None, header=None, columns=None, encoding=None, default_names=("a", "b"))
    settings.update(options)
    return read_raw(path, report=report, **settings), report


@pytest.mark.parametrize("sep", [",", "\t", ";", "|"])
def test_detects_each_delimiter(tmp_path, sep):
    lines = ["user_id", "item_id", "rating"], ["u1", "i1", "4"], ["u2", "i 2", "5"]
    path = write(tmp_path, "x.txt", "\n".join(sep.join(row) for row in lines) + "\n")
    table, report = raw(path)
    assert report.detected["sep"] == sep
    assert list(table.frame.columns) == ["user_id", "item_id", "rating"]
    assert table.frame["item_id"].tolist() == ["i1", "i 2"]


def test_delimiter_inside_quotes_does_not_mislead():
    text = 'a\tb\tc\n1\t"x, y, z"\t3\n2\t"p, q"\t4\n'
    assert detect_sep(text) == "\t"


def test_comma_wins_over_occasional_semicolons():
    text = "user,item,note\n1,2,a;b\n3,4,c\n5,6,d\n"
    assert detect_sep(text) == ","


def test_single_column_falls_back_to_comma():
    assert detect_sep("item\nA\nB\n") == ","


def test_header_detected_by_known_names():
    assert detect_header([["CustomerID", "StockCode"], ["x", "y"]])


def test_header_detected_by_numeric_column_below_a_name():
    assert detect_header([["who", "what", "stars"], ["a", "b", "4"], ["c", "d", "5"]])


def test_no_header_when_first_row_has_numbers():
    assert not detect_header([["1", "2", "5"], ["3", "4", "1"]])


def test_no_header_when_everything_is_text():
    assert not detect_header([["alice", "apple"], ["bob", "pear"]])


def test_headerless_file_gets_default_names(tmp_path):
    path = write(tmp_path, "x.csv", "1,10,5\n2,20,3\n")
    table, report = raw(path)
    assert report.detected["header"] is False
    assert list(table.frame.columns) == ["a", "b", "column3"]
    assert table.lines.tolist() == [1, 2]


def test_forced_header_and_no_header(tmp_path):
    path = write(tmp_path, "x.csv", "p,q\nr,s\n")
    with_header, _ = raw(path, header=True)
    assert list(with_header.frame.columns) == ["p", "q"] and len(with_header.frame) == 1
    without, _ = raw(path, header=False)
    assert len(without.frame) == 2


def test_columns_rename_header(tmp_path):
    path = write(tmp_path, "x.csv", "p,q\n1,2\n")
    table, _ = raw(path, columns=["user", "item"])
    assert list(table.frame.columns) == ["user", "item"]
    assert table.frame.iloc[0].tolist() == ["1", "2"]


def test_utf8_bom_is_removed(tmp_path):
    path = write(tmp_path, "x.csv", "\ufeffuser,item\n1,2\n")
    table, report = raw(path)
    assert report.detected["encoding"] == "utf-8-sig"
    assert list(table.frame.columns) == ["user", "item"]


def test_utf8_bom_removed_when_utf8_is_forced(tmp_path):
    path = write(tmp_path, "x.csv", "\ufeffuser,item\n1,2\n")
    table, _ = raw(path, encoding="utf-8")
    assert list(table.frame.columns) == ["user", "item"]


def test_utf16_with_bom(tmp_path):
    path = write(tmp_path, "x.csv", "\ufeffuser\titem\nzoë\t2\n", encoding="utf-16-le")
    table, report = raw(path)
    assert report.detected["encoding"] == "utf-16"
    assert table.frame["user"].tolist() == ["zoë"]


def test_cp1252_fallback_warns(tmp_path):
    path = write(tmp_path, "x.csv", "user,item\nrenée,café “quoted”\n", encoding="cp1252")
    table, report = raw(path)
    assert report.detected["encoding"] == "cp1252"
    assert table.frame["item"].tolist() == ["café “quoted”"]
    assert len(report.warnings) == 1 and "UTF-8" in report.warnings[0]
    assert "line 2" in report.warnings[0] and "x.csv" in report.warnings[0]


def test_latin1_fallback_when_not_cp1252(tmp_path):
    # 0x81 is undefined in cp1252, so only latin-1 can read this file.
    path = write(tmp_path, "x.csv", b"user,item\nab\x81c,\xe9t\xe9\n")
    table, report = raw(path)
    assert report.detected["encoding"] == "latin-1"
    assert table.frame["item"].tolist() == ["été"]
    assert report.warnings


def test_given_encoding_is_used_without_warning(tmp_path):
    path = write(tmp_path, "x.csv", "user,item\nrenée,café\n", encoding="latin-1")
    table, report = raw(path, encoding="latin-1")
    assert table.frame["user"].tolist() == ["renée"] and not report.warnings


def test_line_numbers_skip_blank_lines_and_count_header(tmp_path):
    path = write(tmp_path, "x.csv", "user,item\n\n1,2\n   \n3,4\n\n")
    table, _ = raw(path)
    assert table.lines.tolist() == [3, 5]
    assert table.lines.dtype == np.int64


def test_line_numbers_with_quoted_newlines(tmp_path):
    path = write(tmp_path, "x.csv", 'item,description\nA,"two\nlines"\n\nB,"one, with comma"\n')
    table, _ = raw(path)
    assert table.lines.tolist() == [2, 5]
    assert table.frame["description"].tolist() == ["two\nlines", "one, with comma"]


def test_crlf_and_cr_line_ends(tmp_path):
    crlf = write(tmp_path, "a.csv", "user,item\r\n1,2\r\n3,4\r\n")
    cr = write(tmp_path, "b.csv", "user,item\r1,2\r3,4\r")
    for path in (crlf, cr):
        table, _ = raw(path)
        assert table.frame["item"].tolist() == ["2", "4"] and table.lines.tolist() == [2, 3]


def test_is_number():
    assert is_number("3") and is_number(" 4.5 ") and is_number("1e3") and is_number("-2")
    assert not is_number("") and not is_number("abc") and not is_number("nan")
    assert not is_number("inf")
