"""OAuth 2.0 endpoints: refresh grant (RFC 6749 §6), revocation (RFC 7009), metadata (RFC 8414)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.errors import InvalidRequest, UnsupportedGrantType
from backend.web.bodies import form_fields, string_field
from backend.web.rendering import NO_STORE, json_response
from backend.web.routes import service_of

REFRESH_GRANT = "refresh_token"


def basic_client_id(request: Request) -> str | None:
    """The client_id of an HTTP Basic header (RFC 6749 §2.3.1), if the client sent one."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise InvalidRequest("The Basic authorization header is malformed.") from error
    return unquote(decoded.partition(":")[0])


def client_id_of(request: Request, fields: dict[str, str]) -> str | None:
    """client_id from the body or Basic auth; both given must agree."""
    from_body = fields.get("client_id") or None
    from_header = basic_client_id(request)
    if from_body and from_header and from_body != from_header:
        raise InvalidRequest("client_id differs between the body and the Authorization header.")
    return from_body or from_header


async def token_endpoint(request: Request) -> Response:
    """RFC 6749 §6: the refresh_token grant; every other grant type is unsupported."""
    fields = await form_fields(request)
    grant_type = string_field(fields, "grant_type", 64)
    if grant_type != REFRESH_GRANT:
        raise UnsupportedGrantType
    refresh_token = string_field(fields, "refresh_token")
    grant = await service_of(request).rotation.refresh(refresh_token, client_id_of(request, fields))
    return json_response(grant.response())


async def revocation_endpoint(request: Request) -> Response:
    """RFC 7009: 200 whether or not the token was known; an access token ends its session.

    The token's shape tells the two kinds apart, so `token_type_hint` is not needed: a wrong
    hint must not stop the revocation (RFC 7009 §2.1 has the server search every kind). A
    token issued to another client than the one named is not revoked (§2.1).
    """
    service = service_of(request)
    fields = await form_fields(request)
    token = string_field(fields, "token")
    client_id = client_id_of(request, fields)
    if token.count(".") == 2:
        await service.sessions.revoke_access_token(token, client_id)
    else:
        await service.rotation.revoke(token, client_id=client_id)
    return Response(status_code=200, headers=NO_STORE)


async def metadata_endpoint(request: Request) -> Response:
    """RFC 8414 authorization server metadata."""
    issuer = service_of(request).settings.issuer
    return json_response(
        {
            "issuer": issuer,
            "token_endpoint": f"{issuer}/oauth/token",
            "revocation_endpoint": f"{issuer}/oauth/revoke",
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "grant_types_supported": [REFRESH_GRANT],
            "response_types_supported": [],
            "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "service_documentation": f"{issuer}/openapi.json",
        },
        headers={"Cache-Control": "public, max-age=300"},
    )


ROUTES = [
    Route("/oauth/token", token_endpoint, methods=["POST"]),
    Route("/oauth/revoke", revocation_endpoint, methods=["POST"]),
    Route("/.well-known/oauth-authorization-server", metadata_endpoint, methods=["GET"]),
]
