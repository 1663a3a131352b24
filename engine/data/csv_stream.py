"""Large delimited files read in blocks, with the in-memory reader's results.

:func:`engine.data.sniff.read_raw` holds a file's bytes, its text and every value as a
string at once: about thirteen times the file at its peak. Here the file is decoded
block by block (:data:`BLOCK_BYTES`), each block ending at a line end, and split into a
chunk of string columns that the importer converts before the next block is read, so the
peak is the compact result plus a few blocks.

The results are the in-memory reader's, row for row and line number for line number: the
same decisions are taken the same way. The encoding, the delimiter and the header are
decided on the file's first bytes, lines and rows, the ones the in-memory reader decides
them on; a file without quotes is split by pyarrow's CSV parser once the line scan of
:func:`engine.data.sniff.plain_lines` has numbered its lines and checked their field
counts, a file with quotes by the csv module as in memory. What only the whole text
settles is gathered as the blocks go by, and the streamed read ends with
:class:`Unstreamable` where it would come out otherwise: a byte the chosen encoding
cannot decode, a NUL, a quote after the first block of a file split as quote-free
(:class:`NotPlain`: read again with the csv module), a value stripped of blanks although
no value of the file is padded. So does every problem the in-memory reader would report:
:func:`engine.data.reading.read_source` then reads the file in memory, which words it
exactly as it always has.
"""
from __future__ import annotations

import codecs
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from engine.data.report import ImportReport
from engine.data.sniff import (MAX_VALUE_CHARS, SAMPLE_CHARS, SAMPLE_LINES, RawTable,
                               check_controls, check_sep, check_widths, codec_for,
                               declared_encoding, decode, detect_sep, name_columns, padded,
                               plain_lines, quoted_frame, quoted_records)
from engine.data.table_source import TableSource, Unstreamable

BLOCK_BYTES = 1 << 20
"""Bytes read, decoded and split at a time: a few blocks are the streamed read's overhead."""
SAMPLE_BYTES = 1 << 20
"""Bytes the encoding is decided on: far more than the in-memory reader's sample of
:data:`engine.data.sniff.SAMPLE_CHARS` characters needs, in any encoding."""

Chunks = Iterator[tuple[pd.DataFrame, np.ndarray]]


class NotPlain(Unstreamable):
    """A quote (or a BOM) after the first block of a file that is being read as having
    none: the file is read again, with the csv module from its start."""


class _Text:
    """The file's text in blocks that end at a line end, checked as the in-memory reader
    checks the whole text, with what only the whole text tells gathered on the way.

    Decoded with a strict incremental decoder, leading BOMs dropped, line ends made
    ``\\n`` (``\\r\\n`` and a lone ``\\r``): the text :func:`engine.data.sniff.load_text`
    returns, in pieces. Each block comes with its UTF-8 bytes.
    """

    def __init__(self, path: Path, codec: str, check_bytes: bool, sep: str | None = None,
                 plain: bool = False) -> None:
        self.path, self.codec, self.check_bytes = path, codec, check_bytes
        self.sep, self.plain = sep, plain
        self.padded = False  # a blank next to a delimiter or a line end (sniff.padded)
        self.content = False  # a character that is not whitespace

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        decoder = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder(self.codec)(),
                                               translate=True)
        carry, started = "", False
        with self.path.open("rb") as handle:
            while True:
                data = handle.read(BLOCK_BYTES)
                if self.check_bytes and b"\x00" in data:
                    raise Unstreamable("contains NUL bytes", file=self.path)
                try:
                    text = carry + decoder.decode(data, final=not data)
                except (ValueError, LookupError, TypeError):  # UnicodeError, or a codec
                    # that is not a text encoding (base64): the in-memory reader says which
                    raise Unstreamable("cannot be decoded", file=self.path) from None
                if not started:
                    text = text.lstrip("\ufeff")
                    started = bool(text)
                end = len(text) if not data else text.rfind("\n") + 1
                block, carry = text[:end], text[end:]
                if len(carry) > MAX_VALUE_CHARS:
                    raise Unstreamable("has a line too long to stream", file=self.path)
                if block:
                    yield block, self._check(block)
                if not data:
                    return

    def _check(self, block: str) -> bytes:
        """The block's UTF-8 bytes, once the block has passed the whole text's checks."""
        if "\x00" in block:
            raise Unstreamable("contains NUL characters", file=self.path)
        if self.plain and ('"' in block or "\ufeff" in block):
            raise NotPlain("has quotes", file=self.path)
        data = block.encode("utf-8")
        if self.sep is not None:
            self.padded = self.padded or padded(np.frombuffer(data, dtype=np.uint8), self.sep)
        self.content = self.content or not block.isspace()
        return data


