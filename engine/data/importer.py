"""Interaction logs and item catalogues: from delimited files to clean, typed tables.

:mod:`engine.data.sniff` turns a file into named string columns; this module decides which
column is the user, the item, the rating, the time, the title and the text
(:mod:`engine.data.roles`), converts them vectorised, and accounts for every row it does not
keep in the :class:`ImportReport`. Empty cells are not errors (the row is dropped and
counted by reason); a value that cannot be what its column says is, and the
:class:`DataError` names the file, the line, the column and the value.
"""
from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from engine.core.errors import DataError
from engine.data.report import ImportReport
from engine.data.roles import GENRE_NAMES, assign_roles, matching_columns, normalise, resolve
from engine.data.sniff import RawTable, is_number, read_raw

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


def read_table(path: Path, options: ReadOptions, defaults: Sequence[str], columns_flag: str,
               report: ImportReport) -> RawTable:
    """The raw table; without header and names, the assumed column order is a warning."""
    raw = read_raw(path, sep=options.sep, header=options.header, columns=options.columns,
                   encoding=options.encoding, default_names=defaults, report=report)
    report.rows_read = len(raw.frame)
    if not raw.header and options.columns is None:
        report.warn(
            f"{path.name} has no header row: assumed the columns are "
            f"{', '.join(raw.frame.columns)}, in that order; name them with {columns_flag} if not"
        )
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
        if role not in found and len(columns) == 1:
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


def _unix_seconds(values: pd.Series, present: np.ndarray, raw: RawTable, column: str,
                  path: Path, report: ImportReport) -> np.ndarray:
    """int64 Unix seconds of numeric timestamps: seconds, or milliseconds when > 1e11.

    A number too large for any date (``99999999999999999999999``, or microseconds read
    as milliseconds) would silently wrap around in the int64 cast, so the first time
    outside the supported span is reported instead.
    """
    first = values[present].iloc[0]
    numbers = _numbers(values, present)
    raise_first_bad(present & np.isnan(numbers), values, raw, column, path, "timestamp",
                    f"is not a finite number, unlike the first timestamp '{first}'; for "
                    "date strings pass --date-format")
    millis = np.median(np.abs(numbers[present])) > MILLISECONDS_ABOVE
    unit = "milliseconds" if millis else "seconds"
    report.detected["time_format"] = f"unix {unit}"
    seconds = np.floor(np.nan_to_num(numbers) / (1000 if millis else 1))
    outside = present & ((seconds < FIRST_TIME.timestamp()) | (seconds > LAST_TIME.timestamp()))
    raise_first_bad(outside, values, raw, column, path, "timestamp",
                    f"is out of range: read as Unix {unit}, {TIME_RANGE}")
    return seconds.astype(np.int64)


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


def parse_times(values: pd.Series, present: np.ndarray, raw: RawTable, column: str,
                path: Path, date_format: str | None, report: ImportReport) -> np.ndarray:
    """int64 Unix seconds: numbers (seconds, or milliseconds when > 1e11) or date-times.

    Date-times without a zone are taken as UTC. Without ``date_format`` the format is
    guessed from the first value; when it does not fit every row, the day-first reading
    of that value is tried before the first row that fits neither is reported. Every
    time must lie in the span of :data:`FIRST_TIME` to :data:`LAST_TIME`.
    """
    first = values[present].iloc[0]
    if date_format is None and is_number(first):
        return _unix_seconds(values, present, raw, column, path, report)
    if date_format:
        check_date_format(date_format, path, column)
    formats = [date_format] if date_format else _guess_formats(first)
    missing = values.where(present)
    attempts = []
    for fmt in formats:
        stamps = pd.to_datetime(missing, format=fmt, errors="coerce", utc=True)
        bad = present & stamps.isna().to_numpy()
        attempts.append(bad)
        if not bad.any():
            report.detected["time_format"] = fmt
            outside = present & ((stamps < FIRST_TIME) | (stamps > LAST_TIME)).to_numpy()
            raise_first_bad(outside, values, raw, column, path, "date",
                            f"is out of range: {TIME_RANGE}")
            return ((stamps - _EPOCH) // _SECOND).fillna(0).to_numpy(dtype=np.int64)
    i = int(np.argmax(attempts[0]))
    if _out_of_range(values.iloc[i], formats[0]):
        raise_first_bad(attempts[0], values, raw, column, path, "date",
                        f"is out of range: {TIME_RANGE}")
    raise_first_bad(attempts[0], values, raw, column, path, "timestamp",
                    _date_problem(date_format, formats[0], first))
    raise AssertionError("a failed attempt has a first bad row")


def read_interactions(path: str | Path, options: ReadOptions | None = None) -> InteractionTable:
    """Read a user-item log; rows with an empty user, item, rating or time are dropped."""
    path, options = Path(path), options or ReadOptions()
    report = ImportReport()
    raw = read_table(path, options, HEADERLESS_INTERACTIONS, "--columns", report)
    roles = find_roles(raw, path, INTERACTION_FLAGS, ("user", "item"), options.roles)
    report.detected["roles"] = roles
    cells = {role: raw.frame[column] for role, column in roles.items()}
    present = {role: (s != "").to_numpy() for role, s in cells.items()}
    n = len(raw.frame)
    rating = np.ones(n)
    if "rating" in roles:
        rating = _numbers(cells["rating"], present["rating"])
        raise_first_bad(present["rating"] & np.isnan(rating), cells["rating"], raw,
                        roles["rating"], path, "rating", "is not a number")
    keep = np.ones(n, dtype=bool)
    reasons = {"user": "missing user", "item": "missing item", "rating": "missing rating",
               "time": "missing timestamp"}
    for role, reason in reasons.items():
        if role in present:
            report.drop(reason, int((keep & ~present[role]).sum()))
            keep &= present[role]
    if not keep.any():
        raise DataError(f"none of the {n} rows has all of {', '.join(roles.values())} filled in",
                        file=path)
    if "time" in roles:
        timestamp = parse_times(cells["time"], present["time"], raw, roles["time"], path,
                           options.date_format, report)[keep]
    else:
        timestamp = np.arange(int(keep.sum()), dtype=np.int64)
    frame = pd.DataFrame({
        "user": cells["user"][keep].reset_index(drop=True),
        "item": cells["item"][keep].reset_index(drop=True),
        "rating": rating[keep],
        "timestamp": timestamp,
        "line": raw.lines[keep],
    })
    return InteractionTable(path=path, frame=frame, report=report, has_timestamps="time" in roles)


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
