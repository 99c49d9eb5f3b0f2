"""The auth server's public entry and the only module the desktop app imports: names load on use."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backend.core.password_policy import password_strength
    from backend.core.usernames import normalise_username
    from backend.embedded import EmbeddedServer
    from backend.errors import InvalidRequest
    from backend.settings import Settings
    from backend.web.app import create_app

__all__ = [
    "EmbeddedServer",
    "InvalidRequest",
    "Settings",
    "create_app",
    "normalise_username",
    "password_strength",
]

HOMES = {
    "EmbeddedServer": "backend.embedded",
    "InvalidRequest": "backend.errors",
    "Settings": "backend.settings",
    "create_app": "backend.web.app",
    "normalise_username": "backend.core.usernames",
    "password_strength": "backend.core.password_policy",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used (PEP 562), so that
    `import backend` costs nothing: Starlette, uvicorn, argon2 and zxcvbn load only when needed.
    """
    home = HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'backend' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
