"""Who a user is, on the Users screen: their id, a summary of their history, the history
timeline, their long-term interests and the gate between the long and the short term.

A widget of its own so that the Users screen (:mod:`ui.pages.users`) only says which
user, history and profile to show; how each is drawn is kept here. Its texts are in the
window's language; the Users screen shows the user again when the language changes.
"""
from __future__ import annotations

import html
from datetime import datetime, timezone
from functools import partial

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from storage import RunInfo, StoredProfile
from ui.charts import Chart
from ui.gate_bar import GateBar
from ui.recommendations import horizon
from ui.timeline import draw_timeline


class UserAbout(QWidget):
    """The title, summary, timeline, interests and gate of the shown user."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("No user selected"), self)
        self.title.setObjectName("userTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("userSubtitle")
        self.subtitle.setWordWrap(True)
        self.timeline = Chart(self, min_height=130)
        self.timeline.setObjectName("timeline")
        self.keywords = QLabel(self)
        self.keywords.setObjectName("keywords")
        self.keywords.setTextFormat(Qt.TextFormat.RichText)
        self.keywords.setWordWrap(True)
        self.gate = GateBar(self)
        self.gate.setObjectName("gate")
        self.gate_label = QLabel(self)
        self.gate_label.setObjectName("gateLabel")
        interests = QHBoxLayout()
        self.interests_label = QLabel(self)
        interests.addWidget(self.interests_label)
        interests.addWidget(self.keywords, 3)
        interests.addSpacing(16)
        interests.addWidget(self.gate_label)
        interests.addWidget(self.gate, 2)
        self.show_gate_label(None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.timeline, 1)
        layout.addLayout(interests)
        self.retranslate()

    def retranslate(self) -> None:
        self.interests_label.setText("<b>" + self.tr("Long-term interests") + "</b>")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear(self) -> None:
        """No user is selected."""
        self.title.setText(self.tr("No user selected"))
        self.subtitle.clear()
        self.keywords.clear()
        self.gate.set_gate(None, self.tr("no user"))
        self.show_gate_label(None)
        self.timeline.message(self.tr("Select a user to see their history."))

    def show_history(self, history: list, has_time: bool, window: int,
                     run: RunInfo | None) -> None:
        """The summary and the timeline of ``history`` (its last ``window`` events marked
        as the recent ones the run reads)."""
        self.subtitle.setText(_summary(history, has_time, run))
        self.timeline.plot(partial(draw_timeline, events=history, window=window,
                                   has_timestamps=has_time))

    def show_profile(self, profile: StoredProfile | None, run: RunInfo | None) -> None:
        """The run's profile of the user: interest keywords and gate."""
        self.show_gate_label(None)
        if profile is None:
            self.keywords.setText("<i>" + self.tr("no profile stored") + "</i>")
            self.gate.set_gate(None, self.tr("no run") if run is None else self.tr("no profile"))
            return
        chips = " ".join(
            f"<span style='background-color:#e3ecf7; color:#1d3f6e'>&nbsp;{html.escape(k)}"
            "&nbsp;</span>" for k in profile.keywords)
        self.keywords.setText(chips or "<i>" + self.tr("none found") + "</i>")
        if profile.gate is not None:
            self.gate.set_gate(profile.gate)
        else:
            sides = {horizon(c) for c in (run.components if run else [])}
            self.gate.set_gate(None, self.tr("one model: all short-term") if sides == {"short"}
                               else self.tr("one model: all long-term") if sides <= {"long"}
                               else self.tr("one model: all long/short-term"))

    def show_moved_gate(self, gate: float, model_gate: float) -> None:
        """The gate after the user's feedback moved it from the run's ``model_gate``."""
        self.gate.set_gate(gate, model_gate=model_gate)
        self.gate.setToolTip(self.tr("{tip}; the run's own gate was {gate:.0%} before this "
                                     "user's feedback").format(tip=self.gate.toolTip(),
                                                               gate=model_gate))
        self.show_gate_label(model_gate if abs(gate - model_gate) >= 0.005 else None)

    def show_gate_label(self, model_gate: float | None) -> None:
        """"Gate", or "Gate after feedback (run: 53%)" when the user's feedback moved it
        away from the run's gate (the one the users table shows)."""
        if model_gate is None:
            self.gate_label.setText("<b>" + self.tr("Gate") + "</b>")
            self.gate_label.setToolTip("")
        else:
            self.gate_label.setText(self.tr("<b>Gate</b> after feedback (run: {gate:.0%})")
                                    .format(gate=model_gate))
            self.gate_label.setToolTip(self.tr(
                "The user's feedback moved the gate toward the side that brought the items "
                "they liked; the run's own gate (the users table's) was {gate:.2f}, marked on "
                "the bar").format(gate=model_gate))


def _summary(history: list, has_time: bool, run: RunInfo | None) -> str:
    translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")
    if not history:
        return translate("UserAbout", "no interactions")
    if has_time:
        first, last = (datetime.fromtimestamp(e.timestamp, timezone.utc).strftime("%Y-%m-%d")
                       for e in (history[0], history[-1]))
        text = translate("UserAbout", "{n:,} interactions from {first} to {last}").format(
            n=len(history), first=first, last=last)
    else:
        text = translate("UserAbout", "{n:,} interactions").format(n=len(history))
    if run is not None:
        text += translate("UserAbout", "; seen through run {run} ({model})").format(
            run=run.id, model=run.model)
    return text
