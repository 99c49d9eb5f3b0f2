"""Running the server with uvicorn on a bound socket, until it is asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable
from email.utils import formatdate

import uvicorn
from starlette.types import ASGIApp
from uvicorn.server import ServerState

from backend.connections import protocol_for
from backend.settings import Settings
from backend.sockets import base_url
from backend.web.app import create_app

AppFactory = Callable[[Settings], ASGIApp]


class StartupFailed(Exception):
    """The app did not start; uvicorn has logged why."""


class DatedState(ServerState):
    """uvicorn's shared state, whose default headers carry a Date renewed at each new second."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._config = config
        self._second = -1
        self._headers: list[tuple[bytes, bytes]] = []
        super().__init__()

    @property
    def default_headers(self) -> list[tuple[bytes, bytes]]:
        second = int(time.time())
        if second != self._second:
            date = [(b"date", formatdate(second, usegmt=True).encode())]
            self._headers = date + self._config.encoded_headers
            self._second = second
        return self._headers

    @default_headers.setter
    def default_headers(self, value: list[tuple[bytes, bytes]]) -> None:
        """uvicorn's own renewal, which this state does without."""


class QuietServer(uvicorn.Server):
    """uvicorn's server, asleep while no request comes.

    uvicorn's main loop wakes ten times a second to see whether it should stop and, once a
    second, to renew the Date header. Here asking it to stop wakes the loop, from any
    thread, and the first response of each second renews the Date header, so an idle
    server (the one inside the desktop app) does not wake at all. It has none of the
    request limit or the supervisor notification that loop also served, and uses neither.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._should_exit = False
        super().__init__(config)
        self.server_state = DatedState(config)

    @property
    def should_exit(self) -> bool:
        return self._should_exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._should_exit = value
        loop, stop = self._loop, self._stop
        if value and loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(stop.set)

    async def main_loop(self) -> None:
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if not self.should_exit:
            await self._stop.wait()


def build_server(
    settings: Settings, sock: socket.socket, app_factory: AppFactory | None = None
) -> uvicorn.Server:
    """A uvicorn server for the app (`app_factory`'s, the auth server's by default), with the
    issuer defaulting to the bound URL.

    Connections run under the limits of `connections.py`; `X-Forwarded-For` names the client
    only on connections from `forwarded_allow_ips` (none by default).
    """
    settings = settings.with_issuer(base_url(sock))
    app = (app_factory or create_app)(settings)
    config = uvicorn.Config(
        app,
        http=protocol_for(settings),
        lifespan="on",
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=10,
        timeout_keep_alive=settings.keep_alive_timeout,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips),
    )
    return QuietServer(config)


async def serve_until_stopped(server: uvicorn.Server, sock: socket.socket) -> None:
    """uvicorn's serve, whose `sys.exit` on a failed start-up becomes a StartupFailed."""
    try:
        await server.serve(sockets=[sock])
    except SystemExit as error:
        raise StartupFailed(f"the server did not start (exit code {error.code})") from None


async def serve(
    server: uvicorn.Server, sock: socket.socket, on_ready: Callable[[str], None]
) -> None:
    """Serve on `sock` and call `on_ready(url)` once connections are accepted."""
    task = asyncio.create_task(serve_until_stopped(server, sock))
    while not server.started:
        if task.done():
            await task
            raise StartupFailed("the server stopped during start-up")
        await asyncio.sleep(0.01)
    on_ready(base_url(sock))
    await task


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when it is installed (uvicorn[standard] brings it), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(server: uvicorn.Server, sock: socket.socket, on_ready: Callable[[str], None]) -> None:
    """Serve on a new event loop until the server stops."""
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(serve(server, sock, on_ready))
