"""The timeline: the session drawn over time with QPainter, from the timeline model."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetrics,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktop.teaching.kit.hub import TeachingHub
from desktop.teaching.kit.look import heading, ink, note, tones
from desktop.teaching.models.palette import Tones
from desktop.teaching.models.timeline import AccessBar, Mark, MarkKind, RefreshSpan, TimelineModel

LEFT = 112
RIGHT = 16
AXIS = 26
LANE_GAP = 8
ACCESS_ROW = 24
LABEL_ROWS = 3
LABEL_ROW = 17
LANES = (("Access tokens", 2 * ACCESS_ROW + 8), ("Refresh token", 28), ("API calls", 26))
EVENTS_LANE = ("Events", LABEL_ROWS * LABEL_ROW + 4)
LEGEND_ROW = 20
TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MIN_TICK_PX = 90
SCROLL_MS = 500
EVENT_KINDS = {
    MarkKind.SIGN_IN,
    MarkKind.RESTORED,
    MarkKind.REVOKED,
    MarkKind.REFUSED,
    MarkKind.THEFT,
    MarkKind.RESTART,
    MarkKind.REFRESH_FAILED,
}
EVENT_LABELS = {
    MarkKind.SIGN_IN: "signed in",
    MarkKind.RESTORED: "restored at start-up",
    MarkKind.REVOKED: "session ended",
    MarkKind.REFUSED: "refresh refused: session over",
    MarkKind.THEFT: "attacker replay",
    MarkKind.RESTART: "server restarted",
    MarkKind.REFRESH_FAILED: "refresh failed",
}
EXPLANATION = (
    "Each blue bar is one access token, from the moment it was issued until it expires. "
    "The app refreshes before the end (▼ marks when it planned to), so the next bar starts "
    "before the last one ends and calls never wait. Each refresh also swaps the refresh token "
    "(green). Once the session ends, the rest of a bar is hatched: the server's routes refuse "
    "it, though a JWKS-only API would accept it until it expires, which is why it is short."
)


def event_colour(kind: MarkKind, colours: Tones) -> str:
    return {
        MarkKind.SIGN_IN: colours.good,
        MarkKind.RESTORED: colours.good,
        MarkKind.REVOKED: colours.neutral,
        MarkKind.REFUSED: colours.bad,
        MarkKind.THEFT: colours.attacker,
        MarkKind.RESTART: colours.warn,
        MarkKind.REFRESH_FAILED: colours.warn,
    }.get(kind, colours.neutral)


def plural(count: int, word: str, many: str = "") -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def label_row(right_edges: list[float], left: float) -> int:
    """The first label row free at `left`, else the one that frees up soonest."""
    for row, right in enumerate(right_edges):
        if right <= left:
            return row
    return min(range(len(right_edges)), key=right_edges.__getitem__)


def tick_step(seconds: float, pixels: float) -> int:
    """The smallest tick interval that leaves at least MIN_TICK_PX between labels."""
    for step in TICKS:
        if pixels * step / max(seconds, 1e-9) >= MIN_TICK_PX:
            return step
    return TICKS[-1]


class TimelineChart(QWidget):
    """Paints the model's window of time; scrolls by repainting against the clock."""

    def __init__(self, model: TimelineModel, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.setObjectName("timelineChart")
        self.model = model
        self.now = now
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(QSize(620, self.chart_height() + 3 * LEGEND_ROW + 12))
        self.setFixedHeight(self.chart_height() + 3 * LEGEND_ROW + 12)

    @staticmethod
    def chart_height() -> int:
        lanes = sum(height for _, height in LANES) + EVENTS_LANE[1]
        return AXIS + lanes + LANE_GAP * (len(LANES) + 1)

    def sizeHint(self) -> QSize:
        return QSize(900, self.chart_height() + 3 * LEGEND_ROW + 12)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ChartPainter(painter, self, self.model, self.now()).paint()
        painter.end()


class ChartPainter:
    """One frame of the chart: axis, lanes, bars, marks, the 'now' line and the legend."""

    def __init__(
        self, painter: QPainter, widget: QWidget, model: TimelineModel, now: float
    ) -> None:
        self.p = painter
        self.widget = widget
        self.model = model
        self.now = now
        self.colours = tones(widget)
        self.text = ink(widget)
        self.base = QColor(self.colours.surface)
        self.highlight = widget.palette().color(QPalette.ColorRole.Highlight)
        self.start, self.end = model.window(now)
        self.width = widget.width()
        self.plot_left = LEFT
        self.plot_right = self.width - RIGHT
        self.lanes: dict[str, QRectF] = {}
        y = AXIS + LANE_GAP
        for name, height in (*LANES, EVENTS_LANE):
            self.lanes[name] = QRectF(self.plot_left, y, self.plot_right - self.plot_left, height)
            y += height + LANE_GAP
        self.bottom = y

    def x(self, at: float) -> float:
        share = (at - self.start) / (self.end - self.start)
        return self.plot_left + share * (self.plot_right - self.plot_left)

    def clamp(self, x: float) -> float:
        return max(self.plot_left, min(self.plot_right, x))

    def paint(self) -> None:
        self.p.fillRect(self.widget.rect(), self.base)
        self._lanes()
        self._axis()
        self.p.save()
        self.p.setClipRect(QRectF(self.plot_left, 0, self.plot_right - self.plot_left, self.bottom))
        self._access_bars()
        self._refresh_spans()
        self._api_calls()
        self._events()
        self._now_line()
        self.p.restore()
        if not self.model.bars and not self.model.marks:
            self._empty()
        self._legend()

    def _lanes(self) -> None:
        self.p.setPen(self.text)
        for name, rect in self.lanes.items():
            self.p.fillRect(rect, QColor(self.colours.lane))
            label = QRectF(8, rect.top(), LEFT - 16, rect.height())
            self.p.drawText(label, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)

    def _axis(self) -> None:
        step = tick_step(self.end - self.start, self.plot_right - self.plot_left)
        first = int(self.start // step + 1) * step
        grid = QPen(QColor(self.colours.grid).darker(115), 1)
        metrics = QFontMetrics(self.widget.font())
        now_x = self.x(self.now)
        now_half = metrics.horizontalAdvance("now") / 2 + 8
        tick = first
        while tick <= self.end:
            x = self.x(tick)
            self.p.setPen(grid)
            self.p.drawLine(QPointF(x, AXIS), QPointF(x, self.bottom - LANE_GAP))
            label = datetime.fromtimestamp(tick).strftime("%H:%M:%S")
            width = metrics.horizontalAdvance(label)
            clear_of_now = abs(x - now_x) > width / 2 + now_half
            inside = self.plot_left <= x - width / 2 and x + width / 2 <= self.plot_right
            if inside and clear_of_now:
                self.p.setPen(QColor(self.colours.neutral))
                self.p.drawText(QPointF(x - width / 2, AXIS - 8), label)
            tick += step

    def _bar_rect(self, bar: AccessBar, lane: QRectF) -> QRectF:
        row = (bar.number - 1) % 2
        top = lane.top() + 2 + row * (ACCESS_ROW + 2)
        left, right = self.x(bar.issued_at), self.x(bar.expires_at)
        return QRectF(left, top, max(2.0, right - left), ACCESS_ROW)

    def _access_bars(self) -> None:
        lane = self.lanes["Access tokens"]
        metrics = QFontMetrics(self.widget.font())
        for bar in self.model.bars_in(self.start, self.end):
            rect = self._bar_rect(bar, lane)
            expired = self.now >= bar.expires_at
            fill = QColor(self.colours.access_expired if expired else self.colours.access)
            self.p.setPen(Qt.PenStyle.NoPen)
            self.p.setBrush(fill)
            self.p.drawRoundedRect(rect, 4, 4)
            if bar.cut_at is not None:
                cut = QRectF(rect)
                cut.setLeft(self.x(bar.cut_at))
                self.p.setBrush(QColor(self.base))
                self.p.drawRect(cut)
                self.p.setBrush(QBrush(QColor(self.colours.bad), Qt.BrushStyle.BDiagPattern))
                self.p.setPen(QPen(QColor(self.colours.bad), 1))
                self.p.drawRect(cut)
            if bar.refresh_due_at is not None:
                self._due_marker(self.x(bar.refresh_due_at), rect.top())
            visible_left = self.clamp(rect.left())
            room = min(rect.right(), self.plot_right) - visible_left - 8
            if bar.cut_at is not None:
                room = min(room, self.x(bar.cut_at) - visible_left - 8)
            label = f"access token #{bar.number} · {bar.lifetime:.0f} s"
            if metrics.horizontalAdvance(label) > room:
                label = f"#{bar.number} · {bar.lifetime:.0f} s"
            if metrics.horizontalAdvance(label) > room:
                label = f"#{bar.number}"
            if metrics.horizontalAdvance(label) <= room:
                self.p.setPen(QColor("#ffffff") if not expired else self.text)
                text_rect = QRectF(visible_left + 6, rect.top(), room, rect.height())
                self.p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, label)

    def _due_marker(self, x: float, top: float) -> None:
        self.p.setPen(Qt.PenStyle.NoPen)
        self.p.setBrush(QColor(self.colours.warn))
        self.p.drawPolygon([QPointF(x - 5, top - 1), QPointF(x + 5, top - 1), QPointF(x, top + 6)])

    def _refresh_spans(self) -> None:
        lane = self.lanes["Refresh token"]
        metrics = QFontMetrics(self.widget.font())
        for item in self.model.spans_in(self.start, self.end, self.now):
            self._refresh_span(item, lane, metrics)

    def _refresh_span(self, item: RefreshSpan, lane: QRectF, metrics: QFontMetrics) -> None:
        ended = item.ended_at if item.ended_at is not None else self.now
        left, right = self.x(item.started_at), self.x(ended)
        rect = QRectF(left, lane.top() + 4, max(2.0, right - left), lane.height() - 8)
        colour = QColor(self.colours.refresh)
        if item.generation % 2 == 0:
            colour = colour.lighter(125)
        if item.ended_at is None:
            colour.setAlpha(230)
        self.p.setPen(QPen(self.base, 1))
        self.p.setBrush(colour)
        self.p.drawRoundedRect(rect, 3, 3)
        visible_left = self.clamp(rect.left())
        room = min(rect.right(), self.plot_right) - visible_left - 8
        label = f"refresh token #{item.generation}"
        if metrics.horizontalAdvance(label) > room:
            label = f"#{item.generation}"
        if metrics.horizontalAdvance(label) <= room:
            self.p.setPen(QColor("#ffffff"))
            text_rect = QRectF(visible_left + 6, rect.top(), room, rect.height())
            self.p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, label)
        if item.ended_at is not None and item.ending != "rotated":
            self._cross(QPointF(right, rect.center().y()), self.colours.bad)

    def _cross(self, centre: QPointF, colour: str) -> None:
        self.p.setPen(QPen(QColor(colour), 2.5))
        d = 5
        self.p.drawLine(centre + QPointF(-d, -d), centre + QPointF(d, d))
        self.p.drawLine(centre + QPointF(-d, d), centre + QPointF(d, -d))

    def _api_calls(self) -> None:
        lane = self.lanes["API calls"]
        y = lane.center().y()
        for mark in self.model.marks_in(self.start, self.end):
            if mark.kind not in {MarkKind.API_OK, MarkKind.API_REFUSED}:
                continue
            ok = mark.kind == MarkKind.API_OK
            self.p.setPen(QPen(self.base, 1.5))
            self.p.setBrush(QColor(self.colours.good if ok else self.colours.bad))
            self.p.drawEllipse(QPointF(self.x(mark.at), y), 5.5, 5.5)

    def _events(self) -> None:
        lane = self.lanes["Events"]
        metrics = QFontMetrics(self.widget.font())
        marks = [m for m in self.model.marks_in(self.start, self.end) if m.kind in EVENT_KINDS]
        right_edges = [-1e9] * LABEL_ROWS
        for mark in marks:
            self._event(mark, lane, metrics, right_edges)

    def _event(self, mark: Mark, lane: QRectF, metrics: QFontMetrics, rows: list[float]) -> None:
        colour = QColor(event_colour(mark.kind, self.colours))
        x = self.x(mark.at)
        self.p.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
        self.p.drawLine(QPointF(x, AXIS), QPointF(x, lane.bottom()))
        label = EVENT_LABELS[mark.kind]
        width = metrics.horizontalAdvance(label)
        left = min(x + 4, self.plot_right - width - 2)
        row = label_row(rows, left)
        rows[row] = left + width + 10
        top = lane.top() + 2 + row * LABEL_ROW
        self.p.setPen(colour)
        self.p.drawText(QRectF(left, top, width + 2, LABEL_ROW), 0, label)

    def _now_line(self) -> None:
        x = self.x(self.now)
        self.p.setPen(QPen(self.highlight, 2))
        self.p.drawLine(QPointF(x, AXIS - 2), QPointF(x, self.bottom - LANE_GAP))
        metrics = QFontMetrics(self.widget.font())
        width = metrics.horizontalAdvance("now") + 10
        pill = QRectF(x - width / 2, 2, width, AXIS - 6)
        self.p.setPen(Qt.PenStyle.NoPen)
        self.p.setBrush(self.highlight)
        self.p.drawRoundedRect(pill, 4, 4)
        self.p.setPen(self.widget.palette().color(QPalette.ColorRole.HighlightedText))
        self.p.drawText(pill, Qt.AlignmentFlag.AlignCenter, "now")

    def _empty(self) -> None:
        rect = QRectF(self.plot_left, AXIS, self.plot_right - self.plot_left, self.bottom - AXIS)
        self.p.setPen(QColor(self.colours.neutral))
        self.p.drawText(
            rect, Qt.AlignmentFlag.AlignCenter, "Sign in: the session will unfold here over time."
        )

    def _legend(self) -> None:
        c = self.colours
        items: list[tuple[Callable[[QRectF], None], str]] = [
            (lambda r: self._swatch(r, c.access), "access token (valid)"),
            (lambda r: self._swatch(r, c.access_expired), "access token (expired)"),
            (self._hatched, "after the session ended"),
            (lambda r: self._swatch(r, c.refresh), "refresh token"),
            (lambda r: self._due_marker(r.center().x(), r.top() + 2), "refresh planned"),
            (lambda r: self._dot(r, c.good), "API call accepted"),
            (lambda r: self._dot(r, c.bad), "API call refused"),
            (lambda r: self._line(r, c.good), "sign-in"),
            (lambda r: self._line(r, c.neutral), "sign-out / revoke"),
            (lambda r: self._line(r, c.bad), "refresh refused"),
            (lambda r: self._line(r, c.attacker), "attacker replay"),
            (lambda r: self._line(r, c.warn), "server restart / failure"),
        ]
        metrics = QFontMetrics(self.widget.font())
        x, y = float(self.plot_left), self.bottom + 2
        for draw, text in items:
            width = 22 + metrics.horizontalAdvance(text) + 18
            if x + width > self.width - RIGHT:
                x, y = float(self.plot_left), y + LEGEND_ROW
            draw(QRectF(x, y + 4, 16, LEGEND_ROW - 8))
            self.p.setPen(self.text)
            text_rect = QRectF(x + 22, y, width, LEGEND_ROW)
            self.p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, text)
            x += width

    def _swatch(self, rect: QRectF, colour: str) -> None:
        self.p.setPen(Qt.PenStyle.NoPen)
        self.p.setBrush(QColor(colour))
        self.p.drawRoundedRect(rect, 3, 3)

    def _hatched(self, rect: QRectF) -> None:
        self.p.setPen(QPen(QColor(self.colours.bad), 1))
        self.p.setBrush(QBrush(QColor(self.colours.bad), Qt.BrushStyle.BDiagPattern))
        self.p.drawRect(rect)

    def _dot(self, rect: QRectF, colour: str) -> None:
        self.p.setPen(Qt.PenStyle.NoPen)
        self.p.setBrush(QColor(colour))
        self.p.drawEllipse(rect.center(), 5, 5)

    def _line(self, rect: QRectF, colour: str) -> None:
        self.p.setPen(QPen(QColor(colour), 2, Qt.PenStyle.DashLine))
        x = rect.center().x()
        self.p.drawLine(QPointF(x, rect.top() - 2), QPointF(x, rect.bottom() + 2))


