"""One error tree for the desktop app: every failure is a DesktopError with a message in words."""

from __future__ import annotations


class DesktopError(Exception):
    """Base of every error the desktop app raises; `str(error)` is fit to show a user."""

    message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class ApiError(DesktopError):
    """The server could not be reached or did not do what was asked; `status` if it answered."""

    status: int | None = None


class TransientError(ApiError):
    """A failure that may go away by itself: retry later with backoff."""

    retry_after: float | None = None


class NetworkDown(TransientError):
    """No connection to the server (refused, reset, DNS, no route)."""

    message = "Cannot reach the server."


class RequestTimedOut(TransientError):
    """The server did not answer in time."""

    message = "The server did not answer in time: it may be overloaded, or the network slow."


class ResponseCutShort(TransientError):
    """The answer broke off or cannot be read: the server may have acted on the request."""

    message = "The server's answer was cut short: the connection broke while it answered."


class ServerFailed(TransientError):
    """The server answered with a 5xx status."""

    def __init__(self, status: int, description: str = "") -> None:
        self.status = status
        detail = f": {description}" if description else "."
        super().__init__(
            f"The server had a problem (HTTP {status}, an error inside the server){detail}"
        )


class Throttled(TransientError):
    """The server asked to slow down (429), with the number of seconds to wait."""

    status = 429

    def __init__(self, retry_after: float | None, description: str = "") -> None:
        self.retry_after = retry_after
        wait = f" Try again in {retry_after:.0f} s." if retry_after is not None else ""
        super().__init__((description or "The server asked to slow down.") + wait)


class InvalidCredentials(ApiError):
    """Sign-in with an unknown username or a wrong password."""

    status = 401
    message = "The username or password is wrong."


class InvalidGrant(ApiError):
    """The server refused the refresh token: unknown, expired, revoked or reused."""

    status = 400
    message = "The server refused the refresh token (revoked, expired or reused)."

    def __init__(self, message: str | None = None, description: str = "") -> None:
        super().__init__(message)
        self.description = description


class TokenRejected(ApiError):
    """A protected route refused the access token (401 invalid_token)."""

    status = 401
    message = "The server refused the access token."


class Forbidden(ApiError):
    """The access token is valid but not allowed to do this (403)."""

    status = 403
    message = "This account is not allowed to do that."


class NotFound(ApiError):
    """The resource does not exist or is not the caller's (404)."""

    status = 404
    message = "Not found."


class BrowserSignInFailed(DesktopError):
    """Signing in through the browser did not end with a code: denied, cancelled, timed out."""

    message = "Signing in with the browser did not work."


class CodeRefused(ApiError):
    """The server refused the authorization code (used, expired, or not this app's)."""

    status = 400

    def __init__(self, description: str = "") -> None:
        super().__init__(
            f"The server refused the sign-in code: {description or 'it is not valid.'}"
            " Try signing in with the browser again."
        )


class RequestRejected(ApiError):
    """Any other refusal (400, 409, ...): carries the server's code and description."""

    def __init__(self, status: int, code: str, description: str) -> None:
        self.status = status
        self.code = code
        super().__init__(description or f"The server refused the request ({code}).")


class UnexpectedResponse(ApiError):
    """The server answered something that is not the contract's shape."""

    message = "The server sent an answer this app does not understand."


class StorageError(DesktopError):
    """The token store could not read, write or delete the entry."""

    message = "The token store failed."


class StoreUnavailable(StorageError):
    """The chosen store cannot be used here (no keyring backend, locked Secret Service)."""

    message = "The token store is not available."


class StoreTimeout(StorageError):
    """The store did not answer in time (a Secret Service waiting for an unlock prompt)."""

    message = "The token store did not answer in time."


class NotSignedIn(DesktopError):
    """An action needs a session, and there is none."""

    message = "Not signed in."


class SessionLost(DesktopError):
    """The session is over for this app (the refresh token was refused); sign in again."""

    message = "Your session has ended. Please sign in again."
