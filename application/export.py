"""A run's lists written as CSV, each user's as it stands after their feedback.

The window's export writes what the Users screen shows: the stored list re-ranked with
the run's model for every user who gave feedback (:mod:`application.live`), with the
list's rank in the run's own list and the feedback beside each entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from application.live import LiveRun, list_now, open_live_run
from engine.core.progress import Task
from engine.core.stages import Stage
from storage import Database, ListEntry, list_feedback, run_info
from storage.results import lists_frame, user_text, write_csv

if TYPE_CHECKING:
    import pandas as pd


#: Columns an export adds to the stored lists' (storage.results.lists_frame).
FEEDBACK_COLUMNS = ("model_rank", "feedback", "changed_by_feedback")


@dataclass(frozen=True)
class ShownList:
    """One user's list exactly as the Users screen shows it (after their feedback)."""

    user: str
    entries: list[ListEntry]
    model_ranks: dict[str, int]  # item -> rank in the run's own list
    feedback: dict[str, str]  # item -> the user's latest feedback on it


def _list_rows(shown: ShownList, components: list[str], text: str, source: str
               ) -> list[dict[str, object]]:
    rows = []
    for entry in shown.entries:
        model_rank = shown.model_ranks.get(entry.item)
        rows.append({
            "user": shown.user, "rank": entry.rank, "item": entry.item, "title": entry.title,
            "score": entry.score,
            **{f"score_{c}": entry.components.get(c, 0.0) for c in components},
            "explanation": entry.explanation, "recommendation_text": text,
            "recommendation_source": source, "model_rank": model_rank,
            "feedback": shown.feedback.get(entry.item, ""),
            "changed_by_feedback": model_rank != entry.rank})
    return rows


def export_run(db: Database, run_id: int, path: Path, users: list[str] | None,
               task: Task, live: LiveRun | None = None) -> pd.DataFrame:
    """Write the run's lists (of ``users``, or everyone's) as CSV, each as it stands after
    the user's feedback (re-ranked with the run's model, as the Users screen shows it),
    with the columns of :data:`FEEDBACK_COLUMNS`. ``live``: the run's
    model when it is loaded already (else it is loaded here if anyone gave feedback).
    Returns the rows written."""
    task.begin(Stage.EXPORT, f"reading the lists of run {run_id}")
    import pandas as pd

    frame = lists_frame(db, run_id, users)
    info = run_info(db, run_id)
    given: dict[str, dict[str, str]] = {}
    for event in list_feedback(db, info.dataset):  # oldest first: the latest word wins
        if users is None or event.user in users:
            given.setdefault(event.user, {})[event.item] = event.kind
    frame["model_rank"] = frame["rank"]
    frame["feedback"] = ""
    frame["changed_by_feedback"] = False
    if given:
        if live is None or live.run_id != run_id:
            task.update(0.2, f"loading the model of run {run_id}")
            live = open_live_run(db, run_id)
        replaced = []
        for n, (user, feedback) in enumerate(sorted(given.items())):
            task.update(0.3 + 0.6 * n / len(given), f"the list of {user} after feedback")
            mine = frame[frame["user"] == user]
            if mine.empty:
                continue  # no stored list for this user
            shown = ShownList(user, list_now(db, live, user).entries,
                              dict(zip(mine["item"], mine["rank"])), feedback)
            first = mine.iloc[0]
            replaced.append(pd.DataFrame(_list_rows(
                shown, list(info.components), first["recommendation_text"],
                first["recommendation_source"]), columns=frame.columns))
        if replaced:
            users_now = {str(part["user"].iloc[0]) for part in replaced if len(part)}
            kept = frame[~frame["user"].isin(users_now)]
            order = {user: i for i, user in enumerate(dict.fromkeys(frame["user"]))}
            frame = pd.concat([kept, *replaced], ignore_index=True)
            frame = frame.sort_values(["user", "rank"], key=lambda column: (
                column.map(order) if column.name == "user" else column), kind="stable")
    task.update(0.95, f"writing {path.name}")
    frame["model_rank"] = frame["model_rank"].astype("Int64")  # empty: new in the list
    write_csv(frame, path)
    task.finish()
    return frame


def export_shown(shown: ShownList, db: Database, run_id: int, path: Path, task: Task) -> int:
    """Write one user's list as the screen shows it, in the columns of
    :func:`export_run`; the rows written."""
    task.begin(Stage.EXPORT, f"writing {path.name}")
    import pandas as pd

    info = run_info(db, run_id)
    stored = user_text(db, run_id, shown.user)
    frame = pd.DataFrame(_list_rows(shown, list(info.components),
                                    stored.text if stored else "",
                                    stored.source if stored else ""))
    frame["model_rank"] = frame["model_rank"].astype("Int64")  # empty: new in the list
    write_csv(frame, path)
    task.finish()
    return len(frame)
