"""'How it works': the sequence diagram, whose steps light up as the real requests happen."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from desktop.teaching.kit.hub import TeachingHub
from desktop.teaching.kit.icons import icon_pixmap
from desktop.teaching.kit.look import heading, ink, note, tones
from desktop.teaching.models.sequence import (
    ATTACKER,
    BROWSER,
    SCENARIOS,
    Glow,
    SequenceTracker,
    Step,
    step_id,
)

ICON_OF = {
    "User": "user",
    "App": "app",
    "Keyring": "keyring",
    "Auth server": "server",
    "API": "api",
    BROWSER: "browser",
    ATTACKER: "attacker",
}
ORDER = ("User", "Keyring", "App", BROWSER, "Auth server", "API", ATTACKER)
HEADER = 56
TITLE_ROW = 30
STEP_ROW = 34
SIDE = 24
FRAME_MS = 80
INTRO = (
    "The boxes are who takes part; time runs downwards. When the app makes a real request, the "
    "matching arrows light up one after another, yellow when it went well and red when the "
    "answer was a refusal, then fade."
)


def blend(a: QColor, b: QColor, share_of_b: float) -> QColor:
    """A mix of two colours: `share_of_b` 0 is all `a`, 1 is all `b`."""
    keep = 1 - share_of_b
    return QColor(
        round(a.red() * keep + b.red() * share_of_b),
        round(a.green() * keep + b.green() * share_of_b),
        round(a.blue() * keep + b.blue() * share_of_b),
    )


class SequenceDiagram(QWidget):
    """Paints lifelines and every scenario's arrows under a header that stays in view."""

    def __init__(self, glow: Glow, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.setObjectName("sequenceDiagram")
        self.glow = glow
        self.now = now
        self.last_lit: dict[str, float] = {}
        self.view_top = 0
        rows = sum(TITLE_ROW + STEP_ROW * len(s.steps) for s in SCENARIOS)
        self.setMinimumSize(QSize(820, HEADER + rows + 16))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def step_top(self, key: str) -> float:
        """Where a step's row starts, to scroll it into view."""
        y = float(HEADER)
        for scenario in SCENARIOS:
            y += TITLE_ROW
            for step in scenario.steps:
                if step_id(scenario.key, step.key) == key:
                    return y
                y += STEP_ROW
        return 0.0

    def column(self, name: str) -> float:
        usable = self.width() - 2 * SIDE
        return SIDE + usable * (ORDER.index(name) + 0.5) / len(ORDER)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(tones(self).surface))
        self._rows(painter, self.now())
        self._participants(painter)
        painter.end()

    def _participants(self, p: QPainter) -> None:
        """The header, drawn at the top of the visible part so it never scrolls away."""
        colours = tones(self)
        text = ink(self)
        top = float(self.view_top)
        p.fillRect(QRectF(0, top, self.width(), HEADER), QColor(colours.surface))
        if top > 0:
            p.setPen(QPen(QColor(colours.grid), 1))
            p.drawLine(QPointF(0, top + HEADER), QPointF(self.width(), top + HEADER))
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        metrics = QFontMetrics(bold)
        for name in ORDER:
            x = self.column(name)
            pen = QColor(colours.attacker) if name == ATTACKER else text
            width = max(88, metrics.horizontalAdvance(name) + 40)
            box = QRectF(x - width / 2, top + 8, width, 40)
            p.setPen(QPen(pen, 1.2))
            p.setBrush(QColor(colours.lane))
            p.drawRoundedRect(box, 6, 6)
            p.drawPixmap(int(box.left() + 8), int(box.top() + 10), icon_pixmap(ICON_OF[name], pen))
            p.drawText(box.adjusted(30, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, name)
        p.setFont(self.font())

    def _rows(self, p: QPainter, now: float) -> None:
        colours = tones(self)
        text = ink(self)
        surface = QColor(colours.surface)
        p.setPen(QPen(QColor(colours.neutral), 1, Qt.PenStyle.DashLine))
        for name in ORDER:
            x = self.column(name)
            p.drawLine(QPointF(x, HEADER), QPointF(x, self.height() - 8))
        y = float(HEADER)
        for scenario in SCENARIOS:
            self._title(p, scenario.key, scenario.title, y, text)
            y += TITLE_ROW
            for step in scenario.steps:
                key = step_id(scenario.key, step.key)
                strength = self.glow.intensity(key, now)
                ok = self.glow.ok(key)
                shade = surface
                if strength > 0:
                    lit = QColor(colours.lit if ok else colours.lit_bad)
                    shade = blend(lit, surface, 1 - strength)
                    p.fillRect(QRectF(4, y, self.width() - 8, STEP_ROW), shade)
                self._arrow(p, step, y, (strength, ok), text, shade)
                y += STEP_ROW

    def _title(self, p: QPainter, key: str, title: str, y: float, text: QColor) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(text)
        area = QRectF(8, y + 4, self.width() - 16, TITLE_ROW - 4)
        p.drawText(area, 0, title)
        p.setFont(self.font())
        when = self.last_lit.get(key)
        if when is not None:
            p.setPen(QColor(tones(self).neutral))
            stamp = "last at " + datetime.fromtimestamp(when).strftime("%H:%M:%S")
            p.drawText(area, Qt.AlignmentFlag.AlignRight, stamp)

    def _arrow(
        self,
        p: QPainter,
        step: Step,
        y: float,
        glow: tuple[float, bool],
        text: QColor,
        shade: QColor,
    ) -> None:
        colours = tones(self)
        strength, ok = glow
        pen = QColor(colours.attacker) if ATTACKER in (step.source, step.target) else text
        if strength > 0 and not ok:
            pen = QColor(colours.bad)
        start, end = self.column(step.source), self.column(step.target)
        base_y = y + STEP_ROW - 8
        p.setPen(QPen(pen, 2.4 if strength > 0.5 else 1.3))
        p.drawLine(QPointF(start, base_y), QPointF(end, base_y))
        direction = 1 if end > start else -1
        head = [
            QPointF(end, base_y),
            QPointF(end - 9 * direction, base_y - 4.5),
            QPointF(end - 9 * direction, base_y + 4.5),
        ]
        p.setBrush(pen)
        p.drawPolygon(head)
        metrics = QFontMetrics(self.font())
        width = metrics.horizontalAdvance(step.label) + 8
        centre = (start + end) / 2
        left = max(4.0, min(centre - width / 2, self.width() - width - 4))
        label = QRectF(left, y + 3, width, STEP_ROW - 14)
        p.fillRect(label, shade)
        p.setPen(pen)
        p.drawText(label, Qt.AlignmentFlag.AlignCenter, step.label)


class SequencePanel(QWidget):
    """The diagram in a scroll area that follows the lit step, and what just happened in words."""

    def __init__(self, hub: TeachingHub, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.setObjectName("sequencePanel")
        self.hub = hub
        self.now = now
        self.tracker = SequenceTracker()
        self.glow = Glow()
        self.followed: str | None = None
        self.on_screen = False
        layout = QVBoxLayout(self)
        layout.addWidget(heading("How it works"))
        layout.addWidget(note(INTRO))
        self.caption = QLabel("Nothing has happened yet: sign in and watch.")
        self.caption.setObjectName("sequenceCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.diagram = SequenceDiagram(self.glow, now)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.diagram)
        self.scroll_area.verticalScrollBar().valueChanged.connect(self.scrolled)
        layout.addWidget(self.scroll_area, 1)
        self.frames = QTimer(self)
        self.frames.setInterval(FRAME_MS)
        self.frames.timeout.connect(self.animate)
        hub.happened.connect(self.on_event)

    def on_event(self, record: object) -> None:
        lit = self.tracker.feed(record)
        if lit is None:
            return
        now = self.now()
        self.glow.start(lit, now)
        for step in lit.steps:
            self.diagram.last_lit[step.split(".")[0]] = now
        stamp = datetime.fromtimestamp(now).strftime("%H:%M:%S")
        self.caption.setText(f"Last at {stamp}: {lit.note}")
        if self.on_screen:
            self.frames.start()
            self.animate()

    def showEvent(self, event: QShowEvent) -> None:
        """The arrows fade while the diagram is on screen; hidden or minimised, it stays still."""
        super().showEvent(event)
        self.on_screen = True
        self.frames.start()
        self.animate()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.on_screen = False
        self.frames.stop()

    def animate(self) -> None:
        now = self.now()
        newest = self.glow.newest(now)
        if newest is not None and newest != self.followed:
            self.followed = newest
            top = self.diagram.step_top(newest)
            margin = HEADER + TITLE_ROW + STEP_ROW
            self.scroll_area.ensureVisible(0, int(top + STEP_ROW / 2), 0, margin)
        self.diagram.update()
        if not self.glow.busy(now):
            self.frames.stop()

    def scrolled(self, value: int) -> None:
        self.diagram.view_top = value
        self.diagram.update()
