"""The authorization endpoint (RFC 6749 §4.1): the sign-in page, its form, the redirect back.

A request whose client or redirect URI cannot be trusted gets a 400 page, never a redirect;
any other bad request is sent back to the redirect URI with `error` and `state`. The form's
password check is the same use case as JSON sign-in: same rules, same throttle.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.core.authorization import AuthorizationRequest, authorization_request
from backend.errors import AuthError, InvalidCredentials, TooManyAttempts
from backend.web.bodies import form_fields
from backend.web.pages.forgery import COOKIE, FIELD, FormGuard
from backend.web.pages.html import back_to_client, html_page, page
from backend.web.routes import client_address_of, service_of

CLIENT_NAMES = {"jwt-refresh-demo": "jwt-refresh-demo desktop app"}
SIGN_IN = "sign-in"


def guard_of(request: Request) -> FormGuard:
    """The app's anti-forgery guard."""
    guard: FormGuard = request.app.state.form_guard
    return guard


def requested(request: Request) -> AuthorizationRequest:
    """The authorization request in the page's address."""
    client_id = service_of(request).settings.client_id
    return authorization_request(request.query_params.multi_items(), client_id)


def form_page(
    request: Request,
    template: str,
    purpose: str,
    authorization: AuthorizationRequest,
    status: int = 200,
    *,
    problem: AuthError | None = None,
    **context: object,
) -> Response:
    """A page with a form carrying the request and an anti-forgery field for this browser."""
    guard = guard_of(request)
    nonce = guard.nonce(request.cookies.get(COOKIE))
    carried = authorization.parameters()
    service = service_of(request)
    response = html_page(
        template,
        status,
        form_targets=(authorization.redirect_uri,),
        headers=problem.headers if problem else None,
        carried=carried,
        form_field=FIELD,
        form_token=guard.token(purpose, nonce, carried, service.sessions.clock()),
        query=urlencode(carried),
        client_name=CLIENT_NAMES.get(authorization.client_id, authorization.client_id),
        destination=authorization.destination,
        problem=problem.description if problem else None,
        **context,
    )
    secure = (service.settings.issuer or "").startswith("https:")
    response.set_cookie(
        COOKIE, nonce, path="/oauth", httponly=True, samesite="strict", secure=secure
    )
    return response


async def checked_form(
    request: Request, purpose: str
) -> tuple[dict[str, str], AuthorizationRequest]:
    """A page's posted form: its fields and the request it carries, its anti-forgery field
    checked."""
    fields = await form_fields(request)
    authorization = authorization_request(fields.items(), service_of(request).settings.client_id)
    guard_of(request).check(
        fields.get(FIELD),
        purpose,
        request.cookies.get(COOKIE),
        authorization.parameters(),
        service_of(request).sessions.clock(),
    )
    return fields, authorization


def sign_in_page(
    request: Request,
    authorization: AuthorizationRequest,
    status: int = 200,
    problem: AuthError | None = None,
    username: str = "",
) -> Response:
    return form_page(
        request,
        "sign_in.html",
        SIGN_IN,
        authorization,
        status,
        problem=problem,
        username=username,
        account_created=request.query_params.get("account_created") == "1" and bool(username),
    )


async def authorize(request: Request) -> Response:
    """GET: the sign-in page for a valid request."""
    username = request.query_params.get("login_hint", "")
    return sign_in_page(request, requested(request), username=username)


async def sign_in(request: Request) -> Response:
    """POST: check the password; the code goes back to the client, or the page comes again."""
    fields, authorization = await checked_form(request, SIGN_IN)
    if fields.get("action") == "cancel":
        return back_to_client(
            request,
            authorization.redirect_uri,
            error="access_denied",
            error_description="The user cancelled signing in.",
            state=authorization.state,
        )
    service = service_of(request)
    username = fields.get("username", "")
    try:
        user = await service.accounts.authenticate(
            username, fields.get("password", ""), client_address_of(request)
        )
    except (InvalidCredentials, TooManyAttempts) as error:
        return sign_in_page(request, authorization, error.status, error, username)
    code = await service.codes.issue(user, authorization)
    return back_to_client(request, authorization.redirect_uri, code=code, state=authorization.state)


ROUTES = [Route("/oauth/authorize", page(authorize, sign_in), methods=["GET", "POST"])]
