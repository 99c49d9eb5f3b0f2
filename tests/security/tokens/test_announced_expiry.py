"""A refresh token works until the moment the server announced, never a second less."""

from __future__ import annotations

import time

from tests.security.figures import FIGURES
from tests.support.api import Api, tokens_of

SUITE = "refresh tokens used just before their announced expiry"
IDLE = 2
MARGIN = 0.15


def at_fraction(fraction: float) -> None:
    """Sleep until the clock's fractional second is `fraction`, where rounding hurts most."""
    time.sleep((fraction - time.time() % 1) % 1)


def test_a_refresh_just_before_the_announced_idle_expiry_succeeds(start_server) -> None:
    api = Api(start_server("--refresh-idle-ttl", str(IDLE), "--refresh-max-ttl", "600").url)
    username = api.sign_up()
    for _ in range(2):
        at_fraction(0.6)
        sent = time.time()
        tokens = api.sign_in(username)
        announced = sent + tokens.raw["refresh_expires_in"]
        time.sleep(max(0.0, announced - MARGIN - time.time()))
        refreshed = api.refresh(tokens.refresh_token)
        assert refreshed.status_code == 200, refreshed.text
        again = tokens_of(refreshed)
        announced = time.time() + again.raw["refresh_expires_in"] - 0.05
        time.sleep(max(0.0, announced - MARGIN - time.time()))
        assert api.refresh(again.refresh_token).status_code == 200
        FIGURES.tally(SUITE)
