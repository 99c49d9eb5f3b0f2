"""The use cases: sign up, sign in, refresh, revoke, revoke all, list and end sessions; no HTTP."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend.core import password_policy, passwords
from backend.core.passwords import Hasher
from backend.core.session_cache import ActiveSessionCache
from backend.core.throttle import OneAtATime, SignInThrottle
from backend.core.tokens import AccessTokens, RefreshTokens
from backend.errors import (
    InvalidCredentials,
    InvalidGrant,
    InvalidRequest,
    InvalidToken,
    NotFound,
    TooManyAttempts,
    UsernameTaken,
)
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.sqlite import EndReason, Session, Store, TokenInSession, User

log = logging.getLogger("backend.service")

Clock = Callable[[], float]

ENDED_IN_WORDS = {
    EndReason.SIGNED_OUT: "the user signed out",
    EndReason.REVOKED: "it was revoked",
    EndReason.REVOKED_EVERYWHERE: "the user signed out everywhere",
    EndReason.REUSE_DETECTED: "an old refresh token was reused, so it may have been stolen",
    EndReason.EXPIRED: "it expired",
}


@dataclass(frozen=True)
class TokenGrant:
    """What a successful sign-in or refresh hands out."""

    access_token: str
    access_expires_at: int
    access_lifetime: int
    refresh_token: str
    refresh_expires_at: int
    session_id: str
    now: int

    def response(self) -> dict[str, Any]:
        """The contract's token response (also RFC 6749 §5.1)."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.access_lifetime,
            "expires": self.access_expires_at,
            "refresh_token": self.refresh_token,
            "refresh_expires_in": max(0, self.refresh_expires_at - self.now),
            "session_id": self.session_id,
        }


@dataclass(frozen=True)
class Principal:
    """The caller of a protected route, from a verified access token of an active session."""

    user_id: str
    username: str
    session_id: str
    claims: dict[str, Any]


@dataclass(frozen=True)
class RefreshOutcome:
    """The result of a rotation transaction: a token to hand out, or why not."""

    session: Session | None
    refresh_token: str | None
    refusal: str | None = None
    username: str | None = None


