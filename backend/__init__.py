"""The auth server: sign-up, sign-in, rotating refresh tokens and OAuth 2.0 endpoints."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backend.errors import InvalidRequest
    from backend.http import create_app
    from backend.password_policy import normalise_username, password_strength
    from backend.runner import EmbeddedServer
    from backend.settings import Settings

__all__ = [
    "EmbeddedServer",
    "InvalidRequest",
    "Settings",
    "create_app",
    "normalise_username",
    "password_strength",
]

_HOMES = {
    "EmbeddedServer": "backend.runner",
    "InvalidRequest": "backend.errors",
    "Settings": "backend.settings",
    "create_app": "backend.http",
    "normalise_username": "backend.password_policy",
    "password_strength": "backend.password_policy",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use, so `import backend` stays cheap (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'backend' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
