"""The real window in a bench process: signing up by its controls, and what the process costs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import resource
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QLineEdit, QPushButton

from desktop.qt.engine import Phase
from desktop.ui.main_window import MainWindow


def wait_until(done: Callable[[], object], timeout: float) -> bool:
    """Run the event loop until `done()` or the timeout; True if it was done."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    return bool(done())


def sign_up(window: MainWindow, timeout: float = 60.0) -> str:
    """Create a fresh account through the form, as a person would; returns the username."""
    if not wait_until(lambda: window.controller.phase == Phase.SIGNED_OUT, timeout):
        raise RuntimeError(f"the app did not offer a sign-in (phase {window.controller.phase})")
    username = "bench" + secrets.token_hex(4)
    fields = [window.findChild(QLineEdit, name) for name in ("usernameEdit", "passwordEdit")]
    button = window.findChild(QPushButton, "signUpButton")
    if fields[0] is None or fields[1] is None or button is None:
        raise RuntimeError("the sign-in form lacks its fields or its sign-up button")
    fields[0].setText(username)
    fields[1].setText("Pw-" + secrets.token_urlsafe(18))
    if not wait_until(button.isEnabled, timeout):
        raise RuntimeError("the sign-up button never became usable")
    button.click()
    if not wait_until(lambda: window.controller.phase == Phase.SIGNED_IN, timeout):
        raise RuntimeError(f"sign-up and sign-in did not finish (phase {window.controller.phase})")
    return username


def rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def thread_names() -> dict[int, str]:
    """Python's names for this process's threads, by native id (the OS knows them all as python)."""
    return {
        thread.native_id: thread.name
        for thread in threading.enumerate()
        if thread.native_id is not None
    }


def wakeups() -> dict[str, int]:
    """Voluntary context switches (a thread going to sleep and waking again) by thread name."""
    names = thread_names()
    counts: dict[str, int] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = names.get(int(task.name)) or (task / "comm").read_text().strip()
            status = (task / "status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between the listing and the read
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                counts[name] = counts.get(name, 0) + int(line.split()[1])
    return counts


def idle_cost(seconds: float) -> dict[str, object]:
    """Run the event loop untouched for `seconds`: CPU share of one core and wake-ups a second."""
    cpu, before, started = cpu_seconds(), wakeups(), time.monotonic()
    loop_for(seconds)
    elapsed = time.monotonic() - started
    after = wakeups()
    rates = {
        name: (count - before.get(name, 0)) / elapsed
        for name, count in after.items()
        if count > before.get(name, 0)
    }
    return {
        "cpu_percent": (cpu_seconds() - cpu) / elapsed * 100,
        "wakeups_per_second": sum(rates.values()),
        "wakeups_by_thread": dict(sorted(rates.items(), key=lambda item: -item[1])),
    }


def loop_for(seconds: float) -> None:
    """The application's own event loop, for `seconds`: no polling from here meanwhile."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()
