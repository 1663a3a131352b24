"""Parquet files: the tables a delimited file holds, read in batches of rows.

A Parquet file names its columns and types its values, so nothing is sniffed: roles are
found by column name as in a CSV header, and each batch of the columns the importer
needs becomes string columns that it checks and converts as a CSV's, with the same
messages (row N is the file's N-th row). Text stays text; a number becomes the shortest
text that reads back as the same number (NaN an empty cell, as pandas writes it to a
CSV); timestamps and dates become Unix seconds (UTC when they have no zone, as dates in a
CSV are read). Values nothing in a recommender reads (lists, structs, maps) and bytes
that are not UTF-8 text are refused, naming the column. The index columns pandas stores
(``__index_level_0__``) are not data and are left out.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from engine.core.errors import DataError
from engine.data.report import ImportReport
from engine.data.sniff import RawTable, check_unique
from engine.data.table_source import TableSource

SUFFIX = ".parquet"
BATCH_ROWS = 1 << 16
"""Rows read and converted at a time."""
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_TEXT_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view,
               pa.types.is_binary, pa.types.is_large_binary, pa.types.is_binary_view,
               pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal,
               pa.types.is_boolean, pa.types.is_null)
"""Types whose values cast to text as a CSV writes them (bytes when they are UTF-8)."""


def is_parquet(path: Path) -> bool:
    """Whether ``path`` is read as Parquet: by its name, as a user names the file."""
    return path.suffix.lower() == SUFFIX


def _unreadable(path: Path, exc: Exception | str) -> DataError:
    """A file with a .parquet name that pyarrow cannot read: damaged, or not Parquet."""
    return DataError(f"cannot be read as Parquet ({exc}); save it again as Parquet, or as "
                     "CSV with a .csv name", file=path)


_DAMAGED = (pa.ArrowException, OSError, ValueError)
"""What pyarrow raises on a file that is not Parquet or is damaged: its own errors, and
Python's where damaged metadata does not decode (names that are not UTF-8, bad JSON)."""


def _open(path: Path) -> tuple[pq.ParquetFile, list[str], int]:
    """The file, the columns it holds and its row count, or a DataError saying why they
    cannot be read. The index columns pandas stores are not data."""
    if not path.exists():
        raise DataError("file not found", file=path)
    if path.is_dir():
        raise DataError("is a folder, expected a file", file=path)
    try:
        file = pq.ParquetFile(path)
        schema = file.schema_arrow
        index = [c for c in (schema.pandas_metadata or {}).get("index_columns", [])
                 if isinstance(c, str)]  # a range index is a description, not a column
        return file, [name for name in schema.names if name not in index], file.metadata.num_rows
    except _DAMAGED as exc:
        raise _unreadable(path, exc) from None


def _columns(stored: list[str], columns: Sequence[str] | None, path: Path) -> dict[str, str]:
    """Name -> the file's column: the file's names, or ``columns`` in their place."""
    if not stored:
        raise DataError("has no columns", file=path)
    check_unique(stored, path, None)
    if columns is None:
        names = [name.strip() or f"column{j}" for j, name in enumerate(stored, start=1)]
    elif len(columns) != len(stored):
        raise DataError(f"{len(columns)} column names were given ({', '.join(columns)}) but "
                        f"the file has {len(stored)} columns ({', '.join(stored)})", file=path)
    else:
        names = list(columns)
    check_unique(names, path, None)
    return dict(zip(names, stored, strict=True))


def _unix_seconds(values: pa.Array) -> pa.Array:
    """Timestamps or dates as int64 Unix seconds, rounded down; nulls stay null."""
    kind = values.type
    if pa.types.is_date32(kind):
        counts, per_second = values.cast(pa.int32()).cast(pa.int64()), 0
    elif pa.types.is_date64(kind):
        counts, per_second = values.cast(pa.int64()), 1_000
    else:
        counts, per_second = values.cast(pa.int64()), _PER_SECOND[kind.unit]
    number = pc.fill_null(counts, 0).to_numpy()
    seconds = number * 86_400 if not per_second else np.floor_divide(number, per_second)
    return pa.array(seconds, mask=values.is_null().to_numpy(zero_copy_only=False))


def _as_text(values: pa.Array, column: str, path: Path) -> pd.Series:
    """A column's values as the strings a CSV would hold; a null is an empty cell."""
    try:  # a damaged file can hold text that is not UTF-8, or offsets out of bounds
        values.validate(full=True)
    except pa.ArrowInvalid as exc:
        raise DataError(f"holds values that cannot be read ({exc}); the file is damaged: "
                        "save it again", file=path, column=column) from None
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    kind = values.type
    timed = pa.types.is_timestamp(kind) or pa.types.is_date(kind)
    if not timed and not any(is_kind(kind) for is_kind in _TEXT_TYPES):
        raise DataError(f"holds values of type {kind}; expected text, numbers, dates or times",
                        file=path, column=column)
    try:
        if timed:
            values = _unix_seconds(values)
        elif pa.types.is_floating(kind):
            values = pc.if_else(pc.is_nan(values), pa.scalar(None, kind), values)
        text = values.cast(pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise DataError(f"holds {kind} values that are not text (bytes that are not UTF-8?)",
                        file=path, column=column) from None
    return pc.fill_null(text, "").to_pandas()


def _batches(file: pq.ParquetFile, columns: list[str], batch_rows: int | None, path: Path
             ) -> Iterator[pa.RecordBatch]:
    """The columns in batches of ``batch_rows`` rows (all rows in one when None)."""
    try:
        if batch_rows is None:
            yield from file.read(columns=columns).combine_chunks().to_batches()
        else:
            yield from file.iter_batches(batch_size=batch_rows, columns=columns)
    except _DAMAGED as exc:
        raise _unreadable(path, exc) from None


def parquet_source(path: Path, columns: Sequence[str] | None, report: ImportReport,
                   whole: bool = False) -> TableSource:
    """The file as a table of string columns, read :data:`BATCH_ROWS` rows at a time, or
    all at once (``whole``: how :func:`engine.data.reading.read_source` words a problem
    the batches met for every row of the file)."""
    batch_rows = None if whole else BATCH_ROWS
    file, names, n_rows = _open(path)
    stored = _columns(names, columns, path)
    if not n_rows:
        raise DataError("has no rows", file=path)
    report.detected["format"] = "parquet"
    report.detected["header"] = True
    head = RawTable(pd.DataFrame({name: pd.Series(dtype=str) for name in stored}),
                    np.empty(0, dtype=np.int64), header=True, delimited=False)

    def chunks(selected: Sequence[str] | None) -> Iterator[RawTable]:
        names = list(stored) if selected is None else list(selected)
        done = 0
        for batch in _batches(file, [stored[name] for name in names], batch_rows, path):
            frame = pd.DataFrame({name: _as_text(batch.column(j), name, path)
                                  for j, name in enumerate(names)})
            yield replace(head, frame=frame,
                          lines=np.arange(done + 1, done + batch.num_rows + 1, dtype=np.int64))
            done += batch.num_rows
        if done != n_rows:
            raise _unreadable(path, f"{done:,} rows read, {n_rows:,} listed in its metadata")

    return TableSource(head, chunks, streamed=batch_rows is not None, n_rows=n_rows)
