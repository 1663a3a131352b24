"""One pipeline run: split, fit, evaluate, then lists and profiles for every user.

The result is computed entirely in memory and handed over whole: storage writes it in one
transaction, so a cancelled or crashed run leaves no half-written records. Models are
fitted on the training part of the split (the validation targets are only used for early
stopping and fusion weights); the lists are then made from each user's full history,
the way a deployed recommender folds in what it saw after training.

Feedback given on earlier lists (:class:`~engine.data.feedback.TrainingSignal`) trains the
next run: likes are extra interactions in the training history and in the history the
lists are made from (the held-out events of the evaluation stay as they were logged),
and refused items are kept out of the lists. The fitted model stays with the result, so
the window can re-rank a user's list at once when they give more feedback.
"""
from __future__ import annotations

import numpy as np

from engine.data.split import Split
from engine.evaluation.evaluate import evaluate
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
    ``test: history 1-4`` ... ``test: history 50+`` (with the number of ``users``)."""
    users = split.users("test")
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
