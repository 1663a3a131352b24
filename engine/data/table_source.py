"""A table read chunk by chunk: the one shape every reader of a file hands the importer.

A delimited file read in memory (:func:`engine.data.sniff.read_raw`) is one chunk; a large
one streamed (:mod:`engine.data.csv_stream`) and a Parquet file (:mod:`engine.data.parquet`)
are many. The importer checks and converts each chunk as it comes, so that only the
compact result of the chunks read so far is held, never the whole file's strings.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import pandas as pd

from engine.core.errors import DataError
from engine.data.sniff import RawTable

T = TypeVar("T")


class Unstreamable(DataError):
    """A streamed read met something only the whole file can settle (a quote after the
    sample, a delimiter that does not fit the first rows, a decision that depends on every
    row): the file is then read in memory, whose reader words every problem exactly.

    Never shown to a user: :func:`engine.data.reading.read_source` catches it.
    """


@dataclass
class TableSource:
    """A file's named columns, its first rows and a way to read every row in chunks."""

    head: RawTable  # the first rows, named: role detection and previews read it
    chunks: Callable[[Sequence[str] | None], Iterator[RawTable]]
    """Every row (the head's too) in chunks holding these columns (all when None); a
    streamed CSV can be read once."""
    streamed: bool  # several chunks, whose problems the in-memory reader words again
    n_rows: int | None = None  # when known without reading every row

    def whole(self) -> RawTable:
        """Every row in one table."""
        if not self.streamed:
            return next(self.chunks(None))
        parts = list(self.chunks(None))
        return replace(self.head, frame=pd.concat([p.frame for p in parts], ignore_index=True),
                       lines=np.concatenate([p.lines for p in parts]))


def memory_source(raw: RawTable) -> TableSource:
    """A table read whole as one chunk."""

    def chunks(columns: Sequence[str] | None) -> Iterator[RawTable]:
        yield raw if columns is None else replace(raw, frame=raw.frame[list(columns)])

    return TableSource(raw, chunks, streamed=False, n_rows=len(raw.frame))


def with_last(items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """Each item and whether it is the last one: a check that needs every row can then run
    before the last chunk's own checks, in the order the in-memory reader runs them."""
    iterator = iter(items)
    for current in iterator:
        for following in iterator:
            yield current, False
            current = following
        yield current, True
