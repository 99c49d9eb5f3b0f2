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


def start_embedded(data_dir: Path, access_ttl: int | None) -> tuple[EmbeddedServer, str]:
    """Start the server and return it with its URL.

    The port of the previous run is tried first, so the URL (the key of the stored token)
    stays the same across restarts; if it is taken, any free port will do.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings = Settings(host="127.0.0.1", port=last_port(data_dir), data_dir=data_dir / "server")
    if access_ttl is not None:
        settings = replace(settings, access_ttl=access_ttl)
    server = EmbeddedServer(settings)
    try:
        url = server.start()
    except OSError:
        server = EmbeddedServer(replace(settings, port=0))
        url = server.start()
    (data_dir / PORT_FILE).write_text(f"{url.rsplit(':', 1)[1]}\n")
    return server, url
