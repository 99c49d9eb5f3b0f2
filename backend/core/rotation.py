"""Refresh-token rotation in one transaction, reuse detection, grace for the predecessor; revoke."""

from __future__ import annotations

import logging
import math

from backend.core.sessions import Clock, Outcome, Sessions, TokenGrant, ended_in_words
from backend.core.tokens import RefreshTokens
from backend.errors import InvalidRequest
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.records import EndReason
from backend.storage.store import Store

log = logging.getLogger("backend.service")
ANOTHER_CLIENT = "The refresh token was issued to another client."


def refused(reason: str) -> Outcome:
    return Outcome(None, None, reason)


class Rotation:
    """What a refresh token can do: be traded for its successor, or end its session."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        refresh_tokens: RefreshTokens,
        sessions: Sessions,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.database = database
        self.refresh_tokens = refresh_tokens
        self.sessions = sessions
        self.clock = clock

    async def refresh(self, refresh_token: object, client_id: str | None = None) -> TokenGrant:
        """Rotate a refresh token: one transaction, reuse detection, grace for the predecessor.

        The successor is derived before the transaction: it is what the client gets both when
        its token is current (the next generation) and within the grace (the current one).
        """
        if not isinstance(refresh_token, str) or not refresh_token:
            raise InvalidRequest("refresh_token must be a non-empty string.")
        now = self.clock()
        successor = self.refresh_tokens.successor(refresh_token)
        outcome = await self.database.run(
            self._rotate, self.refresh_tokens.digest(refresh_token), successor, client_id, now
        )
        return self.sessions.handed_out(outcome, now)

    def _rotate(
        self, store: Store, presented: bytes, successor: str, client_id: str | None, now: float
    ) -> Outcome:
        """The current token of a live session advances in one write; anything else is read
        to find out why not: unknown, ended, expired, another client's, the predecessor
        within the grace, or a reuse that ends the session."""
        idle_expires_at = math.ceil(now) + self.settings.refresh_idle_ttl
        successor_hash = self.refresh_tokens.digest(successor)
        advanced = store.advance(presented, successor_hash, now, idle_expires_at, client_id)
        if advanced is not None:
            return Outcome(advanced, successor)
        found = store.token_in_session(presented)
        if found is None:
            return refused("The refresh token is unknown.")
        session = found.session
        if session.ended_at is not None:
            return refused(ended_in_words(session.end_reason))
        if now >= session.expires_at:
            store.end_session(session.id, EndReason.EXPIRED, int(now))
            return refused(ended_in_words(EndReason.EXPIRED))
        same_client = client_id is None or client_id == session.client_id
        if found.generation == session.current_generation:
            return refused(ANOTHER_CLIENT)
        within_grace = now - session.rotated_at <= self.settings.reuse_grace
        if found.generation == session.current_generation - 1 and within_grace and same_client:
            return Outcome(session.granted(found.username), successor)
        store.end_session(session.id, EndReason.REUSE_DETECTED, int(now))
        log.warning("refresh token reuse detected; session %s ended", session.id)
        return refused(ended_in_words(EndReason.REUSE_DETECTED))

    async def revoke(
        self,
        token: object,
        reason: EndReason = EndReason.REVOKED,
        client_id: str | None = None,
    ) -> None:
        """End the session of a refresh token (any token of its chain); silent if unknown.

        With a `client_id`, only a token issued to that client is revoked (RFC 7009 §2.1).
        """
        if not isinstance(token, str) or not token:
            raise InvalidRequest("refresh_token must be a non-empty string.")
        digest = self.refresh_tokens.digest(token)
        now = int(self.clock())

        def end(store: Store) -> None:
            record = store.find_token(digest)
            if record is None:
                return
            if client_id is not None:
                session = store.session(record.session_id)
                if session is None or session.client_id != client_id:
                    return
            store.end_session(record.session_id, reason, now)

        await self.database.run(end)
