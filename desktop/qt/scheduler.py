"""The refresh clockwork in Qt timers: the planned refresh, the retry, a watchdog for jumps."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop.core.clock import Clock
from desktop.core.policy import ClockWatch

WATCHDOG_MS = 1000
TIMER_SLACK_MS = 5


def milliseconds_until(when: float, now: float) -> int:
    return int(max(0.0, when - now) * 1000) + TIMER_SLACK_MS


class RefreshScheduler(QObject):
    """Emits `due(force)` when a refresh may be needed; the receiver decides if it is.

    `force` is True for a retry after a failure and after the wall clock jumped (a clock
    set back can make an expired token look fresh). Without force it means "check the
    wall clock": the planned time came, or the once-a-second watchdog ticked, which also
    catches a timer that fired late after a suspend.
    """

    due = Signal(bool)

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._watch = ClockWatch(clock)
        self._planned = self._timer(single_shot=True)
        self._planned.timeout.connect(lambda: self.due.emit(False))
        self._retry = self._timer(single_shot=True)
        self._retry.timeout.connect(lambda: self.due.emit(True))
        self._watchdog = self._timer(single_shot=False)
        self._watchdog.setInterval(WATCHDOG_MS)
        self._watchdog.timeout.connect(self._tick)

    def _timer(self, single_shot: bool) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(single_shot)
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        return timer

    def _tick(self) -> None:
        self.due.emit(bool(self._watch.check()))

    def start(self) -> None:
        self._watchdog.start()

    def plan(self, refresh_at: float | None) -> None:
        """Fire at `refresh_at` (wall clock), or never when None."""
        if refresh_at is None:
            self._planned.stop()
        else:
            self._planned.start(milliseconds_until(refresh_at, self._clock.wall()))

    def retry_at(self, when: float | None) -> None:
        """Fire a forced `due` at `when`, or cancel the retry when None."""
        if when is None:
            self._retry.stop()
        else:
            self._retry.start(milliseconds_until(when, self._clock.wall()))

    def stop(self) -> None:
        for timer in (self._planned, self._retry, self._watchdog):
            timer.stop()
