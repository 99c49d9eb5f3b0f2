"""Fixtures shared by every suite: real servers on 127.0.0.1, and an HTTP helper bound to one."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from tests.support.api import Api
from tests.support.chromium import start_chromium
from tests.support.server_process import ServerProcess

StartServer = Callable[..., ServerProcess]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
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
def server(start_server: StartServer) -> ServerProcess:
    """One real server with default settings and a fresh data dir."""
    return start_server()


@pytest.fixture(scope="module")
def module_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A real server shared by one module's tests (each test makes its own accounts), with
    default settings unless the module names options in `SERVER_OPTIONS`."""
    options = list(getattr(request.module, "SERVER_OPTIONS", ()))
    server = ServerProcess(tmp_path_factory.mktemp("server"), options)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(module_server: ServerProcess) -> Api:
    """HTTP calls to the module's server."""
    return Api(module_server.url)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """One headless Chromium for the whole run; tests that need a clean browser clear cookies."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()
