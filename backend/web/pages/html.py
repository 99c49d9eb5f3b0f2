"""HTML answers: Jinja2 templates, the security headers of every page, error pages, the style."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import Response

from backend.errors import AuthError, ServerError

log = logging.getLogger("backend.http")
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("backend.web.pages", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
STYLESHEET_PATH = "/pages/style.css"
STYLESHEET = (resources.files("backend.web.pages") / "style.css").read_bytes()
PageHandler = Callable[[Request], Awaitable[Response]]


def origin_of(uri: str) -> str:
    """The scheme, host and port of a URI, as a CSP source."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def page_headers(form_targets: tuple[str, ...] = ()) -> dict[str, str]:
    """Headers of every page: no framing, no script, no sniffing, no referrer, no caching.

    `form_targets` are the origins a form may lead to besides this server (the app's
    loopback redirect, where the browser goes after the sign-in form's 303).
    """
    form_action = " ".join(("'self'", *(origin_of(target) for target in form_targets)))
    policy = (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
    }


def html_page(
    template: str,
    status: int = 200,
    *,
    form_targets: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """A page rendered from `template` with the security headers."""
    body = TEMPLATES.get_template(template).render(stylesheet=STYLESHEET_PATH, **context)
    return Response(
        body,
        status_code=status,
        media_type="text/html",
        headers={**page_headers(form_targets), **(headers or {})},
    )


def error_page(error: AuthError) -> Response:
    """A page that says what went wrong, with the error's status and headers."""
    return html_page(
        "error.html", error.status, headers=error.headers, title="Cannot sign in", error=error
    )


def page_route(handler: PageHandler) -> PageHandler:
    """A route whose errors are pages, never JSON, and whose unexpected errors say nothing."""

    @functools.wraps(handler)
    async def route(request: Request) -> Response:
        try:
            return await handler(request)
        except AuthError as error:
            return error_page(error)
        except Exception as error:
            log.error(
                "unexpected %s on %s %s", type(error).__name__, request.method, request.url.path
            )
            return error_page(ServerError())

    return route


async def stylesheet(request: Request) -> Response:
    """The pages' one stylesheet (a file, so that the policy needs no inline style)."""
    return Response(
        STYLESHEET,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
