"""Countdowns in whole seconds: their words, a timer waking per number, a line repainted alone."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.ui.formatting import duration

SLACK_MS = 5


def seconds_left(seconds: float) -> str:
    """'7 s' for anything above 6 and up to 7 seconds, '4 min 10 s', '3 h 5 min': rounded up."""
    whole = math.ceil(max(0.0, seconds))
    return f"{whole} s" if whole < 60 else duration(whole)


def until_next_second(seconds: float) -> float:
    """How long until `seconds_left(seconds)` shows the next number down: in (0, 1]."""
    return seconds - math.ceil(seconds) + 1.0


class OnScreenTicker(QObject):
    """A one-shot timer for a widget that only runs while the widget is on screen.

    On screen means shown and not minimised: Qt sends a widget hide and show events when
    its tab is left or chosen and when its window is hidden, minimised or restored. `tick`
    runs whenever the widget comes on screen and when the timer fires; it plans its next
    run with `after(seconds)`, so a countdown wakes once per number it shows, and never
    while nobody can see it.
    """

    def __init__(self, widget: QWidget, tick: Callable[[], None]) -> None:
        super().__init__(widget)
        self._tick = tick
        self.on_screen = widget.isVisible()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(tick)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.on_screen = True
            self._tick()
        elif event.type() == QEvent.Type.Hide:
            self.on_screen = False
            self._timer.stop()
        return False

    def after(self, seconds: float | None) -> None:
        """Tick again in `seconds` if still on screen; None: not until shown again."""
        if seconds is None or not self.on_screen:
            self._timer.stop()
        else:
            self._timer.start(max(0, math.ceil(seconds * 1000)) + SLACK_MS)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        self._timer.stop()


class LiveText(QWidget):
    """One line of text that changes every second: repainted alone, never relaid out.

    A QLabel asks its layout for room at every new text, and with style sheets that
    repaints the whole page; this widget keeps the size of `sample` (the longest text it
    expects) and elides what does not fit.
    """

    def __init__(self, object_name: str, sample: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._sample = sample
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update()

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._sample) + 4, metrics.height() + 4)

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance("…") * 8, metrics.height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        text = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.rect(), align, text)
        painter.end()
