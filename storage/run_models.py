"""A run's fitted model, stored with the run so that it can be used again later.

The model is pickled (protocol 5) into ``run_models`` in the same transaction as the
run's lists, so a run either has both or neither. Like Orange's ``.pkcls`` files or
scikit-learn's joblib dumps, a pickle runs code when it is loaded: open project files
only from sources you trust.
"""
from __future__ import annotations

import io
import pickle
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from engine.data.dataset import Dataset
from engine.models.base import Recommender
from storage.database import Database
from storage.errors import StorageError
from storage.models import RunModelRow

FORMAT = "pickle-5"
#: Where the classes of models stored by earlier versions live now (the engine's modules
#: moved into subpackages); a stored model names its classes by module.
_MOVED = {"engine.encoder": "engine.data.encoder", "engine.dataset": "engine.data.dataset",
          "engine.progress": "engine.core.progress", "engine.errors": "engine.core.errors",
          "engine.report": "engine.data.report", "engine.split": "engine.data.split"}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        return super().find_class(_MOVED.get(module, module), name)


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
    data = pickle.dumps(model, protocol=5)
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
    if row.format != FORMAT:
        raise StorageError(f"run {run_id}'s model is stored as {row.format!r}, which this "
                           f"version cannot read (it reads {FORMAT!r}); run it again")
    return StoredModel(_Unpickler(io.BytesIO(row.data)).load(), row.n_users, row.n_items,
                       row.fit_interactions, row.fit_items)


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
