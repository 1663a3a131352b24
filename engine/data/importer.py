"""Interaction logs and item catalogues: from delimited or Parquet files to clean, typed tables.

:mod:`engine.data.reading` turns a file into named string columns, in chunks when it is
large (:mod:`engine.data.csv_stream`) or Parquet (:mod:`engine.data.parquet`); this module
decides which column is the user, the item, the rating, the time, the title and the text
(:mod:`engine.data.roles`), converts them vectorised, chunk by chunk for an interaction
log, and accounts for every row it does not keep in the :class:`ImportReport`. Empty
cells are not errors (the row is dropped and counted by reason); a value that cannot be
what its column says is, and the :class:`DataError` names the file, the line (the row of
a Parquet file), the column and the value.
"""
from __future__ import annotations

import dataclasses
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from engine.core.errors import DataError
from engine.data.reading import Consume, read_source
from engine.data.report import ImportReport
from engine.data.roles import GENRE_NAMES, assign_roles, matching_columns, normalise, resolve
from engine.data.sniff import RawTable, is_number, read_raw
from engine.data.table_source import TableSource, Unstreamable, with_last

INTERACTION_FLAGS = {"user": "--user-col", "item": "--item-col", "rating": "--rating-col",
                     "time": "--time-col"}
"""Interaction roles, in detection order, with the command-line flag that sets each."""
CATALOGUE_FLAGS = {"item": "--item-id-col", "title": "--item-title-col",
                   "text": "--item-text-col", "category": "--item-category-col"}
"""Catalogue roles, in detection order, with the command-line flag that sets each."""
MULTI_COLUMN_ROLES = ("text", "category")
"""Catalogue roles that may name several columns (comma-separated): their values are
joined (text) or become the item's categories, also in its text (``Books|Poetry``)."""
HEADERLESS_INTERACTIONS = ("user", "item", "rating", "timestamp")
HEADERLESS_CATALOGUE = ("item", "title", "text")
MORE_ROWS = 5  # further rows with the same problem that an error names
MILLISECONDS_ABOVE = 1e11  # 1e11 s is the year 5138; 1e11 ms is 1973
_EPOCH = pd.Timestamp(0, tz="UTC")
_SECOND = pd.Timedelta(seconds=1)
FIRST_TIME = pd.Timestamp.min.ceil("D").tz_localize("UTC")
LAST_TIME = (pd.Timestamp.max.floor("D") - _SECOND).tz_localize("UTC")
"""The whole days in the span of pandas' nanosecond time stamps, which splits and the GUI
convert to: a time outside would crash them later, so the import refuses it by its row."""
TIME_RANGE = f"timestamps must lie between {FIRST_TIME:%Y-%m-%d} and {LAST_TIME:%Y-%m-%d}"
DATE_FORMAT_HINT = ("write it with strptime codes such as %Y %m %d %H %M %S, e.g. "
                    "'%d/%m/%Y %H:%M'; Unix seconds or milliseconds need no --date-format")
T = TypeVar("T")


@dataclass
class ReadOptions:
    """What the user told us about a file; every ``None`` is detected instead."""

    sep: str | None = None
    header: bool | None = None
    columns: list[str] | None = None
    encoding: str | None = None
    date_format: str | None = None
    roles: dict[str, str] = field(default_factory=dict)  # role -> column ("text": "a,b")


@dataclass
class InteractionTable:
    """user, item (str), rating (float64), timestamp (int64 Unix s), line (int64) per row."""

    path: Path
    frame: pd.DataFrame
    report: ImportReport
    has_timestamps: bool


@dataclass
class Catalogue:
    """item (unique str), title, text and genres ("|"-joined names) per item."""

    path: Path
    frame: pd.DataFrame
    report: ImportReport


def _read(path: Path, options: ReadOptions, defaults: Sequence[str], consume: Consume[T]) -> T:
    """``consume(source, report)`` of the file (:func:`engine.data.reading.read_source`)."""
    return read_source(path, sep=options.sep, header=options.header, columns=options.columns,
                       encoding=options.encoding, default_names=defaults, consume=consume)


def _warn_headerless(head: RawTable, path: Path, options: ReadOptions, columns_flag: str,
                     report: ImportReport) -> None:
    """Without header and names, the assumed column order is a warning."""
    if not head.header and options.columns is None:
        report.warn(
            f"{path.name} has no header row: assumed the columns are "
            f"{', '.join(head.frame.columns)}, in that order; name them with {columns_flag} if not"
        )


