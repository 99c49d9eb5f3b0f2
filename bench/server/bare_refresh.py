"""The server with POST /bare/refresh beside its routes: the same service's refresh behind a
bare ASGI callable, without Starlette, the middleware or the body checks, to show their cost."""

from __future__ import annotations

import json
import sys

from starlette.types import ASGIApp, Receive, Scope, Send

from backend.__main__ import main
from backend.core.service import AuthService
from backend.core.tokens import compact_json
from backend.settings import Settings
from backend.web.app import create_app

BARE_REFRESH_PATH = "/bare/refresh"
HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
]


def with_bare_refresh(settings: Settings) -> ASGIApp:
    """The auth server's app, with one more path answered before the app sees the request.

    The bare path reads one body message, rotates and answers: no allowed hosts, no body
    limit, no content type, no error body (a refused token gets uvicorn's 500). It is a
    measuring instrument, never a route of the server.
    """
    app = create_app(settings)

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != BARE_REFRESH_PATH:
            await app(scope, receive, send)
            return
        message = await receive()
        service: AuthService = app.state.service
        grant = await service.rotation.refresh(json.loads(message["body"])["refresh_token"])
        body = compact_json(grant.response())
        headers = [*HEADERS, (b"content-length", str(len(body)).encode("ascii"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return serve


if __name__ == "__main__":
    sys.exit(main(app_factory=with_bare_refresh))
