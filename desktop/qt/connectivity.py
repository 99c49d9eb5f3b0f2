"""Whether the server answers: the offline message, and the forced retry while it does not."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.qt.scheduler import RefreshScheduler


class Connectivity(QObject):
    """`changed(message, retry_at)`: offline with a reason and the retry time, or '' and 0.0."""

    changed = Signal(str, float)

    def __init__(self, scheduler: RefreshScheduler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scheduler = scheduler
        self._message = ""

    @property
    def message(self) -> str:
        """Why the server is unreachable, or '' while it answers."""
        return self._message

    def go_offline(self, message: str, retry_at: float) -> None:
        self._message = message
        self._scheduler.retry_at(retry_at)
        self.changed.emit(message, retry_at)

    def go_online(self) -> None:
        if self._message:
            self._message = ""
            self._scheduler.retry_at(None)
            self.changed.emit("", 0.0)