def read_table(path: Path, options: ReadOptions, defaults: Sequence[str], columns_flag: str,
               report: ImportReport) -> RawTable:
    """The whole raw table, its warnings and guesses added to ``report``."""

    def whole(source: TableSource, read: ImportReport) -> tuple[RawTable, ImportReport]:
        _warn_headerless(source.head, path, options, columns_flag, read)
        raw = source.whole()
        read.rows_read = len(raw.frame)
        return raw, read

    raw, read = _read(path, options, defaults, whole)
    report.merge(read)
    return raw


def _column(name: str, columns: Sequence[str], flag: str, path: Path) -> str:
    """The file's column a user-given name refers to, or a DataError listing the columns."""
    column = resolve(name, columns)
    if column is None:
        raise DataError(
            f"{flag} names a column that is not in the file; its columns are: "
            f"{', '.join(columns)}", file=path, column=name,
        )
    return column


def find_roles(raw: RawTable, path: Path, flags: Mapping[str, str], required: Sequence[str],
               overrides: Mapping[str, str]) -> dict[str, str]:
    """Role -> column: the overrides, then detection by name; required roles must be found."""
    columns = list(raw.frame.columns)
    unknown = set(overrides) - set(flags)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; expected some of {list(flags)}")
    fixed = {role: _column(name, columns, flags[role], path) for role, name in overrides.items()}
    taken: dict[str, str] = {}
    for role, column in fixed.items():
        if column in taken:
            raise DataError(f"{flags[taken[column]]} and {flags[role]} name the same column",
                            file=path, column=column)
        taken[column] = role
    found = assign_roles(columns, list(flags), fixed)
    for role in required:
        if role not in found and len(columns) == 1 and raw.delimited:
            raise DataError(raw.one_column(), file=path)
        if role not in found:
            raise DataError(
                f"no {role} column found among the columns {', '.join(columns)}; "
                f"name it with {flags[role]} COLUMN", file=path,
            )
    return found


def raise_first_bad(bad: np.ndarray, values: pd.Series, raw: RawTable, column: str,
                    path: Path, what: str, problem: str) -> None:
    """DataError for the first flagged row, quoting its value: ``what 'value' problem``;
    the next few flagged rows and their count come with it, so that a user fixing the file
    sees the extent of the problem at once rather than one row per attempt."""
    if bad.any():
        rows = np.flatnonzero(bad)
        i = int(rows[0])
        raise DataError(f"{what} '{values.iloc[i]}' {problem}", file=path,
                        row=int(raw.lines[i]), column=column,
                        also_rows=[int(raw.lines[r]) for r in rows[1:1 + MORE_ROWS]],
                        rows_in_all=len(rows))


def _numbers(values: pd.Series, present: np.ndarray) -> np.ndarray:
    """float64 of each present cell; NaN where absent or not a finite number.

    numpy's conversion is several times faster than ``pd.to_numeric`` but all-or-nothing,
    so the slow path only runs to find the bad cells of a file that has some.
    """
    try:
        numbers = np.where(present, values.to_numpy(dtype=object), "nan").astype(np.float64)
    except ValueError:
        numbers = pd.to_numeric(values.where(present), errors="coerce").to_numpy(np.float64)
    return np.where(np.isfinite(numbers), numbers, np.nan)


