"""What happens in a session, as plain records: the event log, timeline and diagram use them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EndReason(StrEnum):
    """Why the app no longer holds a session."""

    SIGNED_OUT = "signed out"
    REVOKED = "revoked"
    SIGNED_OUT_EVERYWHERE = "signed out everywhere"
    INVALID_GRANT = "refresh token refused by the server"
    REUSE_DETECTED = "reuse detected"


@dataclass(frozen=True)
class HttpExchange:
    """One request and its answer; `status` is None when no answer came (network error)."""

    at: float
    method: str
    path: str
    status: int | None
    latency_ms: float
    detail: str = ""


@dataclass(frozen=True)
class TokensIssued:
    """A new access token arrived: `via` is 'sign-in', 'browser sign-in', 'refresh' or 'startup'.

    Times are on the local wall clock; `refresh_due_at` is when the app plans the next refresh.
    """

    at: float
    via: str
    access_token: str = field(repr=False)
    access_expires_at: float
    access_issued_at: float
    refresh_token_changed: bool
    session_id: str
    refresh_due_at: float | None = None


@dataclass(frozen=True)
class BrowserStep:
    """A step of signing in through the browser: 'opened' the page, or the browser 'came back'
    with a code (None when it brought an error). The secrets are never in a repr."""

    at: float
    step: str
    authorize_url: str
    redirect_uri: str
    code_challenge: str
    code_verifier: str = field(repr=False)
    code: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ApiCalled:
    """The protected API was called; `ok` is False when it refused or could not be reached."""

    at: float
    ok: bool
    status: int | None


@dataclass(frozen=True)
class SessionEnded:
    """The session is over for this app, and why, in words."""

    at: float
    reason: EndReason
    detail: str = ""


SessionEvent = HttpExchange | TokensIssued | BrowserStep | ApiCalled | SessionEnded
SIGN_INS = frozenset({"sign-in", "browser sign-in"})
