"""Raw HTTP requests (any bytes, any headers, chunked bodies, a chosen loopback source address)."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict

TIMEOUT = 30


class RawResponse:
    """Status, headers and body of a raw exchange, shaped like a `requests.Response`."""

    def __init__(self, status_code: int, headers: list[tuple[str, str]], content: bytes) -> None:
        self.status_code = status_code
        self.headers = CaseInsensitiveDict(dict(headers))
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


def send(
    base_url: str,
    method: str,
    path: str,
    body: bytes | Iterable[bytes] | None = None,
    headers: dict[str, str] | None = None,
    source: str = "127.0.0.1",
) -> RawResponse:
    """One request on a fresh connection; an iterable body goes out chunked, without a length."""
    address = urlsplit(base_url)
    assert address.hostname is not None
    connection = http.client.HTTPConnection(
        address.hostname, address.port, timeout=TIMEOUT, source_address=(source, 0)
    )
    try:
        chunked = body is not None and not isinstance(body, bytes)
        connection.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        response = connection.getresponse()
        return RawResponse(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def connect(base_url: str) -> socket.socket:
    """A plain TCP connection to the server, for requests no HTTP library would send."""
    address = urlsplit(base_url)
    assert address.hostname is not None
    assert address.port is not None
    return socket.create_connection((address.hostname, address.port), timeout=TIMEOUT)


def read_until_closed(connection: socket.socket, timeout: float = TIMEOUT) -> bytes:
    """Everything the server sends until it closes the connection (fails after `timeout`)."""
    connection.settimeout(timeout)
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def exchange(base_url: str, data: bytes, timeout: float = TIMEOUT) -> bytes:
    """Send raw bytes on a fresh connection and return all the server sent until it closed."""
    with connect(base_url) as connection:
        connection.sendall(data)
        return read_until_closed(connection, timeout)


def parse_answer(raw: bytes) -> RawResponse:
    """A raw HTTP/1.1 answer (status line, headers, body) as a RawResponse."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines]
    return RawResponse(
        int(status_line.split()[1]), [(name, value) for name, value in headers], body
    )
