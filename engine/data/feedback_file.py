"""Reading feedback from a file: one event per row, user, item, feedback and (optionally)
when it was given, e.g. exported from a survey or a web shop's "hide this" button.

The file goes through the same reader as interaction logs (delimiter, header, encoding
and time format detected; every problem named by file, row and column), and the
feedback words are read generously: "like", "liked", "+1", "thumbs up" are likes;
"dislike", "-1", "thumbs down" dislikes; "not interested", "hide", "skip" the third kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engine.core.errors import DataError
from engine.data.feedback import DISLIKE, LIKE, NOT_INTERESTED
from engine.data.importer import ReadOptions, find_roles, parse_times, raise_first_bad, read_table
from engine.data.report import ImportReport
from engine.data.roles import normalise

#: Command-line flags naming each column.
FEEDBACK_FLAGS = {"user": "--user-col", "item": "--item-col", "time": "--time-col"}
FEEDBACK_COLUMN_FLAG = "--feedback-col"
#: The column order assumed for a file without a header row.
HEADERLESS_FEEDBACK = ("user", "item", "feedback", "time")
#: Column names that hold the feedback word (normalised).
FEEDBACK_NAMES = ("feedback", "kind", "action", "reaction", "label", "signal", "event",
                  "eventtype", "type", "vote", "opinion", "response")
#: Normalised feedback words and what they mean.
WORDS = {
    **dict.fromkeys(("like", "liked", "likes", "1", "+1", "up", "thumbsup", "yes", "love",
                     "positive"), LIKE),
    **dict.fromkeys(("dislike", "disliked", "dislikes", "-1", "down", "thumbsdown", "no",
                     "negative"), DISLIKE),
    **dict.fromkeys(("notinterested", "notinterest", "hide", "hidden", "skip", "skipped",
                     "dismiss", "dismissed", "0"), NOT_INTERESTED),
}


@dataclass
class FeedbackTable:
    """user, item, kind (str), timestamp (int64 Unix s, or -1 when the file has none) and
    line (int64) per row."""

    path: Path
    frame: pd.DataFrame
    report: ImportReport
    has_timestamps: bool


def _word(value: str) -> str:
    """Normalised, keeping a leading sign ("+1" and "-1" differ).

    The sign is looked up as a whole character: ``"" in "+-"`` is true, and a quoted
    blank value (``" "``, not stripped) is empty here.
    """
    value = value.strip()
    sign = value[:1] if value[:1] in ("+", "-") else ""
    return sign + normalise(value)


def read_feedback(path: str | Path, options: ReadOptions | None = None,
                  feedback_col: str | None = None) -> FeedbackTable:
    """Read a feedback file; any unreadable row fails the whole file with its position."""
    path, options = Path(path), options or ReadOptions()
    report = ImportReport()
    raw = read_table(path, options, HEADERLESS_FEEDBACK, "--columns", report)
    roles = find_roles(raw, path, FEEDBACK_FLAGS, ("user", "item"), options.roles)
    columns = [c for c in raw.frame.columns if c not in roles.values()]
    if feedback_col is not None:
        column = next((c for c in raw.frame.columns if normalise(c) == normalise(feedback_col)),
                      None)
        if column is None:
            raise DataError(f"{FEEDBACK_COLUMN_FLAG} names a column that is not in the file; "
                            f"its columns are: {', '.join(raw.frame.columns)}", file=path,
                            column=feedback_col)
    else:
        named = [c for c in columns if normalise(c) in FEEDBACK_NAMES]
        if not named:
            raise DataError(f"no feedback column found among the columns "
                            f"{', '.join(raw.frame.columns)}; name it with "
                            f"{FEEDBACK_COLUMN_FLAG} COLUMN", file=path)
        column = named[0]
    roles["feedback"] = column
    report.detected["roles"] = roles
    cells = {role: raw.frame[c] for role, c in roles.items()}
    for role in ("user", "item", "feedback"):
        raise_first_bad((cells[role] == "").to_numpy(), cells[role], raw, roles[role], path,
                        role, "is empty; every row needs a user, an item and a feedback")
    kinds = cells["feedback"].map(lambda v: WORDS.get(_word(v), ""))
    raise_first_bad((kinds == "").to_numpy(), cells["feedback"], raw, column, path,
                    "feedback", "is not one of like, dislike or not interested (or +1, -1, "
                    "hide)")
    if "time" in roles:
        present = (cells["time"] != "").to_numpy()
        raise_first_bad(~present, cells["time"], raw, roles["time"], path, "timestamp",
                        "is empty; give every row a time or leave the column out")
        timestamp = parse_times(cells["time"], present, raw, roles["time"], path,
                                options.date_format, report)
    else:
        timestamp = np.full(len(raw.frame), -1, dtype=np.int64)
    frame = pd.DataFrame({"user": cells["user"].to_numpy(), "item": cells["item"].to_numpy(),
                          "kind": kinds.to_numpy(), "timestamp": timestamp,
                          "line": raw.lines})
    return FeedbackTable(path, frame, report, "time" in roles)
