"""A bounded memory of verified access tokens: a reused token skips the signature check."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

DEFAULT_CAPACITY = 8192


class VerifiedTokenCache:
    """Claims of verified tokens by their exact text, kept until the token's `exp`.

    A hit saves only the signature and claim checks: callers still check the times at every
    use and the session behind the token, so revoking a session takes effect at once. Used
    from the event loop's thread; the claims it returns are shared, so treat them as read-only.

    Entries are kept in the order they were verified, which is the order they expire in
    while the access-token lifetime stays the same: each new entry first drops the expired
    ones at the front, so a quiet server holds only the tokens still alive.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, now: float) -> dict[str, Any] | None:
        """The claims of `token` if it was verified before and has not expired."""
        claims = self._entries.get(token)
        if claims is not None and now >= claims["exp"]:
            self._entries.pop(token, None)
            return None
        return claims

    def clear(self) -> None:
        """Forget every verification (a key was withdrawn)."""
        self._entries.clear()

    def put(self, token: str, claims: dict[str, Any], now: float) -> None:
        """Remember a token that passed every check; `claims["exp"]` must be an int."""
        self._drop_expired_front(now)
        if len(self._entries) >= self.capacity:
            self._make_room(now)
        self._entries[token] = claims

    def _drop_expired_front(self, now: float) -> None:
        entries = self._entries
        while entries and now >= next(iter(entries.values()))["exp"]:
            entries.popitem(last=False)

    def _make_room(self, now: float) -> None:
        """Drop expired entries, then the oldest ones, down to three quarters of the capacity."""
        self._entries = OrderedDict(
            (token, claims) for token, claims in self._entries.items() if now < claims["exp"]
        )
        for _ in range(len(self._entries) - self.capacity * 3 // 4):
            self._entries.popitem(last=False)
