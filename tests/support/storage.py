"""Builders shared by the storage tests (this module holds no tests of its own).

Everything is real: demo-shop CSV files, the engine's importer and preprocessing, and
SQLite files in temporary folders, read back with the plain ``sqlite3`` module.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from engine.data.dataset import Dataset
from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run
from engine.pipeline.result import Profiles, RunResult, UserLists


def shop_dataset(files: tuple[Path, Path], name: str = "shop") -> Dataset:
    interactions, items = files
    return build_dataset(read_interactions(interactions), read_catalogue(items), name=name)


#: The run behind :func:`fused_result`: ALS, whose user factors are real long-term vectors.
VECTOR_SIZE = 8
FUSED_CONFIG = RunConfig(model="als", k=6,
                         params={"als": {"factors": VECTOR_SIZE, "iterations": 5}})


def fused_result(dataset: Dataset, seed: int = 0) -> RunResult:
    """A real ALS run, its lists dressed as a fused model's: two components, a gate and
    some short (-1 padded) lists, so every stored column gets non-trivial values. The
    long-term vectors are the run's own (the ALS user factors), never made up here: a
    run that stopped storing them must fail the storage tests."""
    result = execute_run(dataset, FUSED_CONFIG)
    assert result.profiles.long_term is not None, "an ALS run must keep its user vectors"
    rng = np.random.default_rng(seed)
    items = result.lists.items.copy()
    items[::7, 4:] = -1
    share = rng.random(items.shape).astype(np.float32)
    scores = np.where(items >= 0, result.lists.scores, 0).astype(np.float32)
    lists = UserLists(items, scores, {"long": scores * share, "short": scores * (1 - share)})
    profiles = Profiles(keywords=result.profiles.keywords, recent=result.profiles.recent,
                        gate=rng.random(dataset.n_users).astype(np.float32),
                        long_term=result.profiles.long_term)
    return RunResult(result.config, dataset, result.metrics, result.stage_seconds, lists,
                     profiles)


def count(path: Path, table: str, where: str = "1") -> int:
    """Rows of ``table`` read with plain sqlite3, not through the code under test."""
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def file_bytes(path: Path) -> bytes:
    """The database file with its WAL and shared-memory files, as stored on disk."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
                    if p.exists())


#: A small fusion (EASE and co-occurrence) whose runs take seconds.
EASE_COOC: dict[str, dict[str, object]] = {"fusion": {"components": ["ease", "cooc"]}}
