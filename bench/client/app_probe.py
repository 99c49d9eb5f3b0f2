"""Inside the desktop app's process: time to the first painted window, memory, idle CPU.

Run by bench.client.app_bench as
`python -m bench.client.app_probe LAUNCHED_AT DATA_DIR IDLE_SECONDS`; prints one JSON line.
Drives the window by its object names, offscreen. Idle is measured signed in, three ways: the
window shown on its first tab and left alone, minimised, and hidden.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from bench.client.window_driver import idle_cost, loop_for, rss_mib, sign_up, wait_until
from desktop.app import create_window

SETTLE_SECONDS = 1.0


class FirstPaint(QObject):
    """Notes when a widget is painted for the first time."""

    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.at is None and event.type() == QEvent.Type.Paint:
            self.at = time.time()
        return False


def main(argv: list[str]) -> int:
    launched_at, data_dir, idle_seconds = float(argv[0]), argv[1], float(argv[2])
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    qapplication_at = time.time()
    window = create_window(["--data-dir", data_dir, "--token-store", "memory"])
    painted = FirstPaint()
    window.installEventFilter(painted)
    window.show()
    if not wait_until(lambda: painted.at is not None, 30):
        raise RuntimeError("the window was never painted")
    sign_up(window)
    loop_for(SETTLE_SECONDS)
    result: dict[str, object] = {
        "qapplication_seconds": qapplication_at - launched_at,
        "first_window_seconds": (painted.at or 0.0) - launched_at,
        "rss_signed_in_mib": rss_mib(),
        "idle_shown": idle_cost(idle_seconds),
    }
    window.showMinimized()
    loop_for(SETTLE_SECONDS)
    result["idle_minimised"] = idle_cost(idle_seconds)
    window.showNormal()
    window.hide()
    loop_for(SETTLE_SECONDS)
    result["idle_hidden"] = idle_cost(idle_seconds)
    window.close()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
