"""A run's fitted model, stored with the run so that it can be used again later.

The model goes into ``run_models`` in the same transaction as the run's lists, so a run
either has both or neither. It is stored as data (:mod:`engine.models.serialize`: arrays
and a JSON description rebuilt through the model registry), so opening a project file
from someone else never runs code from it. Models that earlier versions stored as
pickles are refused, never unpickled: such a run is run again.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from engine.data.dataset import Dataset
from engine.models.base import Recommender
from engine.models.serialize import FORMAT, UnreadableModel, model_from_bytes, model_to_bytes
from storage.database import Database
from storage.errors import StorageError
from storage.models import RunModelRow

_PICKLE = "pickle-5"  # what versions before this one wrote


@dataclass(frozen=True)
class StoredModel:
    """A run's fitted model and the dataset sizes it belongs to."""

    model: Recommender
    n_users: int  # the dataset it serves (its users and items, by index)
    n_items: int
    fit_interactions: int  # the dataset at the last full fit, to judge drift
    fit_items: int


def write_model(conn: Connection, run_id: int, model: Recommender, dataset: Dataset,
                fitted_on: tuple[int, int] | None = None) -> None:
    """Store (or replace) the run's model inside the caller's transaction; ``fitted_on``
    is (interactions, items) at the last full fit, default: ``dataset``'s (a new fit)."""
    interactions, items = fitted_on or (dataset.n_interactions, dataset.n_items)
    data = model_to_bytes(model)
    conn.execute(delete(RunModelRow).where(RunModelRow.run_id == run_id))
    conn.execute(insert(RunModelRow).values(
        run_id=run_id, format=FORMAT, data=data, n_users=dataset.n_users,
        n_items=dataset.n_items, fit_interactions=interactions, fit_items=items))


def load_model(db: Database, run_id: int) -> StoredModel | None:
    """The run's fitted model; None when none is stored (a run saved before models were
    kept, or one whose dataset lost users since)."""
    with db.read() as conn:
        row = conn.execute(select(RunModelRow).where(RunModelRow.run_id == run_id)).first()
    if row is None:
        return None
    if row.format == _PICKLE:
        raise StorageError(f"run {run_id}'s model was stored by an earlier version as a "
                           "pickle, which can run code when it is opened, so it is not "
                           f"opened: run it again (update --run {run_id} --retrain, or "
                           "Retrain in the window)")
    if row.format != FORMAT:
        raise StorageError(f"run {run_id}'s model is stored as {row.format!r}, which this "
                           f"version cannot read (it reads {FORMAT!r}); run it again (update "
                           f"--run {run_id} --retrain)")
    try:
        model = model_from_bytes(row.data)
    except UnreadableModel as error:
        raise StorageError(f"run {run_id}'s stored model cannot be read: {error}; run it "
                           f"again (update --run {run_id} --retrain)") from None
    return StoredModel(model, row.n_users, row.n_items, row.fit_interactions, row.fit_items)


def fitted_on(db: Database, run_id: int) -> tuple[int, int] | None:
    """(interactions, items) at the last full fit of the run's stored model, without
    loading it; None when no model is stored."""
    with db.read() as conn:
        row = conn.execute(select(RunModelRow.fit_interactions, RunModelRow.fit_items)
                           .where(RunModelRow.run_id == run_id)).first()
    return None if row is None else (int(row[0]), int(row[1]))


def has_model(db: Database, run_id: int) -> bool:
    with db.read() as conn:
        return conn.scalar(select(RunModelRow.run_id).where(RunModelRow.run_id == run_id)
                           ) is not None
