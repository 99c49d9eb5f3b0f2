"""What each header field and claim of the access token means, in words a newcomer can follow."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

HEADER_NOTES = {
    "alg": "Signing algorithm. EdDSA (Ed25519): the server signs with a private key and "
    "anyone can check with the public key from /.well-known/jwks.json.",
    "typ": "Token type. at+jwt marks an OAuth access token (RFC 9068), so an ID token or "
    "other JWT cannot be passed off as one.",
    "kid": "Key id: which of the server's public keys verifies this signature. It is the "
    "key's RFC 7638 thumbprint.",
}

CLAIM_NOTES = {
    "iss": "Issuer: the auth server that made the token. An API refuses tokens from any "
    "other issuer.",
    "aud": "Audience: who the token is for. An API refuses tokens meant for someone else.",
    "sub": "Subject: the user's stable id on the server (not the username, which could change).",
    "client_id": "The app the token was issued to (the public client jwt-refresh-demo).",
    "iat": "Issued at: when the server signed the token.",
    "exp": "Expires: after this second every API refuses the token. It is short on "
    "purpose: a leaked access token is useless soon, and the app refreshes it before then.",
    "jti": "JWT id: unique per token, so two tokens never look the same and a token can be "
    "told apart in logs.",
    "sid": "Session id: the sign-in this token belongs to. Every refresh keeps it; "
    "revoking the refresh token ends the session, and the server's own routes then refuse "
    "its access tokens at once.",
    "username": "The username at the time of issue, for display only.",
}

UNKNOWN_NOTE = "A claim this app does not know."


def local_time(unix_seconds: float) -> str:
    """Unix seconds as local date and time, e.g. '2026-11-27 14:03:09 CET'."""
    moment = datetime.fromtimestamp(unix_seconds).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z")


def span(seconds: float) -> str:
    """A duration in words: '4 min 05 s', '42 s', '1 h 02 min'."""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def countdown(expires_at: float, now: float) -> str:
    """'expires in 4 min 05 s' or 'expired 3 s ago'."""
    left = expires_at - now
    if left > 0:
        return f"expires in {span(left)}"
    return f"expired {span(left)} ago"


@dataclass(frozen=True)
class ClaimNote:
    """One row of the inspector: the name, the value as shown, a comment on it, and its meaning."""

    name: str
    value: str
    comment: str
    meaning: str


def value_text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def time_comment(name: str, value: Any, now: float) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "not a number of seconds"
    if name == "exp":
        return f"{local_time(value)} · {countdown(value, now)}"
    return f"{local_time(value)} · {span(now - value)} ago"


def claim_notes(payload: dict[str, Any], now: float | None = None) -> list[ClaimNote]:
    """The payload's claims in a stable order (known ones first), each with its meaning."""
    now = time.time() if now is None else now
    known = [name for name in CLAIM_NOTES if name in payload]
    others = sorted(name for name in payload if name not in CLAIM_NOTES)
    notes = []
    for name in known + others:
        value = payload[name]
        comment = time_comment(name, value, now) if name in {"iat", "exp"} else ""
        notes.append(
            ClaimNote(name, value_text(value), comment, CLAIM_NOTES.get(name, UNKNOWN_NOTE))
        )
    return notes


def header_notes(header: dict[str, Any]) -> list[ClaimNote]:
    """The header's fields, each with its meaning."""
    return [
        ClaimNote(name, value_text(value), "", HEADER_NOTES.get(name, UNKNOWN_NOTE))
        for name, value in header.items()
    ]
