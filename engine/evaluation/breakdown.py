"""A run's metrics broken down: by the length of the users' training history, and per
component of a composite model (a fusion's parts measured on their own, as fitted
inside it), so a run says where it is strong and what fusing gained."""
from __future__ import annotations

import numpy as np

from engine.data.split import Split
from engine.evaluation.evaluate import evaluate, measured_users
from engine.models.base import Composite, Recommender

#: Training-history lengths of the accuracy-by-history-length breakdown: (first, last).
HISTORY_BUCKETS = ((1, 4), (5, 9), (10, 19), (20, 49), (50, None))


def component_metrics(model: Recommender, split: Split, ks: tuple[int, ...],
                      vectors: np.ndarray | None) -> dict[str, dict[str, float]]:
    """A composite's (fusion's) components measured on their own, as fitted inside it, as
    phases named ``component <name>: test`` (and ``: valid``); nothing for other models.
    A run then says what fusing them gained, at the cost of scoring each component once
    more."""
    parts = model.fitted_components if isinstance(model, Composite) else {}
    out = {}
    for name, part in parts.items():
        out[f"component {name}: test"] = evaluate(part, split, "test", ks, vectors=vectors)
        if len(split.valid_targets):
            out[f"component {name}: valid"] = evaluate(part, split, "valid", ks,
                                                       vectors=vectors)
    return out


def by_history_length(model: Recommender, split: Split, ks: tuple[int, ...],
                      vectors: np.ndarray | None) -> dict[str, dict[str, float]]:
    """Test metrics per bucket of training-history length, as phases named
    ``test: history 1-4`` ... ``test: history 50+`` (with the number of ``users``),
    over the users the test phase measures."""
    users = measured_users(split, "test")
    lengths = split.train.lengths[users]
    out = {}
    for first, last in HISTORY_BUCKETS:
        chosen = users[(lengths >= first) & (lengths <= (last or np.inf))]
        if len(chosen):
            label = f"{first}-{last}" if last else f"{first}+"
            out[f"test: history {label}"] = {
                **evaluate(model, split, "test", ks, vectors=vectors, users=chosen),
                "users": float(len(chosen))}
    return out
