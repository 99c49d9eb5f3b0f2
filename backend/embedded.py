"""The server on a background thread of another program: its port bound first, its code on start."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from backend.settings import Settings
from backend.sockets import base_url, bind_socket

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger("backend")


class EmbeddedServer:
    """The server inside another program (the desktop app).

    `bind` costs a socket and no import, so the program knows the URL at once and can show
    itself before `start` loads the server (uvicorn, Starlette, the password hasher). A
    connection made in between waits in the socket's backlog and is answered once it starts.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = ""
        self._sock: socket.socket | None = None
        self._ready = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def bind(self) -> str:
        """Listen on the settings' host and port, if not yet, and return the base URL."""
        self._listening()
        return self.url

    def _listening(self) -> socket.socket:
        if self._sock is None:
            self._sock = bind_socket(self.settings.host, self.settings.port)
            self.url = base_url(self._sock)
        return self._sock

    def start(self, timeout: float = 30.0) -> str:
        """Load the server, serve on the bound socket, and return the URL once it serves."""
        from backend import runner  # the server's code loads here, not with this module

        sock = self._listening()
        self._sock = None  # the server owns it from here, and closes it when it stops
        try:
            server = runner.build_server(self.settings, sock)
        except BaseException:
            sock.close()
            raise
        self._server = server
        self._ready.clear()
        serve = partial(runner.run, server, sock, self._announce)
        self._thread = threading.Thread(
            target=self._run, args=(serve, sock), name="embedded-server", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the embedded server did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the embedded server failed to start: {self._error}")
        return self.url

    def _run(self, serve: Callable[[], None], sock: socket.socket) -> None:
        try:
            serve()
        except BaseException as error:  # reported to the thread that called start()
            self._error = error
            log.exception("embedded server stopped with an error")
        finally:
            sock.close()
            self._ready.set()

    def _announce(self, url: str) -> None:
        self.url = url
        self._ready.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish requests in flight and stop (or let go of the port if never started)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None
