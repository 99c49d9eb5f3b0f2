"""Sign-in throttling: backoff per username and address after failures, one try per name at once."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

MAX_TRACKED = 100_000


@dataclass
class FailureRecord:
    failures: int
    last_failure: float


class SignInThrottle:
    """Counts failed sign-ins; past `free_failures` each attempt must wait a doubling delay."""

    def __init__(
        self, free_failures: int, base_delay: float, max_delay: float, forget_after: float
    ) -> None:
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self._records: dict[str, FailureRecord] = {}

    def delay_for(self, failures: int) -> float:
        """How long to wait after `failures` failures (0 while under the free allowance)."""
        if failures < self.free_failures:
            return 0.0
        return min(self.max_delay, self.base_delay * 2.0 ** (failures - self.free_failures))

    def retry_after(self, key: str, now: float) -> int:
        """Whole seconds until `key` may try again; 0 when it may try now."""
        record = self._records.get(key)
        if record is None:
            return 0
        wait = record.last_failure + self.delay_for(record.failures) - now
        return max(0, math.ceil(wait))

    def record_failure(self, key: str, now: float) -> None:
        record = self._records.get(key)
        if record is None or now - record.last_failure > self.forget_after:
            record = self._records[key] = FailureRecord(0, now)
        record.failures += 1
        record.last_failure = now
        if len(self._records) > MAX_TRACKED:
            self.forget_stale(now)

    def reset(self, key: str) -> None:
        self._records.pop(key, None)

    def forget_stale(self, now: float) -> None:
        """Drop records whose delay has passed and that saw no failure for a while."""
        for key, record in list(self._records.items()):
            quiet = now - record.last_failure
            if quiet > self.forget_after or quiet > self.delay_for(record.failures) + 60:
                del self._records[key]


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
