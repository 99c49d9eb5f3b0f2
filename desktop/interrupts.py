"""Ctrl-C and SIGTERM end the event loop: a socket wakes it when they arrive, no timer polls."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class QuitOnSignals(QObject):
    """Calls `quit` in the event loop when SIGINT or SIGTERM arrives; `close()` undoes it.

    A signal that arrives before the event loop runs ends it as soon as it starts.

    Python runs its signal handlers only between bytecodes, and the event loop may wait in
    Qt's C++ code for hours. `signal.set_wakeup_fd` makes the C-level handler write the
    signal's number to a socket, whose notifier wakes the event loop at once; the Python
    handler runs as soon as the slot reading the socket does.
    """

    def __init__(self, quit: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit = quit
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {number: signal.signal(number, self._handle) for number in SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _handle(self, number: int, frame: object) -> None:
        QTimer.singleShot(0, self._quit)

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            return

    def close(self) -> None:
        """Give the signals and the wake-up descriptor back to what had them before."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._reader.close()
        self._writer.close()
