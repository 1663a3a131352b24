"""Each list entry's components with their shares of its score: "cooc 64%, als 36%".

A fused score is the sum of its components' parts (a single model is its own only
component), so the shares say which side brought an item; the window shows the text
next to the item and the CSV export carries it.
"""
from __future__ import annotations

import numpy as np


def share_texts(names: list[str], parts: np.ndarray) -> list[str]:
    """One text per row of ``parts`` (entries x components)."""
    if len(names) == 1:
        return [f"scored by {names[0]}"] * len(parts)
    magnitude = np.abs(parts.astype(np.float64))
    total = magnitude.sum(axis=1, keepdims=True)
    shares = np.divide(magnitude, total, out=np.zeros_like(magnitude), where=total > 0)
    order = np.argsort(-shares, axis=1, kind="stable")
    texts = []
    for row, ranks in zip(shares, order):
        texts.append(", ".join(f"{names[c]} {row[c]:.0%}" for c in ranks if row[c] >= 0.005)
                     or "no component scored it")
    return texts