class AuthService:
    """Every use case of the server; HTTP routes, seed routes and OAuth routes share these."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        hasher: Hasher,
        access_tokens: AccessTokens,
        refresh_tokens: RefreshTokens,
        active_sessions: ActiveSessionCache,
        clock: Clock = time.time,
    ) -> None:
        self.settings = settings
        self.database = database
        self.hasher = hasher
        self.access_tokens = access_tokens
        self.refresh_tokens = refresh_tokens
        self.active_sessions = active_sessions
        self.clock = clock
        forget = settings.throttle_max_delay * 2
        self.user_throttle = SignInThrottle(
            settings.throttle_free_failures,
            settings.throttle_base_delay,
            settings.throttle_max_delay,
            forget,
        )
        self.sign_ins_of = OneAtATime()
        self.address_throttle = SignInThrottle(
            settings.throttle_address_free_failures,
            settings.throttle_base_delay,
            settings.throttle_max_delay,
            forget,
        )

    async def sign_up(self, raw_username: object, raw_password: object) -> str:
        username = password_policy.normalise_username(raw_username)
        password = password_policy.check_password(raw_password, username)
        password_hash = await self.hasher.run(passwords.hash_password, password)
        user = User(secrets.token_hex(16), username, password_hash)
        created = await self.database.run(lambda store: store.add_user(user, int(self.clock())))
        if not created:
            raise UsernameTaken(f"The username {username!r} is taken.")
        log.info("user signed up: %s", username)
        return username

    async def sign_in(
        self, raw_username: object, raw_password: object, client_address: str
    ) -> TokenGrant:
        if not isinstance(raw_password, str):
            raise InvalidRequest("password must be a string.")
        try:
            username = password_policy.normalise_username(raw_username)
        except InvalidRequest:
            if not isinstance(raw_username, str):
                raise
            username = ""
        async with self.sign_ins_of.hold(username):
            user, new_hash = await self._verify(username, raw_password, client_address)
        if new_hash:
            await self.database.run(lambda store: store.set_password_hash(user.id, new_hash))
        return await self._start_session(user, self.settings.client_id)

    async def _verify(
        self, username: str, password: str, client_address: str
    ) -> tuple[User, str | None]:
        """The user whose password this is (and a rehash if the policy changed), or an error.

        Runs for one username at a time (see `sign_ins_of`), so guesses sent in parallel
        meet the throttle as surely as guesses sent one after another.
        """
        user_key, address_key = f"user:{username}", f"address:{client_address}"
        now = self.clock()
        wait = max(
            self.user_throttle.retry_after(user_key, now),
            self.address_throttle.retry_after(address_key, now),
        )
        if wait:
            raise TooManyAttempts(wait)
        user = await self.database.run(lambda store: store.user_by_name(username))
        ok, new_hash = await self.hasher.run(
            passwords.verify_password, password, user.password_hash if user else None
        )
        if not ok or user is None:
            self.user_throttle.record_failure(user_key, self.clock())
            self.address_throttle.record_failure(address_key, self.clock())
            raise InvalidCredentials
        self.user_throttle.reset(user_key)
        return user, new_hash

    async def _start_session(self, user: User, client_id: str) -> TokenGrant:
        now = self.clock()
        refresh_token = self.refresh_tokens.new()
        absolute = int(now) + self.settings.refresh_max_ttl
        session = Session(
            id=secrets.token_urlsafe(12),
            user_id=user.id,
            client_id=client_id,
            created_at=int(now),
            last_refreshed_at=int(now),
            refresh_count=0,
            absolute_expires_at=absolute,
            idle_expires_at=min(absolute, int(now) + self.settings.refresh_idle_ttl),
            current_generation=0,
            rotated_at=now,
            ended_at=None,
            end_reason=None,
        )
        digest = self.refresh_tokens.digest(refresh_token)
        await self.database.run(lambda store: store.add_session(session, digest))
        return self._grant(user.username, session, refresh_token, now)

    def _grant(self, username: str, session: Session, refresh_token: str, now: float) -> TokenGrant:
        access = self.access_tokens.issue(
            subject=session.user_id,
            username=username,
            session_id=session.id,
            client_id=session.client_id,
            now=now,
        )
        return TokenGrant(
            access_token=access.token,
            access_expires_at=access.expires_at,
            access_lifetime=self.access_tokens.lifetime,
            refresh_token=refresh_token,
            refresh_expires_at=session.expires_at,
            session_id=session.id,
            now=int(now),
        )

    async def refresh(self, refresh_token: object, client_id: str | None = None) -> TokenGrant:
        """Rotate a refresh token: one transaction, reuse detection, grace for the predecessor."""
        if not isinstance(refresh_token, str) or not refresh_token:
            raise InvalidRequest("refresh_token must be a non-empty string.")
        now = self.clock()
        outcome = await self.database.run(self._rotate, refresh_token, client_id, now)
        if outcome.refusal is not None:
            raise InvalidGrant(outcome.refusal)
        assert outcome.session is not None
        assert outcome.refresh_token is not None
        assert outcome.username is not None
        return self._grant(outcome.username, outcome.session, outcome.refresh_token, now)

    def _rotate(
        self, store: Store, presented: str, client_id: str | None, now: float
    ) -> RefreshOutcome:
        found = store.token_in_session(self.refresh_tokens.digest(presented))
        if found is None:
            return RefreshOutcome(None, None, "The refresh token is unknown.")
        session = found.session
        if session.ended_at is not None:
            return RefreshOutcome(None, None, self._ended_words(session.end_reason))
        if now >= session.expires_at:
            store.end_session(session.id, EndReason.EXPIRED, int(now))
            return RefreshOutcome(None, None, self._ended_words(EndReason.EXPIRED))
        if client_id is not None and client_id != session.client_id:
            return RefreshOutcome(None, None, "The refresh token was issued to another client.")
        if found.generation == session.current_generation:
            return self._advance(store, found, presented, now)
        within_grace = now - session.rotated_at <= self.settings.reuse_grace
        if found.generation == session.current_generation - 1 and within_grace:
            successor = self.refresh_tokens.successor(presented)
            return RefreshOutcome(session, successor, username=found.username)
        store.end_session(session.id, EndReason.REUSE_DETECTED, int(now))
        log.warning("refresh token reuse detected; session %s ended", session.id)
        return RefreshOutcome(None, None, self._ended_words(EndReason.REUSE_DETECTED))

    def _advance(
        self, store: Store, found: TokenInSession, presented: str, now: float
    ) -> RefreshOutcome:
        session = found.session
        successor = self.refresh_tokens.successor(presented)
        idle_expires_at = min(
            session.absolute_expires_at, int(now) + self.settings.refresh_idle_ttl
        )
        rotated = store.rotate(session, self.refresh_tokens.digest(successor), now, idle_expires_at)
        return RefreshOutcome(rotated, successor, username=found.username)

    @staticmethod
    def _ended_words(reason: str | None) -> str:
        words = ENDED_IN_WORDS.get(EndReason(reason), "it ended") if reason else "it ended"
        return f"This session has ended: {words}."

    async def revoke(self, token: object, reason: EndReason = EndReason.REVOKED) -> None:
        """End the session of a refresh token (any token of its chain); silent if unknown."""
        if not isinstance(token, str) or not token:
            raise InvalidRequest("refresh_token must be a non-empty string.")
        digest = self.refresh_tokens.digest(token)
        now = int(self.clock())

        def end(store: Store) -> None:
            record = store.find_token(digest)
            if record is not None:
                store.end_session(record.session_id, reason, now)

        await self.database.run(end)

    async def revoke_access_token(self, token: str) -> None:
        """RFC 7009 for an access token: end its session, if it is one of ours and valid."""
        try:
            claims = self.access_tokens.verify(token, self.clock())
        except InvalidToken:
            return
        now = int(self.clock())
        await self.database.run(
            lambda store: store.end_session(claims["sid"], EndReason.REVOKED, now)
        )

    async def authenticate(self, authorization: str | None) -> Principal:
        """The principal of a Bearer header, whose session must still be active."""
        if not authorization:
            raise InvalidToken("No access token was sent.", presented=False)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("The Authorization header must be 'Bearer <access token>'.")
        now = self.clock()
        claims = self.access_tokens.verify(token.strip(), now)
        if not self.active_sessions.holds(claims["sid"], claims["sub"], now):
            await self._check_session(claims, now)
        return Principal(claims["sub"], claims["username"], claims["sid"], claims)

    async def _check_session(self, claims: dict[str, Any], now: float) -> None:
        """Read the token's session: it must exist, be the user's and be active."""
        mark = self.active_sessions.mark()
        session = await self.database.run(lambda store: store.session(claims["sid"]))
        if session is None or session.user_id != claims["sub"]:
            raise InvalidToken("The access token's session does not exist.")
        if not session.active_at(now):
            reason = session.end_reason or EndReason.EXPIRED
            raise InvalidToken(self._ended_words(reason))
        self.active_sessions.remember(session, mark)

    async def revoke_all(self, principal: Principal) -> int:
        now = int(self.clock())
        return await self.database.run(
            lambda store: store.end_sessions_of(
                principal.user_id, EndReason.REVOKED_EVERYWHERE, now
            )
        )

    async def sessions(self, principal: Principal) -> list[dict[str, Any]]:
        now = self.clock()
        sessions = await self.database.run(lambda store: store.sessions_of(principal.user_id))
        return [
            {
                "id": session.id,
                "created_at": session.created_at,
                "last_refreshed_at": session.last_refreshed_at,
                "refresh_count": session.refresh_count,
                "expires_at": session.expires_at,
                "current": session.id == principal.session_id,
            }
            for session in sessions
            if session.active_at(now)
        ]

    async def end_session(self, principal: Principal, session_id: str) -> None:
        now = self.clock()

        def end(store: Store) -> bool:
            session = store.session(session_id)
            if session is None or session.user_id != principal.user_id:
                return False
            if not session.active_at(now):
                return False
            return store.end_session(session_id, EndReason.REVOKED, int(now))

        if not await self.database.run(end):
            raise NotFound("No active session of yours has that id.")

    async def purge(self) -> int:
        """Delete sessions that ended or expired longer ago than the retention period."""
        cutoff = int(self.clock()) - self.settings.ended_session_retention
        removed = await self.database.run(lambda store: store.purge(cutoff))
        self.user_throttle.forget_stale(self.clock())
        self.address_throttle.forget_stale(self.clock())
        return removed
