"""Drive the real window thousands of times and print how `None`'s reference count moved.

Run as a script (a broken PySide6 aborts the interpreter, so the test runs it apart):
`python -m tests.desktop.ui.none_refcount_probe DATA_DIR ROUNDS`. It prints one JSON line.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from typing import TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import PySide6
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget

from desktop.app import create_window
from desktop.qt.engine import Phase

SIGN_UP_TIMEOUT_S = 30.0
Control = TypeVar("Control", bound=QWidget)


def control(window: QWidget, kind: type[Control], name: str) -> Control:
    """The window's control of this kind and object name."""
    found = window.findChild(kind, name)
    if found is None:
        raise LookupError(f"the window has no {kind.__name__} named {name!r}")
    return found


def wait_for(
    app: QApplication, condition: Callable[[], bool], timeout: float = SIGN_UP_TIMEOUT_S
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def main(data_dir: str, rounds: int) -> None:
    app = QApplication([])
    argv = ["--token-store", "memory", "--access-ttl", "15", "--data-dir", data_dir]
    window = create_window(argv)
    window.show()
    controller = window.controller
    wait_for(app, lambda: controller.phase == Phase.SIGNED_OUT)
    control(window, QLineEdit, "usernameEdit").setText("probe" + secrets.token_hex(4))
    control(window, QLineEdit, "passwordEdit").setText("Pw-" + secrets.token_urlsafe(18))
    sign_up = control(window, QPushButton, "signUpButton")
    wait_for(app, sign_up.isEnabled)  # once the strength estimate is back
    sign_up.click()
    wait_for(app, lambda: controller.phase == Phase.SIGNED_IN)
    tabs = window.tabs

    def one_round(index: int) -> None:
        tabs.setCurrentIndex(index % tabs.count())
        window.overview.tick()
        window.repaint()
        app.processEvents()

    for index in range(tabs.count() * 2):
        one_round(index)
    before = sys.getrefcount(None)
    for index in range(rounds):
        one_round(index)
    after = sys.getrefcount(None)
    window.close()
    sys.stdout.write(
        json.dumps(
            {
                "pyside6": PySide6.__version__,
                "python": ".".join(map(str, sys.version_info[:3])),
                "rounds": rounds,
                "none_before": before,
                "none_after": after,
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
