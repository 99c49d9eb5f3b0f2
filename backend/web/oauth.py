"""OAuth 2.0 endpoints: the token endpoint's grants (RFC 6749 §4.1.3, §6), revocation (RFC 7009),
metadata (RFC 8414, RFC 9207)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.core.authorization_codes import Presentation
from backend.core.sessions import TokenGrant
from backend.errors import InvalidClient, InvalidRequest, UnsupportedGrantType
from backend.web.bodies import form_fields, string_field
from backend.web.rendering import NO_STORE, json_response
from backend.web.routes import service_of

REFRESH_GRANT = "refresh_token"
CODE_GRANT = "authorization_code"


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """The client_id and secret of an HTTP Basic header (RFC 6749 §2.3.1), if one was sent."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise InvalidRequest("The Basic authorization header is malformed.") from error
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def client_id_of(request: Request, fields: dict[str, str]) -> str | None:
    """client_id from the body or Basic auth; both given must agree, and carry no secret.

    The server's client is public: an empty secret is no secret (as common libraries send
    it), any other is refused rather than ignored.
    """
    from_body = fields.get("client_id") or None
    basic = basic_credentials(request)
    from_header = basic[0] if basic else None
    if from_body and from_header and from_body != from_header:
        raise InvalidRequest("client_id differs between the body and the Authorization header.")
    if fields.get("client_secret") or (basic and basic[1]):
        raise InvalidClient
    return from_body or from_header


async def code_grant(request: Request, fields: dict[str, str]) -> TokenGrant:
    """RFC 6749 §4.1.3 with RFC 7636 §4.5: a code and its verifier for a new session."""
    client_id = client_id_of(request, fields)
    if client_id is None:
        raise InvalidRequest("Send the client_id (RFC 6749 §4.1.3).")
    presented = Presentation(
        code=string_field(fields, "code"),
        client_id=client_id,
        redirect_uri=fields.get("redirect_uri") or None,
        code_verifier=fields.get("code_verifier") or None,
    )
    return await service_of(request).codes.exchange(presented)


async def refresh_grant(request: Request, fields: dict[str, str]) -> TokenGrant:
    """RFC 6749 §6: a refresh token for its successor."""
    refresh_token = string_field(fields, "refresh_token")
    return await service_of(request).rotation.refresh(refresh_token, client_id_of(request, fields))


GRANTS = {CODE_GRANT: code_grant, REFRESH_GRANT: refresh_grant}


async def token_endpoint(request: Request) -> Response:
    """The authorization_code and refresh_token grants; every other type is unsupported."""
    fields = await form_fields(request)
    grant = GRANTS.get(string_field(fields, "grant_type", 64))
    if grant is None:
        raise UnsupportedGrantType
    return json_response((await grant(request, fields)).response())


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
            "authorization_endpoint": f"{issuer}/oauth/authorize",
            "token_endpoint": f"{issuer}/oauth/token",
            "revocation_endpoint": f"{issuer}/oauth/revoke",
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "grant_types_supported": [CODE_GRANT, REFRESH_GRANT],
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
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
