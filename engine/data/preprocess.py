"""From imported tables to a :class:`~engine.data.dataset.Dataset`.

The design document's cleaning (drop missing values, drop ratings <= 0, normalise
ratings by the maximum) plus what practitioners need: de-duplication, an implicit
threshold, an iterated k-core filter, chronological order per user that keeps file order
on ties, and integer id maps both ways. Every dropped row is counted in the report.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from engine.core.errors import DataError
from engine.data.dataset import Dataset
from engine.data.importer import Catalogue, InteractionTable
from engine.data.report import ImportReport

Dedupe = Literal["latest", "sum", "none"]


@dataclass(frozen=True)
class PreprocessOptions:
    """How raw interactions become training data; stored with every run for reproducibility."""

    dedupe: Dedupe = "latest"  # repeated (user, item): keep the latest, sum weights, or keep all
    min_rating: float | None = None  # implicit threshold on the raw scale (keep rating >= it)
    kcore: int = 0  # every user and item keeps at least this many interactions (0 = off)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def build_dataset(
    table: InteractionTable,
    catalogue: Catalogue | None = None,
    options: PreprocessOptions = PreprocessOptions(),
    name: str = "dataset",
) -> Dataset:
    """Clean ``table``, attach ``catalogue`` and index everything with dense integer ids."""
    report = ImportReport()
    report.merge(table.report)
    if catalogue is not None:
        report.merge_catalogue(catalogue.report)
    frame = table.frame
    frame = _drop(frame, frame[["user", "item", "rating", "timestamp"]].isna().any(axis=1),
                  "missing value", report)
    frame = _drop(frame, frame["rating"] <= 0, "rating <= 0", report)
    if options.min_rating is not None:
        frame = _drop(frame, frame["rating"] < options.min_rating,
                      f"rating below threshold {options.min_rating:g}", report)
    frame = frame.sort_values(["user", "timestamp", "line"], kind="stable")
    frame = deduplicate(frame, options.dedupe, report)
    if options.kcore > 1:
        frame = _kcore(frame, options.kcore, report)
    if frame.empty:
        raise DataError("no interactions are left after preprocessing; see the import report:\n"
                        + "\n".join(report.lines()), file=table.path)
    weight = frame["rating"].to_numpy(np.float64)
    report.detected["rating_max"] = float(weight.max())  # the scale, for later appends
    # A positive rating keeps a positive weight: one below 1e-45 of the maximum would
    # round to 0 in float32, which models read as no interaction and appends refuse.
    weight = np.maximum(weight / weight.max(), np.finfo(np.float32).smallest_subnormal)
    weight = weight.astype(np.float32)

    user_ids = natural_sort(frame["user"].unique())
    cold = _cold_items(table, catalogue)
    item_ids = natural_sort(np.concatenate([frame["item"].unique(), cold]))
    user_codes = pd.Categorical(frame["user"], categories=user_ids).codes.astype(np.int32)
    item_codes = pd.Categorical(frame["item"], categories=item_ids).codes.astype(np.int32)
    # Sorting by internal user id (stable) keeps each user's chronological order.
    order = np.argsort(user_codes, kind="stable")
    titles, texts, genres = catalogue_text(item_ids, catalogue)
    return Dataset(
        user_ids=user_ids, item_ids=item_ids,
        user=user_codes[order], item=item_codes[order], weight=weight[order],
        timestamp=frame["timestamp"].to_numpy(np.int64)[order],
        titles=titles, texts=texts, genres=genres,
        has_timestamps=table.has_timestamps, name=name, report=report,
    )


def _drop(frame: pd.DataFrame, mask: pd.Series, reason: str, report: ImportReport) -> pd.DataFrame:
    report.drop(reason, int(mask.sum()))
    return frame[~mask] if mask.any() else frame


def deduplicate(frame: pd.DataFrame, how: Dedupe, report: ImportReport) -> pd.DataFrame:
    """Collapse repeated (user, item) pairs onto the latest occurrence (frame is chronological)."""
    if how == "none":
        return frame
    repeated = frame.duplicated(["user", "item"], keep="last")
    if not repeated.any():
        return frame
    if how == "sum":
        totals = frame.groupby(["user", "item"], sort=False)["rating"].transform("sum")
        frame = frame.assign(rating=totals)
        return _drop(frame, repeated, "duplicate (summed into the latest)", report)
    if how == "latest":
        return _drop(frame, repeated, "duplicate (kept the latest)", report)
    raise ValueError(f"dedupe must be 'latest', 'sum' or 'none', not {how!r}")


def _kcore(frame: pd.DataFrame, k: int, report: ImportReport) -> pd.DataFrame:
    """Remove users and items with fewer than ``k`` interactions until none is left."""
    while True:
        user_counts = frame["user"].map(frame["user"].value_counts())
        item_counts = frame["item"].map(frame["item"].value_counts())
        weak = (user_counts < k) | (item_counts < k)
        if not weak.any():
            return frame
        frame = _drop(frame, weak, f"{k}-core filter", report)


#: Ids up to this many characters are compared as numpy strings, which is fast; longer
#: ones as Python strings (see :func:`id_strings`).
FIXED_WIDTH_IDS = 256


def id_strings(values: Sequence[object] | np.ndarray) -> np.ndarray:
    """The values as an object array of Python strings.

    Not numpy's fixed-width strings: those give every value the longest one's width, so a
    single id of a million characters (a quote never closed in the file) among 100,000
    would need 400 GB and fail with a MemoryError instead of being read.
    """
    return np.fromiter(map(str, values), dtype=object, count=len(values))


def natural_sort(ids: np.ndarray) -> np.ndarray:
    """Numeric order when every id is an integer (MovieLens 1..1682 -> 0..1681), else text order."""
    ids = np.asarray(ids, dtype=object)
    texts = id_strings(ids)
    if max(map(len, texts), default=0) <= FIXED_WIDTH_IDS:
        texts = texts.astype(str)  # the same order, several times faster to sort
    numeric = pd.to_numeric(pd.Series(ids), errors="coerce")
    if len(ids) and numeric.notna().all() and (numeric % 1 == 0).all():
        order = np.lexsort((texts, numeric.to_numpy()))
    else:
        order = np.argsort(texts, kind="stable")
    return ids[order]


def _cold_items(table: InteractionTable, catalogue: Catalogue | None) -> np.ndarray:
    """Catalogue items nobody interacted with in the file: they stay recommendable by text."""
    if catalogue is None:
        return np.empty(0, dtype=object)
    known = set(table.frame["item"].unique())
    return np.asarray([i for i in catalogue.frame["item"] if i not in known], dtype=object)


def catalogue_text(item_ids: np.ndarray, catalogue: Catalogue | None
               ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, ...]]]:
    """Titles, texts and genres aligned with the internal item index (id when unknown)."""
    titles = id_strings(item_ids)
    texts = np.full(len(item_ids), "", dtype=object)
    genres: list[tuple[str, ...]] = [()] * len(item_ids)
    if catalogue is None:
        return titles, texts, genres
    cat = catalogue.frame.set_index("item").reindex(item_ids)
    present = cat["title"].notna().to_numpy()
    titles[present] = cat["title"].to_numpy(object)[present]
    texts[present] = cat["text"].fillna("").to_numpy(object)[present]
    genre_col = cat["genres"].fillna("").to_numpy(object)
    genres = [tuple(g for g in str(s).split("|") if g) for s in genre_col]
    return titles, texts, genres
