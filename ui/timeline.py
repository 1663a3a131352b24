"""The history timeline of one user: every item over time, coloured by its category
(first genre), with the short-term window (the latest actions a run reads) marked.

:func:`draw_timeline` draws on a matplotlib Figure and touches no Qt object, so the
Users screen hands it to :meth:`ui.charts.Chart.plot`, which runs it on the render
thread; its texts are translated there (``QCoreApplication.translate`` is thread-safe)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from storage.browse import HistoryEvent
from ui.charts import SHORT_COLOUR, message_builder

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NO_CATEGORY = QT_TRANSLATE_NOOP("Timeline", "(no category)")
translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls
JITTER = 0.07  # vertical offset between neighbouring items of one category
MIN_SPAN = 0.015  # the window's shading is at least this share of the axis wide


def draw_timeline(figure: "Figure", events: list[HistoryEvent], window: int,
                  has_timestamps: bool) -> None:
    """Draw ``events`` (chronological) on ``figure``; the last ``window`` are the short
    term."""
    if not events:
        message_builder(translate("Timeline", "This user has no history."))(figure)
        return
    from matplotlib import colormaps, dates

    ax = figure.add_subplot()
    categories = [e.genres[0] if e.genres else NO_CATEGORY for e in events]
    rows = sorted(set(categories), key=lambda c: (c == NO_CATEGORY, c))
    palette = colormaps["tab10" if len(rows) <= 10 else "tab20"]
    y = [rows.index(c) for c in categories]
    # Items of a session are minutes apart: spread them a little so none hides another.
    spread = [row + JITTER * ((i % 5) - 2) for i, row in enumerate(y)]
    if has_timestamps:
        x = dates.date2num([datetime.fromtimestamp(e.timestamp, timezone.utc) for e in events])
    else:
        x = list(range(1, len(events) + 1))
    ax.scatter(x, spread, c=[palette(i % palette.N) for i in y], s=30, zorder=3,
               edgecolors="white", linewidths=0.6)
    n = min(window, len(events))
    if n:
        ax.scatter(x[-n:], spread[-n:], s=110, facecolors="none", edgecolors=SHORT_COLOUR,
                   linewidths=1.8, zorder=4,
                   label=translate("Timeline", "short-term window (last {n})").format(n=n))
        lo, hi = min(x), max(x)
        pad = max((hi - lo) * MIN_SPAN, 0.5 if not has_timestamps else 1 / 24)
        ax.axvspan(x[-n] - pad, x[-1] + pad, color=SHORT_COLOUR, alpha=0.14, zorder=1)
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2,
                  fontsize=8)  # above the axes: it covers no point
    ax.set_yticks(range(len(rows)),
                  [translate("Timeline", r) if r == NO_CATEGORY else r for r in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(axis="x", visible=False)
    if has_timestamps:
        locator = dates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    else:
        ax.set_xlabel(translate("Timeline", "position in the history (the file has no time "
                                "column)"))
