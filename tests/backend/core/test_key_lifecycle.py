"""A signing key's states over time: next, current, previous until its tokens expire, retired."""

from __future__ import annotations

import pytest

from backend.core.keys.lifecycle import RELOAD_SECONDS, KeyState, current_key, key_state
from backend.storage.records import SigningKey

TTL = 300
LAST_TOKEN = RELOAD_SECONDS + TTL + 1


def key(kid: str, activates_at: int, retired_at: int | None = None) -> SigningKey:
    return SigningKey(kid, b"public", b"sealed", activates_at, activates_at, retired_at)


def states(keys: list[SigningKey], now: int) -> dict[str, KeyState]:
    return {k.kid: key_state(k, keys, now, TTL) for k in keys}


def test_one_key_is_current_from_its_activation() -> None:
    first = key("a", 100)
    assert states([first], 99) == {"a": KeyState.NEXT}
    assert states([first], 100) == {"a": KeyState.CURRENT}


def test_a_rotation_publishes_first_then_signs_then_the_old_key_fades() -> None:
    old, new = key("old", 0), key("new", 1_000)
    assert states([old, new], 999) == {"old": KeyState.CURRENT, "new": KeyState.NEXT}
    assert states([old, new], 1_000) == {"old": KeyState.PREVIOUS, "new": KeyState.CURRENT}
    last_moment = 1_000 + LAST_TOKEN - 1
    assert states([old, new], last_moment)["old"] is KeyState.PREVIOUS
    assert states([old, new], last_moment + 1)["old"] is KeyState.RETIRED


def test_a_retired_key_is_withdrawn_at_once() -> None:
    old, new = key("old", 0, retired_at=1_010), key("new", 1_000)
    assert states([old, new], 1_009)["old"] is KeyState.PREVIOUS
    assert states([old, new], 1_010)["old"] is KeyState.RETIRED


def test_a_key_activated_out_of_order_signs_only_once_it_is_the_latest() -> None:
    first, later, sooner = key("first", 0), key("later", 2_000), key("sooner", 1_000)
    keys = [first, sooner, later]
    assert states(keys, 1_100) == {
        "first": KeyState.PREVIOUS,
        "sooner": KeyState.CURRENT,
        "later": KeyState.NEXT,
    }
    assert states(keys, 2_000) == {
        "first": KeyState.RETIRED,
        "sooner": KeyState.PREVIOUS,
        "later": KeyState.CURRENT,
    }


def test_a_next_key_retired_before_it_signed_does_not_end_its_predecessor() -> None:
    current, withdrawn = key("current", 0), key("withdrawn", 1_000, retired_at=500)
    assert states([current, withdrawn], 5_000) == {
        "current": KeyState.CURRENT,
        "withdrawn": KeyState.RETIRED,
    }


@pytest.mark.parametrize("now", [0, 10_000])
def test_with_every_key_retired_none_is_current(now: int) -> None:
    assert current_key([key("gone", 0, retired_at=0)], now) is None
