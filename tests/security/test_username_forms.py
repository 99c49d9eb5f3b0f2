"""Usernames that differ only by case, width or compatibility form name one account: sign-up
refuses the look-alike (409 taken, or 400 for a form PRECIS refuses), sign-in finds the account."""

from __future__ import annotations

import pytest

from tests.security.figures import FIGURES
from tests.support.api import PASSWORD, Api, assert_error

SUITE = "username look-alikes (case, width, compatibility form) resolved to one account"
VARIANTS: dict[str, tuple[str, str]] = {
    "upper-case": ("fiona.k", "FIONA.K"),
    "title-case": ("fiona.k", "Fiona.K"),
    "fullwidth-letters": ("fiona.k", "\uff46\uff49\uff4f\uff4e\uff41.\uff4b"),
    "fullwidth-full-stop": ("fiona.k", "fiona\uff0ek"),
    "fi-ligature": ("fiona.k", "\ufb01ona.k"),
    "kelvin-sign": ("fiona.k", "fiona.\u212a"),
    "modifier-letter-k": ("fiona.k", "fiona.\u1d4f"),
    "mathematical-bold": (
        "fiona.k",
        "\U0001d41f\U0001d422\U0001d428\U0001d427\U0001d41a.\U0001d424",
    ),
    "circled-letters": ("fiona.k", "\u24d5\u24d8\u24de\u24dd\u24d0.\u24da"),
    "surrounding-spaces": ("fiona.k", "  fiona.k\t"),
    "sharp-s-casefold": ("strasse", "stra\u00dfe"),
    "capital-sharp-s": ("strasse", "STRA\u1e9eE"),
    "decomposed-accent": ("jos\u00e9", "jose\u0301"),
    "decomposed-accent-upper-case": ("jos\u00e9", "JOSE\u0301"),
    "greek-final-sigma": ("\u03c3\u03bf\u03c6\u03bf\u03c2", "\u03a3\u039f\u03a6\u039f\u03a3"),
    "fullwidth-digits": ("agent7", "agent\uff17"),
    "superscript-digit": ("agent7", "agent\u2077"),
}

REFUSED_BY_PRECIS = {
    "modifier-letter-k",
    "mathematical-bold",
    "circled-letters",
    "superscript-digit",
}


@pytest.fixture(scope="module")
def accounts(api: Api) -> dict[str, str]:
    """Each base name signed up once on this module's own server, and the name it stored."""
    stored: dict[str, str] = {}
    for base, _ in VARIANTS.values():
        if base in stored:
            continue
        response = api.post("/sign-up", {"username": base, "password": PASSWORD})
        assert response.status_code == 201, response.text
        stored[base] = response.json()["username"]
    return stored


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_look_alike_username_is_the_same_account(
    api: Api, accounts: dict[str, str], variant: str
) -> None:
    base, look_alike = VARIANTS[variant]
    taken = api.post("/sign-up", {"username": look_alike, "password": PASSWORD})
    if variant in REFUSED_BY_PRECIS:
        assert_error(taken, 400, "invalid_request")
    else:
        assert_error(taken, 409, "username_taken")
    session = api.sign_in(look_alike)
    account = api.call("GET", "/account", session.access_token).json()
    assert account["username"] == accounts[base]
    FIGURES.tally(SUITE)
