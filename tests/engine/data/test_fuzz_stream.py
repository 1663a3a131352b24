"""Any file, streamed in blocks, gives what the in-memory reader gives: the same table and
report, or the same message.

Property-based on the generated files of ``bench/fuzz_cases.py`` (tables in every
delimiter, quoting, line end and encoding, damaged at the byte level), each read in
memory and streamed in blocks of a few bytes to a few kilobytes, so that a block
boundary falls anywhere: inside a character, a quoted value, a line end.
"""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.importing import preview_file
from bench.fuzz_cases import Case, cases
from engine.core.errors import DataError
from engine.data import csv_stream, reading
from engine.data.feedback_file import read_feedback
from engine.data.importer import read_catalogue, read_interactions

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example,
                                       HealthCheck.function_scoped_fixture])
BLOCKS = st.sampled_from([1, 7, 64, 4096])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz_stream")


def _read(case: Case, path):
    """The case's file read as its kind reads it: the result, or the DataError."""
    try:
        if case.kind == "interactions":
            return read_interactions(path, case.options)
        if case.kind == "catalogue":
            return read_catalogue(path, case.options)
        if case.kind == "feedback":
            return read_feedback(path, case.options, case.feedback_col)
        sep = case.options.sep if case.options.sep in (None, ",", "\t", ";", "|") else None
        return preview_file(path, case.member, sep, case.options.header)
    except DataError as exc:
        return exc


def check_same(case: Case, block: int, folder, monkeypatch) -> None:
    path = folder / f"{case.kind}.csv"
    path.write_bytes(case.data)
    monkeypatch.setattr(reading, "STREAM_ABOVE", 1 << 62)
    expected = _read(case, path)
    monkeypatch.setattr(reading, "STREAM_ABOVE", -1)
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", block)
    got = _read(case, path)
    if isinstance(expected, DataError) or isinstance(got, DataError):
        assert str(got) == str(expected)
    elif hasattr(expected, "frame"):
        pd.testing.assert_frame_equal(got.frame, expected.frame)
        assert got.report.to_dict() == expected.report.to_dict()
    else:
        assert got == expected


@pytest.mark.parametrize("kind", ["interactions", "catalogue", "feedback", "preview"])
def test_any_file_streamed_reads_as_in_memory(kind, folder, monkeypatch):
    @FUZZ
    @given(case=cases(kind), block=BLOCKS)
    def streamed_as_in_memory(case: Case, block: int) -> None:
        check_same(case, block, folder, monkeypatch)

    streamed_as_in_memory()
