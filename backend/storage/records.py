"""What the store keeps, as typed frozen records: users, sessions, refresh tokens, codes; and
each record read from a row of either store by column name."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, Protocol


class Row(Protocol):
    """A database row read by column name: sqlite3.Row, or a dict row of psycopg."""

    def __getitem__(self, column: str, /) -> Any: ...


class EndReason(StrEnum):
    """Why a session ended; kept on the row, which is marked, never deleted while recent."""

    SIGNED_OUT = "signed_out"
    REVOKED = "revoked"
    REVOKED_EVERYWHERE = "revoked_everywhere"
    REUSE_DETECTED = "reuse_detected"
    CODE_REUSED = "code_reused"
    EXPIRED = "expired"
    SESSION_LIMIT = "session_limit"


@dataclass(frozen=True)
class User:
    """An account: its id, normalised username and argon2id hash."""

    id: str
    username: str
    password_hash: str


@dataclass(frozen=True)
class Session:
    """One sign-in's chain of refresh tokens; `current_generation` names the current one."""

    id: str
    user_id: str
    client_id: str
    created_at: int
    last_refreshed_at: int
    refresh_count: int
    absolute_expires_at: int
    idle_expires_at: int
    current_generation: int
    rotated_at: float
    ended_at: int | None
    end_reason: EndReason | None

    @property
    def expires_at(self) -> int:
        return min(self.absolute_expires_at, self.idle_expires_at)

    def active_at(self, now: float) -> bool:
        return self.ended_at is None and now < self.expires_at

    def granted(self, username: str) -> GrantedSession:
        """What a grant of this session needs, with the account's `username`."""
        return GrantedSession(self.id, self.user_id, self.client_id, self.expires_at, username)


class GrantedSession(NamedTuple):
    """What a token grant of a live session needs: whose it is, for which client, until when,
    and the account's username. A tuple, the cheapest record, as every refresh builds one."""

    session_id: str
    user_id: str
    client_id: str
    expires_at: int
    username: str


@dataclass(frozen=True)
class TokenRecord:
    """Where a refresh token's hash sits: its session and its place in the chain."""

    session_id: str
    generation: int


@dataclass(frozen=True)
class TokenInSession:
    """A refresh token's place in its chain, with its session and the account's username."""

    generation: int
    session: Session
    username: str


@dataclass(frozen=True)
class AuthorizationCode:
    """An authorization code's hash and what it is bound to (RFC 6749 §4.1.2, RFC 7636 §4.4).

    `redeemed_at` is set by its first presentation, with the session that started
    (`session_id`), or None when that presentation was refused and the code burnt.
    """

    code_hash: bytes
    user_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    created_at: int
    expires_at: int
    redeemed_at: int | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class FailureCount:
    """Failed sign-ins counted under one throttle key, and when the last one happened."""

    failures: int
    last_failure: float


@dataclass(frozen=True)
class SessionPosition:
    """Where a page of a user's sessions, newest first, goes on: after this start and id."""

    created_at: int
    session_id: str


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key that signs access tokens: its public half, its sealed private half, times.

    It is published from `created_at`, signs from `activates_at` (until a newer key does),
    and is withdrawn at `retired_at`, if set. The private half is encrypted with a key that
    only the data dir holds, so a copy of the database alone cannot sign.
    """

    kid: str
    public_key: bytes
    sealed_private_key: bytes
    created_at: int
    activates_at: int
    retired_at: int | None


def user_from(row: Row) -> User:
    return User(id=row["id"], username=row["username"], password_hash=row["password_hash"])


def session_from(row: Row) -> Session:
    """A session from a row holding the sessions table's columns, read by name."""
    end_reason = row["end_reason"]
    return Session(
        id=row["id"],
        user_id=row["user_id"],
        client_id=row["client_id"],
        created_at=row["created_at"],
        last_refreshed_at=row["last_refreshed_at"],
        refresh_count=row["refresh_count"],
        absolute_expires_at=row["absolute_expires_at"],
        idle_expires_at=row["idle_expires_at"],
        current_generation=row["current_generation"],
        rotated_at=row["rotated_at"],
        ended_at=row["ended_at"],
        end_reason=EndReason(end_reason) if end_reason is not None else None,
    )


def signing_key_from(row: Row) -> SigningKey:
    return SigningKey(
        kid=row["kid"],
        public_key=row["public_key"],
        sealed_private_key=row["sealed_private_key"],
        created_at=row["created_at"],
        activates_at=row["activates_at"],
        retired_at=row["retired_at"],
    )


def code_from(row: Row) -> AuthorizationCode:
    """An authorization code from a row of its table, read by name."""
    return AuthorizationCode(
        code_hash=row["code_hash"],
        user_id=row["user_id"],
        client_id=row["client_id"],
        redirect_uri=row["redirect_uri"],
        code_challenge=row["code_challenge"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        redeemed_at=row["redeemed_at"],
        session_id=row["session_id"],
    )
