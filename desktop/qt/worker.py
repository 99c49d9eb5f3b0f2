"""Run a blocking function on a thread pool; its result or error comes back as a Qt signal."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal


class WorkerSignals(QObject):
    """Lives on the UI thread, so connected slots run there."""

    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


def run_on_pool(function: Callable[[], Any], signals: WorkerSignals) -> None:
    """Call `function()` on a pool thread; every exception arrives as `errored`, none is lost."""
    try:
        result = function()
    except Exception as error:
        signals.errored.emit(error)
    else:
        signals.returned.emit(result)
    finally:
        signals.finished.emit()


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
        signals = WorkerSignals()
        self._live.add(signals)
        signals.returned.connect(self._guard(on_result))
        signals.errored.connect(self._guard(on_error))
        signals.finished.connect(lambda: self._release(signals))
        # A plain callable, not a QRunnable subclass: Qt deletes a finished runnable without
        # telling its Python wrapper, which then lives on with everything it refers to.
        self.pool.start(partial(run_on_pool, function, signals))

    def _release(self, signals: WorkerSignals) -> None:
        """Forget a finished worker's signals, and delete them with the slots they hold.

        The slots refer to the signals object, so without the deletion neither would ever
        be freed: Python cannot see that cycle through Qt's connections.
        """
        self._live.discard(signals)
        signals.deleteLater()

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
