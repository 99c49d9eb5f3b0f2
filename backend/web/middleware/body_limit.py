"""A cap on request bodies for every route: a declared or streamed body over the limit gets 413."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import InvalidRequest, PayloadTooLarge
from backend.web.rendering import error_response


class BodyLimitMiddleware:
    """Refuses by Content-Length before the route runs, and stops a longer stream as it arrives."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The request body is larger than {self.limit // 1024} KiB.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            refusal = None
            if not declared.isdigit():
                refusal = InvalidRequest("The Content-Length header is not a number.")
            elif int(declared) > self.limit:
                refusal = self.too_large()
            if refusal is not None:
                await error_response(refusal)(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise self.too_large()
            return message

        await self.app(scope, counting_receive, send)
