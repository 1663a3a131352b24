"""Large delimited files streamed in blocks give the in-memory reader's tables, reports and
messages exactly.

Every test reads a file twice: in memory (the reference) and streamed in blocks of a few
hundred bytes, so that even a small file is many chunks. Where the streamed read must
stand on its own, reading the file in memory fails the test; where it must hand the
file to the in-memory reader (a bad value, a decision only every row settles), the
result or message is compared with the reference. Nothing here measures speed.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from application.importing import preview_file
from engine.core.errors import DataError
from engine.data import csv_stream, importer, reading
from engine.data.feedback_file import read_feedback
from engine.data.importer import ReadOptions, read_catalogue, read_interactions
from tests.support.files import write

BLOCK = 256


def in_memory(read, *args):
    """``read(*args)`` with every delimited file read in memory: the reference."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "STREAM_ABOVE", 1 << 62)
        return _outcome(read, *args)


@dataclass
class Streamed:
    result: object  # what the reader returned, or the DataError it raised
    chunks: int  # chunks the importer converted one by one (interactions only)
    in_memory: bool  # the file was read again in memory


def streamed(read, *args, alone=True, block=BLOCK) -> Streamed:
    """``read(*args)`` with every delimited file streamed in ``block``-byte blocks; when
    ``alone``, reading the file in memory instead fails the test."""
    chunks, memory_reads = [], []
    keep_rows, read_raw = importer._keep_rows, reading.read_raw

    def counted(raw, *rest):
        chunks.append(len(raw.frame))
        return keep_rows(raw, *rest)

    def memory_read(*args, **kwargs):
        assert not alone, "the streamed read fell back to reading the file in memory"
        memory_reads.append(args)
        return read_raw(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "STREAM_ABOVE", -1)
        patch.setattr(csv_stream, "BLOCK_BYTES", block)
        patch.setattr(importer, "_keep_rows", counted)
        patch.setattr(reading, "read_raw", memory_read)
        return Streamed(_outcome(read, *args), len(chunks), bool(memory_reads))


def _outcome(read, *args):
    try:
        return read(*args)
    except DataError as exc:
        return exc


def assert_same(expected, got) -> None:
    """The same table and report, or the same message."""
    if isinstance(expected, DataError) or isinstance(got, DataError):
        assert str(got) == str(expected)
        return
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    assert got.report.to_dict() == expected.report.to_dict()


def log_lines(n: int, start: int = 0) -> list[str]:
    return [f"u{i % 37},i{i % 101},{i % 5 + 1},{1_672_531_200 + 60 * i}"
            for i in range(start, start + n)]


def test_a_log_of_many_blocks_gives_the_in_memory_table(tmp_path):
    path = write(tmp_path, "log.csv", "\n".join(["user_id,item_id,rating,timestamp",
                                                *log_lines(600)]) + "\n")
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path)
    assert got.chunks > 20
    assert_same(expected, got.result)
    assert got.result.frame["line"].tolist() == list(range(2, 602))


def test_blank_lines_empty_cells_and_padding_keep_their_line_numbers(tmp_path):
    rows = log_lines(300)
    rows[10] = " u1 , i2 ,3, 1672531200 "
    rows[150] = "u1,,3,1672531200"
    body = "\n".join(rows[:100]) + "\n\n  \n\t\n" + "\n".join(rows[100:])
    path = write(tmp_path, "log.csv", "user,item,rating,timestamp\r\n" + body.replace(
        "\n", "\r\n"))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path).result
    assert_same(expected, got)
    assert expected.report.dropped == {"missing item": 1}
    assert got.frame.loc[got.frame["line"] == 12, "user"].tolist() == ["u1"]


def test_a_gb18030_log_longer_than_the_encoding_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_stream, "SAMPLE_BYTES", 96 * 1024)
    rows = [f"用户{i % 53},商品{i % 211},{i % 5 + 1},{1_672_531_200 + i}" for i in range(12_000)]
    path = write(tmp_path, "log.csv", "用户,商品,评分,时间\n" + "\n".join(rows) + "\n",
                 encoding="gb18030")
    assert path.stat().st_size > 2 * csv_stream.SAMPLE_BYTES
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path, block=16 * 1024)
    assert got.chunks > 10
    assert_same(expected, got.result)
    assert got.result.report.detected["encoding"] == "gb18030"
    assert "reads as Chinese in GB18030" in got.result.report.warnings[0]
    assert got.result.frame["user"].iloc[0] == "用户0"


@pytest.mark.parametrize("encoding, bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-8", codecs.BOM_UTF8), ("cp1252", b""),
])
def test_other_encodings(tmp_path, encoding, bom):
    rows = [f"u{i % 7}é,i{i % 11}ß,{i % 5 + 1}" for i in range(300)]
    text = "user,item,rating\n" + "\n".join(rows) + "\n"
    path = write(tmp_path, "log.csv", bom + text.encode(encoding))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path).result
    assert_same(expected, got)
    assert got.frame["user"].iloc[1] == "u1é"


def test_quoted_values_with_delimiters_and_line_ends(tmp_path):
    rows = [f'i{i},"Title {i}, part {i % 3}","line one\nline ""two"", {i}",Books|Art'
            for i in range(200)]
    path = write(tmp_path, "items.csv", "item_id,title,description,genres\n"
                 + "\r\n".join(rows) + "\r\n")
    expected = in_memory(read_catalogue, path)
    got = streamed(read_catalogue, path).result
    assert_same(expected, got)
    assert got.frame["text"].iloc[5] == 'line one\nline "two", 5. Books, Art'
    log = write(tmp_path, "log.csv", "user,item,note\n" + "\n".join(
        f'u{i},"i{i}","a\n,b"' for i in range(300)) + "\n")
    expected = in_memory(read_interactions, log)
    got = streamed(read_interactions, log)
    assert got.chunks > 3  # the first is the head: the rows the header is detected on
    assert_same(expected, got.result)
    assert got.result.frame["line"].tolist()[:3] == [2, 4, 6]


