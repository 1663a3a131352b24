"""From a file of unknown shape to a named table of strings.

Encoding, delimiter and header row are guessed from the content, because users bring
exports from spreadsheets, shops and research sites and rarely know these details. Field
counts are checked line by line so that one broken line is reported with its number
instead of silently shifting every later value. Every row keeps its physical line number
(1-based, header included), which later error messages quote. Nothing here knows about
users or items: :mod:`engine.data.importer` gives the columns their meaning.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.core.errors import DataError
from engine.data.report import ImportReport
from engine.data.roles import KNOWN_NAMES, normalise

SEPARATORS = (",", "\t", ";", "|")
"""Delimiters tried, in order of preference when they fit the sample equally well."""

SAMPLE_CHARS = 1 << 16
SAMPLE_LINES = 200
#: The longest value a file may hold, in characters: far above any real id, title or
#: description (Python's csv module stops at 131,072), low enough that a file without
#: line ends or with a runaway quote is refused with its row instead of read as one value.
MAX_VALUE_CHARS = 1 << 24
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
# Control characters that never occur in text files (tab, newline and return are text).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.05  # of the sample, and at least _MIN_CONTROLS: a stray byte is not binary
_MIN_CONTROLS = 8


@dataclass
class RawTable:
    """The file's rows as stripped strings, with their physical line numbers."""

    frame: pd.DataFrame  # one str column per field, named after the header, --columns or defaults
    lines: np.ndarray  # int64, 1-based physical line of each row
    header: bool
    sep: str = ","
    sep_given: bool = False  # --sep, rather than detected
    delimited: bool = True  # False for a Parquet file, whose columns no delimiter splits

    def one_column(self) -> str:
        """Why a file read as a single column is probably not what the user meant.

        Role detection would otherwise complain that the one column is not an item, which
        sends the user looking at column names when the delimiter is the problem.
        """
        if self.sep_given:
            return (f"found only one column: no line has the {describe_sep(self.sep)} "
                    "delimiter given by --sep; check --sep (--item-sep for a catalogue), or "
                    "leave it out to detect the delimiter")
        return ("found only one column (no comma, tab, semicolon or | delimiter); is this a "
                "delimited text file? Pass --sep (--item-sep for a catalogue) if it uses "
                "another delimiter")


def describe_sep(sep: str) -> str:
    """A delimiter as a person would name it in a message."""
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(sep, repr(sep))


def is_number(value: str) -> bool:
    """True for a finite number written as text (``"3"``, ``" 4.5 "``, ``"1e3"``)."""
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _line_of(data: bytes | str, offset: int) -> int:
    """1-based line number of the character or byte at ``offset``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


def _line_before(data: bytes, offset: int, encoding: str) -> int:
    """1-based line of the byte at ``offset`` of ``data`` in ``encoding``, counted on the
    text before it (decoded leniently; by newline bytes if even that fails)."""
    try:
        return data[:offset].decode(encoding, errors="replace").count("\n") + 1
    except (UnicodeError, LookupError):
        return _line_of(data, offset)


def _decode_as(data: bytes, encoding: str, path: Path) -> str:
    """Decode with a known encoding; a failure names the line of the first bad byte.

    The error's position is in the bytes the codec was given (``exc.object``), which for
    ``utf-8-sig`` are those after the BOM; its line is counted on the text decoded up to
    it, since a newline is not the byte 0x0a in every encoding (UTF-16). Some codecs
    (punycode, idna) fail with a plain UnicodeError that has no position.
    """
    try:
        encoding = codec_for(data, encoding)
        return data.decode(encoding)
    except LookupError:
        raise DataError(f"unknown encoding '{encoding}'", file=path) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"is not valid {encoding}: byte 0x{exc.object[exc.start]:02x} cannot be decoded; "
            "pass its real encoding (--encoding, or --item-encoding for a catalogue)",
            file=path, row=_line_before(exc.object, exc.start, encoding),
        ) from None
    except UnicodeError as exc:
        raise DataError(f"is not valid {encoding} ({exc}); pass its real encoding "
                        "(--encoding, or --item-encoding for a catalogue)", file=path) from None


def _as_chinese(data: bytes) -> str | None:
    """The text of a GB18030 file (the encoding of Chinese Windows and Excel, a superset
    of GBK and GB2312), or None when the bytes do not read as Chinese.

    Many cp1252 files decode as GB18030 too ("é" and the letter after it make a valid
    pair), but into rare characters; a real Chinese file is nearly all characters of
    GB2312, the common set. So the decoded sample's non-ASCII characters must be at
    least 90% GB2312.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = [ch for ch in text[:SAMPLE_CHARS] if ord(ch) > 0x7F]
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return text if wide and common >= 0.9 * len(wide) else None


