"""Which reader reads a file, and the fallback that keeps every message exact.

A Parquet file (by its name) is read in batches. A delimited file up to
:data:`STREAM_ABOVE` bytes is read in memory, as it always has been; a larger one is
streamed (:mod:`engine.data.csv_stream`), which keeps the peak memory a small multiple of
the final arrays instead of about thirteen times the file.

Streaming could give every result the in-memory reader gives, but not every message: a
problem is reported with the next rows that have it and their count in the whole file,
and several problems in the order the in-memory reader finds them, which a reader that
has seen part of the file cannot know. So when a streamed read raises a DataError the
file is read again whole (a CSV in memory, a Parquet file in one batch) and that read's
result or message is the answer: the error path costs the old memory, the path of a
good file does not. Small files keep the in-memory reader, the reference the streamed
one is tested against, because at their size its peak is small anyway and a second
reader would only add ways to differ.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from engine.core.errors import DataError
from engine.data.csv_stream import NotPlain, stream_csv
from engine.data.parquet import is_parquet, parquet_source
from engine.data.report import ImportReport
from engine.data.sniff import RawTable, read_raw
from engine.data.table_source import TableSource, memory_source

T = TypeVar("T")
Consume = Callable[[TableSource, ImportReport], T]

STREAM_ABOVE = 16 << 20
"""Delimited files larger than this (bytes) are streamed. The in-memory reader peaks at
about thirteen times the file, so up to here at about 200 MB (a log of some 600,000
rows); the streamed reader, about a third of that and faster, takes the larger ones."""


def _large(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > STREAM_ABOVE
    except OSError:
        return False


def _attempt(open_source: Callable[[ImportReport], TableSource], consume: Consume[T]) -> T:
    report = ImportReport()  # a failed attempt's warnings and counts are not kept
    return consume(open_source(report), report)


def read_source(path: Path, *, sep: str | None, header: bool | None,
                columns: Sequence[str] | None, encoding: str | None,
                default_names: Sequence[str], consume: Consume[T]) -> T:
    """``consume(source, report)`` of the file, streamed when it is large or Parquet; done
    again with the whole file read at once when a streamed read meets a problem."""
    if is_parquet(path):
        try:
            return _attempt(partial(parquet_source, path, columns), consume)
        except DataError:
            return _attempt(partial(parquet_source, path, columns, whole=True), consume)
    options = {"sep": sep, "header": header, "columns": columns, "encoding": encoding,
               "default_names": default_names}
    if _large(path):
        try:
            return _attempt(lambda report: stream_csv(path, report=report, **options), consume)
        except NotPlain:
            try:
                return _attempt(lambda report: stream_csv(path, report=report, quoted=True,
                                                          **options), consume)
            except DataError:
                pass
        except DataError:
            pass
    return _attempt(lambda report: memory_source(read_raw(path, report=report, **options)),
                    consume)


def peek_table(path: Path, *, sep: str | None, header: bool | None,
               default_names: Sequence[str], rows: int
               ) -> tuple[RawTable, int, ImportReport]:
    """The first ``rows`` rows of a file read as the importer reads it, its row count and
    what was detected: what the import dialog previews."""

    def peek(source: TableSource, report: ImportReport) -> tuple[RawTable, int, ImportReport]:
        chunks = source.chunks(None)
        first = next(chunks)
        n_rows = source.n_rows
        if n_rows is None:
            n_rows = len(first.frame) + sum(len(chunk.frame) for chunk in chunks)
        return (replace(first, frame=first.frame.head(rows), lines=first.lines[:rows]),
                n_rows, report)

    return read_source(path, sep=sep, header=header, columns=None, encoding=None,
                       default_names=default_names, consume=peek)
