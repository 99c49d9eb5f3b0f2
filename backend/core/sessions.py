"""Sessions: starting one with a token grant, the Bearer check, listing and ending them; no HTTP."""

from __future__ import annotations

import base64
import binascii
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend.core.session_cache import ActiveSessionCache
from backend.core.tokens import AccessTokens, RefreshTokens
from backend.errors import InvalidGrant, InvalidRequest, InvalidToken, NotFound
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.records import EndReason, GrantedSession, Session, SessionPosition, User
from backend.storage.store import Store

log = logging.getLogger("backend.service")
Clock = Callable[[], float]
MAX_PAGE = 100

ENDED_IN_WORDS = {
    EndReason.SIGNED_OUT: "the user signed out",
    EndReason.REVOKED: "it was revoked",
    EndReason.REVOKED_EVERYWHERE: "the user signed out everywhere",
    EndReason.REUSE_DETECTED: "an old refresh token was reused, so it may have been stolen",
    EndReason.CODE_REUSED: "its authorization code was presented twice, so it may have been stolen",
    EndReason.EXPIRED: "it expired",
    EndReason.SESSION_LIMIT: "the account started more sessions than the server keeps",
}


def new_session_id() -> str:
    """A fresh, unguessable session id."""
    return secrets.token_urlsafe(12)


def ended_in_words(reason: EndReason | None) -> str:
    """Why a session is over, as a sentence for an error description."""
    words = ENDED_IN_WORDS.get(reason, "it ended") if reason else "it ended"
    return f"This session has ended: {words}."


def cursor_of(session: Session) -> str:
    """An opaque cursor for the page after `session`."""
    text = f"{session.created_at}:{session.id}"
    return base64.urlsafe_b64encode(text.encode("ascii")).rstrip(b"=").decode("ascii")


