"""Time as an injectable dependency: the wall clock for expiry, the monotonic clock for jumps."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the session needs to know about time."""

    def wall(self) -> float:
        """Unix seconds; may jump (NTP, manual change, suspend)."""
        ...

    def monotonic(self) -> float:
        """Seconds that never go backwards; stands still during suspend on Linux."""
        ...


class SystemClock:
    """The real clocks."""

    def wall(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()
