"""Failing networks on 127.0.0.1: a port nobody answers on, a gateway that only says 503."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def listening_socket() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock
    finally:
        sock.close()


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel does) and never answers: requests time out."""
    with listening_socket() as sock:
        yield url_of(sock)


def closed_port() -> str:
    """A URL whose port was free a moment ago: connections are refused."""
    with listening_socket() as sock:
        return url_of(sock)


@contextlib.contextmanager
def canned_server(status_line: str, headers: dict[str, str] | None = None) -> Iterator[str]:
    """Answers every request with the same status and an empty body, like a broken gateway."""
    head = [f"HTTP/1.1 {status_line}", "Content-Length: 0", "Connection: close"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    answer = ("\r\n".join(head) + "\r\n\r\n").encode()
    with listening_socket() as sock:
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    connection, _ = sock.accept()
                except OSError:
                    return
                with connection:
                    connection.recv(65536)
                    connection.sendall(answer)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        yield url_of(sock)
        stop.set()
