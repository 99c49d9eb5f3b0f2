"""Work off the UI thread: results and errors come back as signals, and nothing stays behind."""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtTest import QTest

from desktop.qt.worker import TaskRunner, WorkerSignals

TASKS = 50


def live_signals() -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, WorkerSignals))


def fail() -> None:
    raise ValueError("broken on purpose")


def test_results_and_errors_arrive_and_finished_workers_are_freed(qtbot) -> None:
    runner = TaskRunner()
    before = live_signals()
    results: list[object] = []
    errors: list[str] = []  # in words: an error's traceback would hold its worker's frame

    def failed(error: Exception) -> None:
        errors.append(str(error))

    def answer(index: int) -> Callable[[], int]:
        return lambda: index

    for index in range(TASKS):
        runner.run(answer(index), results.append, failed)
        runner.run(fail, results.append, failed)
    qtbot.waitUntil(lambda: len(results) + len(errors) == 2 * TASKS, timeout=10_000)
    for _ in range(100):  # QTest.qWait also runs deferred deletions, as the event loop does
        if live_signals() <= before:
            break
        QTest.qWait(50)
    assert live_signals() <= before, "finished workers' signals stay alive"
    assert sorted(results) == list(range(TASKS))  # type: ignore[type-var]
    assert errors == ["broken on purpose"] * TASKS
    runner.close()