def declared_encoding(data: bytes, encoding: str | None) -> str | None:
    """The given encoding, else the one a byte order mark at the start of ``data`` names."""
    if encoding is None and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if encoding is None and data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return encoding


def codec_for(data: bytes, encoding: str) -> str:
    """The codec that reads ``data`` in ``encoding``: a UTF-8 BOM is not part of the text.

    Raises LookupError for an encoding Python does not know.
    """
    if codecs.lookup(encoding).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return encoding


def decode(data: bytes, encoding: str | None, path: Path, report: ImportReport) -> str:
    """Text of the file: the given encoding, else UTF-8 (BOMs honoured), else GB18030
    when the bytes read as Chinese text, else a fallback.

    The fallbacks always succeed in the end (latin-1 maps every byte), so they come with
    a warning: accented letters may be wrong and the user may want ``--encoding``.
    """
    encoding = declared_encoding(data, encoding)
    if encoding is not None:
        report.detected["encoding"] = encoding
        return _decode_as(data, encoding, path)
    try:
        text = data.decode("utf-8")
        report.detected["encoding"] = "utf-8"
        return text
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
    chinese = _as_chinese(data)
    if chinese is not None:
        report.detected["encoding"] = "gb18030"
        report.warn(f"{path.name} is not valid UTF-8 (first at line {line}); it reads as "
                    "Chinese in GB18030 (GBK), so it was read so: pass its encoding "
                    "(--encoding / --item-encoding) if that is wrong")
        return chinese
    for fallback in FALLBACK_ENCODINGS:
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        report.detected["encoding"] = fallback
        report.warn(
            f"{path.name} is not valid UTF-8 (first at line {line}); read it as {fallback}: "
            "check accented characters, or pass its encoding (--encoding / --item-encoding)"
        )
        return text
    raise AssertionError("latin-1 decodes every byte")


def _check_nul(data: bytes | str, path: Path) -> None:
    """A NUL never occurs in a text file (outside UTF-16): refuse spreadsheets and archives."""
    nul = data.find(b"\x00" if isinstance(data, bytes) else "\x00")  # type: ignore[arg-type]
    if nul >= 0:
        raise DataError(
            "contains NUL bytes: this looks like a binary file (e.g. .xlsx, .zip, .gz), "
            "not delimited text; export it as CSV",
            file=path, row=_line_of(data, nul),
        )


def check_controls(text: str, path: Path) -> None:
    """Text made mostly of control characters is binary data that happened to decode."""
    sample = text[:SAMPLE_CHARS]
    controls = len(_CONTROL.findall(sample))
    if controls > max(_MAX_CONTROL_SHARE * len(sample), _MIN_CONTROLS):
        raise DataError(
            f"is mostly not text ({controls} control characters in the first "
            f"{len(sample)}): this looks like a binary file; export it as CSV",
            file=path,
        )


