"""A run's plan and time estimate before it starts, from this project's earlier runs.

The Run screen shows it when a dataset and settings are chosen, ``run --estimate``
prints it; both read the finished runs stored in the project (their stage times and
their datasets' sizes) through :func:`engine.pipeline.estimate.estimate_run`. Updates
of a run are left out: they refit nothing, so their times say nothing of a fit's.
"""
from __future__ import annotations

from engine.pipeline.config import RunConfig
from engine.pipeline.estimate import DataSize, PastRun, RunEstimate, estimate_run
from storage.database import Database
from storage.datasets import has_item_text, list_datasets
from storage.runs import list_runs


def estimate_for(db: Database, dataset: str, config: RunConfig) -> RunEstimate:
    """The steps of a run of ``config`` on the stored ``dataset``, each timed from the
    project's finished runs (a StorageError when no dataset has that name)."""
    sizes = {d.name: DataSize(d.n_users, d.n_items, d.n_interactions)
             for d in list_datasets(db)}
    text = has_item_text(db, dataset)  # also the error for an unknown name
    past = [PastRun(sizes[r.dataset], r.stage_seconds) for r in list_runs(db)
            if r.status == "finished" and r.dataset in sizes
            and not r.config.get("updated_from")]
    return estimate_run(config, sizes[dataset], past, has_text=text)
