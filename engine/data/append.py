"""Grow a dataset with new interactions, keeping every existing user's and item's index.

A deployed recommender sees new interactions all the time; refitting every model for
each batch is slow, while most of what the models learned still holds. So new
interactions are appended (existing users and items keep their indices, new ones come
at the end) and a fitted model is refreshed for the grown dataset
(:func:`engine.pipeline.execute.update_fitted`); :mod:`engine.pipeline.drift` says when
the growth calls for a full retrain instead.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from engine.core.errors import DataError
from engine.data.dataset import Dataset
from engine.data.importer import Catalogue
from engine.data.preprocess import catalogue_text, deduplicate, id_strings, natural_sort

AppendDedupe = Literal["latest", "none"]


def append_interactions(
    dataset: Dataset,
    user_ids: Sequence[str] | np.ndarray,
    item_ids: Sequence[str] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    timestamps: Sequence[int] | np.ndarray | None = None,
    catalogue: Catalogue | None = None,
    dedupe: AppendDedupe = "latest",
) -> Dataset:
    """The dataset grown by new interactions; the input is left unchanged.

    Existing users and items keep their indices; new users and items (also catalogue
    items nobody has taken yet) are appended after them in natural id order. Rows are
    sorted again by (user, time); on equal times old rows come first, then the new ones
    in the given order. ``weights`` are on the dataset's scale, in (0, 1] (the importer
    divides ratings by the file's maximum; do the same for new ratings), 1 by default.
    ``timestamps`` (Unix seconds) are required when the dataset has times; without
    them the new rows continue the file order. ``catalogue`` gives titles, texts and
    genres of new items (its rows for existing items are ignored: their text stays).
    ``dedupe="latest"`` keeps only the latest of a user's repeated item, as the
    importer does by default; ``"none"`` keeps every row.
    """
    users = id_strings(user_ids)
    items = id_strings(item_ids)
    n = len(users)
    weights = _new_weights(weights, n)
    timestamps = _new_timestamps(dataset, timestamps, n)
    if len(items) != n:
        raise DataError(f"{n} user ids but {len(items)} item ids: one of each per interaction")
    if dedupe not in ("latest", "none"):
        raise ValueError(f"dedupe must be 'latest' or 'none', not {dedupe!r} (a sum would "
                         "change the scale of existing weights)")
    catalogue_ids = ([] if catalogue is None
                     else id_strings(catalogue.frame["item"]))
    user_ids_all = _grown_ids(dataset.user_ids, users)
    item_ids_all = _grown_ids(dataset.item_ids, np.concatenate([items, catalogue_ids]))
    user_codes = _codes(user_ids_all, users)
    item_codes = _codes(item_ids_all, items)

    user = np.concatenate([dataset.user, user_codes]).astype(np.int32)
    item = np.concatenate([dataset.item, item_codes]).astype(np.int32)
    weight = np.concatenate([dataset.weight, weights]).astype(np.float32)
    timestamp = np.concatenate([dataset.timestamp, timestamps]).astype(np.int64)
    order = np.lexsort((np.arange(len(user)), timestamp, user))
    report = copy.deepcopy(dataset.report)
    report.rows_read += n
    frame = pd.DataFrame({"user": user[order], "item": item[order], "rating": weight[order]})
    kept = order[deduplicate(frame, "latest", report).index.to_numpy()
                 if dedupe == "latest" else np.arange(len(order))]

    titles, texts, genres = catalogue_text(item_ids_all[dataset.n_items:], catalogue)
    return Dataset(
        user_ids=user_ids_all, item_ids=item_ids_all,
        user=user[kept], item=item[kept], weight=weight[kept], timestamp=timestamp[kept],
        titles=np.concatenate([dataset.titles, titles]),
        texts=np.concatenate([dataset.texts, texts]),
        genres=list(dataset.genres) + genres,
        has_timestamps=dataset.has_timestamps, name=dataset.name, report=report,
    )


def _new_weights(weights: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n, dtype=np.float32)
    weights = np.asarray(weights, dtype=np.float64)
    if len(weights) != n:
        raise DataError(f"{n} interactions but {len(weights)} weights")
    bad = ~(np.isfinite(weights) & (weights > 0) & (weights <= 1))
    if bad.any():
        raise DataError(f"weights must be in (0, 1] (ratings divided by the maximum rating); "
                        f"interaction {int(np.flatnonzero(bad)[0])} has {weights[bad][0]!r}")
    return weights.astype(np.float32)


def _new_timestamps(dataset: Dataset, timestamps: Sequence[int] | np.ndarray | None,
                    n: int) -> np.ndarray:
    if timestamps is None:
        if dataset.has_timestamps:
            raise DataError("this dataset has timestamps: new interactions need them too")
        return dataset.timestamp.max(initial=-1) + 1 + np.arange(n, dtype=np.int64)
    timestamps = np.asarray(timestamps, dtype=np.int64)
    if len(timestamps) != n:
        raise DataError(f"{n} interactions but {len(timestamps)} timestamps")
    return timestamps


def _grown_ids(known: np.ndarray, incoming: np.ndarray) -> np.ndarray:
    """``known`` followed by the ids of ``incoming`` it lacks, in natural order."""
    fresh = pd.unique(pd.Series(incoming, dtype=object))
    fresh = fresh[~pd.Series(fresh).isin(known).to_numpy()]
    return np.concatenate([np.asarray(known, dtype=object),
                           natural_sort(np.asarray(fresh, dtype=object))])


def _codes(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of every value in ``ids`` (all present)."""
    return pd.Categorical(values, categories=ids).codes.astype(np.int32)
