"""Pipeline runs in the database: their rows, and their results written in one transaction.

A run is recorded as ``running`` when it starts, and its results (profiles, lists,
entries, the fitted model) are written together with the ``finished`` status in one
transaction at the end (:mod:`application.runs` drives that life cycle). A failed run
keeps its row with the status and the error, and no result rows; a cancelled run is
deleted. A run whose process died is still ``running`` with a dead owner; the next open
marks it ``interrupted``.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from engine.core.progress import Task
from engine.pipeline.config import RunConfig
from engine.pipeline.result import RunResult
from storage.bulk import insert_rows
from storage.database import Database
from storage.datasets import external_ids, find_dataset
from storage.encoding import INT, as_utc, plain, to_blob, utcnow
from storage.errors import StorageError
from engine.explanations.shares import share_texts
from storage.models import DatasetRow, EntryRow, ItemRow, ListRow, ProfileRow, RunRow, UserRow
from storage.run_models import write_model
from storage.settings import LAST_RUN_CONFIG, get_setting, put_setting

log = logging.getLogger(__name__)

ENDED = ("failed", "cancelled")


@dataclass(frozen=True)
class RunInfo:
    id: int
    dataset: str
    status: str
    model: str
    config: dict[str, Any]
    components: list[str]
    started_at: datetime
    finished_at: datetime | None
    stage_seconds: dict[str, float]
    metrics: dict[str, dict[str, float]]
    error: str | None

    @property
    def seconds(self) -> float | None:
        """Wall time of the run as measured by the pipeline (None until it finished)."""
        return self.stage_seconds.get("total")


def _owner(pid: int | None = None) -> str:
    """``host:pid:start`` of a process; the start time tells a reused pid apart."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_started(pid)}"


