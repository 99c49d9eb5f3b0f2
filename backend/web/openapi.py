"""The OpenAPI 3.1 document of every route, written by hand; tests check it against the routes."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
TOKENS = {"$ref": "#/components/schemas/TokenResponse"}
CREDENTIALS = {"$ref": "#/components/schemas/Credentials"}
NEW_ACCOUNT = {"$ref": "#/components/schemas/NewAccount"}
REFRESH_BODY = {"$ref": "#/components/schemas/RefreshTokenBody"}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
TOKEN_IN_PATH = [
    {
        "name": "token",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "A refresh token (kept for the 2017 sample's clients; prefer the body).",
    }
]


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = json_content(schema)
    return response


def errors(*statuses: int) -> dict[str, Any]:
    """Error answers; every route may also answer 400 (bad body), 413 and 500."""
    codes = {
        400: "invalid_request or invalid_grant",
        401: "invalid_credentials or invalid_token",
        404: "not_found",
        409: "username_taken",
        413: "invalid_request: the body is over 64 KiB",
        429: "too_many_attempts (see Retry-After)",
        500: "server_error",
    }
    return {str(status): answer(codes[status], ERROR) for status in (*statuses, 413, 500)}


def page(description: str) -> dict[str, Any]:
    """An HTML page answer: the sign-in pages, their errors in words."""
    return {"description": description, "content": {"text/html": {"schema": string()}}}


def back_to_the_app(description: str) -> dict[str, Any]:
    """A 303 whose Location is the client's redirect URI or the next page."""
    return {
        "description": description,
        "headers": {"Location": {"schema": string(format="uri-reference")}},
    }


def page_errors(*statuses: int) -> dict[str, Any]:
    """A page route's errors are pages; a body over 64 KiB and a 500 stay JSON."""
    words = {
        400: "A page saying what is wrong: an unknown client or redirect URI, a form"
        " without its anti-forgery field or with a wrong one, a refused sign-up",
        401: "The sign-in page again, saying the username or password is wrong",
        409: "The sign-up page again, saying the username is taken",
        429: "The sign-in page again, saying when to try again (see Retry-After)",
    }
    return {**{str(status): page(words[status]) for status in statuses}, **errors()}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": json_content(schema)}


def form_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": schema}},
    }


def operation(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": responses, **extra}


def string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def token_string() -> dict[str, Any]:
    """A token field of a body: the server refuses an empty one and one over 4096 characters."""
    return string(minLength=1, maxLength=4096)


def integer() -> dict[str, Any]:
    return {"type": "integer"}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "error_description"],
        "properties": {"error": string(), "error_description": string()},
    },
    "Credentials": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {"username": string(), "password": string()},
    },
    "NewAccount": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
            "username": string(description="3 to 64 letters, digits or . _ @ + - once normalised"),
            "password": string(minLength=8, maxLength=1024, description="zxcvbn score 2 or more"),
        },
    },
    "RefreshTokenBody": {
        "type": "object",
        "required": ["refresh_token"],
        "properties": {"refresh_token": token_string()},
    },
    "TokenResponse": {
        "type": "object",
        "required": [
            "access_token",
            "token_type",
            "expires_in",
            "expires",
            "refresh_token",
            "refresh_expires_in",
            "session_id",
        ],
        "properties": {
            "access_token": string(description="JWT, EdDSA-signed, typ at+jwt"),
            "token_type": string(enum=["Bearer"]),
            "expires_in": integer(),
            "expires": integer(),
            "refresh_token": string(),
            "refresh_expires_in": integer(),
            "session_id": string(),
        },
    },
    "Account": {
        "type": "object",
        "required": ["username", "session_id"],
        "properties": {
            "username": string(),
            "session_id": string(),
            "user_id": string(),
            "client_id": string(),
            "token_issued_at": integer(),
            "token_expires_at": integer(),
        },
    },
    "Sessions": {
        "type": "object",
        "required": ["sessions", "next_cursor"],
        "properties": {
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as cursor for the next page; null on the last page.",
            },
            "sessions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "id",
                        "created_at",
                        "last_refreshed_at",
                        "refresh_count",
                        "expires_at",
                        "current",
                    ],
                    "properties": {
                        "id": string(),
                        "created_at": integer(),
                        "last_refreshed_at": integer(),
                        "refresh_count": integer(),
                        "expires_at": integer(),
                        "current": {"type": "boolean"},
                    },
                },
            },
        },
    },
    "Metadata": {
        "type": "object",
        "required": [
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "revocation_endpoint",
            "jwks_uri",
            "grant_types_supported",
            "response_types_supported",
            "code_challenge_methods_supported",
            "authorization_response_iss_parameter_supported",
        ],
        "properties": {
            "issuer": string(),
            "authorization_endpoint": string(),
            "token_endpoint": string(),
            "revocation_endpoint": string(),
            "jwks_uri": string(),
            "grant_types_supported": {"type": "array", "items": string()},
            "response_types_supported": {"type": "array", "items": string()},
            "code_challenge_methods_supported": {"type": "array", "items": string()},
            "authorization_response_iss_parameter_supported": {"type": "boolean"},
        },
    },
    "KeySet": {
        "type": "object",
        "required": ["keys"],
        "properties": {"keys": {"type": "array", "items": {"type": "object"}}},
    },
}

