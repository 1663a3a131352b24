"""Per-user lists as a long table (user, rank, item, title, score), scored in user batches
by a :class:`~engine.pipeline.compute.Compute`: what ``recommend`` writes without storing
a run."""
from __future__ import annotations

import numpy as np
import pandas as pd

from engine.core.errors import DataError
from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.dataset import Dataset
from engine.models.base import Recommender
from engine.pipeline.compute import LOCAL, Compute


def user_indices(dataset: Dataset, users: list[str] | None) -> np.ndarray:
    """Internal ids of the given user ids (all users for None); unknown ids are an error."""
    if users is None:
        return np.arange(dataset.n_users)
    unknown = [u for u in users if u not in dataset.user_index]
    if unknown:
        raise DataError(f"unknown user id(s): {', '.join(unknown[:5])}"
                        + (" ..." if len(unknown) > 5 else ""))
    return np.array([dataset.user_index[u] for u in users], dtype=np.int64)


def recommendation_lists(model: Recommender, dataset: Dataset, k: int,
                         users: list[str] | None = None, task: Task | None = None,
                         compute: Compute = LOCAL) -> pd.DataFrame:
    """Top-``k`` per user (items the user has are excluded) as a long table with titles,
    the users scored by ``compute``."""
    index = user_indices(dataset, users)
    if task is not None:
        task.begin(Stage.RECOMMEND)
    scored = compute.score(model, index, dataset.history(), k, task=task, details=False)
    n = scored.items.shape[1]
    items = scored.items.astype(np.int64).ravel()
    lists = pd.DataFrame({
        "user": np.repeat(dataset.user_ids[index], n),
        "rank": np.tile(np.arange(1, n + 1), len(index)),
        "item": dataset.item_ids[items],
        "title": dataset.titles[items],
        "score": scored.scores.ravel(),
    })
    return lists[np.isfinite(lists["score"])]  # a user who has seen almost everything
