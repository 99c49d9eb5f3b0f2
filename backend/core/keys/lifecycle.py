"""A signing key's life: next, current, previous, retired, worked out from its times alone.

A key is published (in the JWKS, and accepted) from the moment it is added, so that caches of
the JWKS hold it before it signs; it signs from `activates_at` until a newer key activates;
it stays published until every token it signed has expired; `retired_at` withdraws it at once.
"""

from __future__ import annotations

from enum import StrEnum

from backend.storage.records import SigningKey

RELOAD_SECONDS = 5
"""How often a running server reads the keys again: it sees every change within this."""
JWKS_MAX_AGE = 300
"""How long a client may cache the JWKS (its Cache-Control max-age)."""
DEFAULT_ACTIVATE_IN = 2 * JWKS_MAX_AGE
"""A new key signs this long after it is added: every cache of the JWKS has seen it by then."""


class KeyState(StrEnum):
    """Where a key is in its life; `keys list` prints these words."""

    NEXT = "next"
    CURRENT = "current"
    PREVIOUS = "previous"
    RETIRED = "retired"


def order(key: SigningKey) -> tuple[int, int, str]:
    return (key.activates_at, key.created_at, key.kid)


def withdrawn_at(key: SigningKey, now: int) -> bool:
    return key.retired_at is not None and key.retired_at <= now


def signed_at_all(key: SigningKey) -> bool:
    """False for a key retired before it ever activated: it has signed nothing."""
    return key.retired_at is None or key.retired_at > key.activates_at


def current_key(keys: list[SigningKey], now: int) -> SigningKey | None:
    """The key that signs at `now`: the latest to have activated among those not retired."""
    active = [key for key in keys if key.activates_at <= now and not withdrawn_at(key, now)]
    return max(active, key=order, default=None)


def superseded_at(key: SigningKey, keys: list[SigningKey], now: int) -> int | None:
    """When a newer key activated and `key` stopped signing, if that has happened."""
    later = [
        other.activates_at
        for other in keys
        if order(other) > order(key) and other.activates_at <= now and signed_at_all(other)
    ]
    return min(later, default=None)


def key_state(key: SigningKey, keys: list[SigningKey], now: int, access_ttl: int) -> KeyState:
    """The state of `key` among `keys` at `now`, for access tokens living `access_ttl` seconds.

    A key that stopped signing stays `previous` for the lifetime of the last token it signed,
    plus the time a server may take to notice the newer key, plus the second by which `exp`
    is rounded up; after that nothing it signed is alive, and it counts as retired.
    """
    if withdrawn_at(key, now):
        return KeyState.RETIRED
    if key.activates_at > now:
        return KeyState.NEXT
    current = current_key(keys, now)
    if current is not None and current.kid == key.kid:
        return KeyState.CURRENT
    stopped = superseded_at(key, keys, now)
    if stopped is not None and now < stopped + RELOAD_SECONDS + access_ttl + 1:
        return KeyState.PREVIOUS
    return KeyState.RETIRED


def published(state: KeyState) -> bool:
    """Whether a key in this state is in the JWKS and verifies tokens."""
    return state is not KeyState.RETIRED