AUTHORIZATION_REQUEST: dict[str, Any] = {
    "response_type": string(enum=["code"]),
    "client_id": string(enum=["jwt-refresh-demo"]),
    "redirect_uri": string(
        description="http://127.0.0.1, http://[::1] or http://localhost, any port and path"
        " (RFC 8252 §7.3)"
    ),
    "code_challenge": string(description="base64url SHA-256 of the code verifier (RFC 7636)"),
    "code_challenge_method": string(enum=["S256"]),
    "state": string(description="given back with the answer"),
}
REQUIRED_PARAMETERS = [name for name in AUTHORIZATION_REQUEST if name != "state"]
AUTHORIZATION_QUERY = [
    {"name": name, "in": "query", "required": name in REQUIRED_PARAMETERS, "schema": schema}
    for name, schema in AUTHORIZATION_REQUEST.items()
]
PAGE_FORM_FIELDS: dict[str, Any] = {
    **AUTHORIZATION_REQUEST,
    "form_token": string(description="the page's anti-forgery field, copied as it is"),
    "username": string(),
    "password": string(),
}
BACK_TO_THE_APP = (
    "To the redirect URI with code, state and iss (RFC 9207), or with error, error_description,"
    " state and iss (RFC 6749 §4.1.2.1)"
)

REVOKE_BODY = {
    "type": "object",
    "required": ["refresh_token"],
    "properties": {
        "refresh_token": token_string(),
        "reason": string(enum=["revoked", "signed_out"], default="revoked"),
    },
}

SESSION_PAGE = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
        "description": "Sessions per page.",
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": string(),
        "description": "The previous page's next_cursor; without it, the first page.",
    },
]

