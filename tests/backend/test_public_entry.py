"""The package's public entry: the names other programs use, and an import that costs nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import backend

HEAVY = ("starlette", "uvicorn", "argon2", "passlib", "zxcvbn", "jwt")


def modules_loaded_by(code: str) -> list[str]:
    """The heavy top-level packages a fresh interpreter has loaded after running `code`."""
    report = "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\n{report}"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [name for name in json.loads(output) if name in HEAVY]


def test_importing_the_package_loads_none_of_the_server() -> None:
    assert modules_loaded_by("import backend") == []


def test_a_name_loads_only_what_it_needs() -> None:
    assert modules_loaded_by("from backend import Settings, InvalidRequest") == []
    assert modules_loaded_by("from backend import normalise_username") == []
    assert modules_loaded_by("from backend import EmbeddedServer") == []
    assert modules_loaded_by("from backend import password_strength") == ["zxcvbn"]
    assert "starlette" in modules_loaded_by("from backend import create_app")


def test_every_public_name_resolves_to_its_object() -> None:
    from backend.core.password_policy import password_strength
    from backend.core.usernames import normalise_username
    from backend.embedded import EmbeddedServer
    from backend.errors import InvalidRequest
    from backend.settings import Settings
    from backend.web.app import create_app

    expected = {
        "EmbeddedServer": EmbeddedServer,
        "InvalidRequest": InvalidRequest,
        "Settings": Settings,
        "create_app": create_app,
        "normalise_username": normalise_username,
        "password_strength": password_strength,
    }
    assert sorted(backend.__all__) == sorted(expected)
    for name, value in expected.items():
        assert getattr(backend, name) is value
    assert set(backend.__all__) <= set(dir(backend))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'service'"):
        _ = backend.service
