"""Stand-ins for time and randomness, the only parts tests replace."""

from __future__ import annotations

import random
import threading
import time


class FakeClock:
    """A wall clock and a monotonic clock that move only when told (or with real time)."""

    def __init__(self, wall: float | None = None, follow_real_time: bool = False) -> None:
        self._lock = threading.Lock()
        self._wall = time.time() if wall is None else wall
        self._mono = 1000.0
        self._follow = follow_real_time
        self._started = time.monotonic()

    def _real(self) -> float:
        return time.monotonic() - self._started if self._follow else 0.0

    def wall(self) -> float:
        with self._lock:
            return self._wall + self._real()

    def monotonic(self) -> float:
        with self._lock:
            return self._mono + self._real()

    def advance(self, seconds: float) -> None:
        """Time passes normally: both clocks move."""
        with self._lock:
            self._wall += seconds
            self._mono += seconds

    def jump(self, seconds: float) -> None:
        """The wall clock jumps (NTP step, manual change, resume from suspend)."""
        with self._lock:
            self._wall += seconds


class MidpointRandom(random.Random):
    """Jitter switched off: every uniform draw is the middle of its range."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


class EdgeRandom(random.Random):
    """Jitter at one extreme: every uniform draw is the upper (or lower) end."""

    def __init__(self, upper: bool) -> None:
        super().__init__(0)
        self.upper = upper

    def uniform(self, a: float, b: float) -> float:
        return b if self.upper else a