def _codec(sample: bytes, whole: bool, encoding: str | None, path: Path,
           report: ImportReport) -> str:
    """The codec the in-memory reader would decode the file with, decided on its first
    bytes; recorded (and warned about) as that reader does.

    An encoding given or named by a BOM is used as it is. Otherwise UTF-8, GB18030 and the
    fallbacks are tried on the sample cut at its last line end (a newline byte is never
    part of a character in these encodings); a later block they cannot decode makes the
    streamed read :class:`Unstreamable`.
    """
    declared = declared_encoding(sample, encoding)
    if declared is not None:
        report.detected["encoding"] = declared
        try:
            return codec_for(sample, declared)
        except LookupError:
            raise Unstreamable("unknown encoding", file=path) from None
    text = decode(sample if whole else sample[:sample.rfind(b"\n") + 1], None, path, report)
    if not whole and len(text) < SAMPLE_CHARS:
        raise Unstreamable("has lines too long for the sample", file=path)
    return str(report.detected["encoding"])


def _sample(text: _Text) -> str:
    """The first blocks: at least the characters and the lines the in-memory reader
    decides the delimiter and checks for control characters on, or the whole text."""
    parts: list[str] = []
    chars = lines = 0
    for block, _ in text:
        parts.append(block)
        chars += len(block)
        lines += sum(1 for line in block.split("\n") if line.strip())
        if chars >= SAMPLE_CHARS and lines > SAMPLE_LINES:
            break
    return "".join(parts)


def _parse_plain(data: np.ndarray, width: int, sep: str, rows: int) -> pd.DataFrame:
    """``rows`` lines without quotes (UTF-8 bytes), each with ``width`` fields, as string
    columns."""
    names = [str(j) for j in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=data.nbytes + 1,
                                            use_threads=False),
            parse_options=pa_csv.ParseOptions(delimiter=sep, quote_char=False,
                                              double_quote=False, escape_char=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()), null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=False))
    except pa.ArrowInvalid as exc:
        raise Unstreamable(f"pyarrow: {exc}") from None
    if table.num_rows != rows:  # each row is numbered by its line: they must match
        raise Unstreamable(f"pyarrow split {table.num_rows} rows out of {rows} lines")
    return pd.DataFrame({j: table.column(j).to_pandas() for j in range(width)})


def _plain_chunks(text: _Text, sep: str, path: Path) -> Chunks:
    """Each block's lines with a visible character, numbered and checked for their field
    count as :func:`engine.data.sniff.read_raw` does, then split by pyarrow."""
    before = 0  # lines in the blocks before this one
    first: tuple[int, int] | None = None  # the file's first row: its field count and line
    for block, data in text:
        body = block.rstrip("\n")
        if body:
            buf = np.frombuffer(data, dtype=np.uint8)[:len(data) - (len(block) - len(body))]
            filled, widths = plain_lines(buf, sep)
            lines = before + np.flatnonzero(filled).astype(np.int64) + 1
            if widths.size:
                first = first or (int(widths[0]), int(lines[0]))
                check_widths(np.concatenate(([first[0]], widths)),
                             np.concatenate(([first[1]], lines)), sep, path)
                if not filled.all():
                    physical = body.split("\n")
                    buf = np.frombuffer("\n".join(physical[i] for i in lines - before - 1)
                                        .encode("utf-8"), dtype=np.uint8)
                yield _parse_plain(buf, first[0], sep, len(lines)), lines
        before += block.count("\n")


