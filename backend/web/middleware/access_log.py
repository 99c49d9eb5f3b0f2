"""An access log that never prints a token: long path segments and query strings are redacted."""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("backend.access")
SECRET_LOOKING_SEGMENT = re.compile(r"(?<=/)[^/]{32,}")


def redact_path(path: str) -> str:
    """The path with every segment of 32 or more characters replaced by `[redacted]`."""
    return SECRET_LOOKING_SEGMENT.sub("[redacted]", path)


class AccessLogMiddleware:
    """Logs method, redacted path, status and latency of every HTTP request."""

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
                client[0],
                scope["method"],
                redact_path(scope["path"]),
                status,
                (time.perf_counter() - started) * 1000,
            )