def summary(model: TimelineModel) -> str:
    """One line of counts under the chart."""
    calls = model.count(MarkKind.API_OK) + model.count(MarkKind.API_REFUSED)
    ends = model.count(MarkKind.REVOKED) + model.count(MarkKind.REFUSED)
    return " · ".join(
        (
            plural(model.access_tokens, "access token"),
            plural(model.count(MarkKind.REFRESH), "refresh", "refreshes"),
            plural(model.refresh_tokens, "refresh token"),
            f"{plural(calls, 'API call')} ({model.count(MarkKind.API_REFUSED)} refused)",
            plural(ends, "session end"),
        )
    )


class TimelinePanel(QWidget):
    """The chart with a title, what it shows in words, and running counts."""

    def __init__(self, hub: TeachingHub, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.setObjectName("timelinePanel")
        self.hub = hub
        self.model = TimelineModel()
        layout = QVBoxLayout(self)
        layout.addWidget(heading("The session over time"))
        layout.addWidget(note(EXPLANATION))
        self.chart = TimelineChart(self.model, now)
        layout.addWidget(self.chart)
        self.counts = QLabel(summary(self.model))
        self.counts.setObjectName("timelineCounts")
        layout.addWidget(self.counts)
        layout.addStretch()
        hub.happened.connect(self.on_event)
        self.timer = QTimer(self)
        self.timer.setInterval(SCROLL_MS)
        self.timer.timeout.connect(self.chart.update)

    def showEvent(self, event: QShowEvent) -> None:
        """The chart scrolls with the clock while it is on screen, and only then."""
        super().showEvent(event)
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def on_event(self, record: object) -> None:
        if self.model.record(record):
            self.counts.setText(summary(self.model))
            self.chart.update()
