"""Fixtures of the server tests: one real server per module, and an API helper bound to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backend.api import Api
from tests.server_process import ServerProcess


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server shared by the tests of one module (each test makes its own accounts)."""
    server = ServerProcess(tmp_path_factory.mktemp("server"), [])
    server.start()
    yield server
    server.stop()


@pytest.fixture
def api(module_server: ServerProcess) -> Api:
    return Api(module_server.url)