PATHS: dict[str, Any] = {
    "/health": {
        "get": operation(
            "Liveness",
            {
                "200": answer(
                    "The server is up", {"type": "object", "properties": {"status": string()}}
                )
            },
        )
    },
    "/sign-up": {
        "post": operation(
            "Create an account",
            {
                "201": answer("Created", {"type": "object", "properties": {"username": string()}}),
                **errors(400, 409),
            },
            requestBody=json_body(NEW_ACCOUNT),
        )
    },
    "/sign-in": {
        "post": operation(
            "Sign in: starts a new session",
            {"200": answer("Tokens", TOKENS), **errors(400, 401, 429)},
            requestBody=json_body(CREDENTIALS),
        )
    },
    "/tokens/refresh": {
        "post": operation(
            "Rotate a refresh token",
            {"200": answer("New tokens", TOKENS), **errors(400)},
            requestBody=json_body(REFRESH_BODY),
        )
    },
    "/tokens/revoke": {
        "post": operation(
            "End the session of a refresh token",
            {"204": answer("Revoked (also for an unknown token)"), **errors(400)},
            requestBody=json_body(REVOKE_BODY),
        )
    },
    "/tokens/revoke-all": {
        "post": operation(
            "End every session of the user",
            {"204": answer("All sessions ended"), **errors(401)},
            security=BEARER,
        )
    },
    "/tokens/{token}/refresh": {
        "post": operation(
            "Rotate a refresh token given in the path",
            {"200": answer("New tokens", TOKENS), **errors(400)},
            parameters=TOKEN_IN_PATH,
        )
    },
    "/tokens/{token}/revoke": {
        "post": operation(
            "Revoke a refresh token given in the path",
            {"204": answer("Revoked (also for an unknown token)"), **errors(400)},
            parameters=TOKEN_IN_PATH,
        )
    },
    "/account": {
        "get": operation(
            "The signed-in account",
            {"200": answer("Account", {"$ref": "#/components/schemas/Account"}), **errors(401)},
            security=BEARER,
        )
    },
    "/sessions": {
        "get": operation(
            "The user's active sessions, newest first, a page at a time",
            {
                "200": answer("Sessions", {"$ref": "#/components/schemas/Sessions"}),
                **errors(400, 401),
            },
            security=BEARER,
            parameters=SESSION_PAGE,
        )
    },
    "/sessions/{session_id}": {
        "delete": operation(
            "End one of the user's sessions",
            {"204": answer("Ended"), **errors(401, 404)},
            security=BEARER,
            parameters=[{"name": "session_id", "in": "path", "required": True, "schema": string()}],
        )
    },
    "/oauth/authorize": {
        "get": operation(
            "The sign-in page of the authorization-code flow (RFC 6749 §4.1.1, RFC 7636)",
            {
                "200": page("The sign-in page, with a link to create an account"),
                "303": back_to_the_app(BACK_TO_THE_APP),
                **page_errors(400),
            },
            parameters=AUTHORIZATION_QUERY,
        ),
        "post": operation(
            "The sign-in page's form: right, back to the app with a code",
            {
                "303": back_to_the_app(BACK_TO_THE_APP),
                **page_errors(400, 401, 429),
            },
            requestBody=form_body(
                {**PAGE_FORM_FIELDS, "action": string(enum=["sign_in", "cancel"])},
                [*REQUIRED_PARAMETERS, "form_token"],
            ),
        ),
    },
    "/oauth/sign-up": {
        "get": operation(
            "The page to create an account, reached from the sign-in page",
            {
                "200": page("The sign-up page"),
                "303": back_to_the_app(BACK_TO_THE_APP),
                **page_errors(400),
            },
            parameters=AUTHORIZATION_QUERY,
        ),
        "post": operation(
            "The sign-up page's form: created, back to the same sign-in",
            {
                "303": back_to_the_app("To the sign-in page, or to the redirect URI with error"),
                **page_errors(400, 409),
            },
            requestBody=form_body(PAGE_FORM_FIELDS, [*REQUIRED_PARAMETERS, "form_token"]),
        ),
    },
    "/pages/style.css": {
        "get": operation(
            "The pages' stylesheet",
            {"200": {"description": "CSS", "content": {"text/css": {"schema": string()}}}},
        )
    },
    "/oauth/token": {
        "post": operation(
            "RFC 6749 token endpoint: authorization_code (with PKCE) and refresh_token grants",
            {
                "200": answer("RFC 6749 §5.1 token response", TOKENS),
                **errors(400),
                "401": answer("invalid_client: a client secret was sent", ERROR),
            },
            requestBody=form_body(
                {
                    "grant_type": string(enum=["authorization_code", "refresh_token"]),
                    "refresh_token": token_string(),
                    "code": token_string(),
                    "redirect_uri": string(),
                    "code_verifier": string(),
                    "client_id": string(),
                },
                ["grant_type"],
            ),
        )
    },
    "/oauth/revoke": {
        "post": operation(
            "RFC 7009 token revocation",
            {"200": answer("Revoked, or the token was unknown"), **errors(400)},
            requestBody=form_body(
                {
                    "token": token_string(),
                    "token_type_hint": string(
                        description="refresh_token or access_token; not needed, the token's"
                        " shape tells them apart (RFC 7009 §2.1)"
                    ),
                },
                ["token"],
            ),
        )
    },
    "/.well-known/oauth-authorization-server": {
        "get": operation(
            "RFC 8414 metadata",
            {"200": answer("Metadata", {"$ref": "#/components/schemas/Metadata"})},
        )
    },
    "/.well-known/jwks.json": {
        "get": operation(
            "RFC 7517 public keys",
            {"200": answer("Key set", {"$ref": "#/components/schemas/KeySet"})},
        )
    },
    "/openapi.json": {
        "get": operation("This document", {"200": answer("OpenAPI 3.1", {"type": "object"})})
    },
}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The document, with the server's own URL."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jwt-refresh-demo auth server",
            "version": "1.0.0",
            "description": "Short-lived JWT access tokens and rotating refresh tokens.",
        },
        "servers": [{"url": server_url}] if server_url else [],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
