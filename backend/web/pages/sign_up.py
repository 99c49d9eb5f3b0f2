"""The page to create an account from the sign-in page; it leads back to the same sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.core.authorization import authorization_request
from backend.errors import AuthorizationRefused, InvalidRequest, UsernameTaken
from backend.web.pages.authorize import checked_form, form_page, redirect, refused
from backend.web.pages.html import page_route
from backend.web.routes import service_of

SIGN_UP = "sign-up"


@page_route
async def sign_up_page(request: Request) -> Response:
    """GET: the form, carrying the authorization request it came from."""
    client_id = service_of(request).settings.client_id
    try:
        authorization = authorization_request(request.query_params.multi_items(), client_id)
    except AuthorizationRefused as refusal:
        return refused(request, refusal)
    return form_page(request, "sign_up.html", SIGN_UP, authorization, username="")


@page_route
async def sign_up(request: Request) -> Response:
    """POST: create the account with the same rules as JSON sign-up, then back to sign-in."""
    try:
        fields, authorization = await checked_form(request, SIGN_UP)
    except AuthorizationRefused as refusal:
        return refused(request, refusal)
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


ROUTES = [
    Route("/oauth/sign-up", sign_up_page, methods=["GET"]),
    Route("/oauth/sign-up", sign_up, methods=["POST"]),
]