def _quoted_chunks(text: _Text, sep: str, path: Path) -> Chunks:
    """The csv module's records, as in memory, a chunk each time a block has been read."""
    blocks = 0

    def lines() -> Iterator[str]:
        nonlocal blocks
        for block, _ in text:
            yield from io.StringIO(block)
            blocks += 1

    rows: list[list[str]] = []
    starts: list[int] = []
    seen = 0
    first: tuple[int, int] | None = None
    for row, start in quoted_records(lines(), sep, path):
        rows.append(row)
        starts.append(start)
        if blocks != seen:
            seen = blocks
            yield quoted_frame(rows, starts, sep, path, first)
            first = first or (len(rows[0]), starts[0])
            rows, starts = [], []
    if rows or first is None:
        yield quoted_frame(rows, starts, sep, path, first)


def _stripped(chunks: Chunks, text: _Text, path: Path) -> Chunks:
    """Values stripped of blanks, as the in-memory reader strips them when the text is
    :func:`~engine.data.sniff.padded`: which only the last block tells, so every chunk is
    stripped and the read is refused when that changed a value of an unpadded file."""
    changed = False
    for frame, lines in chunks:
        stripped = frame.apply(lambda column: column.str.strip())
        changed = changed or not stripped.equals(frame)
        yield stripped, lines
    if not text.content:
        raise Unstreamable("file is empty", file=path)
    if changed and not text.padded:
        raise Unstreamable("has values that are stripped only when padded", file=path)


def _named(chunks: Chunks, header: bool | None, columns: Sequence[str] | None,
           default_names: Sequence[str], sep: str, sep_given: bool, path: Path,
           report: ImportReport) -> TableSource:
    """The source: its first rows (enough to detect the header) named as in memory."""
    taken: list[tuple[pd.DataFrame, np.ndarray]] = []
    for chunk in chunks:
        taken.append(chunk)
        if sum(len(frame) for frame, _ in taken) > SAMPLE_LINES:
            break
    if not taken:
        raise Unstreamable("has no rows", file=path)
    head = name_columns(pd.concat([frame for frame, _ in taken], ignore_index=True),
                        np.concatenate([lines for _, lines in taken]), header, columns,
                        default_names, sep, sep_given, path, report)
    names = list(head.frame.columns)

    def read(selected: Sequence[str] | None) -> Iterator[RawTable]:
        rest = ((frame.set_axis(names, axis=1), lines) for frame, lines in chunks)
        for frame, lines in itertools.chain([(head.frame, head.lines)], rest):
            yield replace(head, frame=frame if selected is None else frame[list(selected)],
                          lines=lines)

    return TableSource(head, read, streamed=True)


def stream_csv(path: Path, *, sep: str | None, header: bool | None,
               columns: Sequence[str] | None, encoding: str | None,
               default_names: Sequence[str], report: ImportReport,
               quoted: bool | None = None) -> TableSource:
    """A large delimited file as :func:`engine.data.sniff.read_raw` reads it, in chunks.

    ``quoted``: split with the csv module (True) or pyarrow (False); None decides by the
    first block, as the in-memory reader decides by the whole text.
    """
    check_sep(sep, path)
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        whole = not handle.read(1)
    check_bytes = not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    codec = _codec(sample, whole, encoding, path, report)
    start = _sample(_Text(path, codec, check_bytes))
    check_controls(start, path)
    if not start.strip():  # the sample takes the whole text when it has no content
        raise Unstreamable("file is empty", file=path)
    sep_given = sep is not None
    sep = sep or detect_sep(start, path)
    report.detected["sep"] = sep
    if quoted is None:
        quoted = not (sep.isascii() and '"' not in start and "\ufeff" not in start)
    text = _Text(path, codec, check_bytes, sep, plain=not quoted)
    chunks = (_quoted_chunks if quoted else _plain_chunks)(text, sep, path)
    return _named(_stripped(chunks, text, path), header, columns, default_names, sep,
                  sep_given, path, report)
