"""System components a test needs: missing ones fail the test in CI and skip it elsewhere."""

from __future__ import annotations

import os
import shutil

import pytest


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
