"""How far a dataset has moved since a model's last full fit, and when to retrain.

An update (:func:`engine.pipeline.execute.update_fitted`) keeps what a model learned and
folds in what is new; that approximation degrades as the data drifts away from what the
model was fitted on. :func:`measure_change` compares the dataset of the last full fit
with the current one row by row; :class:`Drift` is the part of it a stored run can tell
from sizes alone, and says when a full retrain is due (:data:`RETRAIN_SHARE`), so that a
caller can offer one, e.g. in the background while the updated model keeps serving.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.dataset import Dataset
from engine.models.base import HistoryStamp, fold_hash

#: Offer a full retrain once the interactions added since the last full fit exceed this
#: share of the ones it was fitted on, or the new items this share of its items: the
#: largest growth at which the replay benchmark measured updates within noise of a full
#: retrain (bench/results/incremental_ml100k.md); past it a retrain is the safe offer.
RETRAIN_SHARE = 0.2


@dataclass(frozen=True)
class Drift:
    """Growth since a model's last full fit, as shares of what it was fitted on."""

    interactions: float  # added interactions per interaction of the fit
    items: float  # added items per item of the fit

    @classmethod
    def between(cls, fitted_on: tuple[int, int], now: tuple[int, int]) -> "Drift":
        """From (interactions, items) at the fit and now."""
        return cls((now[0] - fitted_on[0]) / max(fitted_on[0], 1),
                   (now[1] - fitted_on[1]) / max(fitted_on[1], 1))

    def exceeds(self, threshold: float = RETRAIN_SHARE) -> bool:
        """More new interactions, or more new items, than ``threshold`` of the old ones."""
        return max(self.interactions, self.items) > threshold

    @property
    def retrain_advised(self) -> bool:
        return self.exceeds(RETRAIN_SHARE)

    def describe(self) -> str:
        return (f"{self.interactions:.1%} more interactions and {self.items:.1%} more items "
                "than at the last full fit")


@dataclass(frozen=True)
class Change:
    """How far a dataset has moved since another version of it (the last full fit's)."""

    interactions_before: int
    interactions_added: int  # rows of the new version that the old one lacks
    interactions_removed: int  # rows of the old version that are gone (replaced repeats)
    users_before: int
    users_added: int
    users_changed: int  # users whose sequence differs, new users included
    items_before: int
    items_added: int

    @property
    def interaction_share(self) -> float:
        """Added interactions per interaction of the old version."""
        return self.interactions_added / max(self.interactions_before, 1)

    @property
    def item_share(self) -> float:
        """New items per item of the old version."""
        return self.items_added / max(self.items_before, 1)

    @property
    def drift(self) -> Drift:
        return Drift(self.interaction_share, self.item_share)

    def to_dict(self) -> dict[str, float]:
        return {**{k: v for k, v in vars(self).items()},
                "interaction_share": self.interaction_share, "item_share": self.item_share}


def measure_change(before: Dataset, after: Dataset) -> Change:
    """What ``after`` (a grown version of ``before``) adds to it.

    Pass the dataset the model was last *fully* fitted on as ``before``: updates in
    between do not reset the drift that :attr:`Change.drift` judges.
    """
    if (after.n_users < before.n_users or after.n_items < before.n_items
            or not np.array_equal(after.user_ids[:before.n_users], before.user_ids)
            or not np.array_equal(after.item_ids[:before.n_items], before.item_ids)):
        raise ValueError("measure_change needs a grown version of the same dataset "
                         "(existing users and items at the same indices)")
    old, new = _row_hashes(before), _row_hashes(after)
    stamp = HistoryStamp.of(before.history())
    return Change(
        interactions_before=before.n_interactions,
        interactions_added=int((~np.isin(new, old)).sum()),
        interactions_removed=int((~np.isin(old, new)).sum()),
        users_before=before.n_users, users_added=after.n_users - before.n_users,
        users_changed=len(stamp.changed_users(after.history())),
        items_before=before.n_items, items_added=after.n_items - before.n_items,
    )


def _row_hashes(dataset: Dataset) -> np.ndarray:
    return fold_hash(dataset.user, dataset.item, dataset.timestamp, dataset.weight)
