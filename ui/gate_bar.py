"""How much the long term versus the short term drives a user's list, as one bar."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.charts import LONG_COLOUR, SHORT_COLOUR


class GateBar(QWidget):
    """The gate value (weight of the long-term side, 0..1) split into two coloured parts;
    when feedback moved it, a mark shows where the run's own gate was."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gate: float | None = None
        self.model_gate: float | None = None
        self._note = self.tr("no run")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(200)

    def set_gate(self, gate: float | None, note: str = "",
                 model_gate: float | None = None) -> None:
        """``gate`` None: the run has no gate; ``note`` says why (one model, no run).
        ``model_gate``: the run's own gate, when the user's feedback moved it to ``gate``."""
        self.gate = None if gate is None else min(max(float(gate), 0.0), 1.0)
        self.model_gate = (None if model_gate is None or gate is None
                           else min(max(float(model_gate), 0.0), 1.0))
        self._note = note
        self.setToolTip("" if gate is None else
                        self.tr("The fusion's gate gives {long:.0%} of this user's scores to "
                                "the long-term components and {short:.0%} to the short-term "
                                "ones").format(long=self.gate, short=1 - self.gate))
        self.update()

    def text(self) -> str:
        if self.gate is None:
            return self._note
        left, right = self._labels()
        return f"{left} | {right}"

    def _labels(self) -> tuple[str, str]:
        """"long-term 60%" and "short-term 40%", in the window's language."""
        return (self.tr("long-term {share:.0%}").format(share=self.gate),
                self.tr("short-term {share:.0%}").format(share=1 - self.gate))

    def sizeHint(self) -> QSize:
        return QSize(320, 26)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()  # now, whoever still holds this frame

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        path = QPainterPath()
        path.addRoundedRect(rect, 5, 5)
        painter.setClipPath(path)
        if self.gate is None:
            painter.fillRect(rect, QColor("#e0e0e0"))
            painter.setPen(QColor("#555555"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._note)
            return
        split = rect.left() + rect.width() * self.gate
        painter.fillRect(QRectF(rect.left(), rect.top(), split - rect.left(), rect.height()),
                         QColor(LONG_COLOUR))
        painter.fillRect(QRectF(split, rect.top(), rect.right() - split, rect.height()),
                         QColor(SHORT_COLOUR))
        if self.model_gate is not None:  # the run's gate, before the user's feedback
            mark = rect.left() + rect.width() * self.model_gate
            painter.setPen(QPen(QColor("#1f2933"), 2, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(mark, rect.top()), QPointF(mark, rect.bottom()))
        painter.setPen(QColor("white"))
        inner = rect.adjusted(8, 0, -8, 0)
        left, right = self._labels()
        metrics = painter.fontMetrics()
        if metrics.horizontalAdvance(left) + metrics.horizontalAdvance(right) + 16 \
                > inner.width():  # too narrow for two labels: the shortest that fits
            short = self.tr("long {long:.0%} | short {short:.0%}").format(
                long=self.gate, short=1 - self.gate)
            if metrics.horizontalAdvance(short) > inner.width():
                short = f"{self.gate:.0%} | {1 - self.gate:.0%}"
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, short)
            return
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, left)
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         right)
