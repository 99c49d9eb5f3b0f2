"""Start-up: the first paint comes before the server's code loads, and the server follows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.client import ApiClient
from desktop.core.clock import SystemClock
from desktop.core.errors import NetworkDown
from desktop.qt.engine import Phase
from tests.desktop.conftest import SecretServiceEnv

# What the first screen does without: the server's stack, and keyring (also with the
# keyring store, which loads it on its own thread to read the stored session).
HEAVY = ("uvicorn", "starlette", "argon2", "passlib", "zxcvbn", "jwt", "jinja2", "keyring")

PROBE = """
import json, os, sys, time
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication
from desktop.app import create_window

class FirstPaint(QObject):
    loaded = None
    def eventFilter(self, watched, event):
        if self.loaded is None and event.type() == QEvent.Type.Paint:
            self.loaded = sorted({name.split(".")[0] for name in sys.modules})
        return False

def loop_until(done):
    deadline = time.monotonic() + 30
    while not done() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)

app = QApplication([])
window = create_window(["--data-dir", sys.argv[1], "--token-store", sys.argv[2]])
painted = FirstPaint()
window.installEventFilter(painted)
window.show()
loop_until(lambda: painted.loaded is not None)
print(json.dumps(painted.loaded))
window.close()
"""


def loaded_at_first_paint(
    data_dir: Path, store_kind: str = "memory", env: dict[str, str] | None = None
) -> list[str]:
    """The heavy top-level packages loaded when a fresh app's window is first painted."""
    env = {**(env or os.environ), "QT_QPA_PLATFORM": "offscreen"}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(data_dir), store_kind],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    return [name for name in HEAVY if name in loaded]


def test_the_first_paint_comes_before_the_servers_code_loads(tmp_path: Path) -> None:
    assert loaded_at_first_paint(tmp_path) == []


@pytest.mark.keyring
def test_the_keyring_loads_after_the_first_paint(
    secret_service: SecretServiceEnv, tmp_path: Path
) -> None:
    assert loaded_at_first_paint(tmp_path, "keyring", secret_service.env) == []


def test_the_embedded_server_starts_by_itself_and_says_so(open_window) -> None:
    app = open_window("--token-store", "memory")
    said: list[str] = []
    app.controller.jobs.status.connect(said.append)
    assert app.controller.embedded_server.url == app.controller.server_url
    app.wait_phase(Phase.SIGNED_OUT)
    app.qtbot.waitUntil(lambda: "Starting the embedded server…" in said and said[-1] == "")
    ApiClient(app.controller.server_url, SystemClock()).health()


def test_a_server_that_cannot_start_is_said_in_words(open_window, tmp_path: Path) -> None:
    data_dir = tmp_path / "app-data"
    data_dir.mkdir()
    (data_dir / "server").write_text("not a directory\n")
    app = open_window("--token-store", "memory", data_dir=data_dir)
    error = app.window.sign_in.error
    app.qtbot.waitUntil(error.isVisible, timeout=20_000)
    assert "The embedded server could not start" in error.text()
    assert str(data_dir / "server") in error.text()
    with pytest.raises(NetworkDown):
        ApiClient(app.controller.server_url, SystemClock()).health()
