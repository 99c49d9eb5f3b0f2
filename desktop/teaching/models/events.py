"""Records the teaching panels add to the session's events: the simulated attacker, a restart."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TheftAttempted:
    """An attacker presented a refresh token the app held before; `status` is the server's answer.

    `rotations_ago` says how many rotations back the replayed token was (1 = the predecessor).
    """

    at: float
    rotations_ago: int
    status: int | None
    error: str = ""


@dataclass(frozen=True)
class ServerRestarted:
    """The embedded server was restarted with a new access-token lifetime."""

    at: float
    access_ttl: int
