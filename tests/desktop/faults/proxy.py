"""A fault-injecting HTTP proxy on 127.0.0.1, in front of the real server, on real sockets."""

from __future__ import annotations

import collections
import io
import socket
import socketserver
import threading
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

UPSTREAM_TIMEOUT = 30.0
LATE_LIMIT = 60.0
ERROR_BODY = b'{"error": "server_error", "error_description": "The server broke down."}'
ERROR_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(ERROR_BODY), ERROR_BODY)
)


class Fault(Enum):
    """What the proxy does to one request."""

    PASS = "pass"
    ANSWER_500 = "answer 500 without forwarding"
    DROP_AFTER_FORWARD = "forward, then close without answering"
    CUT_WITH_LENGTH = "forward, then send half the body under the full Content-Length"
    CUT_AT_CLOSE = "forward, then send half the body, delimited by closing"
    LATE = "forward, then hold the answer until the client gives up"


@dataclass(frozen=True)
class Relayed:
    """One request the proxy handled: the fault applied and what the server answered."""

    path: str
    fault: Fault
    status: int | None
    body: bytes


def read_request(stream: io.BufferedIOBase) -> tuple[str, list[bytes], bytes] | None:
    """The path, header lines and body of one request, or None if the client went away."""
    request_line = stream.readline()
    if not request_line.strip():
        return None
    lines = [request_line]
    length = 0
    while True:
        line = stream.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        lines.append(line)
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    path = request_line.split()[1].decode("latin-1")
    return path, lines, stream.read(length)


def closing_head(lines: list[bytes]) -> bytes:
    """The request head with `Connection: close`, so the server's answer ends with EOF."""
    kept = [line for line in lines if not line.lower().startswith(b"connection:")]
    return b"".join(kept) + b"Connection: close\r\n\r\n"


def split_response(raw: bytes) -> tuple[int | None, list[bytes], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return status, lines, body


def without_length(lines: list[bytes]) -> bytes:
    """The response head with no Content-Length: the body then ends where the connection does."""
    framing = (b"content-length:", b"transfer-encoding:", b"connection:")
    kept = [line for line in lines if not line.lower().startswith(framing)]
    return b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n"


class FaultProxy:
    """Forwards to `upstream`; faults queued per path apply to the next requests in order."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self._faults: dict[str, collections.deque[Fault]] = collections.defaultdict(
            collections.deque
        )
        self._lock = threading.Lock()
        self.relayed: list[Relayed] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.connection, self.rfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.socket.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def inject(self, path: str, fault: Fault, times: int = 1) -> None:
        """Apply `fault` to the next `times` requests for `path`."""
        with self._lock:
            self._faults[path].extend([fault] * times)

    def pending(self, path: str) -> int:
        with self._lock:
            return len(self._faults[path])

    def relayed_to(self, path: str) -> list[Relayed]:
        with self._lock:
            return [item for item in self.relayed if item.path == path]

    def _take(self, path: str) -> Fault:
        with self._lock:
            queue = self._faults[path]
            return queue.popleft() if queue else Fault.PASS

    def _forward(self, lines: list[bytes], body: bytes) -> bytes:
        with socket.create_connection(self._upstream, timeout=UPSTREAM_TIMEOUT) as upstream:
            upstream.sendall(closing_head(lines) + body)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def _handle(self, client: socket.socket, stream: io.BufferedIOBase) -> None:
        request = read_request(stream)
        if request is None:
            return
        path, lines, body = request
        fault = self._take(path)
        if fault is Fault.ANSWER_500:
            self._record(Relayed(path, fault, None, b""))
            client.sendall(ERROR_500)
            return
        raw = self._forward(lines, body)
        status, head, answer = split_response(raw)
        self._record(Relayed(path, fault, status, answer))
        half = answer[: len(answer) // 2]
        if fault is Fault.PASS:
            client.sendall(raw)
        elif fault is Fault.CUT_WITH_LENGTH:
            client.sendall(b"\r\n".join(head) + b"\r\n\r\n" + half)
        elif fault is Fault.CUT_AT_CLOSE:
            client.sendall(without_length(head) + half)
        elif fault is Fault.LATE:
            client.settimeout(LATE_LIMIT)
            try:
                client.recv(1)
            except OSError:
                return

    def _record(self, item: Relayed) -> None:
        with self._lock:
            self.relayed.append(item)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
