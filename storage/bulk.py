"""Many rows in and out: one compiled statement, straight to the driver, numpy on our side.

The ORM's unit of work and even Core's per-row dictionaries and result rows cost more
than SQLite's own work at a million rows, so bulk tables go straight to the driver:
inserts with executemany of positional tuples (or dictionaries for drivers with named
parameters), reads with the driver's cursor into a numpy structured array. Statements
are compiled by the connection's dialect, so PostgreSQL takes the same path.

Numbers, text and bytes go to the driver as they are. Moments (``DateTime`` columns) are
converted to UTC (a naive one is taken as UTC already, as everywhere in storage) and then
bound by the column's own type, so a bulk row stores exactly what the ORM columns store
(on SQLite the ``YYYY-MM-DD HH:MM:SS.ffffff`` text SQLAlchemy writes and parses, which
sorts in time order), never the sqlite3 module's deprecated default datetime adapter.

Tests may set ``INTEREST_FUSION_STUDIO_TEST_PAUSE=TABLE:FILE``: after the first batch of
``TABLE`` the process creates ``FILE`` and sleeps, still inside the transaction, so a
test can kill it there and check that nothing of the transaction survives.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import DateTime, Select, Table
from sqlalchemy.engine import Connection

BATCH_ROWS = 100_000
PAUSE_ENV = "INTEREST_FUSION_STUDIO_TEST_PAUSE"

Column = Sequence[Any] | np.ndarray


def insert_rows(conn: Connection, table: Table, columns: Mapping[str, Column], *,
                batch_rows: int = BATCH_ROWS,
                on_batch: Callable[[int, int], None] | None = None) -> int:
    """Insert the rows given column-wise; ``on_batch(done, total)`` runs after each batch.

    ``on_batch`` is the place for progress and cancellation: an exception there rolls
    the caller's transaction back with everything else.
    """
    names = list(columns)
    values = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in columns.values()]
    values = [_bound_moments(conn, table, name, column) for name, column in zip(names, values)]
    total = len(values[0]) if values else 0
    if any(len(v) != total for v in values):
        raise ValueError(f"columns of {table.name} differ in length")
    if not total:
        return 0
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=names)
    sql = str(compiled)
    if conn.dialect.positional:
        positions = [names.index(key) for key in compiled.positiontup or ()]
        values = [values[p] for p in positions]
    for start in range(0, total, batch_rows):
        chunk = [v[start:start + batch_rows] for v in values]
        rows: list[Any] = (list(zip(*chunk)) if conn.dialect.positional
                           else [dict(zip(names, row)) for row in zip(*chunk)])
        conn.exec_driver_sql(sql, rows)
        _pause_for_tests(table.name, start)
        if on_batch is not None:
            on_batch(min(start + batch_rows, total), total)
    return total


def _bound_moments(conn: Connection, table: Table, name: str, values: list[Any]) -> list[Any]:
    """A DateTime column's values in UTC, bound as its type binds them (see the module
    notes); any other column unchanged."""
    kind = table.c[name].type
    if not isinstance(kind, DateTime):
        return values
    bind = kind.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    moments = [_utc(v) for v in values]
    return [bind(v) for v in moments] if bind is not None else moments


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc)


def read_rows(conn: Connection, query: Select[Any], dtype: np.dtype) -> np.ndarray:
    """The query's rows as a structured array of ``dtype`` (one field per column)."""
    compiled = query.compile(dialect=conn.dialect)
    params: Any = compiled.params
    if conn.dialect.positional:
        params = tuple(params[key] for key in compiled.positiontup or ())
    cursor = conn.connection.cursor()  # the same connection, so the same transaction
    try:
        cursor.execute(str(compiled), params)
        return np.array(cursor.fetchall(), dtype=dtype)
    finally:
        cursor.close()


def _pause_for_tests(table: str, start: int) -> None:
    """The injected stop of the killed-process tests; inert unless the variable is set."""
    setting = os.environ.get(PAUSE_ENV)
    if not setting or start != 0:
        return
    target, _, marker = setting.partition(":")
    if target == table:
        Path(marker).touch()
        time.sleep(600)
