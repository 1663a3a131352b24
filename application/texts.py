"""Recommendation texts for a stored run's lists, written and stored in batches.

The facts come back from the database as the run stored them
(:func:`storage.explain.run_facts`); a language model writes each text, or the template
does (:mod:`engine.explanations`); every batch is stored in its own transaction.
"""
from __future__ import annotations

from collections.abc import Sequence

from engine.core.progress import Task
from engine.core.stages import Stage
from engine.explanations import Explanation, ExplanationWriter, template_only
from storage.database import Database
from storage.explain import run_facts, save_texts


def write_texts(db: Database, run_id: int, writer: ExplanationWriter | None,
                users: Sequence[str] | None = None, task: Task | None = None,
                batch: int = 20) -> dict[str, int]:
    """Write and store the texts of ``users`` (default: all) of a run; texts per source.

    ``writer`` None writes templates only. Each batch of ``batch`` texts is stored in its
    own transaction as soon as it is written, so a cancel or a crash keeps whole batches
    and loses at most the texts of one batch; the command line and the window's
    "Generate for all users" both come here.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    task = task or Task()
    task.begin(Stage.FACTS, "reading the lists and profiles")
    stored = run_facts(db, run_id, users)
    if writer is not None:
        task.begin(Stage.LOAD_MODEL, f"loading {writer.name}")
        writer.load()
    task.begin(Stage.WRITE, f"writing {len(stored.facts):,} texts")
    pairs = (writer.explain_many(stored.facts, stored.grounder, task) if writer is not None
             else ((f, template_only(f, stored.grounder)) for f in stored.facts))
    sources = {"generated": 0, "template": 0}
    pending: dict[str, Explanation] = {}
    for facts, text in pairs:
        pending[facts.user] = text
        if len(pending) == batch:
            _store_batch(db, run_id, pending, sources)
    _store_batch(db, run_id, pending, sources)
    task.finish()
    return sources


def _store_batch(db: Database, run_id: int, pending: dict[str, Explanation],
                 sources: dict[str, int]) -> None:
    save_texts(db, run_id, pending)
    for text in pending.values():
        sources[text.source] += 1
    pending.clear()
