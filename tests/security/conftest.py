"""Fixtures of the security suites, and the summary of their figures at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _pytest.terminal import TerminalReporter

from tests.security.client import Client
from tests.security.figures import FIGURES
from tests.server_process import ServerProcess


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server with default settings shared by one module's tests."""
    server = ServerProcess(tmp_path_factory.mktemp("security"), [])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(module_server: ServerProcess) -> Client:
    return Client(module_server.url)


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """One line per suite: what it tried and what it measured (the README's figures)."""
    lines = FIGURES.lines()
    if not lines:
        return
    terminalreporter.section("security figures")
    for line in lines:
        terminalreporter.write_line(line)
