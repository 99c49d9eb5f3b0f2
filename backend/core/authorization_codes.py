"""Authorization codes: issued after a sign-in page, redeemed once for a session (RFC 6749 §4.1).

A code is 256 random bits kept only as its SHA-256 hash, lives `authorization_code_ttl`
seconds (60), and is bound to the client, the redirect URI and the PKCE challenge (RFC 7636
§4.6). Its first presentation redeems it, right or wrong; presenting it again ends the
session it started (RFC 6749 §10.5), since a second holder of the code may be a thief.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from backend.core.authorization import AuthorizationRequest, verifier_matches
from backend.core.sessions import Clock, Outcome, Sessions, TokenGrant, new_session_id
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.records import AuthorizationCode, EndReason, User
from backend.storage.store import Store

log = logging.getLogger("backend.service")
CODE_BYTES = 32


def code_digest(code: str) -> bytes:
    """What the store keeps of a code: a fast hash suffices for 256 random bits."""
    return hashlib.sha256(code.encode("utf-8")).digest()


def refused(refusal: str) -> Outcome:
    return Outcome(None, None, refusal)


@dataclass(frozen=True)
class Presentation:
    """What a client sent with a code at the token endpoint."""

    code: str
    client_id: str
    redirect_uri: str | None
    code_verifier: str | None


class AuthorizationCodes:
    """Issues codes to signed-in users and trades each, once, for a new session."""

    def __init__(
        self, settings: Settings, database: Database, sessions: Sessions, clock: Clock
    ) -> None:
        self.settings = settings
        self.database = database
        self.sessions = sessions
        self.clock = clock

    async def issue(self, user: User, request: AuthorizationRequest) -> str:
        """A new code for `user`, bound to the request's client, redirect and challenge."""
        code = secrets.token_urlsafe(CODE_BYTES)
        now = int(self.clock())
        record = AuthorizationCode(
            code_hash=code_digest(code),
            user_id=user.id,
            client_id=request.client_id,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            created_at=now,
            expires_at=now + self.settings.authorization_code_ttl,
        )
        await self.database.run(lambda store: store.add_authorization_code(record))
        return code

    async def exchange(self, presented: Presentation) -> TokenGrant:
        """The token grant of a new session for a code presented the first time, and right."""
        now = self.clock()
        outcome = await self.database.run(self._redeem, presented, now)
        return self.sessions.handed_out(outcome, now)

    def _redeem(self, store: Store, presented: Presentation, now: float) -> Outcome:
        digest = code_digest(presented.code)
        code = store.authorization_code(digest)
        if code is None:
            return refused("The authorization code is unknown.")
        if code.redeemed_at is not None:
            return self._presented_again(store, code, now)
        mismatch = self._mismatch(code, presented, now)
        user = store.user_by_id(code.user_id)
        if mismatch is not None or user is None:
            store.redeem_authorization_code(digest, None, int(now))
            return refused(mismatch or "The code's account no longer exists.")
        session_id = new_session_id()
        if not store.redeem_authorization_code(digest, session_id, int(now)):
            return refused("The authorization code was already used.")
        session, refresh_token = self.sessions.open(
            store, code.user_id, code.client_id, now, session_id
        )
        return Outcome(session.granted(user.username), refresh_token)

    def _mismatch(self, code: AuthorizationCode, presented: Presentation, now: float) -> str | None:
        """Why this presentation does not fit the code, or None when it does."""
        if now >= code.expires_at:
            ttl = self.settings.authorization_code_ttl
            return f"The authorization code has expired: codes live {ttl} s."
        if presented.client_id != code.client_id:
            return "The authorization code was issued to another client."
        if presented.redirect_uri != code.redirect_uri:
            return "The redirect_uri is not the one the authorization code was issued for."
        if not verifier_matches(presented.code_verifier, code.code_challenge):
            return "The code_verifier does not match the code_challenge (RFC 7636)."
        return None

    @staticmethod
    def _presented_again(store: Store, code: AuthorizationCode, now: float) -> Outcome:
        """A second presentation: end the session the first one started, if it started one."""
        if code.session_id is None:
            return refused("The authorization code was already presented and refused.")
        if store.end_session(code.session_id, EndReason.CODE_REUSED, int(now)):
            log.warning("authorization code presented twice; session %s ended", code.session_id)
        return refused("The authorization code was already used; the session it started has ended.")
