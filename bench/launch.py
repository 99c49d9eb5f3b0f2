"""The real server as a subprocess, optionally pinned to CPU cores with taskset."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

READY_PREFIX = "listening on "
ROOT = Path(__file__).resolve().parent.parent


def pinned(command: Sequence[str], cores: str | None) -> list[str]:
    """`command` run under `taskset -c cores` when cores are given and taskset exists."""
    if cores is None or shutil.which("taskset") is None:
        return list(command)
    return ["taskset", "-c", cores, *command]


def process_cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its live descendants, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        try:
            total += process_cpu_seconds(int(child))
        except FileNotFoundError:
            continue
    return total


class BenchServer:
    """The server (`python -m backend`, or a module with its command line) on a free port.

    It listens on 127.0.0.1 and stops with SIGTERM, then SIGKILL.
    """

    def __init__(
        self,
        data_dir: Path,
        options: Sequence[str] = (),
        cores: str | None = None,
        module: str = "backend",
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.module = module
        self.data_dir = data_dir
        self.options = list(options)
        self.cores = cores
        self.url = ""
        self.log_path = data_dir / "server.log"
        self._process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self, timeout: float = 30.0) -> str:
        """Start (or start again) and return the base URL once it accepts connections."""
        self.url = ""
        command = pinned(
            [sys.executable, "-m", self.module, "--host", "127.0.0.1", "--port", "0",
             "--data-dir", str(self.data_dir), *self.options],
            self.cores,
        )  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, env=env
            )
        ready = threading.Event()
        threading.Thread(target=self._read, args=(self._process, ready), daemon=True).start()
        if not ready.wait(timeout) or not self.url:
            self.kill()
            raise RuntimeError(f"the server did not start; see {self.log_path}")
        return self.url

    def _read(self, process: subprocess.Popen[str], ready: threading.Event) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not self.url and line.startswith(READY_PREFIX):
                self.url = line.removeprefix(READY_PREFIX).strip()
                ready.set()
        ready.set()

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server has used so far: all threads, and its workers."""
        return process_cpu_seconds(self.pid)

    def stop(self, timeout: float = 15.0) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> BenchServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
