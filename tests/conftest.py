"""Fixtures shared by every suite: real servers on 127.0.0.1, and an HTTP helper bound to one.

A server keeps its data in SQLite in its data dir, or, in modules marked `both_stores`
(tests/support/stores.py), in each of the two stores in turn: SQLite, then a fresh database
of one PostgreSQL server that the test session starts for itself (`postgres`).
"""

from __future__ import annotations

import itertools
import os
import subprocess

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from tests.support.api import Api
from tests.support.chromium import start_chromium
from tests.support.components import require_component
from tests.support.postgres import PostgresServer, find_binaries
from tests.support.server_process import ServerProcess, StartServer
from tests.support.stores import NewDatabase

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, started on first use, on a loopback port."""
    binaries = find_binaries()
    require_component("PostgreSQL (Debian: postgresql)", binaries is not None)
    assert binaries is not None
    server = PostgresServer(binaries)
    try:
        server.start()
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        server.stop()
        require_component(f"a PostgreSQL server that starts ({error})", False)
    yield server
    server.stop()


@pytest.fixture(scope="module", autouse=True)
def store(request: pytest.FixtureRequest) -> str:
    """The store of this module's servers: `sqlite` unless the module is marked both_stores
    (every test takes part, so that the mark can run each one per store)."""
    kind: str = getattr(request, "param", "sqlite")
    return kind


@pytest.fixture(scope="module")
def new_database(request: pytest.FixtureRequest, store: str) -> NewDatabase:
    """A fresh PostgreSQL database per call for the postgresql store; None for SQLite."""
    if store == "sqlite":
        return lambda: None
    server: PostgresServer = request.getfixturevalue("postgres")
    return lambda: server.create_database(f"test{os.getpid()}n{next(_databases)}")


@pytest.fixture
def start_server(tmp_path: Path, new_database: NewDatabase) -> Iterator[StartServer]:
    """Start real servers as subprocesses; every one is stopped at the end of the test.

    Servers on one data dir share its store, as they would on one host; each new data dir
    gets a store of its own.
    """
    started: list[ServerProcess] = []
    databases: dict[Path, str | None] = {}

    def start(*options: str, data_dir: Path | None = None) -> ServerProcess:
        directory = data_dir or tmp_path / f"data{len(started)}"
        if directory not in databases:
            databases[directory] = new_database()
        server = ServerProcess(directory, list(options), databases[directory])
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
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    new_database: NewDatabase,
) -> Iterator[ServerProcess]:
    """A real server shared by one module's tests (each test makes its own accounts), with
    default settings unless the module names options in `SERVER_OPTIONS`."""
    options = list(getattr(request.module, "SERVER_OPTIONS", ()))
    server = ServerProcess(tmp_path_factory.mktemp("server"), options, new_database())
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
