"""The page to create an account from the sign-in page; it leads back to the same sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.errors import InvalidRequest, UsernameTaken
from backend.web.pages.authorize import checked_form, form_page, requested
from backend.web.pages.html import page, redirect
from backend.web.routes import service_of

SIGN_UP = "sign-up"


async def sign_up_page(request: Request) -> Response:
    """GET: the form, carrying the authorization request it came from."""
    return form_page(request, "sign_up.html", SIGN_UP, requested(request), username="")


async def sign_up(request: Request) -> Response:
    """POST: create the account with the same rules as JSON sign-up, then back to sign-in."""
    fields, authorization = await checked_form(request, SIGN_UP)
    username = fields.get("username", "")
    try:
        created = await service_of(request).accounts.sign_up(username, fields.get("password", ""))
    except (InvalidRequest, UsernameTaken) as error:
        return form_page(
            request,
            "sign_up.html",
            SIGN_UP,
            authorization,
            error.status,
            problem=error,
            username=username,
        )
    query = urlencode({**authorization.parameters(), "login_hint": created, "account_created": "1"})
    return redirect(f"/oauth/authorize?{query}")


ROUTES = [Route("/oauth/sign-up", page(sign_up_page, sign_up), methods=["GET", "POST"])]
