"""PRECIS usernames (RFC 8265): invisible names are refused, names made before still sign in."""

from __future__ import annotations

import sqlite3

import pytest
from passlib.context import CryptContext

from tests.security.figures import FIGURES
from tests.support.api import PASSWORD, Api, assert_error
from tests.support.server_process import ServerProcess

SUITE = "invisible or filler usernames refused at sign-up"
INVISIBLE = {
    "hangul-filler-only": "\u3164\u3164\u3164",
    "name-then-hangul-filler": "alice\u3164",
    "hangul-choseong-filler-inside": "bo\u115fb",
    "blank-braille-patterns": "\u2800\u2800\u2800",
    "halfwidth-hangul-filler": "eve\uffa0",
    "hangul-jungseong-filler": "eve\u1160",
    "combining-grapheme-joiner": "eve\u034f",
    "mongolian-vowel-separator": "eve\u180e",
    "word-joiner": "eve\u2060",
    "zero-width-non-joiner": "eve\u200c",
}


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_a_name_with_invisible_code_points_is_refused(api: Api, name: str) -> None:
    body = assert_error(
        api.post("/sign-up", {"username": INVISIBLE[name], "password": PASSWORD}),
        400,
        "invalid_request",
    )
    assert "username" in body["error_description"]
    FIGURES.tally(SUITE)


def test_the_visible_part_alone_is_still_a_name(api: Api) -> None:
    assert api.sign_up("alice.precis") == "alice.precis"


def add_legacy_account(server: ServerProcess, stored_name: str) -> None:
    """An account stored as the server stored names before PRECIS (NFKC and case folding)."""
    context = CryptContext(schemes=["argon2"], argon2__type="ID")
    with sqlite3.connect(server.data_dir / "auth.sqlite3") as connection:
        connection.execute(
            "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, 0)",
            (
                f"legacy-{len(stored_name)}-{ord(stored_name[0])}",
                stored_name,
                context.hash(PASSWORD),
            ),
        )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\u3164\u3164\u3164", "\u1160\u1160\u1160"),
        ("\U0001d41b\U0001d428\U0001d41b", "bob"),
        ("agent\u2077", "agent7"),
    ],
    ids=["hangul-fillers", "mathematical-bold", "superscript-digit"],
)
def test_an_account_made_under_the_old_rule_still_signs_in(
    start_server, typed: str, stored: str
) -> None:
    server = start_server()
    server.stop()
    add_legacy_account(server, stored)
    server.restart()
    api = Api(server.url)
    tokens = api.sign_in(typed)
    assert api.get("/account", tokens.access_token).json()["username"] == stored
    refused = api.post("/sign-up", {"username": typed, "password": PASSWORD})
    assert_error(refused, 400, "invalid_request")
