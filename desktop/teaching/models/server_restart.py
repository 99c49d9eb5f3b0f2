"""Restarting the embedded server with another access-token lifetime, on the same port and data."""

from __future__ import annotations

from dataclasses import replace

from backend import EmbeddedServer

MIN_ACCESS_TTL = 15
MAX_ACCESS_TTL = 300


def current_port(server: EmbeddedServer) -> int:
    """The port the server listens on now (its settings may say 0: 'any free port')."""
    if server.url:
        return int(server.url.rsplit(":", 1)[1])
    return server.settings.port


def restart_with_access_ttl(server: EmbeddedServer, access_ttl: int) -> str:
    """Stop the server and start it again with a new `access_ttl`; return its URL.

    The data dir keeps the signing key and the sessions, and the port stays the same, so the
    app's refresh token and URL stay valid: only new access tokens get the new lifetime.
    """
    if not MIN_ACCESS_TTL <= access_ttl <= MAX_ACCESS_TTL:
        raise ValueError(f"the access-token lifetime must be {MIN_ACCESS_TTL}-{MAX_ACCESS_TTL} s")
    port = current_port(server)
    server.stop()
    server.settings = replace(server.settings, access_ttl=access_ttl, port=port)
    return server.start()
