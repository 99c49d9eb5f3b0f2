"""The teaching panels' own calls off the UI thread, their result delivered back on it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class _Relay(QObject):
    done = Signal(object)


def in_background(
    owner: QObject, work: Callable[[], object], on_done: Callable[[object], None]
) -> None:
    """Run `work` on a thread; `on_done` gets its result or exception on the owner's thread."""
    relay = _Relay(owner)
    relay.done.connect(on_done)
    relay.done.connect(relay.deleteLater)

    def run() -> None:
        try:
            result: object = work()
        except Exception as error:  # handed to on_done, which shows it
            result = error
        try:
            relay.done.emit(result)
        except RuntimeError:
            return

    threading.Thread(target=run, name="teaching-panel", daemon=True).start()