def _started(pid: int) -> str:
    """When the process started, in clock ticks since boot (Linux), else ''."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[19]  # field 22: starttime


def start_run(db: Database, dataset: str, config: RunConfig) -> int:
    """Record a new run as ``running``; its id."""
    with db.write() as conn:
        dataset_id = find_dataset(conn, dataset, db.where).id
        return _insert_run(conn, dataset_id, config, "running")


def finish_run(db: Database, run_id: int, result: RunResult, task: Task | None = None) -> None:
    """Write the results and mark the run ``finished``, all in one transaction."""
    with db.write() as conn:
        row = _run_row(conn, run_id, db.where)
        if row.status != "running":
            raise StorageError(f"run {run_id} is {row.status}, not running; its results "
                               "cannot be saved")
        _write_results(conn, run_id, row.dataset_id, result, task)


def end_run(db: Database, run_id: int, status: str, message: str) -> None:
    """Mark a run that stopped without results: ``failed`` or ``cancelled``, with why."""
    if status not in ENDED:
        raise ValueError(f"status must be one of {ENDED}, not {status!r}")
    with db.write() as conn:
        conn.execute(update(RunRow).where(RunRow.id == run_id, RunRow.status == "running")
                     .values(status=status, error=message, finished_at=utcnow()))


def discard_run(db: Database, run_id: int) -> None:
    """Delete a run the user stopped while it was running (it has no result rows)."""
    with db.write() as conn:
        conn.execute(delete(RunRow).where(RunRow.id == run_id, RunRow.status == "running"))


def save_run(db: Database, result: RunResult, dataset: str | None = None,
             task: Task | None = None) -> int:
    """Record a finished run and its results in one transaction; its id.

    ``dataset`` names the stored dataset the run used (default: the result's dataset name).
    """
    with db.write() as conn:
        dataset_id = find_dataset(conn, dataset or result.dataset.name, db.where).id
        run_id = _insert_run(conn, dataset_id, result.config, "running")
        _write_results(conn, run_id, dataset_id, result, task)
    return run_id


def mark_interrupted(db: Database) -> list[int]:
    """Runs left ``running`` by a process of this machine that no longer exists."""
    with db.read() as conn:
        running = conn.execute(select(RunRow.id, RunRow.owner)
                               .where(RunRow.status == "running")).all()
    dead = [run_id for run_id, owner in running if _owner_is_dead(owner)]
    if dead:
        with db.write() as conn:
            conn.execute(update(RunRow)
                         .where(RunRow.id.in_(dead), RunRow.status == "running")
                         .values(status="interrupted",
                                 error="the process running it stopped (killed or crashed) "
                                       "before it finished; no results were saved"))
    return dead


def _owner_is_dead(owner: str) -> bool:
    """True only when certain: the owner ran on this machine and its process is gone."""
    host, pid, started = (owner.split(":") + ["", ""])[:3]
    if host != socket.gethostname() or not pid.isdigit() or os.name != "posix":
        return False  # another machine (a shared server database), or no safe probe
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, under another account
    return bool(started) and _started(int(pid)) != started


def _insert_run(conn: Connection, dataset_id: int, config: RunConfig, status: str) -> int:
    result = conn.execute(RunRow.__table__.insert().values(
        dataset_id=dataset_id, status=status, model=config.model,
        config=plain(config.to_dict()), components=[], owner=_owner(), started_at=utcnow(),
        stage_seconds={}, metrics={}))
    return int(result.inserted_primary_key[0])


def _run_row(conn: Connection, run_id: int, where: str) -> Any:
    row = conn.execute(select(RunRow.__table__).where(RunRow.id == run_id)).first()
    if row is None:
        raise StorageError(f"no run {run_id} in {where}; `runs` lists the stored runs")
    return row


def _write_results(conn: Connection, run_id: int, dataset_id: int, result: RunResult,
                   task: Task | None) -> None:
    """Profiles, lists and entries of every stored user, the fitted model, then the run's
    finished row and the project's last run configuration.

    Users forgotten while the run was computing are skipped: they asked to be forgotten
    (and the model, which learned from them, is not kept).
    """
    data = result.dataset
    users = external_ids(conn, UserRow, dataset_id)
    items = {external: (db_id, idx) for external, db_id, idx in conn.execute(
        select(ItemRow.external_id, ItemRow.id, ItemRow.idx)
        .where(ItemRow.dataset_id == dataset_id))}
    missing = [str(i) for i in data.item_ids if str(i) not in items]
    if missing:
        raise StorageError(f"the run's dataset {data.name!r} does not match the stored one: "
                           f"item {missing[0]!r} is not in it")
    user_db = np.array([users.get(str(u), -1) for u in data.user_ids], dtype=np.int64)
    item_db, item_idx = np.array([items[str(i)] for i in data.item_ids], dtype=np.int64).T
    kept = np.flatnonzero(user_db >= 0)
    _write_profiles(conn, run_id, result, kept, user_db, item_idx)
    names = _write_lists(conn, run_id, result, kept, user_db, item_db, task)
    if result.model is not None and len(kept) == data.n_users:  # no user forgotten meanwhile
        write_model(conn, run_id, result.model, data, result.fitted_on)
    conn.execute(update(RunRow).where(RunRow.id == run_id).values(
        status="finished", finished_at=utcnow(), components=names,
        stage_seconds=plain(result.stage_seconds), metrics=plain(result.metrics)))
    # As the run row keeps it (plain JSON); a preference never fails the save of a run.
    try:
        put_setting(conn, LAST_RUN_CONFIG,
                    plain(replace(result.config, updated_from=None).to_dict()))
    except StorageError as exc:
        log.warning("the run's configuration was not kept as the last one: %s", exc)


def last_run_config(db: Database) -> RunConfig | None:
    """The configuration of the latest run saved in this database (a project setting,
    written in the same transaction as the run's results), as a new run would take it:
    without ``updated_from``. None before the first saved run."""
    stored = get_setting(db, LAST_RUN_CONFIG, kind=dict)
    if stored is None:
        return None
    try:
        return RunConfig.from_dict(stored)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"the last run configuration stored in {db.where} cannot be "
                           f"read ({exc})") from None


def _write_profiles(conn: Connection, run_id: int, result: RunResult, kept: np.ndarray,
                    user_db: np.ndarray, item_idx: np.ndarray) -> None:
    """One row per user; recent items as the stored items' ``idx``."""
    profiles = result.profiles
    recent = profiles.recent[kept]
    long_term = profiles.long_term[kept] if profiles.long_term is not None else None
    insert_rows(conn, ProfileRow.__table__, {
        "run_id": [run_id] * len(kept),
        "user_id": user_db[kept],
        "long_term": ([to_blob(v) for v in long_term] if long_term is not None
                      else [None] * len(kept)),
        "recent_items": [to_blob(item_idx[row[row >= 0]], INT) for row in recent],
        "gate": (profiles.gate[kept].astype(np.float64) if profiles.gate is not None
                 else [None] * len(kept)),
        "keywords": [json.dumps(profiles.keywords[u]) for u in kept],
    })


def _write_lists(conn: Connection, run_id: int, result: RunResult, kept: np.ndarray,
                 user_db: np.ndarray, item_db: np.ndarray, task: Task | None) -> list[str]:
    """Lists and their entries; returns the component names in blob order."""
    lists = result.lists
    items = lists.items[kept]
    valid = items >= 0
    with_list = valid.any(axis=1)
    insert_rows(conn, ListRow.__table__, {"run_id": [run_id] * int(with_list.sum()),
                                          "user_id": user_db[kept][with_list]})
    list_of_user = dict(conn.execute(select(ListRow.user_id, ListRow.id)
                                     .where(ListRow.run_id == run_id)).all())
    rows, cols = np.nonzero(valid)
    names = list(lists.contributions)
    parts = (np.stack([lists.contributions[n][kept][rows, cols] for n in names], axis=1)
             if names else np.zeros((len(rows), 0), np.float32)).astype(np.float32)

    def progress(done: int, total: int) -> None:
        if task is not None:
            task.update(done / total, f"saved {done:,} of {total:,} list entries")

    insert_rows(conn, EntryRow.__table__, {
        "list_id": [list_of_user[int(u)] for u in user_db[kept][rows]],
        "rank": cols + 1,
        "item_id": item_db[items[rows, cols]],
        "score": lists.scores[kept][rows, cols].astype(np.float64),
        "components": [p.tobytes() for p in parts],
        "explanation": share_texts(names, parts) if names else [""] * len(rows),
    }, on_batch=progress)
    return names


def list_runs(db: Database, dataset: str | None = None) -> list[RunInfo]:
    """Every run (of ``dataset`` if given), newest first."""
    query = (select(RunRow.__table__, DatasetRow.name.label("dataset_name"))
             .join(DatasetRow, DatasetRow.id == RunRow.dataset_id)
             .order_by(RunRow.id.desc()))
    with db.read() as conn:
        if dataset is not None:
            query = query.where(RunRow.dataset_id == find_dataset(conn, dataset, db.where).id)
        rows = conn.execute(query).all()
    return [_info(row) for row in rows]


def run_info(db: Database, run_id: int) -> RunInfo:
    with db.read() as conn:
        _run_row(conn, run_id, db.where)
        row = conn.execute(select(RunRow.__table__, DatasetRow.name.label("dataset_name"))
                           .join(DatasetRow, DatasetRow.id == RunRow.dataset_id)
                           .where(RunRow.id == run_id)).one()
    return _info(row)


def _info(row: Any) -> RunInfo:
    return RunInfo(row.id, row.dataset_name, row.status, row.model, row.config,
                   list(row.components), as_utc(row.started_at), as_utc(row.finished_at),
                   row.stage_seconds, row.metrics, row.error)
