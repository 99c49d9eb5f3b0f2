"""What the store keeps, as typed frozen records: users, sessions, refresh tokens, codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
