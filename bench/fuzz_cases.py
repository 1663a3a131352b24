"""Generated input files, and the one property every file the application reads must keep.

Shared by the property-based tests (``tests/engine/data/test_fuzz_inputs.py``,
``tests/cli/test_fuzz_cli.py``) and ``bench/fuzz_inputs.py``, which runs the same
properties many more times: the strategies and the checks exist once, here.

The property: a file of any content ends in a result or in one :class:`DataError` that
names the file; through the command line, in exit status 0 or in exit status 2 with one
``error:`` message on stderr, no traceback, and the database file byte for byte as it
was. Files are made the way real exports go wrong: a table of plausible and edge-case
values (ids, ratings such as ``inf``, timestamps at the ends of time, feedback words)
written with any of the delimiters, quoting that may be broken, any line ends and every
encoding the sniffer claims to read (UTF-8 with and without BOM, UTF-16 with BOM, cp1252,
latin-1), then damaged at the byte level (NUL bytes, random bytes, a BOM in the middle,
truncation, a value or line longer than Python's csv limit of 131,072 characters); and
plain random bytes. They go through every way in (:data:`READER_KINDS`,
:data:`CLI_KINDS`). Sizes stay small enough for thousands of cases a minute: a value over
:data:`engine.data.sniff.MAX_VALUE_CHARS` (16 M characters) is left to the sniffer's own
tests, and a line has at most 2,000 fields (a table 50,000 columns wide takes seconds to
refuse: slow, not wrong).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import shutil
import sqlite3
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from application.importing import preview_file
from application.importing import read_options as preview_options
from engine.core.errors import DataError
from engine.data.feedback import DISLIKE, LIKE, NOT_INTERESTED
from engine.data.feedback_file import read_feedback
from engine.data.importer import (FIRST_TIME, LAST_TIME, ReadOptions, link_catalogue,
                                  read_catalogue, read_interactions, read_movielens)
from engine.data.preprocess import build_dataset

#: What reads a file: the readers (interactions, catalogue, feedback), the import
#: dialog's preview and the options it makes, the MovieLens folder (one of its three
#: files generated); on the command line import (interactions, or a catalogue with the
#: shop's interactions: ``items``), append to the stored shop, and feedback on its run.
READER_KINDS = ("interactions", "catalogue", "feedback", "preview", "movielens")
CLI_KINDS = ("import", "items", "append", "feedback")
_TABLE_KIND = {"import": "interactions", "append": "interactions", "items": "catalogue"}

# ---------------------------------------------------------------------------- values

#: Users and items of the demo shop the tests import (60 users, 1,200 items), and a few
#: beyond it: feedback and appends must meet known ids often to get past the reader.
USER_IDS = st.integers(0, 65).map(lambda n: f"u{n:05d}")
ITEM_IDS = st.integers(0, 1210).map(lambda n: f"i{n:05d}")

#: Characters a value may hold: delimiters, quotes, line ends, blanks, controls, accents,
#: other scripts, a BOM and a lone surrogate (which no encoder writes as such).
_AWKWARD = [",", "\t", ";", "|", '"', "'", "\n", "\r", " ", "\x00", "\x0b", "\x1f", "\x7f",
            "\x85", "\x9f", "\ufeff", "\u2028", "é", "ß", "€", "Ж", "中", "😀", "\ud800",
            "\\", "%", "٣", "１"]
SHORT_TEXT = st.text(alphabet=st.one_of(st.sampled_from(_AWKWARD),
                                        st.characters(codec="utf-8")), max_size=12)
IDS = st.one_of(USER_IDS, ITEM_IDS, st.integers(-5, 2000).map(str), SHORT_TEXT,
                st.just(""), st.just(" "))

NUMBERS = ["1", "5", "0", "-1", "4.5", " 3 ", "4,5", "1e308", "1e309", "-1e309", "1e-320",
           "inf", "-inf", "Infinity", "nan", "NaN", "", "٣", "１", "0x1F", "True", "5/5",
           "1_000", "+2", "2.", ".5", "00", "9" * 400]
TIMES = ["0", "-1", "1", "1672651929", "1672651929000", "1672651929000000", "1e11",
         "99999999999", "100000000001", "-62135596800", "253402300799", "253402300800",
         "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e20",
         "-1e20", "1e308", "nan", "NaN", "inf", "-inf", "", " ", "1.5", "1970-01-01",
         "1969-12-31 23:59:59", "0001-01-01", "0000-01-01", "9999-12-31",
         "9999-12-31 23:59:59", "10000-01-01", "1677-09-21", "1677-09-22 00:12:43",
         "2262-04-11 23:47:16", "2262-04-12", "2020-02-29", "2021-02-29", "2020-13-01",
         "31/12/2020", "12/31/2020", "01/02/2020", "2020-01-01T00:00:00Z",
         "2020-01-01T00:00:00+05:30", "2020-01-01T00:00:00+99:00", "2020-01-01 24:00",
         "Jan 1 2020", "1 January 1900", "yesterday", "٣", "１２３", "2020", "20200101",
         "2020-01-01 00:00:00.123456789", "12:30", "T", "%Y"]
FEEDBACK_WORDS = ["like", "liked", "+1", "-1", "1", "0", "dislike", "thumbs up", "Thumbs-Down",
                  "not interested", "hide", "skip", "", " ", "+", "-", "love it", "LIKE",
                  "like\u0301", "+like", "--1"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y %H:%M", "%s", "%Q", "%", "%Y%Y", "%Y-%m-%d %H:%M:%S%z",
                "%%", "", "%j", "%G-%V", "%Y-%m-%dT%H:%M:%S.%f"]

#: Column names per kind, role by role: the usual names, synonyms, and names that mean
#: nothing; a header may also repeat a name, leave one empty or miss a role.
_NAMES = {
    "user": ["user_id", "User", "customer", "visitorId", "userid", " user "],
    "item": ["item_id", "Item", "product", "StockCode", "movie", "iid"],
    "rating": ["rating", "score", "Stars", "quantity", "feedback", "value"],
    "time": ["timestamp", "date", "InvoiceDate", "when", "time", "ts"],
    "title": ["title", "name", "Product Name"],
    "text": ["description", "tags", "genres", "category", "summary"],
    "flag": ["Action", "Comedy", "is_new", "x"],
    "feedback": ["feedback", "action", "Reaction", "vote", "label"],
}
_ROLES = {
    "interactions": ("user", "item", "rating", "time"),
    "catalogue": ("item", "title", "text", "text", "flag"),
    "feedback": ("user", "item", "feedback", "time"),
}
_VALUES = {
    "user": st.one_of(USER_IDS, USER_IDS, IDS),
    "item": st.one_of(ITEM_IDS, ITEM_IDS, IDS),
    "rating": st.one_of(st.sampled_from(NUMBERS), st.integers(1, 5).map(str),
                        st.floats(allow_nan=True, allow_infinity=True).map(repr)),
    "time": st.one_of(st.sampled_from(TIMES),
                      st.integers(-2**63, 2**63).map(str),
                      st.integers(1_600_000_000, 1_700_000_000).map(str),
                      st.datetimes().map(lambda d: d.isoformat(sep=" ")),
                      st.floats().map(repr)),
    "title": st.one_of(SHORT_TEXT, st.text(max_size=40)),
    "text": st.one_of(SHORT_TEXT, st.text(max_size=40), st.just("Books|Poetry, Art;x")),
    "flag": st.sampled_from(["0", "1", "", "2", "yes"]),
    "feedback": st.sampled_from(FEEDBACK_WORDS),
}

#: Values a clean file has: ids of the shop, ratings 1 to 5, times of 2020-2023.
_GOOD = {
    "user": USER_IDS,
    "item": ITEM_IDS,
    "rating": st.integers(1, 5).map(str),
    "title": st.text(max_size=30),
    "text": st.text(max_size=60),
    "flag": st.sampled_from(["0", "1"]),
    "feedback": st.sampled_from(["like", "dislike", "not interested", "+1", "-1", "hide"]),
}
_GOOD_TIMES = [st.integers(1_577_836_800, 1_700_000_000).map(str),
               st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2023, 12, 31))
               .map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))]

# ---------------------------------------------------------------------------- files

#: Every encoding :func:`engine.data.sniff.load_text` claims to detect, plus two it should
#: refuse cleanly (UTF-16 without BOM is NUL bytes; UTF-32's BOM starts with UTF-16's).
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le+bom", "utf-16-be+bom", "cp1252",
             "latin-1", "utf-16-le", "utf-32")
_LIKELY_ENCODINGS = ENCODINGS[:7] * 3 + ENCODINGS  # most tables in an encoding that works
#: What ``--encoding`` may say: the usual ones, a wrong one, unknown and odd codecs.
GIVEN_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "ascii", "utf-32",
                   "shift_jis", "utf-7", "idna", "punycode", "unicode_escape", "rot13",
                   "base64", "no-such-codec")
SEPARATORS = (",", "\t", ";", "|")
LINE_ENDS = ("\n", "\r\n", "\r")
#: Python's csv module refuses longer values unless its limit is raised.
CSV_LIMIT = 131_072


def encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; characters it cannot hold become ``?`` (or stay broken:
    a lone surrogate in UTF-8 is an invalid byte sequence, as in a damaged file)."""
    if encoding.endswith("+bom"):
        codec = encoding.removesuffix("+bom")
        bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
        return bom + text.encode(codec, errors="surrogatepass")
    errors = "surrogatepass" if encoding.startswith("utf") else "replace"
    return text.encode(encoding, errors=errors)


