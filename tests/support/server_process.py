"""A real `python -m backend` subprocess on 127.0.0.1, for tests that talk HTTP to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

READY_PREFIX = "listening on "


class ServerProcess:
    """Starts, kills and restarts the server on a data dir (and a PostgreSQL database, if one is
    given), keeping its log for inspection."""

    def __init__(self, data_dir: Path, options: list[str], database: str | None = None) -> None:
        self.data_dir = data_dir
        self.database = database
        self.options = options if database is None else ["--database", database, *options]
        self.url = ""
        self.port = 0
        self.log: list[str] = []
        self._process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Start the server (on its previous port when restarting) and wait for `listening on`."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "backend", "--host", "127.0.0.1",
            "--port", str(self.port), "--data-dir", str(self.data_dir), *self.options,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        ready = threading.Event()
        threading.Thread(target=self._read_output, args=(self._process, ready), daemon=True).start()
        if not ready.wait(timeout):
            self.kill()
            raise RuntimeError("server did not start:\n" + "\n".join(self.log))
        if not self.url:
            raise RuntimeError("server exited before listening:\n" + "\n".join(self.log))

    def _read_output(self, process: subprocess.Popen[str], ready: threading.Event) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            self.log.append(line)
            if line.startswith(READY_PREFIX):
                self.url = line.removeprefix(READY_PREFIX).strip()
                self.port = int(self.url.rsplit(":", 1)[1])
                ready.set()
        ready.set()

    def logged(self, text: str, timeout: float = 10.0) -> list[str]:
        """The log lines holding `text`, waiting up to `timeout` for a first one."""
        deadline = time.monotonic() + timeout
        while not (lines := [line for line in self.log if text in line]):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return lines

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 15.0) -> int | None:
        """Send SIGTERM and wait; return the exit code."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        return self._process.returncode

    def kill(self) -> None:
        """kill -9: no chance to flush or clean up."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def restart(self) -> None:
        """Start again on the same data dir and port."""
        self.start()


StartServer = Callable[..., ServerProcess]
"""The `start_server` fixture: options, and optionally a data dir, in; a started server out."""
