"""The auth server inside the app: on 127.0.0.1, last run's port if free, data in the data dir."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from backend import EmbeddedServer, Settings

PORT_FILE = "embedded-server-port"


def last_port(data_dir: Path) -> int:
    try:
        return int((data_dir / PORT_FILE).read_text().strip())
    except (OSError, ValueError):
        return 0


def bind_embedded(data_dir: Path, access_ttl: int | None) -> EmbeddedServer:
    """The server with its port bound, not yet started: its URL is known, its code not loaded.

    The port of the previous run is tried first, so the URL (the key of the stored token)
    stays the same across restarts; if it is taken, any free port will do.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings = Settings(host="127.0.0.1", port=last_port(data_dir), data_dir=data_dir / "server")
    if access_ttl is not None:
        settings = replace(settings, access_ttl=access_ttl)
    server = EmbeddedServer(settings)
    try:
        url = server.bind()
    except OSError:
        server = EmbeddedServer(replace(settings, port=0))
        url = server.bind()
    (data_dir / PORT_FILE).write_text(f"{url.rsplit(':', 1)[1]}\n")
    return server