def test_a_quote_after_the_first_block_is_read_with_the_csv_module(tmp_path):
    rows = log_lines(400)
    rows[300] = '"u,300",i1,4,1672531200'
    path = write(tmp_path, "log.csv", "user,item,rating,timestamp\n" + "\n".join(rows))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path).result
    assert_same(expected, got)
    assert "u,300" in set(got.frame["user"])


def test_a_bad_value_in_a_later_block_is_named_by_its_line(tmp_path):
    rows = log_lines(500)
    rows[399] = "u1,i1,five,1672531200"
    rows[420] = "u1,i1,?,1672531200"
    path = write(tmp_path, "log.csv", "user,item,rating,timestamp\n" + "\n".join(rows))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path, alone=False)
    assert got.in_memory  # the count of rows with the problem needs every row
    assert str(got.result) == str(expected) == (
        f"{path}, row 401, column 'rating': rating 'five' is not a number (the same in row "
        "422: 2 rows in all)")


def test_values_are_stripped_as_in_memory_whatever_block_shows_the_padding(tmp_path):
    rows = [f'"u{i}",i{i},{i % 5 + 1}' for i in range(300)]
    rows[250] = '"u250", i250 ,3'  # the first blank next to a delimiter: strip every value
    path = write(tmp_path, "log.csv", "user,item,rating\n" + "\n".join(rows))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path).result
    assert_same(expected, got)
    assert got.frame["item"].iloc[250] == "i250"
    rows[250] = '"u250\u3000",i250,3'  # stripped only when some value is padded: not here
    path = write(tmp_path, "log2.csv", "user,item,rating\n" + "\n".join(rows))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path, alone=False)
    assert got.in_memory
    assert_same(expected, got.result)
    assert got.result.frame["user"].iloc[250] == "u250\u3000"


def test_the_unit_of_numeric_times_is_decided_on_the_whole_column(tmp_path):
    millis = [f"u{i},i{i},{1_672_531_200_000 + i}" for i in range(60)]
    seconds = [f"u{i},i{i},{1_672_531_200 + i}" for i in range(60, 300)]
    path = write(tmp_path, "log.csv", "user,item,time\n" + "\n".join(millis + seconds))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path, alone=False)
    assert got.in_memory
    assert "is out of range: read as Unix seconds" in str(expected)
    assert_same(expected, got.result)


def test_a_date_format_that_fails_a_later_block_is_chosen_on_the_whole_column(tmp_path):
    rows = [f"u{i},i{i},{(i % 12) + 1:02d}/01/2023 10:00" for i in range(300)]
    rows[280] = "u280,i280,13/01/2023 10:00"  # only day-first reads this one
    path = write(tmp_path, "log.csv", "user,item,date\n" + "\n".join(rows))
    expected = in_memory(read_interactions, path)
    got = streamed(read_interactions, path, alone=False)
    assert got.in_memory
    assert expected.report.detected["time_format"] == "%d/%m/%Y %H:%M"
    assert_same(expected, got.result)


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n", b"user,item\n", b"a,b\n\x00c,d\n",
                                     b"user,item\nu1,i1\nu2\n", b"user,item\n\"u1,i1\n"])
def test_files_the_in_memory_reader_refuses_get_its_message(tmp_path, content):
    path = write(tmp_path, "log.csv", content)
    expected = in_memory(read_interactions, path)
    assert isinstance(expected, DataError)
    got = streamed(read_interactions, path, alone=False)
    assert got.in_memory and str(got.result) == str(expected)


def test_options_given(tmp_path):
    rows = [f"{i % 9};{i % 31};{i % 5 + 1};0{i % 9 + 1}.02.2023" for i in range(300)]
    path = write(tmp_path, "log.txt", "\n".join(rows) + "\n")
    options = ReadOptions(sep=";", header=False, columns=["who", "what", "stars", "when"],
                          date_format="%d.%m.%Y", roles={"user": "who", "item": "what"})
    assert_same(in_memory(read_interactions, path, options),
                streamed(read_interactions, path, options).result)


def test_feedback_catalogue_and_preview_of_a_streamed_file(tmp_path):
    rows = [f"u{i % 13},i{i},{'like' if i % 3 else 'hide'}" for i in range(300)]
    path = write(tmp_path, "feedback.csv", "user,item,feedback\n" + "\n".join(rows) + "\n")
    assert_same(in_memory(read_feedback, path), streamed(read_feedback, path).result)
    items = write(tmp_path, "items.csv", "item_id;title;Action;Comedy\n" + "\n".join(
        f"i{i};Film {i};{i % 2};{(i + 1) % 2}" for i in range(300)))
    assert_same(in_memory(read_catalogue, items), streamed(read_catalogue, items).result)
    preview = streamed(preview_file, items, "items").result
    assert preview == in_memory(preview_file, items, "items")
    assert preview.n_rows == 300 and len(preview.rows) == 50


def test_a_streamed_read_converts_rows_as_they_come(tmp_path):
    """The importer is handed chunks, not the whole file: one per block here."""
    path = write(tmp_path, "log.csv", "\n".join(["user_id,item_id,rating,timestamp",
                                                *log_lines(2000)]))
    got = streamed(read_interactions, path, block=4096)
    assert got.chunks == pytest.approx(path.stat().st_size / 4096, abs=2)
    assert np.array_equal(got.result.frame["timestamp"], 1_672_531_200 + 60 * np.arange(2000))
