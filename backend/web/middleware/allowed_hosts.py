"""The Host check against DNS rebinding: a request naming a host the server is not gets 400."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from backend.errors import InvalidRequest
from backend.web.rendering import error_response


def host_name(header: bytes) -> str:
    """The name in a Host header, without its port, in lower case (`[::1]:80` gives `::1`)."""
    text = header.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text[1:].partition("]")[0]
    return text.rpartition(":")[0] if text.count(":") == 1 else text


class AllowedHostsMiddleware:
    """Answers 400 `invalid_request` to a request whose Host names none of `names` (`*`: any).

    A web page the user visits can point a name of its own at 127.0.0.1 (DNS rebinding) and
    then call the server from the browser; the browser still sends that name as the Host.
    """

    def __init__(self, app: ASGIApp, names: tuple[str, ...]) -> None:
        self.app = app
        self.names = frozenset(names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "*" in self.names:
            await self.app(scope, receive, send)
            return
        host = next((value for name, value in scope["headers"] if name == b"host"), b"")
        if host_name(host) not in self.names:
            refusal = InvalidRequest("The Host header names a host this server does not serve.")
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)
