"""Connections under limits: uvicorn's httptools protocol with deadlines, header caps and a cap
on open connections, each refusal answered in the contract's error shape and logged."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, NoReturn

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from backend.settings import Settings

log = logging.getLogger("backend.connections")
REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    431: b"Request Header Fields Too Large",
}


class HeadersTooLarge(Exception):
    """Raised from a parser callback to stop parsing a request whose headers are too large."""


def error_answer(status: int, description: str) -> bytes:
    """A whole HTTP/1.1 answer with the contract's error body, closing the connection."""
    code = "invalid_request"
    body = json.dumps({"error": code, "error_description": description}).encode()
    head = (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
        b"cache-control: no-store\r\nconnection: close\r\n\r\n"
    ) % (status, REASONS[status], len(body))
    return head + body


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """One connection, held to the server's limits.

    - Its request line and headers must arrive within `header_timeout` of the request's
      first byte (or of the connection's opening), its body within `body_timeout` of the
      headers: otherwise 408 and a close, so a client that sends half a request and waits
      holds nothing for long. Between requests uvicorn's keep-alive timeout applies.
    - A header line (or the request line) over `max_header_line_bytes`, or headers over
      `max_header_bytes` in all, get 431 and a close, as soon as that many bytes are in.
    - Beyond `max_connections` open connections, a new one is closed at once.

    One timer per connection watches its deadline; a request only moves the deadline, so
    the limits cost no timer per request.
    """

    limits: Settings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: float | None = None
        self._waiting_for = ""
        self._watchdog: asyncio.TimerHandle | None = None
        self._in_head = True
        self._head_bytes = 0
        self._unparsed_bytes = 0
        self._too_large = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            log.warning(
                "closed a connection from %s: %d connections are open, the most allowed",
                self.client[0] if self.client else "-",
                self.limits.max_connections,
            )
            transport.abort()
            return
        self._watch(self.limits.header_timeout, "request headers")

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._deadline = None
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_head and self.parser is not None and not self.transport.is_closing():
            self._unparsed_bytes += len(data)
            if self._unparsed_bytes > self.limits.max_header_bytes:
                self._refuse_headers(self._over_the_total())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._unparsed_bytes = 0
        self._watch(self.limits.header_timeout, "request headers")

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._head_bytes += len(url)
        if len(self.url) > self.limits.max_header_line_bytes:
            self._stop_parsing(f"a request line over {self.limits.max_header_line_bytes} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if len(name) + len(value) > self.limits.max_header_line_bytes:
            self._stop_parsing(f"a header line over {self.limits.max_header_line_bytes} bytes")
        if self._head_bytes > self.limits.max_header_bytes:
            self._stop_parsing(self._over_the_total())
        super().on_header(name, value)

    def _over_the_total(self) -> str:
        return f"over {self.limits.max_header_bytes // 1024} KiB in all"

    def _stop_parsing(self, what: str) -> NoReturn:
        """From a parser callback: the parser stops, and `send_400_response` answers 431."""
        self._too_large = what
        raise HeadersTooLarge(what)

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self.transport.is_closing():
            return
        self._watch(self.limits.body_timeout, "the request body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._deadline = None
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """The parser stopped: headers too large (431), or a request HTTP/1.1 does not allow
        (a malformed line, both Content-Length and Transfer-Encoding, two lengths, a space
        before a colon, a bare LF): 400 in words."""
        if self._too_large:
            self._refuse_headers(self._too_large)
            return
        self._deadline = None
        self.transport.write(error_answer(400, "The request is not valid HTTP/1.1."))
        self.transport.close()

    def _watch(self, seconds: float, waiting_for: str) -> None:
        self._deadline = self.loop.time() + seconds
        self._waiting_for = waiting_for
        if self._watchdog is None:
            self._watchdog = self.loop.call_at(self._deadline, self._check_deadline)

    def _check_deadline(self) -> None:
        self._watchdog = None
        if self._deadline is None or self.transport.is_closing():
            return
        if self.loop.time() < self._deadline:
            self._watchdog = self.loop.call_at(self._deadline, self._check_deadline)
            return
        self._expire()

    def _expire(self) -> None:
        """The deadline passed: 408 unless an answer has begun or nothing was asked yet."""
        client = self.client[0] if self.client else "-"
        log.info(
            "closed a connection from %s: %s did not arrive in time", client, self._waiting_for
        )
        self._deadline = None
        answering = self.cycle is not None and self.cycle.response_started
        if not answering and (self._unparsed_bytes or self._head_bytes or not self._in_head):
            description = f"{self._waiting_for.capitalize()} did not arrive in time."
            self.transport.write(error_answer(408, description))
        self.transport.close()

    def _refuse_headers(self, what: str) -> None:
        client = self.client[0] if self.client else "-"
        log.info("refused a request from %s: headers too large (%s)", client, what)
        self._deadline = None
        self.transport.write(error_answer(431, f"The request's headers are too large: {what}."))
        self.transport.close()


def protocol_for(settings: Settings) -> type[LimitedHttpToolsProtocol]:
    """The protocol class, bound to these settings' limits."""
    return type("ServerProtocol", (LimitedHttpToolsProtocol,), {"limits": settings})
