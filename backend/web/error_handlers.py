"""What the app answers when a route raises: the error's own body, or a 500 that says nothing."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend.errors import AuthError, InvalidRequest, MethodNotAllowed, NotFound, ServerError
from backend.web.middleware.access_log import redact_path
from backend.web.rendering import error_response

log = logging.getLogger("backend.http")


async def auth_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, AuthError)
    return error_response(error)


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return error_response(NotFound("There is no such endpoint."))
    if error.status_code == 405:
        response = error_response(MethodNotAllowed())
        response.headers.update(error.headers or {})
        return response
    return error_response(InvalidRequest(error.detail))


async def unexpected_error(request: Request, error: Exception) -> Response:
    path = redact_path(request.url.path)
    log.error("unexpected %s on %s %s", type(error).__name__, request.method, path)
    return error_response(ServerError())


HANDLERS = {AuthError: auth_error, HTTPException: http_error, Exception: unexpected_error}
