"""Plain-text and Markdown tables for metrics, used by the command line and the benchmarks."""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.1f}"
    return "" if value is None else str(value)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese, Japanese and Korean characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, left: bool) -> str:
    fill = " " * (width - _width(text))
    return text + fill if left else fill + text


def render(rows: Sequence[Mapping[str, object]], columns: Sequence[str], markdown: bool = False) -> str:
    """Rows of dicts as an aligned text table (or a Markdown table); missing cells stay empty."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(r) + " |" for r in cells]
        return "\n".join(lines)
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    fmt = lambda r: "  ".join(_pad(v, w, not i) for i, (v, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(list(columns)), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells])
