"""The access token's remaining life as a bar, with the scheduled refresh marked on it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QProgressBar, QWidget

from desktop.core.policy import Lifetime
from desktop.ui.countdown import seconds_left

RESOLUTION = 1000


class ExpiryBar(QProgressBar):
    """Full when the token is new, empty when it expires; the mark is where the refresh is due."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expiryBar")
        self.setRange(0, RESOLUTION)
        self.setTextVisible(False)
        self.setMinimumHeight(22)
        self.setToolTip(
            "Time left before the access token expires. The mark shows when the app will "
            "trade the refresh token for a new pair."
        )
        self.mark: float | None = None
        self.show_lifetime(None, 0.0)

    def show_lifetime(self, lifetime: Lifetime | None, now: float) -> None:
        """Show the token's life at `now`, painted with the rest of the page's changes.

        QProgressBar repaints at once on a new value; held back, the bar joins the page's
        next paint instead of costing one of its own.
        """
        self.setUpdatesEnabled(False)
        try:
            self._show_lifetime(lifetime, now)
        finally:
            self.setUpdatesEnabled(True)

    def _show_lifetime(self, lifetime: Lifetime | None, now: float) -> None:
        if lifetime is None or lifetime.length <= 0:
            self.mark = None
            self.setValue(0)
            self.setFormat("no access token yet")
            self._set_state("empty")
            return
        remaining = max(0.0, lifetime.expires_at - now)
        self.setValue(round(RESOLUTION * remaining / lifetime.length))
        self.mark = (lifetime.expires_at - lifetime.refresh_at) / lifetime.length
        if remaining <= 0:
            self.mark = None
            self.setFormat("expired")
            self._set_state("expired")
        else:
            self.setFormat(f"{seconds_left(remaining)} left")
            self._set_state("due" if lifetime.is_due(now) else "fresh")

    def _set_state(self, state: str) -> None:
        if self.property("state") != state:
            self.setProperty("state", state)
            self.style().unpolish(self)
            self.style().polish(self)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.mark is None:
            return
        area = self.contentsRect().adjusted(2, 2, -2, -2)
        x = area.left() + self.mark * area.width()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        mark_colour = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(QPen(mark_colour, 2))
        painter.drawLine(QPointF(x, area.top() + 3), QPointF(x, area.bottom()))
        painter.setBrush(mark_colour)
        painter.setPen(Qt.PenStyle.NoPen)
        top = area.top()
        painter.drawPolygon(
            QPolygonF([QPointF(x - 4, top), QPointF(x + 4, top), QPointF(x, top + 5)])
        )
        painter.end()
