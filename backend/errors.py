"""One error tree: each error knows its HTTP status, its `error` code and renders itself."""

from __future__ import annotations


class AuthError(Exception):
    """Base of every error the server reports to a client."""

    status = 400
    code = "invalid_request"
    description = "The request is not valid."
    headers: dict[str, str] = {}  # noqa: RUF012

    def __init__(self, description: str | None = None) -> None:
        self.description = description or self.description
        super().__init__(self.description)

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.description}


class InvalidRequest(AuthError):
    """The request is malformed: wrong content type, bad JSON, missing or bad fields."""


class PayloadTooLarge(InvalidRequest):
    """The body is larger than the server accepts."""

    status = 413
    description = "The request body is too large."


class UsernameTaken(AuthError):
    """Sign-up with a username that already exists (after normalisation)."""

    status = 409
    code = "username_taken"
    description = "That username is taken."


class InvalidCredentials(AuthError):
    """Sign-in with an unknown username or a wrong password."""

    status = 401
    code = "invalid_credentials"
    description = "The username or password is wrong."


class TooManyAttempts(AuthError):
    """Sign-in is throttled after repeated failures."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int, description: str | None = None) -> None:
        super().__init__(description or f"Too many failed sign-ins. Try again in {retry_after} s.")
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class InvalidGrant(AuthError):
    """The refresh token is unknown, expired, revoked, reused or not issued to this client."""

    code = "invalid_grant"
    description = "The refresh token is not valid."


class UnsupportedGrantType(AuthError):
    """The token endpoint was asked for a grant it does not implement."""

    code = "unsupported_grant_type"
    description = "Only the authorization_code and refresh_token grants are supported."


class InvalidClient(AuthError):
    """A client tried to authenticate with a secret; the server's one client is public."""

    status = 401
    code = "invalid_client"
    description = "The client jwt-refresh-demo is public: send its client_id and no secret."
    headers = {"WWW-Authenticate": 'Basic realm="jwt-refresh-demo"'}  # noqa: RUF012


class UnknownRedirect(AuthError):
    """An authorization request whose client or redirect URI cannot be trusted (RFC 6749 §4.1.2.1).

    Never sent back to the redirect URI: the page says it to the person in the browser.
    """


class AuthorizationRefused(AuthError):
    """An authorization request refused with a redirect back to the client (RFC 6749 §4.1.2.1)."""

    def __init__(self, code: str, description: str, redirect_uri: str, state: str | None) -> None:
        super().__init__(description)
        self.code = code
        self.redirect_uri = redirect_uri
        self.state = state


class InvalidToken(AuthError):
    """A protected route was called without a usable access token (RFC 6750)."""

    status = 401
    code = "invalid_token"
    description = "The access token is missing, invalid or expired."

    def __init__(self, description: str | None = None, *, presented: bool = True) -> None:
        super().__init__(description)
        challenge = f'Bearer error="invalid_token", error_description="{self.description}"'
        self.headers = {"WWW-Authenticate": challenge if presented else "Bearer"}


class NotFound(AuthError):
    """The resource does not exist (or is not the caller's)."""

    status = 404
    code = "not_found"
    description = "Not found."


class MethodNotAllowed(AuthError):
    """The path exists but not with this method."""

    status = 405
    code = "invalid_request"
    description = "This method is not allowed here."


class ServerError(AuthError):
    """Anything unexpected; the details stay in the server log."""

    status = 500
    code = "server_error"
    description = "The server hit an unexpected error."


class ConfigurationError(Exception):
    """The server, or a command about its keys, cannot run as configured: the message says why
    and what to do. Reported to whoever started it, never to a client."""
