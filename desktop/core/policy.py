"""When to refresh, how long to back off, and how to notice that the clock jumped."""

from __future__ import annotations

import random
from dataclasses import dataclass

from desktop.core.clock import Clock

MARGIN_FRACTION = 0.2
MIN_MARGIN = 5.0
MAX_MARGIN = 300.0
JITTER = 0.1
LATEST_FRACTION = 0.95
WHOLE_SECOND_ALLOWANCE = 1.0


@dataclass(frozen=True)
class Lifetime:
    """An access token's life on the local wall clock, and when it is due for a refresh."""

    issued_at: float
    expires_at: float
    refresh_at: float

    @property
    def length(self) -> float:
        return self.expires_at - self.issued_at

    def is_due(self, now: float) -> bool:
        return now >= self.refresh_at

    def is_expired(self, now: float) -> bool:
        return now >= self.expires_at


def refresh_margin(length: float) -> float:
    """How long before expiry to refresh: a fifth of the lifetime, between 5 s and 5 min."""
    return min(MAX_MARGIN, max(MIN_MARGIN, MARGIN_FRACTION * length))


def refresh_age(length: float) -> float:
    """The age at which to refresh: never before half the lifetime, else `margin` before expiry."""
    return max(length / 2, length - refresh_margin(length))


def lifetime_from_response(sent_at: float, expires_in: float, rng: random.Random) -> Lifetime:
    """The local lifetime of a token asked for at `sent_at` (local clock), with jitter applied.

    Counting from the moment the request was sent keeps the estimate on the safe side and
    independent of the server's clock. The server truncates `iat` to whole seconds, so a
    token can expire up to a second before `sent_at + expires_in`: that second is taken off.
    """
    allowance = min(WHOLE_SECOND_ALLOWANCE, expires_in / 4)
    length = max(0.0, expires_in - allowance)
    age = refresh_age(length) * (1 + rng.uniform(-JITTER, JITTER))
    age = min(age, LATEST_FRACTION * length)
    return Lifetime(issued_at=sent_at, expires_at=sent_at + length, refresh_at=sent_at + age)


class Backoff:
    """Exponential backoff with jitter: 1 s doubling to 60 s; a server's Retry-After wins."""

    def __init__(
        self,
        rng: random.Random,
        initial: float = 1.0,
        maximum: float = 60.0,
        factor: float = 2.0,
        jitter: float = JITTER,
    ) -> None:
        self._rng = rng
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self.attempts = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """The wait before the next attempt, counting this failure."""
        nominal = min(self.maximum, self.initial * self.factor ** min(self.attempts, 64))
        self.attempts += 1
        delay = min(self.maximum, nominal * (1 + self._rng.uniform(-self.jitter, self.jitter)))
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    def reset(self) -> None:
        self.attempts = 0


class ClockWatch:
    """Notices when the wall clock moved differently from the monotonic clock (jump, suspend)."""

    def __init__(self, clock: Clock, tolerance: float = 2.0) -> None:
        self._clock = clock
        self.tolerance = tolerance
        self._wall = clock.wall()
        self._mono = clock.monotonic()

    def check(self) -> float:
        """Seconds the wall clock jumped since the last check (0.0 when within tolerance)."""
        wall, mono = self._clock.wall(), self._clock.monotonic()
        drift = (wall - self._wall) - (mono - self._mono)
        self._wall, self._mono = wall, mono
        return drift if abs(drift) > self.tolerance else 0.0
