"""An access log that never prints a token or a forged line: long path segments are redacted
and control characters escaped."""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("backend.access")
SECRET_LOOKING_SEGMENT = re.compile(r"(?<=/)[^/]{32,}")
UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\\\"\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def escape(text: str) -> str:
    """`text` with control characters, line and paragraph separators, bidirectional
    controls, backslashes and double quotes escaped (`\\n`, `\\x1b`, `\\u202e`), so a value
    from a request can neither start a line of the log nor disguise one."""
    return UNPRINTABLE.sub(escaped_character, text)


def escaped_character(match: re.Match[str]) -> str:
    character = match.group()
    if character in '\\"':
        return "\\" + character
    escaped = character.encode("unicode_escape").decode("ascii")
    return escaped if escaped != character else f"\\x{ord(character):02x}"


def redact_path(path: str) -> str:
    """The path, escaped, with every segment of 32 or more characters replaced by `[redacted]`."""
    return escape(SECRET_LOOKING_SEGMENT.sub("[redacted]", path))


class AccessLogMiddleware:
    """Logs client, method, redacted path, status and latency of every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            client = scope.get("client") or ("-", 0)
            log.info(
                '%s "%s %s" %d %.1fms',
                escape(str(client[0])),
                escape(scope["method"]),
                redact_path(scope["path"]),
                status,
                (time.perf_counter() - started) * 1000,
            )
