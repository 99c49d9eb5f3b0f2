"""What the app answers when a route raises: the error's own body, or a 500 that says nothing."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from backend.errors import AuthError, InvalidRequest, MethodNotAllowed, NotFound, ServerError
from backend.web.middleware.access_log import escape, redact_path
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


async def client_went_away(request: Request, error: Exception) -> Response:
    """The client closed its connection before its request was read: one line, no 500.

    The answer goes nowhere (the connection is gone); it is there for the access log.
    """
    path = redact_path(request.url.path)
    method = escape(request.method)
    log.info("client went away before sending its whole request: %s %s", method, path)
    return error_response(InvalidRequest("The client went away before sending its request."))


async def unexpected_error(request: Request, error: Exception) -> Response:
    path = redact_path(request.url.path)
    log.error("unexpected %s on %s %s", type(error).__name__, escape(request.method), path)
    return error_response(ServerError())


HANDLERS = {
    AuthError: auth_error,
    HTTPException: http_error,
    ClientDisconnect: client_went_away,
    Exception: unexpected_error,
}
