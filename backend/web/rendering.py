"""Turning results and errors into responses: JSON bodies, no-store headers, error bodies."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from backend.core.tokens import compact_json
from backend.errors import AuthError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Compact JSON with `Cache-Control: no-store` unless other caching headers are given."""
    return Response(
        compact_json(body),
        status_code=status,
        media_type="application/json",
        headers=headers if headers is not None else NO_STORE,
    )


def empty_response(status: int) -> Response:
    return Response(status_code=status, headers=NO_STORE)


def error_response(error: AuthError) -> Response:
    """RFC 6749 §5.2 / RFC 6750 style error body with the error's own headers."""
    return json_response(error.body(), error.status, {**NO_STORE, **error.headers})
