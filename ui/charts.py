"""Matplotlib charts inside the window, drawn off the UI thread.

A :class:`Chart` is given a *builder*, a plain function that draws on a matplotlib
``Figure`` (no Qt in it). The figure is built and rendered by matplotlib's Agg backend on
one shared render thread, at the widget's size times the screen's device pixel ratio
(sharp on HiDPI: a ratio of 2 gives an image of twice the widget's pixels), and the
finished image is shown by the widget. So the UI thread never lays out or rasterises a
chart: selecting a user while a run works, or a run's results arriving, leave the window
answering. A chart that is hidden or has no size yet is not drawn at all until it is
shown (which also keeps matplotlib from laying out a figure of zero size). A resize
draws the chart again at the new size, a moment after the resizing stops; meanwhile
the last image is scaled. matplotlib itself is imported on the render thread, so the
window starts without it. A chart saved as PNG is rendered at print resolution rather
than copied from the screen.

Builders translate their texts when they run (``QCoreApplication.translate`` is
thread-safe), so after a language change a chart is simply drawn again; Chinese text is
drawn with the first installed font that has Chinese characters (:data:`CJK_FONTS`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.core.progress import Task
from ui.worker import Worker

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours of the two sides of a user's interests, used by every chart and the gate bar.
LONG_COLOUR = "#3b6fb6"
SHORT_COLOUR = "#e08a2e"
SAVE_DPI = 200
#: matplotlib's dots per inch at a device pixel ratio of 1 (its own default).
SCREEN_DPI = 100
#: Milliseconds after the last resize before the chart is drawn again at its new size.
RESIZE_DELAY_MS = 80
MIN_SIDE = 16  # pixels: smaller than this, a chart is not drawn
_STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25, "legend.frameon": False,
    "figure.facecolor": "white", "axes.facecolor": "white",
}
#: Fonts with Chinese characters, for the glyphs DejaVu Sans (matplotlib's own) lacks:
#: Chinese labels and catalogues. Only the installed ones are named, else matplotlib
#: warns about every missing one.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
             "Hiragino Sans GB", "Heiti SC", "Droid Sans Fallback", "Arial Unicode MS")
Builder = Callable[["Figure"], None]
log = logging.getLogger("interest_fusion_studio")


@cache
def _styled() -> None:
    """The charts' look, set once in matplotlib's global settings."""
    import matplotlib
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    fallback = [name for name in CJK_FONTS if name in installed]
    matplotlib.rcParams.update({**_STYLE, "font.family": ["sans-serif", *fallback]})


@cache
def prepare_rendering() -> None:
    """Render one small dated chart off screen, once (any thread, before the first Chart).

    matplotlib's first drawing loads fonts and fills its text caches: half a second that
    would otherwise delay the first chart.
    """
    from matplotlib import dates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _styled()
    figure = Figure(layout="constrained")
    ax = figure.add_subplot()
    ax.plot([19000.0, 19100.0], [0.0, 1.0], label="warm-up")
    locator = dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    ax.set_title("warm-up")
    ax.legend()
    FigureCanvasAgg(figure).draw()


def render(builder: Builder, width: int, height: int, ratio: float,
           task: Task | None = None) -> tuple["Figure", QImage]:
    """Build a figure of ``width`` x ``height`` logical pixels with ``builder`` and
    rasterise it at ``ratio`` device pixels per logical pixel (any thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _styled()
    figure = Figure(figsize=(width / SCREEN_DPI, height / SCREEN_DPI),
                    dpi=SCREEN_DPI * ratio, layout="constrained")
    canvas = FigureCanvasAgg(figure)
    builder(figure)
    if task is not None:
        task.check()  # a newer drawing was asked for meanwhile: skip the rasterising
    canvas.draw()
    buffer = canvas.buffer_rgba()
    rows, columns = buffer.shape[:2]
    image = QImage(bytes(buffer), columns, rows, columns * 4,
                   QImage.Format.Format_RGBA8888).copy()
    image.setDevicePixelRatio(ratio)
    return figure, image


def message_builder(text: str) -> Builder:
    """A builder of an empty chart that says why it is empty."""

    def build(figure: "Figure") -> None:
        ax = figure.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, color="#555555",
                transform=ax.transAxes)

    return build


_renderer: list[Worker] = []


def renderer() -> Worker:
    """The one thread every chart is drawn on (created on first use)."""
    if not _renderer:
        _renderer.append(Worker())
    return _renderer[0]


def rendering() -> bool:
    """Whether any chart is being drawn or waits to be."""
    return bool(_renderer) and _renderer[0].busy


def stop_rendering(msecs: int = 5000) -> None:
    """Skip the drawings not started and wait for the one being made (at exit)."""
    if _renderer:
        _renderer[0].cancel_all()
        _renderer[0].wait(msecs)


