"""Fixtures shared by every suite: real servers on 127.0.0.1 and system components."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server_process import ServerProcess


def require_component(name: str, available: bool) -> None:
    """Fail in CI and skip elsewhere when a system component is missing."""
    if available:
        return
    message = f"{name} is not available on this machine"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must provide it (see .ci/run)")
    pytest.skip(message)


def require_executable(name: str) -> str:
    """Return the path of an executable, failing in CI and skipping elsewhere when absent."""
    path = shutil.which(name)
    require_component(name, path is not None)
    assert path is not None
    return path


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator:
    """Start real servers as subprocesses; every one is stopped at the end of the test."""
    started: list[ServerProcess] = []

    def start(*options: str, data_dir: Path | None = None) -> ServerProcess:
        server = ServerProcess(data_dir or tmp_path / f"data{len(started)}", list(options))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server) -> ServerProcess:
    """One real server with default settings and a fresh data dir."""
    return start_server()
