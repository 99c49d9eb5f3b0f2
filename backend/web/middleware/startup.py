"""A start-up that fails for a reason in words (a ConfigurationError) reports those words alone."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import ConfigurationError


class StartupErrorMiddleware:
    """Holds back the app's `lifespan.startup.failed` (whose message is a traceback) and, if the
    failure was a ConfigurationError, sends its message instead; anything else goes as it was.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_failure)
        except ConfigurationError as error:
            held[:] = [{"type": "lifespan.startup.failed", "message": str(error)}]
        finally:
            for message in held:
                await send(message)