def _row_text(values: Sequence[str], sep: str, quoting: str) -> str:
    """One line: written by the csv module (correct quoting), or joined as it comes."""
    if quoting == "naive":
        return sep.join(values)
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="",
               quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL).writerow(values)
    return out.getvalue()


@st.composite
def table_text(draw: st.DrawFn, kind: str) -> str:
    """A delimited table of ``kind`` as text, in one of three modes: clean (the usual
    columns under their usual names, plausible values, correct quoting), so that the
    paths after the reader are reached too; edge (the same shape, with edge-case values
    in some columns: timestamps at the ends of time, ``inf`` ratings, odd ids); messy
    (columns, names, values and lines that go wrong).
    """
    mode = draw(st.sampled_from(["clean", "edge", "messy"]))
    clean = mode != "messy"
    roles = list(_ROLES[kind])
    if not clean and draw(st.booleans()):  # drop, repeat or add a column
        roles = draw(st.lists(st.sampled_from(sorted(set(roles) | {"flag", "text"})),
                              min_size=1, max_size=6))
    names = [draw(st.sampled_from(_NAMES[r])) for r in roles]
    header = "names" if clean else draw(st.sampled_from(["names", "none", "random", "empty",
                                                         "dup"]))
    if header == "random":
        names = [draw(SHORT_TEXT) for _ in roles]
    elif header == "empty":
        names[draw(st.integers(0, len(names) - 1))] = ""
    elif header == "dup" and len(names) > 1:
        names[-1] = names[0]
    values = _VALUES
    if clean:  # one kind of time per file, as real exports have
        values = {**_GOOD, "time": draw(st.sampled_from(_GOOD_TIMES))}
    if mode == "edge":
        edgy = draw(st.lists(st.sampled_from(roles), min_size=1, unique=True))
        values = {**values, **{role: _VALUES[role] for role in edgy}}
    rows = [[draw(values[r]) for r in roles]
            for _ in range(draw(st.integers(1 if clean else 0, 8)))]
    if rows and not clean and draw(st.integers(0, 3)) == 0:  # a field missing or extra
        i = draw(st.integers(0, len(rows) - 1))
        rows[i] = rows[i][:-1] if draw(st.booleans()) else [*rows[i], "extra"]
    sep = draw(st.sampled_from(SEPARATORS))
    quoting = draw(st.sampled_from(["csv", "all"] if clean else ["csv", "all", "naive"]))
    lines = ([] if header == "none" else [names]) + rows
    texts = [_row_text(row, sep if clean or draw(st.integers(0, 9))
                       else draw(st.sampled_from(SEPARATORS)), quoting)
             for row in lines]  # now and then another delimiter
    if texts and draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(texts)))
        texts.insert(at, draw(st.sampled_from(["", " ", "\t"] if clean
                                              else ["", sep * 3, '"', "#comment"])))
    end = draw(st.sampled_from(LINE_ENDS))
    text = "".join(line + (draw(st.sampled_from(LINE_ENDS)) if draw(st.integers(0, 9)) == 0
                           else end) for line in texts)
    return text if draw(st.booleans()) else text.rstrip("\r\n")


