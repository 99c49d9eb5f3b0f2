"""Tokens made safe to show: shortened so a person can tell them apart, never whole."""

from __future__ import annotations

SHOWN = 4
MIN_HIDDEN = 8


def shorten(token: str | None) -> str:
    """The first and last four characters, e.g. 'eyJh…x9Qz'; short strings are fully masked."""
    if not token:
        return "—"
    if len(token) < 2 * SHOWN + MIN_HIDDEN:
        return "…"
    return f"{token[:SHOWN]}…{token[-SHOWN:]}"
