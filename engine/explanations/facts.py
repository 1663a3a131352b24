"""The facts an explanation may use, computed by the engine for one user.

An explanation, written by a language model or by the template, may say only what these
facts hold: the user's strongest long-term interest terms, the last few items and the day
each was chosen, the top of the list with the component that brought each item, and the
fusion gate. The categories of every item come from the catalogue
(:class:`~engine.explanations.grounding.Grounder`). The whole list and the whole history
travel along for the check, which must know every title the text is allowed to name.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the writer starts without the pipeline's (and the models') imports
    from collections.abc import Callable

    from engine.data.dataset import History
    from engine.pipeline.result import RunResult

#: How many list entries the prompt presents, and how many recent items it recalls.
TOP_N = 5
RECENT_N = 3


@dataclass(frozen=True)
class Pick:
    """One presented list entry and what brought it there."""

    title: str
    component: str  # the model whose part of the score was largest
    horizon: str  # that model's side: "long" (whole history) or "short" (recent actions)


@dataclass(frozen=True)
class Facts:
    """Everything an explanation of one user's list may rest on."""

    user: str
    keywords: tuple[str, ...]  # long-term interest terms, strongest first
    recent: tuple[str, ...]  # titles of the last items, most recent first
    top: tuple[Pick, ...]  # the head of the list, in rank order
    gate: float | None  # weight of the long-term side in the fusion (None: not fused)
    list_titles: tuple[str, ...] = ()  # the whole list, for the grounding check
    history_titles: tuple[str, ...] = ()  # everything the user engaged with, likewise
    recent_dates: tuple[str, ...] = ()  # ISO day each recent item was chosen ("": unknown)

    @property
    def long_share(self) -> float:
        """How much the long-term side shaped the list: the gate, else the share of picks."""
        if self.gate is not None:
            return float(self.gate)
        if not self.top:
            return 0.5
        return sum(p.horizon == "long" for p in self.top) / len(self.top)


def horizon(component: str) -> str:
    """"long" or "short" for a registered model name (unknown names count as long-term)."""
    from engine.models import MODELS

    cls = MODELS.get(component)
    return cls.horizon if cls is not None else "long"


def day(timestamp: int) -> str:
    """The UTC calendar day of a Unix time, as ISO text ("1998-03-10")."""
    return datetime.fromtimestamp(int(timestamp), timezone.utc).date().isoformat()


def make_facts(user: str, keywords: Sequence[str], recent_titles: Sequence[str],
               list_titles: Sequence[str], contributions: Mapping[str, Sequence[float]],
               gate: float | None, history_titles: Sequence[str] = (),
               recent_times: Sequence[int] | None = None,
               top_n: int = TOP_N, recent_n: int = RECENT_N) -> Facts:
    """Facts from plain values, as a run result or the database holds them.

    ``contributions`` maps each component to its part of the score of every list entry
    (in list order); the component with the largest part brought the entry.
    ``recent_times`` are the Unix times the recent items were chosen (-1: unknown), when
    the data has real times (None: file order only, so no day is a fact).
    """
    names = list(contributions)
    picks = []
    for rank, title in enumerate(list_titles[:top_n]):
        parts = [float(contributions[n][rank]) for n in names]
        best = names[int(np.argmax(parts))] if names else ""
        picks.append(Pick(str(title), best, horizon(best) if best else "long"))
    return Facts(
        user=str(user),
        keywords=tuple(str(k) for k in keywords),
        recent=tuple(str(t) for t in recent_titles[:recent_n]),
        top=tuple(picks),
        gate=None if gate is None or not np.isfinite(gate) else float(gate),
        list_titles=tuple(str(t) for t in list_titles),
        history_titles=tuple(str(t) for t in history_titles),
        recent_dates=(tuple(day(t) if t >= 0 else "" for t in recent_times[:recent_n])
                      if recent_times is not None else ()),
    )


def facts_from_run(result: "RunResult", users: Sequence[int] | None = None,
                   top_n: int = TOP_N, recent_n: int = RECENT_N) -> list[Facts]:
    """Facts of the given internal users (default: every user with a list) of a run."""
    data, lists, profiles = result.dataset, result.lists, result.profiles
    if users is None:
        users = np.flatnonzero(lists.items[:, 0] >= 0)
    history = data.history()
    titles = data.titles
    last_time = _last_times(history) if data.has_timestamps else None
    out = []
    for u in users:
        row = lists.items[u]
        valid = row >= 0
        recent = profiles.recent[u]
        recent = recent[recent >= 0]
        out.append(make_facts(
            user=str(data.user_ids[u]),
            keywords=profiles.keywords[u],
            recent_titles=[titles[i] for i in recent],
            list_titles=[titles[i] for i in row[valid]],
            contributions={n: c[u][valid] for n, c in lists.contributions.items()},
            gate=None if profiles.gate is None else float(profiles.gate[u]),
            history_titles=[titles[i] for i in np.unique(history.sequence(int(u)))],
            recent_times=(None if last_time is None
                          else [last_time(int(u), int(i)) for i in recent]),
            top_n=top_n, recent_n=recent_n))
    return out


def _last_times(history: "History") -> "Callable[[int, int], int]":
    """When a user last chose an item (the latest of their interactions with it)."""
    def last(user: int, item: int) -> int:
        start, end = history.indptr[user], history.indptr[user + 1]
        times = history.timestamps[start:end][history.items[start:end] == item]
        return int(times.max()) if len(times) else -1  # a liked item, not in the history
    return last