def _huge(draw: st.DrawFn) -> bytes:
    """A value around Python's csv limit: quoted or not, on one line or many."""
    size = draw(st.sampled_from([CSV_LIMIT - 1, CSV_LIMIT + 1, 3 * CSV_LIMIT]))
    char = draw(st.sampled_from([b"x", b"\xc3\xa9", b" ", b"\n"]))
    body = char * (size // len(char))
    return draw(st.sampled_from([body, b'"' + body + b'"', b'"' + body, b"a," + body + b",b"]))


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` damaged at the byte level, zero to three times."""
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):  # half left whole
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["nul", "bytes", "cut", "drop", "copy", "bom", "quote",
                                    "huge", "line", "crlf", "flip"]))
        if how == "nul":
            data = data[:at] + b"\x00" * draw(st.integers(1, 20)) + data[at:]
        elif how == "bytes":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif how == "cut":
            data = data[:at]
        elif how == "drop":
            data = data[:at] + data[at + draw(st.integers(1, 8)):]
        elif how == "copy":
            data = data[:at] + data[at // 2:at] * draw(st.integers(1, 30)) + data[at:]
        elif how == "bom":
            data = data[:at] + draw(st.sampled_from(
                [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])) + data[at:]
        elif how == "quote":
            data = data[:at] + b'"' + data[at:]
        elif how == "huge":
            data = data[:at] + _huge(draw) + data[at:]
        elif how == "line":  # a very long line: many fields on one line
            # (50,000 fields take seconds to refuse: a wide table is slow, not wrong)
            fields = draw(st.sampled_from([300, 2000]))
            data = data[:at] + b",".join([b"abc"] * fields) + data[at:]
        elif how == "crlf":
            data = data.replace(b"\n", b"\r") if draw(st.booleans()) else data + b"\r\n" * 5
        elif how == "flip" and data:
            i = min(at, len(data) - 1)
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    return data


@dataclass(frozen=True)
class Case:
    """One generated input: the file's bytes and what the user told about it.

    ``member`` says which file it is where a kind reads several: ``interactions`` or
    ``items`` for a preview, ``u.data``, ``u.item`` or ``u.genre`` of a MovieLens folder.
    """

    kind: str
    data: bytes
    options: ReadOptions = field(default_factory=ReadOptions)
    feedback_col: str | None = None
    member: str = ""

    def __repr__(self) -> str:  # hypothesis prints falsifying examples with this
        shown = self.data if len(self.data) <= 600 else self.data[:600] + b"..."
        return (f"Case(kind={self.kind!r}, data={shown!r} ({len(self.data):,} bytes), "
                f"options={self.options!r}, feedback_col={self.feedback_col!r}, "
                f"member={self.member!r})")


@st.composite
def given_options(draw: st.DrawFn, kind: str) -> ReadOptions:
    """Mostly nothing given (all detected); else a delimiter, header, encoding, date format."""
    if draw(st.integers(0, 3)):
        return ReadOptions()
    roles = {}
    if draw(st.integers(0, 3)) == 0:
        role = draw(st.sampled_from(_ROLES[kind][:2]))
        roles = {role: draw(st.sampled_from(_NAMES[role] + ["nope", ""]))}
    return ReadOptions(
        sep=draw(st.none() | st.sampled_from([*SEPARATORS, " ", "x", "é", '"', "\r", "\n"])),
        header=draw(st.none() | st.booleans()),
        columns=draw(st.none() | st.lists(st.sampled_from(
            [n for names in _NAMES.values() for n in names]), min_size=1, max_size=5,
            unique=True)),
        encoding=draw(st.none() | st.sampled_from(GIVEN_ENCODINGS)),
        date_format=draw(st.none() | st.sampled_from(DATE_FORMATS)) if kind != "catalogue"
        else None,
        roles=roles,
    )


@st.composite
def file_bytes(draw: st.DrawFn, table_kind: str) -> bytes:
    """A file meant as ``table_kind``: a table in some encoding, text or random bytes,
    damaged or not."""
    source = draw(st.sampled_from(["table"] * 6 + ["bytes", "text"]))
    if source == "bytes":
        data = draw(st.binary(max_size=400))
    elif source == "text":
        data = encode(draw(st.text(max_size=200)), draw(st.sampled_from(ENCODINGS)))
    else:
        data = encode(draw(table_text(table_kind)), draw(st.sampled_from(_LIKELY_ENCODINGS)))
    return draw(mutated(data))


#: A small MovieLens 100K folder (three genres): each case replaces one of its files.
MOVIELENS = {
    "u.data": b"1\t1\t5\t874965758\n1\t2\t3\t876893171\n2\t1\t4\t878542960\n"
              b"2\t3\t1\t876893119\n",
    "u.item": b"1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story"
              b"%20(1995)|0|0|1\n2|GoldenEye (1995)|01-Jan-1995||http://x|0|1|0\n"
              b"3|Caf\xe9 Society (1996)|01-Jan-1996||http://x|1|0|0\n",
    "u.genre": b"unknown|0\nAction|1\nComedy|2\n\n",
}


@st.composite
def cases(draw: st.DrawFn, kind: str, options: bool = True) -> Case:
    """A file for ``kind`` (one of :data:`READER_KINDS` or :data:`CLI_KINDS`); with read
    options now and then (``options``)."""
    if kind == "movielens":  # the folder's own files, damaged, or any file in their place
        member = draw(st.sampled_from(sorted(MOVIELENS)))
        table_kind = {"u.data": "interactions", "u.item": "catalogue"}.get(member, "catalogue")
        data = draw(st.one_of(mutated(MOVIELENS[member]), file_bytes(table_kind)))
        return Case(kind, data, member=member)
    member = draw(st.sampled_from(["interactions", "items"])) if kind == "preview" else ""
    table_kind = ("catalogue" if member == "items" else "interactions") if member \
        else _TABLE_KIND.get(kind, kind)
    data = draw(file_bytes(table_kind))
    given = draw(given_options(table_kind)) if options else ReadOptions()
    column = None
    if kind == "feedback" and options and draw(st.integers(0, 3)) == 0:
        column = draw(st.sampled_from(_NAMES["feedback"] + ["nope"]))
    return Case(kind, data, given, column, member)


# ---------------------------------------------------------------------------- properties

#: Outcomes of one case.
ACCEPTED, REFUSED, CRASHED = "accepted", "refused", "crashed"


class Crash(AssertionError):
    """The property does not hold: a traceback, a wrong status, or a changed database."""


def _refusal(exc: DataError, names: set[str]) -> str:
    """A DataError is a fine outcome when it says which file (one of ``names``) and what
    is wrong; anything else is a crash."""
    if exc.file is None or Path(exc.file).name not in names or not exc.detail:
        raise Crash(f"DataError without the file or a message: {exc!r}")
    return REFUSED


def check_read(case: Case, folder: Path, shop: tuple[Path, Path]) -> str:
    """Read ``case`` as its kind does (and, when accepted, take it on as an import
    would); ACCEPTED or REFUSED, or :class:`Crash` with the traceback.

    An accepted interactions file is also preprocessed (:func:`build_dataset`), an
    accepted catalogue linked with the shop's interactions, so that a value the reader
    lets through cannot crash the next step either. A preview goes on as the import
    dialog does: the options it makes read the file with the detected roles.
    """
    path = folder / f"{case.kind}.csv"
    names = {path.name}
    if case.kind == "movielens":  # the folder, or any of its files, may be named
        path = folder / "movielens"
        path.mkdir(exist_ok=True)
        names = {path.name, *MOVIELENS}
        for name, data in MOVIELENS.items():
            (path / name).write_bytes(case.data if name == case.member else data)
    else:
        path.write_bytes(case.data)
    try:
        if case.kind == "interactions":
            _take_interactions(read_interactions(path, case.options))
        elif case.kind == "catalogue":
            _take_catalogue(read_catalogue(path, case.options), shop)
        elif case.kind == "feedback":
            table = read_feedback(path, case.options, case.feedback_col)
            if not set(table.frame["kind"]) <= {LIKE, DISLIKE, NOT_INTERESTED}:
                raise Crash(f"unknown feedback kinds accepted: {set(table.frame['kind'])}")
        elif case.kind == "preview":
            sep = case.options.sep if case.options.sep in (None, ",", "\t", ";", "|") else None
            preview = preview_file(path, case.member, sep, case.options.header)
            options = preview_options(preview, preview.roles)
            if case.member == "interactions":
                _take_interactions(read_interactions(path, options))
            else:
                _take_catalogue(read_catalogue(path, options), shop)
        elif case.kind == "movielens":
            table, catalogue = read_movielens(path)
            _take_interactions(link_catalogue(table, catalogue), catalogue)
        else:
            raise ValueError(f"no reader for {case.kind!r}")
    except DataError as exc:
        return _refusal(exc, names)
    except Crash:
        raise
    except Exception as exc:  # any other exception is the bug looked for
        raise Crash("".join(traceback.format_exception(exc))) from exc
    return ACCEPTED


def _take_interactions(table, catalogue=None) -> None:  # type: ignore[no-untyped-def]
    """What the importer promises of an accepted table (finite ratings, times in range),
    and its preprocessing."""
    frame = table.frame
    if not np.isfinite(frame["rating"].to_numpy(np.float64)).all():
        raise Crash("a rating that is not a finite number was accepted")
    stamps = frame["timestamp"].to_numpy(np.int64)
    if len(stamps) and (stamps.min() < FIRST_TIME.timestamp()
                        or stamps.max() > LAST_TIME.timestamp()):
        raise Crash("a timestamp outside the supported span was accepted")
    dataset = build_dataset(table, catalogue)
    if not ((dataset.weight > 0) & (dataset.weight <= 1)).all():
        raise Crash("a weight outside (0, 1] was made")


def _take_catalogue(catalogue, shop: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    """An accepted catalogue has unique, non-empty ids and goes with the shop's log."""
    items = catalogue.frame["item"]
    if items.duplicated().any() or (items == "").any():
        raise Crash("a catalogue with an empty or repeated item id was accepted")
    build_dataset(link_catalogue(read_interactions(shop[0]), catalogue), catalogue)


# ---------------------------------------------------------------------------- the CLI

def make_database(folder: Path, shop: tuple[Path, Path]) -> Path:
    """A project database with the shop imported as 'shop' and one run (1) on it, closed."""
    from cli.main import main  # the command line is only needed by the CLI properties

    interactions, items = shop
    path = folder / "template.db"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["import", "--interactions", str(interactions), "--items", str(items),
                     "--name", "shop", "--db", str(path), "--quiet"]) == 0
        assert main(["run", "--dataset", "shop", "--model", "pop", "--k", "5",
                     "--metrics-k", "5", "--db", str(path), "--quiet"]) == 0
    _closed(path)
    return path


def _closed(path: Path) -> None:
    """The database must be all in its main file once the command closed it.

    SQLite checkpoints the WAL into the main file and deletes it when the last
    connection closes, so after a command the main file is the whole database and
    comparing its bytes is a truthful "unchanged". (The ``-shm`` index is not compared:
    a reader may rebuild it without changing any data.) A leftover ``-wal`` with frames
    would make the comparison blind to what is in it, so it fails the check instead.
    """
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        raise Crash(f"{wal.name} left with {wal.stat().st_size:,} bytes after the command")


def cli_argv(case: Case, path: Path, db: Path, shop: tuple[Path, Path]) -> list[str]:
    """The command that reads ``case``'s file, with its read options as flags."""
    options = case.options
    argv = {"import": ["import", "--interactions", str(path), "--name", "fuzzed"],
            "items": ["import", "--interactions", str(shop[0]), "--items", str(path),
                      "--name", "fuzzed"],
            "append": ["append", "--dataset", "shop", "--interactions", str(path)],
            "feedback": ["feedback", "--run", "1", "--file", str(path)]}[case.kind]
    argv += ["--db", str(db)] + ([] if case.kind == "feedback" else ["--quiet"])
    prefix = "--item-" if case.kind == "items" else "--"
    if options.sep is not None:
        argv.append(f"{prefix}sep={options.sep}")
    if options.header is not None:
        argv.append(f"{prefix}header" if options.header else f"{prefix}no-header")
    if options.columns is not None:
        argv.append(f"{prefix}columns={','.join(options.columns)}")
    if options.encoding is not None:
        argv.append(f"{prefix}encoding={options.encoding}")
    if options.date_format is not None:
        argv.append(f"--date-format={options.date_format}")
    flags = ({"item": "--item-id-col", "title": "--item-title-col"} if case.kind == "items"
             else {"user": "--user-col", "item": "--item-col"})
    for role, column in options.roles.items():
        argv.append(f"{flags[role]}={column}")
    if case.feedback_col is not None:
        argv.append(f"--feedback-col={case.feedback_col}")
    return argv


def check_cli(case: Case, folder: Path, template: Path, shop: tuple[Path, Path]) -> str:
    """Run the command that reads ``case`` on a copy of ``template``: exit 0 with the
    database whole, or exit 2 with one ``error:`` message naming the file, no traceback
    and the database byte for byte unchanged."""
    from cli.main import main

    db = folder / "studio.db"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, db)
    before = db.read_bytes()
    path = folder / f"{case.kind}.csv"
    path.write_bytes(case.data)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(cli_argv(case, path, db, shop))
    except BaseException as exc:  # argparse's SystemExit is no one message either
        raise Crash("".join(traceback.format_exception(exc))) from exc
    stderr = err.getvalue()
    if "Traceback" in stderr:
        raise Crash(stderr)
    if code == 0:
        _closed(db)
        with contextlib.closing(sqlite3.connect(db)) as conn:
            if (check := conn.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
                raise Crash(f"the database is damaged after an accepted file: {check}")
        return ACCEPTED
    if code != 2:
        raise Crash(f"exit status {code}: {stderr}")
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    if len(errors) != 1 or not stderr.rstrip("\n").endswith(stderr.split("error: ", 1)[1]
                                                              .rstrip("\n")):
        raise Crash(f"not one error message at the end of stderr: {stderr!r}")
    if path.name not in errors[0]:
        raise Crash(f"the message does not name the file: {stderr!r}")
    _closed(db)
    if db.read_bytes() != before:
        raise Crash(f"the database changed although the file was refused: {stderr!r}; "
                    f"{_dump_diff(template, db)}")
    return REFUSED


def _dump_diff(before: Path, after: Path) -> str:
    """What differs between two databases, as SQL (for the crash report)."""
    def dump(path: Path) -> set[str]:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return set(conn.iterdump())
    old, new = dump(before), dump(after)
    return f"removed {sorted(old - new)[:5]}, added {sorted(new - old)[:5]}"


def count_outcomes(check: Callable[[Case], str], tally: dict[str, int],
                   crashes: list[str], keep: int = 5) -> Callable[[Case], None]:
    """``check`` as a hypothesis test body that counts outcomes instead of failing, so
    that a bench run goes through every case and reports how many crashed."""
    def body(case: Case) -> None:
        try:
            outcome = check(case)
        except Crash as exc:
            outcome = CRASHED
            if len(crashes) < keep:
                crashes.append(f"{case!r}\n{exc}")
        tally[outcome] = tally.get(outcome, 0) + 1
    return body
