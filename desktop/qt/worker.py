"""Run a blocking function on a thread pool; its result or error comes back as a Qt signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class WorkerSignals(QObject):
    """Lives on the UI thread, so connected slots run there."""

    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


class Worker(QRunnable):
    """Calls `function()` on a pool thread; every exception arrives as `errored`, none is lost."""

    def __init__(self, function: Callable[[], Any]) -> None:
        super().__init__()
        self.function: Callable[[], Any] | None = function
        self.signals = WorkerSignals()
        self.setAutoDelete(True)

    def run(self) -> None:
        function, self.function = self.function, None
        try:
            result = function() if function is not None else None
        except Exception as error:
            self.signals.errored.emit(error)
        else:
            self.signals.returned.emit(result)
        finally:
            self.signals.finished.emit()


class TaskRunner(QObject):
    """Starts workers on a private pool and keeps them alive until their signals are delivered."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._live: set[WorkerSignals] = set()
        self.closed = False

    def run(
        self,
        function: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        if self.closed:
            return
        worker = Worker(function)
        signals = worker.signals
        self._live.add(signals)
        signals.returned.connect(self._guard(on_result))
        signals.errored.connect(self._guard(on_error))
        signals.finished.connect(lambda: self._live.discard(signals))
        self.pool.start(worker)

    def _guard(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        def deliver(value: Any) -> None:
            if not self.closed:
                callback(value)

        return deliver

    def close(self, timeout_ms: int = 15000) -> None:
        """Stop delivering results and wait for the running workers to finish."""
        self.closed = True
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)
