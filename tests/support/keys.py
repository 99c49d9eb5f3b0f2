"""Driving `jwt-refresh-server keys` from tests, and watching a running server take the change."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import jwt

from tests.support.api import Api
from tests.support.server_process import ServerProcess

SEEN_WITHIN = 10.0
"""The contract: running servers see each change of the keys within 10 s."""


def keys(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `jwt-refresh-server keys ARGS` on the server's data dir and store."""
    store = ["--database", server.database] if server.database else []
    command = [sys.executable, "-m", "backend", "keys", *args]
    command += ["--data-dir", str(server.data_dir), *store]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def listed(server: ServerProcess) -> dict[str, str]:
    """kid -> state, from `keys list`."""
    result = keys(server, "list")
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert all(len(fields) == 3 for fields in lines), result.stdout
    return {kid: state for kid, state, _created in lines}


def added_kid(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[1].rstrip(":")


def published(api: Api) -> set[str]:
    return {key["kid"] for key in api.get("/.well-known/jwks.json").json()["keys"]}


def kid_of(access_token: str) -> str:
    kid: str = jwt.get_unverified_header(access_token)["kid"]
    return kid


def soon(check: Callable[[], bool]) -> bool:
    """Whether `check` holds within the time the contract gives running servers."""
    deadline = time.monotonic() + SEEN_WITHIN
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
