"""The ASGI factory under other process managers: `uvicorn --factory backend:create_app` with
`--workers 2`, and gunicorn with two uvicorn workers, every option from JWT_REFRESH_*, both
workers on one PostgreSQL database that they create at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.support.api import Api, assert_token_refused, tokens_of
from tests.support.postgres import PostgresServer, free_port

pytestmark = pytest.mark.slow
WORKERS = 2
ACCESS_TTL = 123
FRESH_CONNECTIONS = 12
STARTED = re.compile(r"Started server process \[(\d+)\]")
COMMANDS: dict[str, Callable[[int], list[str]]] = {
    "uvicorn": lambda port: [
        sys.executable, "-m", "uvicorn", "--factory", "backend:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
    ],
    "gunicorn": lambda port: [
        sys.executable, "-m", "gunicorn", "--worker-class", "uvicorn_worker.UvicornWorker",
        "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "backend:create_app()",
    ],
}  # fmt: skip


def started_workers(log: Path) -> set[str]:
    return set(STARTED.findall(log.read_text(errors="replace")))


def wait_until_serving(url: str, log: Path, process: subprocess.Popen[bytes]) -> None:
    """Until /health answers and every worker has said it started."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if requests.get(f"{url}/health", timeout=2).ok and (
                len(started_workers(log)) == WORKERS
            ):
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.1)


@pytest.fixture(params=sorted(COMMANDS))
def served(
    request: pytest.FixtureRequest, tmp_path: Path, postgres: PostgresServer
) -> Iterator[str]:
    """The URL of two workers of one process manager, configured by the environment alone."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JWT_REFRESH_DATA_DIR": str(tmp_path / "data"),
        "JWT_REFRESH_DATABASE": postgres.create_database(f"managed{time.monotonic_ns()}"),
        "JWT_REFRESH_ISSUER": url,
        "JWT_REFRESH_ACCESS_TTL": str(ACCESS_TTL),
    }
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            COMMANDS[request.param](port), env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_serving(url, log, process)
        yield url
    finally:
        process.terminate()
        process.wait(30)
    assert process.returncode == 0, log.read_text(errors="replace")


def test_two_workers_serve_one_deployment(served: str) -> None:
    """Each call on a connection of its own, so the kernel hands them to either worker: the
    chain rotates as one, and a revoke through one is refused by both."""
    _, tokens = Api(served).new_session()
    assert tokens.raw["expires_in"] == ACCESS_TTL
    for _ in range(FRESH_CONNECTIONS):
        tokens = tokens_of(Api(served).refresh(tokens.refresh_token))
    assert Api(served).post("/tokens/revoke", {"refresh_token": tokens.refresh_token}).ok
    for _ in range(FRESH_CONNECTIONS):
        assert_token_refused(Api(served).get("/account", tokens.access_token))