def position_of(cursor: str) -> SessionPosition:
    """The place a cursor from `cursor_of` names, or InvalidRequest."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        created_at, _, session_id = text.partition(":")
        position = SessionPosition(int(created_at), session_id)
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidRequest("cursor is not one this server gave out.") from error
    if not session_id or not created_at.isdigit():
        raise InvalidRequest("cursor is not one this server gave out.")
    return position


@dataclass(frozen=True)
class TokenGrant:
    """What a successful sign-in or refresh hands out."""

    access_token: str
    access_expires_at: int
    access_lifetime: int
    refresh_token: str
    refresh_expires_at: int
    session_id: str
    now: float

    def response(self) -> dict[str, Any]:
        """The contract's token response (also RFC 6749 §5.1).

        `refresh_expires_in` is rounded down, so a client counting it from the answer never
        holds a refresh token the server already refuses.
        """
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.access_lifetime,
            "expires": self.access_expires_at,
            "refresh_token": self.refresh_token,
            "refresh_expires_in": max(0, math.floor(self.refresh_expires_at - self.now)),
            "session_id": self.session_id,
        }


@dataclass(frozen=True)
class Outcome:
    """What a transaction that hands out a refresh token decided: the session as its grant
    needs it and the token, or why not (in words, for `invalid_grant`)."""

    session: GrantedSession | None
    refresh_token: str | None
    refusal: str | None = None


@dataclass(frozen=True)
class Principal:
    """The caller of a protected route, from a verified access token of an active session."""

    user_id: str
    username: str
    session_id: str
    claims: dict[str, Any]


class Sessions:
    """Starts sessions, grants their tokens, and checks, lists and ends them."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        access_tokens: AccessTokens,
        refresh_tokens: RefreshTokens,
        active_sessions: ActiveSessionCache,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.database = database
        self.access_tokens = access_tokens
        self.refresh_tokens = refresh_tokens
        self.active_sessions = active_sessions
        self.clock = clock

    async def start(self, user: User, client_id: str) -> TokenGrant:
        """A new session for `user` and its first grant (a sign-in with a password)."""
        now = self.clock()
        session, refresh_token = await self.database.run(self.open, user.id, client_id, now)
        return self.grant(session.granted(user.username), refresh_token, now)

    def open(
        self,
        store: Store,
        user_id: str,
        client_id: str,
        now: float,
        session_id: str | None = None,
    ) -> tuple[Session, str]:
        """Inside a transaction: a new session with its first refresh token, whichever way
        the user signed in; returns the session and that token.

        An account keeps at most `max_sessions` live sessions: the new one ends the least
        recently used beyond that, in the same transaction, and the server logs it. Expiry
        times are rounded up, never before the lifetimes the grant announces.
        """
        refresh_token = self.refresh_tokens.new()
        absolute = math.ceil(now) + self.settings.refresh_max_ttl
        session = Session(
            id=session_id or new_session_id(),
            user_id=user_id,
            client_id=client_id,
            created_at=int(now),
            last_refreshed_at=int(now),
            refresh_count=0,
            absolute_expires_at=absolute,
            idle_expires_at=min(absolute, math.ceil(now) + self.settings.refresh_idle_ttl),
            current_generation=0,
            rotated_at=now,
            ended_at=None,
            end_reason=None,
        )
        keep = self.settings.max_sessions - 1
        for ended in store.end_least_recent_sessions(
            user_id, keep, EndReason.SESSION_LIMIT, int(now)
        ):
            log.info(
                "session %s ended: the account has %d live sessions, the most it keeps",
                ended,
                self.settings.max_sessions,
            )
        store.add_session(session, self.refresh_tokens.digest(refresh_token))
        return session, refresh_token

    def grant(self, session: GrantedSession, refresh_token: str, now: float) -> TokenGrant:
        """A fresh access token for the session, handed out with `refresh_token`."""
        access = self.access_tokens.issue(
            subject=session.user_id,
            username=session.username,
            session_id=session.session_id,
            client_id=session.client_id,
            now=now,
        )
        return TokenGrant(
            access_token=access.token,
            access_expires_at=access.expires_at,
            access_lifetime=self.access_tokens.lifetime,
            refresh_token=refresh_token,
            refresh_expires_at=session.expires_at,
            session_id=session.session_id,
            now=now,
        )

    def handed_out(self, outcome: Outcome, now: float) -> TokenGrant:
        """The grant of a decided outcome, or `invalid_grant` with its refusal."""
        if outcome.refusal is not None:
            raise InvalidGrant(outcome.refusal)
        assert outcome.session is not None
        assert outcome.refresh_token is not None
        return self.grant(outcome.session, outcome.refresh_token, now)

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
            raise InvalidToken(ended_in_words(reason))
        self.active_sessions.remember(session, mark)

    async def revoke_access_token(self, token: str, client_id: str | None = None) -> None:
        """RFC 7009 for an access token: end its session, if it is one of ours and valid, and
        issued to `client_id` when one is given (§2.1)."""
        try:
            claims = self.access_tokens.verify(token, self.clock())
        except InvalidToken:
            return
        if client_id is not None and claims["client_id"] != client_id:
            return
        now = int(self.clock())
        await self.database.run(
            lambda store: store.end_session(claims["sid"], EndReason.REVOKED, now)
        )

    async def revoke_all(self, principal: Principal) -> int:
        """End every session of the caller's account; the number ended."""
        now = int(self.clock())
        return await self.database.run(
            lambda store: store.end_sessions_of(
                principal.user_id, EndReason.REVOKED_EVERYWHERE, now
            )
        )

    async def list_active(
        self, principal: Principal, limit: int, cursor: str | None
    ) -> dict[str, Any]:
        """A page of the caller's active sessions, newest first, marking the caller's own;
        `next_cursor` goes on to the next page (None on the last)."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidRequest(f"limit must be from 1 to {MAX_PAGE}.")
        after = position_of(cursor) if cursor is not None else None
        now = int(self.clock())
        sessions = await self.database.run(
            lambda store: store.live_sessions(principal.user_id, now, limit + 1, after)
        )
        page = sessions[:limit]
        more = len(sessions) > limit
        return {
            "sessions": [
                {
                    "id": session.id,
                    "created_at": session.created_at,
                    "last_refreshed_at": session.last_refreshed_at,
                    "refresh_count": session.refresh_count,
                    "expires_at": session.expires_at,
                    "current": session.id == principal.session_id,
                }
                for session in page
            ],
            "next_cursor": cursor_of(page[-1]) if more else None,
        }

    async def end(self, principal: Principal, session_id: str) -> None:
        """End one of the caller's own active sessions, or raise NotFound."""
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
        return await self.database.run(lambda store: store.purge(cutoff))