class Chart(QWidget):
    """A widget showing one matplotlib figure, drawn on the render thread.

    :meth:`plot` sets what to draw; :attr:`figure` and :attr:`image` are the last figure
    drawn and its pixels (None before the first); :attr:`busy` says a drawing is on its
    way; ``drawn`` is emitted when one is shown.
    """

    drawn = Signal()

    def __init__(self, parent: QWidget | None = None, min_height: int = 220) -> None:
        super().__init__(parent)
        self._builder: Builder | None = None
        self._generation = 0  # of the latest drawing asked for
        self._pending = 0  # drawings submitted and not finished
        self._shown = 0  # the generation of the figure shown
        self._task: Task | None = None  # of the latest drawing, to cancel it
        self._dirty = False  # the builder or the size changed since the last drawing
        self.figure: Figure | None = None
        self.image: QImage | None = None
        self.renders = 0  # drawings shown so far
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(RESIZE_DELAY_MS)
        self._resize_timer.timeout.connect(self._render_if_visible)
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    @property
    def busy(self) -> bool:
        """A drawing was asked for and has not been shown yet (it waits while hidden)."""
        return self._pending > 0 or (self._dirty and self._builder is not None
                                     and self._can_draw())

    def plot(self, builder: Builder) -> None:
        """Draw with ``builder`` (a function of a matplotlib Figure; it runs on the
        render thread, so it must use only the data it was given)."""
        self._builder = builder
        self._dirty = True
        self._render_if_visible()

    def message(self, text: str) -> None:
        """An empty chart that says why it is empty."""
        self.plot(message_builder(text))

    def sizeHint(self) -> QSize:
        return QSize(480, max(self.minimumHeight(), 240))

    def _can_draw(self) -> bool:
        return self.isVisible() and min(self.width(), self.height()) >= MIN_SIDE

    def _render_if_visible(self) -> None:
        if self._builder is None or not self._dirty or not self._can_draw():
            return  # drawn when shown (showEvent) or given a size (resizeEvent)
        self._dirty = False
        if self._task is not None:
            self._task.cancel()  # not started: skipped; started: its result is dropped
        self._generation += 1
        generation, builder = self._generation, self._builder
        width, height, ratio = self.width(), self.height(), self.devicePixelRatioF() or 1.0

        def draw(task: Task) -> tuple[int, object, object]:
            try:
                return (generation, *render(builder, width, height, ratio, task))
            except Exception as exc:  # noqa: BLE001  shown in the chart, logged if a bug
                if task.cancelled:
                    raise
                return generation, None, exc

        job = renderer().submit("chart", draw)
        self._task = job.task
        self._pending += 1
        # Bound methods: a chart deleted meanwhile is disconnected, not called.
        job.succeeded.connect(self._rendered)
        job.finished.connect(self._job_done)

    def _rendered(self, result: tuple[int, object, object]) -> None:
        generation, figure, image = result
        if generation != self._generation:
            return  # a newer drawing was asked for
        if figure is None:  # the builder failed: say so in the chart
            from ui.messages import describe

            describe(image)  # logs the traceback of an unexpected error
            self._builder = message_builder(
                self.tr("The chart could not be drawn: {error}").format(error=image))
            self._dirty = True
            return
        self.figure, self.image = figure, image
        self._shown = generation
        self.renders += 1
        self.update()
        self.drawn.emit()

    def _job_done(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self._task = None
            self._render_if_visible()  # the size or the builder changed meanwhile

    # -- Qt events --------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._render_if_visible()

    def changeEvent(self, event: QEvent) -> None:
        """Another language: the builder runs again (it translates its texts)."""
        if event.type() == QEvent.Type.LanguageChange and self._builder is not None:
            self._dirty = True
            self._render_if_visible()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.image is None or event.size() != event.oldSize():
            self._dirty = self._builder is not None
            if self.image is None:
                self._render_if_visible()
            else:
                self._resize_timer.start()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(self.rect()), self.image,
                              QRectF(self.image.rect()))
        painter.end()

    # -- saving -----------------------------------------------------------------------

    def save_png(self, path: str | Path) -> None:
        """The chart as PNG at print resolution: the figure shown, or, when a newer one
        is still being drawn, that one built here."""
        figure = self.figure
        if self._builder is not None and (figure is None or self._shown != self._generation
                                          or self._dirty):
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            _styled()
            width, height = max(self.width(), 480), max(self.height(), 320)
            figure = Figure(figsize=(width / SCREEN_DPI, height / SCREEN_DPI),
                            dpi=SCREEN_DPI, layout="constrained")
            FigureCanvasAgg(figure)
            self._builder(figure)
        if figure is None:
            raise OSError(f"cannot write {path}: the chart is empty")
        figure.savefig(Path(path), dpi=SAVE_DPI, format="png")
