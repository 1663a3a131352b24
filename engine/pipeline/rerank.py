"""What a user's feedback does to their next list at once, without retraining.

The design closes the loop on both sides of the interests. A like says "more like this,
now": the liked item joins the user's recent actions (the short-term components follow
on from it) and the user's gate moves toward the side, long- or short-term, that brought
the liked item. A dislike or "not interested" removes the item; once the user has said
so several times, the items most similar to the refused ones go too, since a pattern of
refusals is about a kind of item, not one title. The fitted model is reused as it is:
only the user's history and gate change, so a click costs one row of scores. At the next
training run the same events are a training signal instead (:mod:`engine.data.feedback`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from engine.data.dataset import History
from engine.data.feedback import LIKE, NEGATIVE, Event, latest_events
from engine.evaluation.ranking import top_k
from engine.models.base import Composite, Recommender

#: How far each like moves the gate from where it is toward the liked item's side.
GATE_STEP = 0.3
#: The gate stays inside this range: one side never silences the other completely.
GATE_BOUNDS = (0.05, 0.95)
#: Refusals from which the neighbours of refused items are removed as well ...
REPEATED = 2
#: ... and how many neighbours of each refused item go.
NEIGHBOURS = 5


@dataclass(frozen=True)
class Removal:
    """Why an item is kept out of the list: ``why`` is "liked" (now a recent action),
    "refused" or "similar" (to the refused item ``because_of``)."""

    why: str
    because_of: int | None = None


@dataclass(eq=False)
class AdjustedList:
    """A user's list after their feedback, with what changed and why."""

    items: np.ndarray  # (k,) internal item indices, best first (-1 pads)
    scores: np.ndarray  # (k,) float32
    contributions: dict[str, np.ndarray]  # component -> (k,) part of each score
    gate: float | None  # the moved gate (None for a model without one)
    model_gate: float | None  # the model's own gate for the user
    removed: dict[int, Removal] = field(default_factory=dict)  # items kept out, and why


def item_neighbours(matrix: sp.csr_matrix, items: Sequence[int], n: int) -> dict[int, list[int]]:
    """The ``n`` items most often engaged with together with each of ``items`` (cosine
    of the binary item columns, as item-based collaborative filtering measures it)."""
    binary = matrix.astype(bool).astype(np.float32).tocsc()
    norms = np.sqrt(np.asarray(binary.sum(axis=0)).ravel())
    out = {}
    for item in items:
        column = binary[:, item]
        overlap = np.asarray((binary.T @ column).todense()).ravel()
        denominator = norms * norms[item]
        cosine = np.divide(overlap, denominator, out=np.zeros_like(overlap),
                           where=denominator > 0)
        cosine[item] = -1.0
        best = np.argsort(-cosine, kind="stable")[:n]
        out[int(item)] = [int(i) for i in best if cosine[i] > 0]
    return out


def with_recent(history: History, user: int, items: Sequence[int], at: int) -> History:
    """A history of ``user`` alone (other rows empty) with ``items`` as their latest
    actions at time ``at``; scoring that user reads only their row and sequence."""
    start, end = history.indptr[user], history.indptr[user + 1]
    extra = np.asarray(items, dtype=np.int32)
    n = end - start + len(extra)
    last = int(history.timestamps[end - 1]) if end > start else at
    out = History.build(
        np.full(n, user, dtype=np.int32),
        np.concatenate([history.items[start:end], extra]),
        np.concatenate([history.weights[start:end], np.ones(len(extra), np.float32)]),
        np.concatenate([history.timestamps[start:end],
                        np.full(len(extra), max(at, last), np.int64)]),
        history.n_users, history.n_items)
    out.request_time = np.full(history.n_users, max(at, last), dtype=np.int64)
    return out


def moved_gate(gate: float, liked_long_shares: Sequence[float]) -> float:
    """The gate after each like in turn pulled it ``GATE_STEP`` of the way to the long
    share of the liked item (1: brought by the long-term side only)."""
    for share in liked_long_shares:
        gate += GATE_STEP * (float(share) - gate)
    return float(np.clip(gate, *GATE_BOUNDS))


def adjust(model: Recommender, history: History, user: int, events: Sequence[Event], k: int,
           request_time: int | None = None) -> AdjustedList:
    """``user``'s top ``k`` after ``events`` (oldest first), from the fitted ``model``.

    ``history`` is what the run knew about every user; ``request_time`` is when the list
    is asked for (default: the user's last action, or the liked items' time).
    """
    events = latest_events(events)
    liked = [e.item for e in events if e.kind == LIKE]
    refused = [e.item for e in events if e.kind in NEGATIVE]
    at = int(history.timestamps.max(initial=0)) if request_time is None else int(request_time)
    users = np.array([user], dtype=np.int64)
    before = with_recent(history, user, [], at)
    after = with_recent(history, user, liked, at) if liked else before
    every = np.arange(history.n_items)[None, :]

    model_gate = _gate(model, users, before)
    gate = model_gate
    if model_gate is not None and liked:
        shares = _long_shares(model, model.contributions(users, before, np.array([liked])))
        gate = moved_gate(model_gate, shares)
    # the parts with the recent actions the likes extend, the long side weighed at the
    # moved gate (the model's own gate for the grown history would undo the move)
    parts = model.contributions(users, after, every,
                                None if gate is None or not liked else np.array([gate]))
    names = list(parts)
    stacked = np.stack([parts[n][0] for n in names])  # (C, items)
    scores = stacked.sum(axis=0).astype(np.float32)

    removed = {i: Removal("liked") for i in liked}
    removed.update({i: Removal("refused") for i in refused})
    if len(refused) >= REPEATED:
        for source, near in item_neighbours(history.matrix, refused, NEIGHBOURS).items():
            for i in near:
                removed.setdefault(i, Removal("similar", source))
    scores[after.matrix[user].indices] = -np.inf
    scores[list(removed)] = -np.inf
    top = top_k(scores[None, :], k)[0]
    finite = np.isfinite(scores[top])
    items = np.where(finite, top, -1).astype(np.int32)
    return AdjustedList(
        items=items, scores=np.where(finite, scores[top], 0).astype(np.float32),
        contributions={n: np.where(finite, stacked[c, top], 0).astype(np.float32)
                       for c, n in enumerate(names)},
        gate=gate, model_gate=model_gate, removed=removed)


def _gate(model: Recommender, users: np.ndarray, history: History) -> float | None:
    gate = model.gate(users, history)
    return None if gate is None or not np.isfinite(gate[0]) else float(gate[0])


def _horizons(model: Recommender, names: Sequence[str]) -> dict[str, str]:
    """Each component's side; a single model is its own only component."""
    fitted = model.fitted_components if isinstance(model, Composite) else {}
    components = fitted or {model.name: model}
    return {n: components[n].horizon if n in components else model.horizon for n in names}


def _long_shares(model: Recommender, parts: dict[str, np.ndarray]) -> list[float]:
    """Per item of ``parts`` (1 x items), the long-term side's share of its score's parts."""
    side = _horizons(model, list(parts))
    magnitude = {n: np.abs(p[0]) for n, p in parts.items()}
    total = sum(magnitude.values())
    long_part = sum(m for n, m in magnitude.items() if side[n] == "long")
    return list(np.divide(long_part, total, out=np.full_like(total, 0.5), where=total > 0))
