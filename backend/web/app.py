"""Thin Starlette routes: parse the request, call the service, render the result."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.core.passwords import Hasher
from backend.core.service import AuthService, Principal
from backend.core.session_cache import ActiveSessionCache
from backend.core.tokens import AccessTokens, RefreshTokens, load_signing_key
from backend.errors import AuthError, InvalidRequest, MethodNotAllowed, NotFound, ServerError
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.sqlite import EndReason, SqliteStore
from backend.web import oauth
from backend.web.bodies import json_object, string_field
from backend.web.middleware.access_log import AccessLogMiddleware, redact_path
from backend.web.middleware.body_limit import BodyLimitMiddleware
from backend.web.openapi import openapi_document
from backend.web.rendering import empty_response, error_response, json_response

log = logging.getLogger("backend.http")
AUDIENCE = "jwt-refresh-demo-api"
REVOKE_REASONS = {"revoked": EndReason.REVOKED, "signed_out": EndReason.SIGNED_OUT}


def service_of(request: Request) -> AuthService:
    return request.app.state.service


async def body_of(request: Request) -> dict:
    return await json_object(request)


async def principal_of(request: Request) -> Principal:
    return await service_of(request).authenticate(request.headers.get("authorization"))


async def health(request: Request) -> Response:
    return json_response({"status": "ok"}, headers={"Cache-Control": "no-cache"})


async def sign_up(request: Request) -> Response:
    body = await body_of(request)
    username = await service_of(request).sign_up(body.get("username"), body.get("password"))
    return json_response({"username": username}, 201)


async def sign_in(request: Request) -> Response:
    body = await body_of(request)
    if "username" not in body or "password" not in body:
        raise InvalidRequest("Send both username and password.")
    address = request.client.host if request.client else "unknown"
    grant = await service_of(request).sign_in(body["username"], body["password"], address)
    return json_response(grant.response())


async def refresh(request: Request) -> Response:
    body = await body_of(request)
    grant = await service_of(request).refresh(string_field(body, "refresh_token"))
    return json_response(grant.response())


async def revoke(request: Request) -> Response:
    body = await body_of(request)
    reason = body.get("reason", "revoked")
    if not isinstance(reason, str) or reason not in REVOKE_REASONS:
        raise InvalidRequest("reason must be 'revoked' or 'signed_out'.")
    await service_of(request).revoke(string_field(body, "refresh_token"), REVOKE_REASONS[reason])
    return empty_response(204)


async def seed_refresh(request: Request) -> Response:
    grant = await service_of(request).refresh(request.path_params["token"])
    return json_response(grant.response())


async def seed_revoke(request: Request) -> Response:
    await service_of(request).revoke(request.path_params["token"])
    return empty_response(204)


async def revoke_all(request: Request) -> Response:
    principal = await principal_of(request)
    await service_of(request).revoke_all(principal)
    return empty_response(204)


async def account(request: Request) -> Response:
    principal = await principal_of(request)
    claims = principal.claims
    return json_response(
        {
            "username": principal.username,
            "session_id": principal.session_id,
            "user_id": principal.user_id,
            "client_id": claims["client_id"],
            "token_issued_at": claims["iat"],
            "token_expires_at": claims["exp"],
        }
    )


async def list_sessions(request: Request) -> Response:
    principal = await principal_of(request)
    return json_response({"sessions": await service_of(request).sessions(principal)})


async def delete_session(request: Request) -> Response:
    principal = await principal_of(request)
    await service_of(request).end_session(principal, request.path_params["session_id"])
    return empty_response(204)


async def jwks(request: Request) -> Response:
    keys = service_of(request).access_tokens.jwks()
    return json_response(keys, headers={"Cache-Control": "public, max-age=300"})


async def openapi(request: Request) -> Response:
    return json_response(openapi_document(service_of(request).settings.issuer or ""), headers={})


ROUTES = [
    Route("/health", health, methods=["GET"]),
    Route("/sign-up", sign_up, methods=["POST"]),
    Route("/sign-in", sign_in, methods=["POST"]),
    Route("/tokens/refresh", refresh, methods=["POST"]),
    Route("/tokens/revoke", revoke, methods=["POST"]),
    Route("/tokens/revoke-all", revoke_all, methods=["POST"]),
    Route("/tokens/{token}/refresh", seed_refresh, methods=["POST"]),
    Route("/tokens/{token}/revoke", seed_revoke, methods=["POST"]),
    Route("/account", account, methods=["GET"]),
    Route("/sessions", list_sessions, methods=["GET"]),
    Route("/sessions/{session_id}", delete_session, methods=["DELETE"]),
    Route("/oauth/token", oauth.token_endpoint, methods=["POST"]),
    Route("/oauth/revoke", oauth.revocation_endpoint, methods=["POST"]),
    Route("/.well-known/oauth-authorization-server", oauth.metadata_endpoint, methods=["GET"]),
    Route("/.well-known/jwks.json", jwks, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]


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


def build_service(settings: Settings) -> AuthService:
    """Open the data dir's keys and database and assemble the service."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    access_tokens = AccessTokens(
        load_signing_key(settings.key_path),
        issuer=settings.issuer or f"http://{settings.host}:{settings.port}",
        audience=AUDIENCE,
        lifetime=settings.access_ttl,
    )
    refresh_tokens = RefreshTokens.from_file(settings.rotation_key_path)
    store = SqliteStore(settings.database_path, settings.sqlite_synchronous)
    return AuthService(
        settings,
        Database(store),
        Hasher(),
        access_tokens,
        refresh_tokens,
        ActiveSessionCache(store.ended_signal),
    )


async def purge_periodically(service: AuthService) -> None:
    while True:
        removed = await service.purge()
        if removed:
            log.info("purged %d old sessions", removed)
        await asyncio.sleep(service.settings.cleanup_interval)


def create_app(settings: Settings) -> Starlette:
    """The ASGI app for `settings` (its issuer should be set to the public URL)."""
    service = build_service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        purger = asyncio.create_task(purge_periodically(service))
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            service.hasher.close()
            service.database.close()

    middleware = [Middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)]
    if settings.access_log:
        middleware.insert(0, Middleware(AccessLogMiddleware))
    app = Starlette(
        routes=ROUTES,
        middleware=middleware,
        exception_handlers={
            AuthError: auth_error,
            HTTPException: http_error,
            Exception: unexpected_error,
        },
        lifespan=lifespan,
    )
    app.state.service = service
    return app
