"""HTML answers: Jinja2 templates, the security headers of every page, error pages, the way back
to the client's redirect URI, the style."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jinja2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from backend.errors import AuthError, AuthorizationRefused, ServerError
from backend.web.routes import service_of

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


def with_query(uri: str, parameters: dict[str, str | None]) -> str:
    """`uri` with `parameters` added to the query it may already have (RFC 6749 §3.1.2)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(name, value) for name, value in parameters.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def redirect(location: str, form_targets: tuple[str, ...] = ()) -> Response:
    """A 303 (the form's POST becomes a GET) with the pages' headers."""
    return RedirectResponse(location, 303, headers=page_headers(form_targets))


def back_to_client(request: Request, redirect_uri: str, **parameters: str | None) -> Response:
    """The answer to the client at its redirect URI, naming this server (RFC 9207)."""
    issuer = service_of(request).settings.issuer or ""
    location = with_query(redirect_uri, {**parameters, "iss": issuer})
    return redirect(location, (redirect_uri,))


def refused(request: Request, refusal: AuthorizationRefused) -> Response:
    """An error the client should see, at its redirect URI (RFC 6749 §4.1.2.1)."""
    return back_to_client(
        request,
        refusal.redirect_uri,
        error=refusal.code,
        error_description=refusal.description,
        state=refusal.state,
    )


def page(get: PageHandler, post: PageHandler) -> PageHandler:
    """One page's route, GET and POST (so a 405 names both): a refused authorization request
    goes back to the client, other errors are pages, and unexpected ones say nothing."""

    @functools.wraps(get)
    async def route(request: Request) -> Response:
        try:
            return await (post if request.method == "POST" else get)(request)
        except AuthorizationRefused as refusal:
            return refused(request, refusal)
        except AuthError as error:
            return error_page(error)
        except Exception as error:
            path = request.url.path
            log.error("unexpected %s on %s %s", type(error).__name__, request.method, path)
            return error_page(ServerError())

    return route


async def stylesheet(request: Request) -> Response:
    """The pages' one stylesheet (a file, so that the policy needs no inline style)."""
    return Response(
        STYLESHEET,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