def _guess_formats(first: str) -> list[str]:
    """strptime formats that fit the first date, month-first before day-first; else mixed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' note on dayfirst
        guesses = [guess_datetime_format(first), guess_datetime_format(first, dayfirst=True)]
    return list(dict.fromkeys(g for g in guesses if g)) or ["mixed"]


def check_date_format(date_format: str, path: Path, column: str) -> None:
    """A --date-format pandas cannot compile (``%Q``, a lone ``%``) is the user's mistake.

    pandas only finds out while parsing, with a ValueError (or the ``re.error`` of a code
    given twice) that would escape as a traceback; one tiny parse finds out first.
    """
    try:
        pd.to_datetime(pd.Series(["0"]), format=date_format, errors="coerce")
    except ValueError as exc:
        reason = str(exc)
    except re.error:
        reason = "a % code appears more than once"
    else:
        return
    raise DataError(f"--date-format '{date_format}' is not a valid format: {reason}; "
                    f"{DATE_FORMAT_HINT}", file=path, column=column)


def _in_milliseconds(numbers: np.ndarray) -> bool:
    """Whether numeric times count milliseconds: their median is above 1e11."""
    return bool(np.median(np.abs(numbers)) > MILLISECONDS_ABOVE)


def _seconds(numbers: np.ndarray, millis: bool) -> np.ndarray:
    """Whole Unix seconds (float64) of numeric times; 0 where there is none."""
    return np.floor(np.nan_to_num(numbers) / (1000 if millis else 1))


def _out_of_range(value: str, fmt: str) -> bool:
    """Whether ``value`` is a date in ``fmt`` outside the supported span.

    pandas 3 parses such dates (at a coarser resolution) and :func:`parse_times` checks
    the span; pandas 2 parses in nanoseconds and turns them into NaT, like text that is
    not a date, so a failed row is asked again without coercion to tell the two apart.
    """
    try:
        stamp = pd.to_datetime(pd.Series([value]), format=fmt, utc=True).iloc[0]
    except pd.errors.OutOfBoundsDatetime:
        return True
    except (ValueError, TypeError):
        return False
    return bool(stamp < FIRST_TIME or stamp > LAST_TIME)


def _date_problem(date_format: str | None, fmt: str, first: str) -> str:
    """What is wrong with a date that could not be read, in words a user knows."""
    if date_format:
        return f"does not match --date-format '{date_format}'; {DATE_FORMAT_HINT}"
    if fmt == "mixed":
        return ("is not a date and time in a form that could be recognised; pass its "
                "format with --date-format, e.g. '%d/%m/%Y %H:%M'")
    return (f"does not fit the date format '{fmt}' guessed from the first timestamp "
            f"'{first}'; pass the right --date-format (e.g. '%d/%m/%Y %H:%M')")


class TimeColumn:
    """A time column read chunk by chunk into int64 Unix seconds: numbers (seconds, or
    milliseconds when their median is > 1e11) or date-times.

    Date-times without a zone are taken as UTC. The first time of the file decides
    between numbers and dates and, without ``date_format``, guesses the format; when the
    guess does not fit every row, the day-first reading of that value is tried before the
    first row that fits neither is reported. Every time must lie in the span of
    :data:`FIRST_TIME` to :data:`LAST_TIME`.

    Read as one chunk, this is the whole column's conversion. Across chunks, what depends
    on every row is checked to have come out as it would have: the unit of numbers
    (decided by the first chunk, confirmed on the whole column) and the date format (the
    first that fits the first chunk; one that fails a later chunk might have been passed
    over): else :class:`Unstreamable` sends the file to the one-chunk read.
    """

    def __init__(self, column: str, path: Path, date_format: str | None,
                 report: ImportReport) -> None:
        self.column, self.path, self.date_format, self.report = column, path, date_format, report
        self.first: str | None = None  # the file's first time
        self.formats: list[str] = []  # date formats to try, in order; none for numbers
        self.millis: bool | None = None  # the unit numbers have been checked in
        self.parts: list[np.ndarray] = []  # per chunk: float64 numbers or int64 seconds

    def add(self, values: pd.Series, present: np.ndarray, raw: RawTable) -> None:
        """Check and convert the next chunk's times (``present``: the cells not empty)."""
        if not present.any():
            self.parts.append(np.full(len(values), np.nan))
            return
        if self.first is None:
            self.first = values[present].iloc[0]
            if self.date_format is not None or not is_number(self.first):
                if self.date_format:
                    check_date_format(self.date_format, self.path, self.column)
                self.formats = ([self.date_format] if self.date_format
                                else _guess_formats(self.first))
        add = self._dates if self.formats else self._numbers
        self.parts.append(add(values, present, raw))

    def _numbers(self, values: pd.Series, present: np.ndarray, raw: RawTable) -> np.ndarray:
        """float64 numbers, checked to be times in the unit of the first chunk.

        A number too large for any date (``99999999999999999999999``, or microseconds
        read as milliseconds) would silently wrap around in the int64 cast, so the first
        time outside the supported span is reported instead.
        """
        numbers = _numbers(values, present)
        raise_first_bad(present & np.isnan(numbers), values, raw, self.column, self.path,
                        "timestamp", f"is not a finite number, unlike the first timestamp "
                        f"'{self.first}'; for date strings pass --date-format")
        if self.millis is None:
            self.millis = _in_milliseconds(numbers[present])
            self.report.detected["time_format"] = f"unix {self._unit()}"
        seconds = _seconds(numbers, self.millis)
        outside = present & ((seconds < FIRST_TIME.timestamp())
                             | (seconds > LAST_TIME.timestamp()))
        raise_first_bad(outside, values, raw, self.column, self.path, "timestamp",
                        f"is out of range: read as Unix {self._unit()}, {TIME_RANGE}")
        return numbers

    def _unit(self) -> str:
        return "milliseconds" if self.millis else "seconds"

    def _dates(self, values: pd.Series, present: np.ndarray, raw: RawTable) -> np.ndarray:
        """int64 seconds of date-times in the first format that fits them all."""
        missing = values.where(present)
        attempts = []
        for fmt in self.formats:
            stamps = pd.to_datetime(missing, format=fmt, errors="coerce", utc=True)
            bad = present & stamps.isna().to_numpy()
            attempts.append(bad)
            if not bad.any():
                self.formats = [fmt]
                self.report.detected["time_format"] = fmt
                outside = present & ((stamps < FIRST_TIME) | (stamps > LAST_TIME)).to_numpy()
                raise_first_bad(outside, values, raw, self.column, self.path, "date",
                                f"is out of range: {TIME_RANGE}")
                return ((stamps - _EPOCH) // _SECOND).fillna(0).to_numpy(dtype=np.int64)
        i = int(np.argmax(attempts[0]))
        if _out_of_range(values.iloc[i], self.formats[0]):
            raise_first_bad(attempts[0], values, raw, self.column, self.path, "date",
                            f"is out of range: {TIME_RANGE}")
        raise_first_bad(attempts[0], values, raw, self.column, self.path, "timestamp",
                        _date_problem(self.date_format, self.formats[0], str(self.first)))
        raise AssertionError("a failed attempt has a first bad row")

    def seconds(self) -> np.ndarray:
        """int64 Unix seconds of every row so far (0 where the time is missing)."""
        if self.formats:
            return np.concatenate([np.nan_to_num(part).astype(np.int64) for part in self.parts])
        numbers = np.concatenate(self.parts)
        if _in_milliseconds(numbers[~np.isnan(numbers)]) != self.millis:
            raise Unstreamable("the unit of the times changes along the file", file=self.path,
                               column=self.column)
        return _seconds(numbers, bool(self.millis)).astype(np.int64)


def parse_times(values: pd.Series, present: np.ndarray, raw: RawTable, column: str,
                path: Path, date_format: str | None, report: ImportReport) -> np.ndarray:
    """int64 Unix seconds of a whole time column (see :class:`TimeColumn`)."""
    times = TimeColumn(column, path, date_format, report)
    times.add(values, present, raw)
    return times.seconds()


MISSING = {"user": "missing user", "item": "missing item", "rating": "missing rating",
           "time": "missing timestamp"}
"""Interaction roles whose empty cell drops the row, and the reason the report gives."""


def read_interactions(path: str | Path, options: ReadOptions | None = None) -> InteractionTable:
    """Read a user-item log; rows with an empty user, item, rating or time are dropped."""
    path, options = Path(path), options or ReadOptions()
    return _read(path, options, HEADERLESS_INTERACTIONS,
                 lambda source, report: _interactions(source, path, options, report))


@dataclass
class _Kept:
    """What the chunks read so far keep of their rows, and what they dropped."""

    users: list[pd.Series] = field(default_factory=list)
    items: list[pd.Series] = field(default_factory=list)
    ratings: list[np.ndarray] = field(default_factory=list)
    lines: list[np.ndarray] = field(default_factory=list)
    keep: list[np.ndarray] = field(default_factory=list)
    rows: int = 0
    dropped: Counter[str] = field(default_factory=Counter)


def _interactions(source: TableSource, path: Path, options: ReadOptions,
                  report: ImportReport) -> InteractionTable:
    """Check and convert the log chunk by chunk, keeping only the compact result."""
    _warn_headerless(source.head, path, options, "--columns", report)
    roles = find_roles(source.head, path, INTERACTION_FLAGS, ("user", "item"), options.roles)
    report.detected["roles"] = roles
    times = (TimeColumn(roles["time"], path, options.date_format, report)
             if "time" in roles else None)
    kept = _Kept()
    for raw, last in with_last(source.chunks(list(roles.values()))):
        _keep_rows(raw, roles, path, kept)
        if last and not any(keep.any() for keep in kept.keep):
            raise DataError(f"none of the {kept.rows} rows has all of "
                            f"{', '.join(roles.values())} filled in", file=path)
        if times is not None:
            times.add(raw.frame[roles["time"]], (raw.frame[roles["time"]] != "").to_numpy(),
                      raw)
    report.rows_read = kept.rows
    for reason in MISSING.values():
        report.drop(reason, kept.dropped[reason])
    keep = np.concatenate(kept.keep)
    frame = pd.DataFrame({
        "user": pd.concat(kept.users, ignore_index=True),
        "item": pd.concat(kept.items, ignore_index=True),
        "rating": np.concatenate(kept.ratings),
        "timestamp": (times.seconds()[keep] if times is not None
                      else np.arange(int(keep.sum()), dtype=np.int64)),
        "line": np.concatenate(kept.lines),
    }, copy=False)  # the arrays are new: a copy would only raise the peak
    return InteractionTable(path=path, frame=frame, report=report, has_timestamps="time" in roles)


def _keep_rows(raw: RawTable, roles: Mapping[str, str], path: Path, kept: _Kept) -> None:
    """A chunk's ratings checked, its rows with an empty cell counted and dropped."""
    cells = {role: raw.frame[column] for role, column in roles.items()}
    present = {role: (s != "").to_numpy() for role, s in cells.items()}
    n = len(raw.frame)
    rating = np.ones(n)
    if "rating" in roles:
        rating = _numbers(cells["rating"], present["rating"])
        raise_first_bad(present["rating"] & np.isnan(rating), cells["rating"], raw,
                        roles["rating"], path, "rating", "is not a number")
    keep = np.ones(n, dtype=bool)
    for role, reason in MISSING.items():
        if role in present:
            kept.dropped[reason] += int((keep & ~present[role]).sum())
            keep &= present[role]
    kept.rows += n
    kept.keep.append(keep)
    kept.users.append(cells["user"][keep].reset_index(drop=True))
    kept.items.append(cells["item"][keep].reset_index(drop=True))
    kept.ratings.append(rating[keep])
    kept.lines.append(raw.lines[keep])


def _join(parts: Sequence[pd.Series], sep: str, index: pd.Index) -> pd.Series:
    """Row-wise join of the non-empty values of ``parts`` with ``sep``, vectorised.

    A value already ending a sentence (. ! ?) is not given a second full stop by ". ".
    """
    out = pd.Series("", index=index, dtype="str")
    for part in parts:
        both = (out != "").to_numpy() & (part != "").to_numpy()
        ended = out.str.contains(r"[.!?]$").to_numpy()
        out = out + np.where(both, np.where(ended, sep.lstrip("."), sep), "") + part
    return out


def _is_flag(values: pd.Series) -> bool:
    """A 0/1 column with at least one value: a genre (or tag) flag named by its column."""
    return bool(values.isin(["0", "1", ""]).all() and (values != "").any())


def read_catalogue(path: str | Path, options: ReadOptions | None = None) -> Catalogue:
    """Read an item catalogue: one row per item id, the first row with content winning."""
    path, options = Path(path), options or ReadOptions()
    report = ImportReport()
    raw = read_table(path, options, HEADERLESS_CATALOGUE, "--item-columns", report)
    columns = list(raw.frame.columns)
    single = {role: name for role, name in options.roles.items()
              if role not in MULTI_COLUMN_ROLES}
    roles = find_roles(raw, path, {r: CATALOGUE_FLAGS[r] for r in ("item", "title")},
                       ("item",), single)
    given = {role: [_column(name.strip(), columns, CATALOGUE_FLAGS[role], path)
                    for name in options.roles[role].split(",") if name.strip()]
             for role in MULTI_COLUMN_ROLES if role in options.roles}
    if "text" in given:
        texts = given["text"]
    else:
        texts = [c for c in matching_columns(columns, "text")
                 if c not in roles.values() and c not in given.get("category", [])]
    # category columns: the ones named so, else the text columns with a genre-like name
    categories = given.get("category", [c for c in texts if normalise(c) in GENRE_NAMES])
    texts = [c for c in texts if c not in categories]
    cells = {c: raw.frame[c] for c in columns}
    flags = [c for c in columns if c not in roles.values() and c not in texts
             and c not in categories and _is_flag(cells[c])]
    report.detected["roles"] = {**roles, "text": ",".join(texts),
                                "category": ",".join(categories)}
    report.detected["genre_flags"] = flags
    index = raw.frame.index
    flagged = _join([pd.Series(np.where(cells[c] == "1", c, ""), index=index) for c in flags],
                     "|", index)
    listed = [cells[c].str.replace(r"\s*[|,;]\s*", "|", regex=True).str.strip("|")
              for c in categories]
    genres = _join([*listed, flagged], "|", index)
    prose = [cells[c] for c in texts]
    text = _join([*prose, genres.str.replace("|", ", ")], ". ", index)
    item = cells[roles["item"]]
    title = cells[roles["title"]] if "title" in roles else pd.Series("", index=index, dtype="str")
    empty = ((title == "") & (text == "")).to_numpy()
    for c in texts:
        title = title.where(title != "", cells[c])
    frame = pd.DataFrame({"item": item, "title": title.where(title != "", item), "text": text,
                          "genres": genres, "empty": empty})
    report.drop("missing item", int((item == "").sum()))
    frame = frame[item != ""]
    if frame.empty:
        raise DataError(f"no row has an item id in column '{roles['item']}'", file=path)
    order = frame["item"].drop_duplicates()
    report.drop("duplicate item", len(frame) - len(order))
    frame = (frame.sort_values("empty", kind="stable").drop_duplicates("item")
             .set_index("item").loc[order].reset_index().drop(columns="empty"))
    return Catalogue(path=path, frame=frame, report=report)


def link_catalogue(table: InteractionTable, catalogue: Catalogue,
                   unknown_items: str = "keep") -> InteractionTable:
    """Report interactions whose item the catalogue lacks; keep or drop them.

    The returned table shares ``table.report``, so the warning and any drop are recorded
    where the rest of the interactions' history is.
    """
    if unknown_items not in ("keep", "drop"):
        raise ValueError(f"unknown_items must be 'keep' or 'drop', not {unknown_items!r}")
    frame = table.frame
    known = frame["item"].isin(catalogue.frame["item"]).to_numpy()
    n = int((~known).sum())
    if not n:
        return table
    first = frame[~known].iloc[0]
    distinct = frame.loc[~known, "item"].nunique()
    action = "kept" if unknown_items == "keep" else "dropped"
    table.report.warn(
        f"{n} interactions ({distinct} items) refer to items not in the catalogue "
        f"{catalogue.path.name}, first on line {first['line']} of {table.path.name} "
        f"(item '{first['item']}'); {action}"
    )
    if unknown_items == "keep":
        return table
    if not known.any():
        raise DataError(
            f"no interaction refers to an item of the catalogue {catalogue.path.name}; "
            "check which columns hold the item ids", file=table.path,
        )
    table.report.drop("item not in catalogue", n)
    return dataclasses.replace(table, frame=frame[known].reset_index(drop=True))


def _genre_names(path: Path) -> list[str]:
    """Genre names of MovieLens' ``u.genre`` (``name|index`` lines), in flag order."""
    raw = read_raw(path, sep="|", header=False, columns=["genre", "index"], encoding="latin-1",
                   default_names=(), report=ImportReport())
    return [name for name in raw.frame["genre"].str.strip() if name]


def read_movielens(folder: str | Path) -> tuple[InteractionTable, Catalogue]:
    """MovieLens 100K layout: ``u.data`` ratings, ``u.item`` movies, ``u.genre`` names.

    The catalogue's genres come from the 19 flag columns of ``u.item``; its text is the
    title, the release date and the genre names.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError("is not a MovieLens folder (expected u.data, u.item and u.genre)",
                        file=folder)
    genres = _genre_names(folder / "u.genre")
    table = read_interactions(folder / "u.data", ReadOptions(
        sep="\t", header=False, columns=list(HEADERLESS_INTERACTIONS)))
    catalogue = read_catalogue(folder / "u.item", ReadOptions(
        sep="|", header=False, encoding="latin-1",
        columns=["item", "title", "release_date", "video_release_date", "imdb_url", *genres],
        roles={"item": "item", "title": "title", "text": "title,release_date"}))
    return table, catalogue
