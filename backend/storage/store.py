"""The Store protocol: all the use cases ask of persistence, so a second store needs no more."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from backend.storage.records import (
    AuthorizationCode,
    EndReason,
    FailureCount,
    GrantedSession,
    Session,
    SessionPosition,
    SigningKey,
    TokenInSession,
    TokenRecord,
    User,
)


class StorageConflict(Exception):
    """The database undid a transaction that conflicted with another (a deadlock between
    servers, say): nothing of it was kept, and running it again may succeed."""


class EndSignal(Protocol):
    """A mark that changes whenever a session ends, seen by every server sharing the store."""

    def mark(self) -> bytes:
        """The current mark; compare it with an earlier one to learn whether a session ended."""
        ...


class Store(Protocol):
    """What the use cases need from persistence, used from one thread at a time.

    Every call but `close` and `ended_signal` runs inside `transaction()`. After a COMMIT
    that ended a session (`end_session`, `end_sessions_of`, `end_least_recent_sessions`),
    `ended_signal` has a new mark. Several servers may share one store: what a call reads of
    a session it may change later in the same transaction (`token_in_session`) stays locked
    until the COMMIT.
    """

    @property
    def ended_signal(self) -> EndSignal:
        """The signal of ended sessions, shared with every server process of the store."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """One transaction, committed (durably) at the end, rolled back on an exception;
        StorageConflict when the database undid it for a conflict with another one."""
        ...

    def close(self) -> None:
        """Release connections and files; the store is not used afterwards."""
        ...

    def add_user(self, user: User, now: int) -> bool:
        """Add an account; False (and no change) if its username exists."""
        ...

    def user_by_name(self, username: str) -> User | None:
        """The account with this normalised username."""
        ...

    def user_by_id(self, user_id: str) -> User | None:
        """The account with this id."""
        ...

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace an account's password hash (a rehash under a newer policy)."""
        ...

    def add_session(self, session: Session, token_hash: bytes) -> None:
        """Add a session with its first refresh token's hash as generation 0."""
        ...

    def session(self, session_id: str) -> Session | None:
        """A session by id, ended or not."""
        ...

    def live_sessions(
        self, user_id: str, now: int, limit: int, after: SessionPosition | None
    ) -> list[Session]:
        """Up to `limit` of a user's sessions neither ended nor expired at `now`, newest first
        (by `created_at`, then `id`, both descending), starting after `after` when given."""
        ...

    def sessions_started_since(self, user_id: str, since: int) -> int:
        """How many sessions of the user, ended or not, were created at `since` or later."""
        ...

    def end_least_recent_sessions(
        self, user_id: str, keep: int, reason: EndReason, now: int
    ) -> list[str]:
        """End the user's live sessions (neither ended nor expired at `now`) beyond the `keep`
        most recently used (latest `rotated_at`: its last refresh, or its start); their ids."""
        ...

    def find_token(self, token_hash: bytes) -> TokenRecord | None:
        """Where a refresh token's hash sits, for any generation of its chain."""
        ...

    def token_in_session(self, token_hash: bytes) -> TokenInSession | None:
        """A refresh token's generation with its session and username, in one read; the
        session is locked until the COMMIT, so of two servers rotating it one waits."""
        ...

    def advance(
        self,
        token_hash: bytes,
        successor_hash: bytes,
        now: float,
        idle_expires_at: int,
        client_id: str | None,
    ) -> GrantedSession | None:
        """Rotate in one conditional write: if `token_hash` is the current token of a session
        that has not ended, has not expired at `now` and (when `client_id` is given) belongs to
        that client, make `successor_hash` its next generation (one more refresh, rotated and
        last refreshed `now`, idle expiry moved to `idle_expires_at` but never past the
        absolute one) and return what its grant needs, the new expiry and the username among
        it. Otherwise change nothing and return None.

        The check and the change must be one atomic step: two requests presenting the same
        token must not both advance. SQLite holds its write lock for the whole transaction,
        so a read of the conditions then the UPDATE and INSERT is atomic there; with several
        writers (PostgreSQL) the UPDATE itself must carry the conditions, `UPDATE sessions …
        FROM (the token's row) WHERE current_generation = the token's generation AND … RETURNING
        …`, so that of two racing rotations one updates a row and the other sees none.
        """
        ...

    def end_session(self, session_id: str, reason: EndReason, now: int) -> bool:
        """Mark a session ended, unless it already is; True if this call ended it."""
        ...

    def end_sessions_of(self, user_id: str, reason: EndReason, now: int) -> int:
        """Mark every session of a user ended that is not yet; the number it ended."""
        ...

    def add_authorization_code(self, code: AuthorizationCode) -> None:
        """Keep a new authorization code (by its hash), not yet redeemed."""
        ...

    def authorization_code(self, code_hash: bytes) -> AuthorizationCode | None:
        """An authorization code by its hash, redeemed or not, expired or not.

        A store that serves several servers at once locks the row until the transaction
        ends, so that two presentations of one code are decided one after the other.
        """
        ...

    def redeem_authorization_code(self, code_hash: bytes, session_id: str | None, now: int) -> bool:
        """Mark a code redeemed `now` by `session_id` (None: refused and burnt), unless it
        already is; True if this call redeemed it."""
        ...

    def purge(self, ended_before: int) -> int:
        """Delete sessions (and their token hashes) that ended or expired before a moment, and
        authorization codes that expired before it; the number of sessions deleted."""
        ...

    def failure_counts(self, keys: Sequence[str]) -> dict[str, FailureCount]:
        """The failed sign-ins counted under each of `keys` that has any (sign-in throttling:
        every server sharing the store sees the same counts)."""
        ...

    def record_failures(self, keys: Sequence[str], now: float, restart_before: float) -> None:
        """Count one more failure under each key, the last at `now`; a count whose last
        failure came before `restart_before` starts again at one."""
        ...

    def clear_failures(self, keys: Sequence[str]) -> None:
        """Forget the failures counted under `keys`."""
        ...

    def signed_in_from(self, user_id: str, address: str) -> bool:
        """True if the user has signed in from this client address (and it was remembered)."""
        ...

    def remember_sign_in_address(self, user_id: str, address: str, now: int) -> None:
        """Note that the user signed in from `address` at `now`."""
        ...

    def purge_sign_in_records(self, failures_before: float, addresses_before: int) -> int:
        """Delete failure counts whose last failure, and sign-in addresses whose last sign-in,
        came before these moments; the number of rows deleted."""
        ...

    def signing_keys(self) -> list[SigningKey]:
        """Every signing key, retired ones too, in the order they activate."""
        ...

    def add_signing_key(self, key: SigningKey) -> None:
        """Add a signing key."""
        ...

    def add_first_signing_key(self, key: SigningKey) -> bool:
        """Add `key` only if the store has no signing key yet; True if it was added. Of
        servers starting at once on an empty store, exactly one adds its key."""
        ...

    def retire_signing_key(self, kid: str, now: int) -> bool:
        """Withdraw a key from `now` on; False if it is unknown or retired already."""
        ...

    def secrets_check(self, candidate: bytes) -> bytes:
        """The check of the data dir's secrets recorded in the store, recording `candidate`
        when there is none yet: a server whose secrets give another check has another
        deployment's data dir."""
        ...
