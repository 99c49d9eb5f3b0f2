"""Inside the desktop app's process: time to the first window, memory signed in, idle CPU.

Run by bench.client.app_bench as
`python -m bench.client.app_probe LAUNCHED_AT DATA_DIR IDLE_SECONDS`; prints one JSON line.
Drives the window by its object names, offscreen.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from desktop.app import create_window

USERNAME = "bench-app"
PASSWORD = "bench: correct horse battery staple"


class FirstPaint(QObject):
    """Notes when a widget is painted for the first time."""

    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.at is None and event.type() == QEvent.Type.Paint:
            self.at = time.time()
        return False


def wait_until(app: QApplication, done: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until `done()` or the timeout; True if it was done."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return done()


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def context_switches() -> dict[str, int]:
    """Voluntary context switches (wake-ups) of each thread, by thread name."""
    switches: dict[str, int] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            status = (task / "status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between the listing and the read
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                switches[name] = switches.get(name, 0) + int(line.split()[1])
    return switches


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def idle(app: QApplication, seconds: float) -> dict[str, float | dict[str, float]]:
    """Let the signed-in app sit idle; its CPU share and wake-ups per second."""
    cpu, switches, started = cpu_seconds(), context_switches(), time.monotonic()
    QTimer.singleShot(round(seconds * 1000), app.quit)
    app.exec()
    elapsed = time.monotonic() - started
    after = context_switches()
    per_thread = {
        name: (count - switches.get(name, 0)) / elapsed
        for name, count in after.items()
        if count > switches.get(name, 0)
    }
    return {
        "idle_cpu_percent": (cpu_seconds() - cpu) / elapsed * 100,
        "idle_wakeups_per_second": sum(per_thread.values()),
        "idle_wakeups_by_thread": dict(sorted(per_thread.items(), key=lambda item: -item[1])),
    }


def main(argv: list[str]) -> int:
    launched_at, data_dir, idle_seconds = float(argv[0]), argv[1], float(argv[2])
    app = QApplication(sys.argv[:1])
    imported_at = time.time()
    window = create_window(["--data-dir", data_dir, "--token-store", "memory"])
    painted = FirstPaint()
    window.installEventFilter(painted)
    window.show()
    if not wait_until(app, lambda: painted.at is not None, 30):
        raise RuntimeError("the window was never painted")
    phase: list[str] = []
    window.controller.phase_changed.connect(phase.append)
    if not wait_until(app, lambda: "signed-out" in phase, 30):
        raise RuntimeError(f"the app did not offer a sign-in (phases: {phase})")
    username = window.findChild(QLineEdit, "usernameEdit")
    password = window.findChild(QLineEdit, "passwordEdit")
    sign_up = window.findChild(QPushButton, "signUpButton")
    if username is None or password is None or sign_up is None:
        raise RuntimeError("the window has no sign-up form")
    username.setText(USERNAME)
    password.setText(PASSWORD)
    sign_up.click()
    if not wait_until(app, lambda: "signed-in" in phase, 60):
        raise RuntimeError(f"sign-up and sign-in did not finish (phases: {phase})")
    wait_until(app, lambda: False, 1.0)
    signed_in_rss = rss_mib()
    result: dict[str, object] = {
        "qapplication_seconds": imported_at - launched_at,
        "first_window_seconds": (painted.at or 0.0) - launched_at,
        "rss_signed_in_mib": signed_in_rss,
        **idle(app, idle_seconds),
    }
    window.close()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
