"""Work that waits for the first paint runs after it, once, and never waits for ever."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from desktop.qt.first_paint import LONGEST_WAIT_MS, FirstPaint


class PaintLog(QObject):
    """Notes each paint of the widget it watches; with `swallow`, the widget never paints."""

    def __init__(self, swallow: bool = False) -> None:
        super().__init__()
        self.swallow = swallow
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
            return self.swallow
        return False


def test_the_work_runs_once_after_the_first_paint(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    log = PaintLog()
    window.installEventFilter(log)
    paints_when_run: list[int] = []
    FirstPaint(window, lambda: paints_when_run.append(log.paints))
    window.show()
    qtbot.waitUntil(lambda: paints_when_run != [], timeout=5_000)
    assert paints_when_run[0] >= 1
    window.update()
    qtbot.wait(LONGEST_WAIT_MS + 200)
    assert len(paints_when_run) == 1


def test_a_window_not_shown_is_not_waited_for(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    ran: list[bool] = []
    FirstPaint(window, lambda: ran.append(True))
    qtbot.waitUntil(lambda: ran == [True], timeout=LONGEST_WAIT_MS // 2)


def test_a_paint_that_never_comes_is_waited_for_a_second_at_most(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    ran: list[bool] = []
    FirstPaint(window, lambda: ran.append(True))
    log = PaintLog(swallow=True)
    window.installEventFilter(log)  # filters installed later see events first
    window.show()
    qtbot.wait(LONGEST_WAIT_MS // 2)
    assert ran == []
    qtbot.waitUntil(lambda: ran == [True], timeout=LONGEST_WAIT_MS)
    assert log.paints >= 1
