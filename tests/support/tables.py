"""Small builders shared by the tests: tables and datasets made in memory."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from engine.data.importer import Catalogue, InteractionTable
from engine.data.report import ImportReport


def table(rows: list[tuple], has_timestamps: bool = True) -> InteractionTable:
    """Interactions from (user, item, rating, timestamp) tuples, lines numbered from 2."""
    frame = pd.DataFrame(rows, columns=["user", "item", "rating", "timestamp"])
    frame["user"] = frame["user"].astype(str)
    frame["item"] = frame["item"].astype(str)
    frame["rating"] = frame["rating"].astype(float)
    frame["timestamp"] = frame["timestamp"].astype("int64")
    frame["line"] = range(2, len(frame) + 2)
    report = ImportReport(rows_read=len(frame))
    return InteractionTable(Path("test.csv"), frame, report, has_timestamps)


def catalogue(rows: list[tuple[str, str, str, str]]) -> Catalogue:
    """Catalogue from (item, title, text, genres) tuples."""
    frame = pd.DataFrame(rows, columns=["item", "title", "text", "genres"])
    return Catalogue(Path("items.csv"), frame, ImportReport(rows_read=len(frame)))

