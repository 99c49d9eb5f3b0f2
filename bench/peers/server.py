"""A peer's server (gunicorn or uvicorn from the peers' environment) on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import requests

from bench.launch import ROOT, BenchServer, pinned


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment_for(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with `env`, and the repository on the import path."""
    return {**os.environ, **env, "PYTHONPATH": str(ROOT)}


class PeerServer(BenchServer):
    """`python -m COMMAND` in the peers' environment; `{port}` in COMMAND is filled in.

    It is ready once it answers HTTP (any status), and stops as our server does.
    """

    def __init__(
        self,
        data_dir: Path,
        python: Path,
        command: Sequence[str],
        env: Mapping[str, str],
        cores: str | None,
    ) -> None:
        super().__init__(data_dir, cores=cores)
        self.python = python
        self.command = list(command)
        self.env = environment_for(env)

    def start(self, timeout: float = 60.0) -> str:
        port = free_port()
        command = pinned(
            [str(self.python), "-m", *(part.format(port=port) for part in self.command)],
            self.cores,
        )
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=log, text=True, env=self.env
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._process.poll() is None:
            try:
                requests.get(self.url, timeout=5)
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
                continue
            return self.url
        self.kill()
        raise RuntimeError(f"{self.command[0]} did not start; see {self.log_path}")
