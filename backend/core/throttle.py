"""Sign-in throttling: failures counted per address, per username from each address and per
username overall, in the store; one sign-in per username at a time in each server."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from backend.storage.records import FailureCount

MAX_DOUBLINGS = 62


@dataclass(frozen=True)
class Backoff:
    """Past `free_failures`, each attempt waits a doubling delay, `base_delay` to `max_delay`."""

    free_failures: int
    base_delay: float
    max_delay: float

    def delay_for(self, failures: int) -> float:
        """How long to wait after `failures` failures (0 while under the free allowance).

        The exponent is capped, so any count, however large, gives `max_delay`.
        """
        if failures < self.free_failures:
            return 0.0
        doublings = min(failures - self.free_failures, MAX_DOUBLINGS)
        return min(self.max_delay, math.ldexp(self.base_delay, doublings))

    def retry_after(self, count: FailureCount | None, now: float) -> int:
        """Whole seconds until the next attempt under this count may run; 0 for now."""
        if count is None:
            return 0
        wait = count.last_failure + self.delay_for(count.failures) - now
        return max(0, math.ceil(wait))


@dataclass(frozen=True)
class ThrottleKeys:
    """The three counts one sign-in attempt is held to."""

    address: str
    name_from_address: str
    name: str

    @property
    def all(self) -> tuple[str, str, str]:
        return (self.address, self.name_from_address, self.name)


@dataclass(frozen=True)
class SignInThrottle:
    """What holds back a client that keeps failing to sign in, and never the account's owner.

    Each failure counts under the client's address, under the username from that address,
    and under the username from anywhere. An attempt waits for the address's and the
    name-from-address count; the name's own count, with a far higher allowance, holds back
    only addresses the user has never signed in from. So a stranger failing on a name, from
    however many addresses, slows the stranger: the owner, from an address they used before,
    is not held back at all, and from a new one only after a great many failures.
    """

    per_address: Backoff
    per_name_from_address: Backoff
    per_name: Backoff
    forget_after: float

    @staticmethod
    def keys(username: str, address: str) -> ThrottleKeys:
        return ThrottleKeys(
            address=f"address:{address}",
            name_from_address=f"name-from-address:{username}\n{address}",
            name=f"name:{username}",
        )

    def retry_after(
        self,
        keys: ThrottleKeys,
        counts: dict[str, FailureCount],
        known_address: bool,
        now: float,
    ) -> int:
        """Whole seconds until this attempt may run; 0 for now."""
        waits = [
            self.per_address.retry_after(counts.get(keys.address), now),
            self.per_name_from_address.retry_after(counts.get(keys.name_from_address), now),
        ]
        if not known_address:
            waits.append(self.per_name.retry_after(counts.get(keys.name), now))
        return max(waits)


class OneAtATime:
    """An asyncio lock per key, kept only while someone holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
