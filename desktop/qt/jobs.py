"""Work on worker threads by action: one at a time per action, with what is running in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.qt.actions import Action
from desktop.qt.worker import TaskRunner


class Jobs(QObject):
    """Starts an action's work unless it is already running; says so by signals.

    `busy_changed(action, running)` carries an Action; `status` the words of the newest
    running action that has some ('' when none has). A failure goes to the work's own
    handler, or else to `report(error, action)`.
    """

    busy_changed = Signal(object, bool)
    status = Signal(str)

    def __init__(
        self, report: Callable[[Exception, Action], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._report = report
        self._runner = TaskRunner(self)
        self._running: dict[Action, str] = {}

    def is_running(self, action: Action) -> bool:
        return action in self._running

    def run(
        self,
        action: Action,
        status: str,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> bool:
        """Run `work` on a worker unless `action` is already in flight; True if started."""
        if self._runner.closed or action in self._running:
            return False
        self._running[action] = status
        self.busy_changed.emit(action, True)
        if status:
            self.status.emit(status)

        def finish() -> None:
            del self._running[action]
            self.busy_changed.emit(action, False)
            if status:
                waiting = [text for text in self._running.values() if text]
                self.status.emit(waiting[-1] if waiting else "")

        def on_result(value: Any) -> None:
            finish()
            done(value)

        def on_error(error: Exception) -> None:
            finish()
            if failed is not None:
                failed(error)
            else:
                self._report(error, action)

        self._runner.run(work, on_result, on_error)
        return True

    def close(self) -> None:
        """Deliver nothing more and wait for the running work to finish."""
        self._runner.close()
