"""Running the server with uvicorn: in the foreground, or on a thread inside another program."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from email.utils import formatdate

import uvicorn
from uvicorn.server import ServerState

from backend.connections import protocol_for
from backend.settings import Settings
from backend.web.app import create_app

log = logging.getLogger("backend")


class StartupFailed(Exception):
    """The app did not start; uvicorn has logged why."""


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind and listen, so `port` 0 becomes a real free port before the URL is announced.

    Accepted connections inherit TCP_NODELAY from this socket: without it a response written
    as headers then body waits for the client's delayed ACK (about 40 ms per request).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    """The http:// URL a bound socket answers on."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


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


def build_server(settings: Settings, sock: socket.socket) -> uvicorn.Server:
    """A uvicorn server for the app, with the issuer defaulting to the bound URL.

    Connections run under the limits of `connections.py`; `X-Forwarded-For` names the client
    only on connections from `forwarded_allow_ips` (none by default).
    """
    settings = settings.with_issuer(base_url(sock))
    app = create_app(settings)
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


class EmbeddedServer:
    """The server on a background thread of another program (the desktop app)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = ""
        self._ready = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, timeout: float = 30.0) -> str:
        """Start serving and return the base URL once it accepts connections."""
        sock = bind_socket(self.settings.host, self.settings.port)
        self._server = build_server(self.settings, sock)
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._run, args=(self._server, sock), name="embedded-server", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the embedded server did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the embedded server failed to start: {self._error}")
        return self.url

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            run(server, sock, self._announce)
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
        """Finish requests in flight and stop; safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None
