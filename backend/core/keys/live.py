"""The running server's signing keys: read from the store again every few seconds, no restart."""

from __future__ import annotations

from collections.abc import Callable

from backend.core.keys.ring import KeyRing
from backend.storage.database import Database


class SigningKeys:
    """The current reading of the keys (`ring`), the JWKS made from it, and its reload.

    A reload swaps in a new ring; whoever caches work done with a key (verified tokens)
    compares rings and forgets it when a key was withdrawn.
    """

    def __init__(self, ring: KeyRing, database: Database, clock: Callable[[], float]) -> None:
        self.ring = ring
        self.database = database
        self.clock = clock

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """RFC 7517 key set, public members only: every key that may have signed a live token,
        and the next key, published before it signs."""
        return {"keys": [dict(key.jwk) for key in self.ring.published(self.clock())]}

    async def reload(self) -> None:
        """Read the keys again (a failure leaves the ones held in use)."""
        records = await self.database.run(lambda store: store.signing_keys())
        self.ring = self.ring.reread(records)