def load_text(path: Path, encoding: str | None, report: ImportReport) -> str:
    """The file's text with ``\\n`` line ends, or a DataError saying why it is unusable."""
    if not path.exists():
        raise DataError("file not found", file=path)
    if path.is_dir():
        raise DataError("is a folder, expected a file", file=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot be read: {exc.strerror}", file=path) from None
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _check_nul(data, path)
    # A BOM the decoder left (a file saved twice with one, UTF-16's followed by UTF-8's)
    # is still not text.
    text = decode(data, encoding, path, report).lstrip("\ufeff")
    _check_nul(text, path)
    check_controls(text, path)
    if not text.strip():
        raise DataError("file is empty", file=path)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _csv_reader(lines: Iterable[str], sep: str, **options: object) -> Any:
    """Python's csv reader, allowing values up to :data:`MAX_VALUE_CHARS`."""
    csv.field_size_limit(MAX_VALUE_CHARS)
    return csv.reader(lines, delimiter=sep, **options)


def _too_long(exc: csv.Error) -> bool:
    return "field larger than field limit" in str(exc)


def detect_sep(text: str, path: Path | None = None) -> str:
    """The candidate giving the most lines the same field count (>= 2), then the most fields.

    Falls back to a comma, which makes a one-column file a one-column table. A value
    longer than :data:`MAX_VALUE_CHARS` is reported with its line of the sample.
    """
    numbered = list(itertools.islice(((n, ln) for n, ln in enumerate(io.StringIO(text), 1)
                                      if ln.strip()), SAMPLE_LINES))
    lines = [line for _, line in numbered]
    best, best_score = ",", (0.0, 1)
    for sep in SEPARATORS:
        reader = _csv_reader(lines, sep)
        try:
            widths = Counter(len(row) for row in reader)
        except csv.Error as exc:
            if not _too_long(exc):
                continue  # not this delimiter's kind of file
            raise DataError(f"a value is longer than {MAX_VALUE_CHARS:,} characters; is "
                            "this a delimited text file?", file=path,
                            row=numbered[reader.line_num - 1][0]) from None
        width, n = widths.most_common(1)[0]
        score = (n / sum(widths.values()), width)
        if width > 1 and score > best_score:
            best, best_score = sep, score
    return best


def detect_header(rows: Sequence[Sequence[str]]) -> bool:
    """Whether the first row names the columns.

    Yes when a value is a known column name (``user_id``, ``rating``...), or when a column
    is numeric below a non-numeric first value; never when the first row has a number.
    """
    first, rest = rows[0], rows[1:]
    if any(normalise(v) in KNOWN_NAMES for v in first):
        return True
    if any(is_number(v) for v in first):
        return False
    for j in range(len(first)):
        values = [row[j] for row in rest if row[j].strip()]
        if values and all(is_number(v) for v in values):
            return True
    return False


def check_widths(widths: np.ndarray, lines: np.ndarray, sep: str, path: Path) -> None:
    """Every row must have as many fields as the first one (and there must be one)."""
    if not widths.size:
        raise DataError("file is empty", file=path)
    bad = np.flatnonzero(widths != widths[0])
    if bad.size:
        i = bad[0]
        raise DataError(
            f"has {widths[i]} fields but line {lines[0]} has {widths[0]} "
            f"(delimiter: {describe_sep(sep)}); check the delimiter and the quoting "
            "of values that contain it",
            file=path, row=int(lines[i]),
        )


def _ascii_bytes(text: str) -> np.ndarray:
    """The UTF-8 bytes of ``text`` as an array; ASCII bytes in it are ASCII characters."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def plain_lines(buf: np.ndarray, sep: str) -> tuple[np.ndarray, np.ndarray]:
    """Per line of ``buf`` (UTF-8 bytes not ending in a newline): whether it has a visible
    character, and the field count of each line that has one.

    Separators and visible characters are counted on the bytes with numpy (both are
    ASCII, which never occurs inside a multi-byte character), so a million lines are
    checked without a Python loop.
    """
    starts = np.concatenate(([0], np.flatnonzero(buf == ord("\n")) + 1))
    filled = np.add.reduceat(buf > ord(" "), starts, dtype=np.int64) > 0
    widths = np.add.reduceat(buf == ord(sep), starts, dtype=np.int64)[filled] + 1
    return filled, widths


def _split_plain(text: str, sep: str, path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Fast path for files without quotes: one record per line, split by pandas' C parser
    once :func:`plain_lines` has checked every line's field count."""
    body = text.rstrip("\n")
    filled, widths = plain_lines(_ascii_bytes(body), sep)
    lines = np.flatnonzero(filled).astype(np.int64) + 1
    check_widths(widths, lines, sep, path)
    if not filled.all():
        physical = body.split("\n")
        body = "\n".join(physical[i] for i in lines - 1)
    frame = pd.read_csv(io.StringIO(body), sep=sep, header=None, names=range(int(widths[0])),
                        dtype=str, na_filter=False, quoting=csv.QUOTE_NONE, engine="c")
    return frame, lines


def quoted_records(lines: Iterable[str], sep: str, path: Path) -> Iterator[tuple[list[str], int]]:
    """Files with quotes: Python's csv module, which tells where each record starts.

    Yields every record that is not blank with the line it starts on (``lines`` are the
    file's lines from its first, each ending in a newline). Strict, so that an unclosed
    quote is an error at its line rather than a value that silently swallows the rest of
    the file.
    """
    reader = _csv_reader(lines, sep, strict=True)
    start = 1
    try:
        for row in reader:
            if len(row) > 1 or (row and row[0].strip()):
                yield row, start
            start = reader.line_num + 1
    except csv.Error as exc:
        if _too_long(exc):
            raise DataError(f"a value is longer than {MAX_VALUE_CHARS:,} characters (a quote "
                            "that is never closed?)", file=path, row=start) from None
        raise DataError(
            f"bad quoting ({exc}): a value that starts with a quote must end with one, and a "
            "quote inside a quoted value is written twice", file=path, row=start,
        ) from None


def quoted_frame(rows: list[list[str]], starts: list[int], sep: str, path: Path,
                 first: tuple[int, int] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Records as a frame of strings and the lines they start on, once each has been
    checked to have as many fields as the file's first record (``first``: its field count
    and line, when that record is not among these)."""
    lines = np.asarray(starts, dtype=np.int64)
    widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    if first is not None:
        widths, lines = np.concatenate(([first[0]], widths)), np.concatenate(([first[1]], lines))
    check_widths(widths, lines, sep, path)
    return pd.DataFrame(rows, dtype=str), lines[1:] if first is not None else lines


def padded(buf: np.ndarray, sep: str) -> bool:
    """Whether a value may start or end with blanks, so that values must be stripped.

    Checked on the UTF-8 bytes (a blank next to a separator or a line end) because
    stripping every column of a large clean file would cost more than reading it.
    """
    if not sep.isascii():
        return True
    blank = (buf == ord(" ")) | ((buf == ord("\t")) & (sep != "\t"))
    edge = (buf == ord(sep)) | (buf == ord("\n"))
    return bool(blank[0] or blank[-1] or (blank[1:] & edge[:-1]).any()
                or (blank[:-1] & edge[1:]).any())


def check_unique(names: Sequence[str], path: Path, line: int | None) -> None:
    """Two columns with one name would make every role ambiguous."""
    seen: dict[str, int] = {}
    for j, name in enumerate(names, start=1):
        if name in seen:
            raise DataError(
                f"columns {seen[name]} and {j} are both named '{name}'; column names must be "
                "unique", file=path, row=line, column=name,
            )
        seen[name] = j


def check_sep(sep: str | None, path: Path) -> None:
    """A line end or a quote cannot be the delimiter (pandas and csv fail on these)."""
    if sep is not None and sep in ("\n", "\r", '"'):
        raise DataError(f"{describe_sep(sep)} cannot be the delimiter: it ends lines or quotes "
                        "values; check --sep (--item-sep for a catalogue)", file=path)


def read_raw(
    path: Path,
    *,
    sep: str | None,
    header: bool | None,
    columns: Sequence[str] | None,
    encoding: str | None,
    default_names: Sequence[str],
    report: ImportReport,
) -> RawTable:
    """Decode, split and name the columns of a delimited file, recording what was guessed.

    Column names come from ``columns`` when given, else from the header row, else from
    ``default_names`` (then ``column5``, ``column6``...).
    """
    check_sep(sep, path)
    text = load_text(path, encoding, report)
    sep_given = sep is not None
    sep = sep or detect_sep(text, path)
    report.detected["sep"] = sep
    # pandas' C parser drops a BOM at the start of what it reads, so a BOM left on a line
    # of its own would lose that row and shift every later line number: the csv module
    # reads such files.
    if sep.isascii() and '"' not in text and "\ufeff" not in text:
        frame, lines = _split_plain(text, sep, path)
    else:
        rows: list[list[str]] = []
        starts: list[int] = []
        for row, start in quoted_records(io.StringIO(text), sep, path):
            rows.append(row)
            starts.append(start)
        frame, lines = quoted_frame(rows, starts, sep, path)
    if padded(_ascii_bytes(text), sep):
        frame = frame.apply(lambda column: column.str.strip())
    return name_columns(frame, lines, header, columns, default_names, sep, sep_given, path,
                        report)


def name_columns(frame: pd.DataFrame, lines: np.ndarray, header: bool | None,
                 columns: Sequence[str] | None, default_names: Sequence[str], sep: str,
                 sep_given: bool, path: Path, report: ImportReport) -> RawTable:
    """The table named, its header row (detected when ``header`` is None) taken off.

    ``frame`` holds the file's first rows: all of them when the file is read in memory,
    at least the first :data:`SAMPLE_LINES` + 1 when it is streamed.
    """
    width = frame.shape[1]
    if header is None:
        header = detect_header(frame.head(SAMPLE_LINES).to_numpy().tolist())
    report.detected["header"] = header
    names = [v.strip() or f"column{j}" for j, v in enumerate(frame.iloc[0], start=1)]
    header_line = int(lines[0])
    if header:
        frame, lines = frame.iloc[1:], lines[1:]
    if frame.empty:
        raise DataError(f"has a header row (line {header_line}) but no data rows", file=path)
    if columns is not None:
        if len(columns) != width:
            raise DataError(
                f"{len(columns)} column names were given ({', '.join(columns)}) but the file "
                f"has {width} fields per line (delimiter: {describe_sep(sep)})",
                file=path, row=int(lines[0]),
            )
        names = list(columns)
        check_unique(names, path, None)
    elif header:
        check_unique(names, path, header_line)
    else:
        names = [*default_names[:width], *(f"column{j}" for j in range(len(default_names) + 1,
                                                                      width + 1))]
    frame = frame.set_axis(names, axis=1).reset_index(drop=True)
    return RawTable(frame=frame, lines=lines, header=header, sep=sep, sep_given=sep_given)
