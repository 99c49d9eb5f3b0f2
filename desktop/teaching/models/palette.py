"""The teaching panels' colours: one set for dark text on light, one for light text on dark."""

from __future__ import annotations

from dataclasses import dataclass

LIGHT_TEXT_FROM = 128


@dataclass(frozen=True)
class Tones:
    """Named colours as #rrggbb, chosen to read well on `surface` (the panels' background)."""

    surface: str
    lane: str
    header: str
    payload: str
    signature: str
    access: str
    access_expired: str
    refresh: str
    good: str
    bad: str
    warn: str
    attacker: str
    neutral: str
    grid: str
    lit: str
    lit_bad: str


LIGHT = Tones(
    surface="#ffffff",
    lane="#f3f5f8",
    header="#d6004c",
    payload="#a020c8",
    signature="#0089b8",
    access="#3b82c4",
    access_expired="#b9cfe4",
    refresh="#2f9e6e",
    good="#2f9e44",
    bad="#d0353f",
    warn="#c77c02",
    attacker="#8a2be2",
    neutral="#6b7280",
    grid="#e3e6ea",
    lit="#fff3bf",
    lit_bad="#ffe0e0",
)

DARK = Tones(
    surface="#1e2227",
    lane="#262b31",
    header="#ff5c8a",
    payload="#d98cff",
    signature="#4cc9f0",
    access="#5fa8e8",
    access_expired="#36506a",
    refresh="#4cc38a",
    good="#57c26a",
    bad="#ff6b6b",
    warn="#f0b429",
    attacker="#c08cff",
    neutral="#9aa3ad",
    grid="#3a3f45",
    lit="#5c4d12",
    lit_bad="#5c1f24",
)


def tones_for(text_lightness: int) -> Tones:
    """The set that goes with text of this HSL lightness (0-255): light text means a dark theme.

    Deciding by the text colour, not the window colour, keeps contrast when a style sheet
    sets the text colour but leaves the palette's backgrounds alone.
    """
    return DARK if text_lightness >= LIGHT_TEXT_FROM else LIGHT
