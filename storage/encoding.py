"""How values are encoded for the database: compact binary vectors and plain JSON.

Vectors are raw little-endian float32 (or int32) bytes: a 384-dimension profile takes
1.5 KiB instead of several KiB of JSON text, and decodes without parsing. JSON columns
only receive plain Python values, so numpy scalars in metrics or reports never reach the
driver's serializer.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import numpy as np

FLOAT = np.dtype("<f4")
INT = np.dtype("<i4")


def to_blob(values: np.ndarray, dtype: np.dtype = FLOAT) -> bytes:
    return np.ascontiguousarray(values, dtype=dtype).tobytes()


def from_blob(blob: bytes | None, dtype: np.dtype = FLOAT) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=dtype).copy()


def plain(value: Any, strict: bool = False) -> Any:
    """``value`` with numpy scalars, arrays, tuples, sets and Counters made JSON-ready;
    anything else becomes its text, or with ``strict`` a TypeError (as do NaN and
    infinities, which JSON cannot hold: ValueError)."""
    return json.loads(json.dumps(value, default=_strict if strict else _lenient,
                                 allow_nan=not strict))


def _strict(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"a {type(value).__name__}")


def _lenient(value: Any) -> Any:
    try:
        return _strict(value)
    except TypeError:
        return str(value)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
