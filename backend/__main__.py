"""The `jwt-refresh-server` command line: the server, or `keys` and its subcommands."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

from backend.settings import parse_settings

if TYPE_CHECKING:
    from backend.runner import AppFactory


def announce(url: str) -> None:
    """The contract's ready line, flushed so a parent process can read it at once."""
    sys.stdout.write(f"listening on {url}\n")
    sys.stdout.flush()


def exit_quietly_after_shutdown(signum: int, frame: object) -> None:
    """uvicorn shuts down gracefully on SIGTERM, then re-raises it: let that end with code 0."""


def main(argv: list[str] | None = None, app_factory: AppFactory | None = None) -> int:
    """Parse, bind, build, serve (the server's modules load only for that, not for `keys`);
    `app_factory` serves another app on the same command line (the benchmarks use it)."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["keys"]:
        from backend import key_commands

        return key_commands.main(arguments[1:])
    settings = parse_settings(arguments)
    from backend.runner import StartupFailed, build_server, run
    from backend.sockets import bind_socket

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        sock = bind_socket(settings.host, settings.port)
    except OSError as error:
        sys.stderr.write(f"cannot listen on {settings.host}:{settings.port}: {error.strerror}\n")
        return 1
    server = build_server(settings, sock, app_factory)
    signal.signal(signal.SIGTERM, exit_quietly_after_shutdown)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            run(server, sock, announce)
    except StartupFailed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
