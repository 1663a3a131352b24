"""Matplotlib figures inside the window, created on first use.

matplotlib's Qt canvas is imported only when a chart is first shown, so the window starts
without it. The canvas follows the screen's device pixel ratio (sharp on HiDPI), and a
chart saved as PNG is rendered at print resolution rather than copied from the screen.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours of the two sides of a user's interests, used by every chart and the gate bar.
LONG_COLOUR = "#3b6fb6"
SHORT_COLOUR = "#e08a2e"
SAVE_DPI = 200
_STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25, "legend.frameon": False,
    "figure.facecolor": "white", "axes.facecolor": "white",
}


@cache
def prepare_rendering() -> None:
    """Render one small dated chart off screen, once (any thread, before the first Chart).

    matplotlib's first drawing loads fonts and fills its text caches: half a second that
    would otherwise freeze the window the first time a chart is shown.
    """
    from matplotlib import dates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(layout="constrained")
    ax = figure.add_subplot()
    ax.plot([19000.0, 19100.0], [0.0, 1.0], label="warm-up")
    locator = dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    ax.set_title("warm-up")
    ax.legend()
    FigureCanvasAgg(figure).draw()


class Chart(QWidget):
    """A widget holding one matplotlib figure; :attr:`figure` is drawn on :meth:`draw`."""

    def __init__(self, parent: QWidget | None = None, min_height: int = 220) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._canvas = None
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def figure(self) -> "Figure":
        """The figure (created with its canvas on first access)."""
        if self._canvas is None:
            import matplotlib
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure

            matplotlib.rcParams.update(_STYLE)
            self._canvas = FigureCanvasQTAgg(Figure(layout="constrained"))
            self._layout.addWidget(self._canvas)
        return self._canvas.figure

    def clear(self) -> "Figure":
        figure = self.figure
        figure.clear()
        return figure

    def draw(self) -> None:
        if self._canvas is not None:
            self._canvas.draw_idle()

    def message(self, text: str) -> None:
        """An empty chart that says why it is empty."""
        figure = self.clear()
        ax = figure.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, color="#555555",
                transform=ax.transAxes)
        self.draw()

    def save_png(self, path: str | Path) -> None:
        self.figure.savefig(Path(path), dpi=SAVE_DPI, format="png")
