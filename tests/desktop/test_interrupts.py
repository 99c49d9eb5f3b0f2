"""Ctrl-C and SIGTERM end an event loop that has no timer at all: the signal itself wakes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# An event loop with nothing to do: without the wake-up socket it would wait forever.
IDLE_LOOP = """
import os, signal, sys, threading
from PySide6.QtCore import QCoreApplication, QThread
from desktop.interrupts import QuitOnSignals

app = QCoreApplication([])
levels = []

def quit():
    levels.append(QThread.currentThread().loopLevel())
    app.quit()

interrupts = QuitOnSignals(quit)
threading.Timer(0.3, os.kill, (os.getpid(), signal.{name})).start()
code = app.exec()
interrupts.close()
print(levels, code, signal.getsignal(signal.{name}) is signal.{default})
"""


@pytest.mark.parametrize(
    ("name", "default"), [("SIGINT", "default_int_handler"), ("SIGTERM", "SIG_DFL")]
)
def test_a_signal_ends_an_idle_event_loop_from_inside_it(name: str, default: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IDLE_LOOP.format(name=name, default=default)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Called once, inside the running loop (level 1), which then ended normally; after
    # close() the signal has its previous handler again.
    assert result.stdout.split() == ["[1]", "0", "True"], result.stdout + result.stderr


def test_the_app_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    app = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--token-store", "memory", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port_file = tmp_path / "embedded-server-port"
        while not port_file.exists() and app.poll() is None:
            time.sleep(0.1)
        app.send_signal(signal.SIGTERM)
        _, stderr = app.communicate(timeout=60)
    finally:
        app.kill()
    assert app.returncode == 0, stderr
