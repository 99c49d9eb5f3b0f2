"""Tokens handled as secrets: shortened to be shown, never whole; compared in constant time."""

from __future__ import annotations

import hmac

SHOWN = 4
MIN_HIDDEN = 8


def shorten(token: str | None) -> str:
    """The first and last four characters, e.g. 'eyJh…x9Qz'; short strings are fully masked."""
    if not token:
        return "—"
    if len(token) < 2 * SHOWN + MIN_HIDDEN:
        return "…"
    return f"{token[:SHOWN]}…{token[-SHOWN:]}"


def same_secret(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (None equals only None)."""
    if a is None or b is None:
        return a is b
    return hmac.compare_digest(a.encode(), b.encode())
