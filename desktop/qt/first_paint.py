"""Work that waits for a window's first paint, so that the window shows before it runs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

LONGEST_WAIT_MS = 1000


class FirstPaint(QObject):
    """Calls `then` from the event loop once `window` has been painted for the first time.

    A window that is not shown when the event loop first runs is never waited for: `then`
    runs at once; nor is a paint that has not come within LONGEST_WAIT_MS.
    """

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(0, self._unless_shown)
        QTimer.singleShot(LONGEST_WAIT_MS, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self._run)  # after the rest of this paint, children included
        return False

    def _unless_shown(self) -> None:
        if not self._window.isVisible():
            self._run()

    def _run(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self._window.removeEventFilter(self)
            then()
