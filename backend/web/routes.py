"""Thin Starlette routes of the contract's JSON API and the seed routes: parse, call, render."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.core.keys.lifecycle import JWKS_MAX_AGE
from backend.core.service import AuthService
from backend.core.sessions import Principal
from backend.errors import InvalidRequest
from backend.storage.records import EndReason
from backend.web.bodies import json_object, string_field
from backend.web.openapi import openapi_document
from backend.web.rendering import empty_response, json_response

DEFAULT_PAGE = 50
PAGE_PARAMETERS = {"limit", "cursor"}
REVOKE_REASONS = {"revoked": EndReason.REVOKED, "signed_out": EndReason.SIGNED_OUT}


def service_of(request: Request) -> AuthService:
    """The service the app was built with."""
    service: AuthService = request.app.state.service
    return service


def client_address_of(request: Request) -> str:
    """The address sign-ins are throttled by: the peer of the connection."""
    return request.client.host if request.client else "unknown"


async def body_of(request: Request) -> dict[str, Any]:
    return await json_object(request)


async def principal_of(request: Request) -> Principal:
    return await service_of(request).sessions.authenticate(request.headers.get("authorization"))


async def health(request: Request) -> Response:
    return json_response({"status": "ok"}, headers={"Cache-Control": "no-cache"})


async def sign_up(request: Request) -> Response:
    body = await body_of(request)
    accounts = service_of(request).accounts
    username = await accounts.sign_up(body.get("username"), body.get("password"))
    return json_response({"username": username}, 201)


async def sign_in(request: Request) -> Response:
    body = await body_of(request)
    if "username" not in body or "password" not in body:
        raise InvalidRequest("Send both username and password.")
    address = client_address_of(request)
    grant = await service_of(request).accounts.sign_in(body["username"], body["password"], address)
    return json_response(grant.response())


async def refresh(request: Request) -> Response:
    body = await body_of(request)
    grant = await service_of(request).rotation.refresh(string_field(body, "refresh_token"))
    return json_response(grant.response())


async def revoke(request: Request) -> Response:
    body = await body_of(request)
    reason = body.get("reason", "revoked")
    if not isinstance(reason, str) or reason not in REVOKE_REASONS:
        raise InvalidRequest("reason must be 'revoked' or 'signed_out'.")
    refresh_token = string_field(body, "refresh_token")
    await service_of(request).rotation.revoke(refresh_token, REVOKE_REASONS[reason])
    return empty_response(204)


async def seed_refresh(request: Request) -> Response:
    grant = await service_of(request).rotation.refresh(request.path_params["token"])
    return json_response(grant.response())


async def seed_revoke(request: Request) -> Response:
    await service_of(request).rotation.revoke(request.path_params["token"])
    return empty_response(204)


async def revoke_all(request: Request) -> Response:
    principal = await principal_of(request)
    await service_of(request).sessions.revoke_all(principal)
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
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = sorted(set(names) - PAGE_PARAMETERS)
    if unknown:
        raise InvalidRequest(f"Unknown query parameter {unknown[0]!r}: use limit and cursor.")
    if len(names) != len(set(names)):
        raise InvalidRequest("A query parameter is repeated.")
    limit = request.query_params.get("limit", str(DEFAULT_PAGE))
    if not (limit.isascii() and limit.isdigit() and len(limit) <= 3):
        raise InvalidRequest("limit must be a whole number from 1 to 100.")
    cursor = request.query_params.get("cursor")
    page = await service_of(request).sessions.list_active(principal, int(limit), cursor)
    return json_response(page)


async def delete_session(request: Request) -> Response:
    principal = await principal_of(request)
    await service_of(request).sessions.end(principal, request.path_params["session_id"])
    return empty_response(204)


async def jwks(request: Request) -> Response:
    keys = service_of(request).keys.jwks()
    return json_response(keys, headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE}"})


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
    Route("/.well-known/jwks.json", jwks, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]
