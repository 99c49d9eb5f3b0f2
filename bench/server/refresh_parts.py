"""What no refresh can avoid, measured alone: the access token's Ed25519 signature and a
durable rotation in the real SQLite store; with `/health`'s cost they bound refresh/health."""

from __future__ import annotations

import math
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.core.tokens import RefreshTokens
from backend.storage.sqlite import SqliteStore
from bench import seed

SIGNATURES = 3000
ROTATIONS = 3000
SESSIONS = 2000
# Far larger than the batches the server's group commit forms under the bench's load, so
# the rotation's share of the COMMIT and its fsync is the smallest it can be: a lower bound.
ROTATIONS_PER_COMMIT = 16


@dataclass(frozen=True)
class RefreshParts:
    """CPU time in µs of the parts of a refresh, each measured alone in this process."""

    signature_us: float
    rotation_us: float

    def least_refresh_us(self, health_us: float) -> float:
        """The cheapest a refresh could be: the HTTP round trip of `/health` and the parts."""
        return health_us + self.signature_us + self.rotation_us

    def best_ratio(self, health_us: float) -> float:
        """The highest refresh/health these parts allow on this machine."""
        least = self.least_refresh_us(health_us)
        return health_us / least if least else 0.0


def cpu_us_per_call(calls: int, work: Callable[[], object]) -> float:
    """CPU time of the whole process (every thread) per call of `work`, in µs."""
    started = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - started) / calls * 1e6


def signature_us(signing_input: bytes) -> float:
    """Ed25519 over a real access token's header and claims, as the server signs it."""
    key = Ed25519PrivateKey.generate()
    return cpu_us_per_call(SIGNATURES, lambda: key.sign(signing_input))


def rotation_us() -> float:
    """A rotation as `Store.advance` does it (the checked read, the session's update, the
    successor's insert), committed and fsynced in batches, the checkpointer included."""
    with tempfile.TemporaryDirectory(prefix="refresh-parts-") as directory:
        store = SqliteStore(Path(directory) / "auth.sqlite3", "FULL")
        hashes = seed.add_live_sessions(store, SESSIONS)
        turn = 0

        def commit_batch() -> None:
            nonlocal turn
            with store.transaction():
                for _ in range(ROTATIONS_PER_COMMIT):
                    slot = turn % len(hashes)
                    successor = RefreshTokens.digest(secrets.token_urlsafe(32))
                    now = time.time()
                    idle_expires_at = math.ceil(now) + seed.IDLE_SECONDS
                    advanced = store.advance(hashes[slot], successor, now, idle_expires_at, None)
                    if advanced is None:
                        raise RuntimeError("a seeded refresh token did not rotate")
                    hashes[slot] = successor
                    turn += 1

        try:
            return cpu_us_per_call(ROTATIONS // ROTATIONS_PER_COMMIT, commit_batch) / (
                ROTATIONS_PER_COMMIT
            )
        finally:
            store.close()


def measure(access_token: str) -> RefreshParts:
    """Both parts, the signature over `access_token`'s own signing input."""
    signing_input = access_token.rsplit(".", 1)[0].encode("ascii")
    return RefreshParts(signature_us(signing_input), rotation_us())
