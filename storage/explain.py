"""Explanations stored with a run's lists: per entry, which components made its score; per
list, a recommendation text written by a language model or by the template.

A fused score is the sum of its components' parts (a single model is its own only
component), so each entry's text names each component with its share of the total,
largest first: "cooc 64%, als 36%". The GUI shows it next to the item; the CSV export
carries it.

A list's recommendation text is written later, on demand (``explain`` in the command
line, "Generate" in the window; :mod:`application.texts`), from facts read back from the
database exactly as the run stored them: :func:`run_facts` rebuilds them and
:func:`save_texts` stores the texts of a batch of users in one transaction, replacing
older ones.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, insert, select

from engine.explanations import Explanation, Facts, make_facts
from engine.explanations.grounding import Grounder
from storage.database import Database
from storage.encoding import INT, from_blob, utcnow
from storage.errors import StorageError
from storage.models import (DatasetRow, InteractionRow, ItemRow, ListRow, ListTextRow,
                            ProfileRow, RunRow, UserRow)
from storage.results import lists_frame

_CHUNK = 500  # list ids per IN (...) list, below every backend's parameter limit


@dataclass(frozen=True)
class RunFacts:
    """The facts of a stored run's users, and the check for their catalogue."""

    run_id: int
    facts: list[Facts]
    grounder: Grounder


def run_facts(db: Database, run_id: int, users: Sequence[str] | None = None) -> RunFacts:
    """Facts of ``users`` (default: every user with a stored list) of a finished run.

    Titles come from the database as the run saw them, and the day each recent item was
    last chosen when the data has real times; the grounder knows the whole catalogue and
    each title's categories, so a text naming any other title, or giving an item a
    category it lacks, is caught.
    """
    frame = lists_frame(db, run_id, users)  # checks the run and the users
    with db.read() as conn:
        run = conn.execute(select(RunRow.dataset_id, RunRow.status, RunRow.components,
                                  DatasetRow.has_timestamps)
                           .join(DatasetRow, DatasetRow.id == RunRow.dataset_id)
                           .where(RunRow.id == run_id)).one()
        if run.status != "finished":
            raise StorageError(f"run {run_id} is {run.status}; only a finished run has lists "
                               "to explain")
        catalogue = conn.execute(select(ItemRow.idx, ItemRow.title, ItemRow.genres)
                                 .where(ItemRow.dataset_id == run.dataset_id)).all()
        wanted = set(frame["user"])
        # A few users (a window's click) are looked up; a whole run is read in one go.
        few = UserRow.external_id.in_(sorted(wanted)) if len(wanted) <= _CHUNK else True
        profiles = {user: row for user, *row in conn.execute(
            select(UserRow.external_id, ProfileRow.keywords, ProfileRow.recent_items,
                   ProfileRow.gate)
            .join(UserRow, UserRow.id == ProfileRow.user_id)
            .where(ProfileRow.run_id == run_id, few)) if user in wanted}
        history: dict[str, dict[int, int]] = defaultdict(dict)  # item idx -> last time
        for user, idx, when in conn.execute(
                select(UserRow.external_id, ItemRow.idx, InteractionRow.timestamp)
                .join(InteractionRow, InteractionRow.user_id == UserRow.id)
                .join(ItemRow, ItemRow.id == InteractionRow.item_id)
                .where(UserRow.dataset_id == run.dataset_id, few)):
            if user in wanted:
                history[user][idx] = max(when, history[user].get(idx, when))
    if users is not None:
        missing = [u for u in users if u not in wanted]
        if missing:
            raise StorageError(f"user {missing[0]!r} has no stored list in run {run_id}")
    titles = {idx: title for idx, title, _ in catalogue}
    categories = {title: [g for g in joined.split("|") if g] for _, title, joined in catalogue}
    names = list(run.components)
    facts = []
    for user, rows in frame.groupby("user", sort=False):
        keywords, recent, gate = profiles.get(user, ("[]", None, None))
        recent_idx = from_blob(recent, INT) if recent is not None else np.zeros(0, np.int32)
        facts.append(make_facts(
            user=user, keywords=json.loads(keywords),
            recent_titles=[titles[int(i)] for i in recent_idx],
            list_titles=list(rows["title"]),
            contributions={n: rows[f"score_{n}"].to_numpy() for n in names},
            gate=gate, history_titles=sorted({titles[i] for i in history[user]}),
            recent_times=([history[user].get(int(i), -1) for i in recent_idx]
                          if run.has_timestamps else None)))
    return RunFacts(run_id, facts, Grounder(categories, categories=categories))


def save_texts(db: Database, run_id: int, texts: Mapping[str, Explanation]) -> int:
    """Store the users' texts with their lists in one transaction (older ones replaced);
    how many were stored. Nothing is stored if any user has no list in the run."""
    if not texts:
        return 0
    with db.write() as conn:
        lists = dict(conn.execute(select(UserRow.external_id, ListRow.id)
                                  .join(UserRow, UserRow.id == ListRow.user_id)
                                  .where(ListRow.run_id == run_id)).all())
        missing = [u for u in texts if u not in lists]
        if missing:
            raise StorageError(f"user {missing[0]!r} has no stored list in run {run_id}")
        ids = [lists[u] for u in texts]
        for start in range(0, len(ids), _CHUNK):
            conn.execute(delete(ListTextRow).where(
                ListTextRow.list_id.in_(ids[start:start + _CHUNK])))
        now = utcnow()
        conn.execute(insert(ListTextRow), [
            {"list_id": lists[user], "text": e.text, "source": e.source,
             "reasons": list(e.reasons), "model": e.model, "created_at": now}
            for user, e in texts.items()])
    return len(texts)
