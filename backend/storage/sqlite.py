"""The Store in SQLite (WAL): one connection for the database thread, rows read into records."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from backend.storage.checkpoints import WRITER_CHECKPOINT_PAGES, Checkpointer
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
    code_from,
    session_from,
    signing_key_from,
    user_from,
)
from backend.storage.schema import migrate
from backend.storage.session_signal import SessionEndSignal

CURRENT_ROTATION = (
    "SELECT s.id, s.user_id, s.client_id, s.absolute_expires_at, s.current_generation + 1,"
    " u.username FROM refresh_tokens t"
    " JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id"
    " WHERE t.token_hash = ?1 AND t.generation = s.current_generation AND s.ended_at IS NULL"
    " AND ?2 < MIN(s.absolute_expires_at, s.idle_expires_at)"
    " AND (?3 IS NULL OR s.client_id = ?3)"
)
ADVANCE = (
    "UPDATE sessions SET current_generation = ?1, rotated_at = ?2, last_refreshed_at = ?3,"
    " refresh_count = refresh_count + 1, idle_expires_at = MIN(absolute_expires_at, ?4)"
    " WHERE id = ?5"
)

BUSY_TIMEOUT_SECONDS = 30
WAL_SWITCH_PAUSE_SECONDS = 0.01
PRIMARY_CODE = 0xFF  # an extended result code's low byte: SQLITE_BUSY_RECOVERY is busy too


def into_write_ahead_log(connection: sqlite3.Connection, timeout: float) -> None:
    """`PRAGMA journal_mode=WAL`, waiting for other connections as long as `timeout`.

    Switching a new database takes its exclusive lock, and when servers start at once on it,
    SQLite answers a switch that would deadlock with another connection's at once ("database
    is locked"), without waiting for its busy timeout: the switch is tried again until then.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & PRIMARY_CODE == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(WAL_SWITCH_PAUSE_SECONDS)


class SqliteStore:
    """SQLite in WAL mode; one connection, used by one thread at a time (the database thread).

    WAL checkpoints run on a background connection (see checkpoints.py). After a COMMIT that
    ended a session, `ended_signal` (a file next to the database) tells every process.
    """

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS
        )
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        into_write_ahead_log(self._connection, BUSY_TIMEOUT_SECONDS)
        self._connection.execute(f"PRAGMA synchronous={synchronous}")
        self._connection.execute("PRAGMA foreign_keys=ON")
        self._connection.execute(f"PRAGMA wal_autocheckpoint={WRITER_CHECKPOINT_PAGES}")
        migrate(self._connection)
        for suffix in ("", "-wal", "-shm"):
            database_file = Path(f"{path}{suffix}")
            if database_file.exists():
                database_file.chmod(0o600)
        self._checkpointer = Checkpointer(path, synchronous)
        self.ended_signal = SessionEndSignal(Path(f"{path}-ended"))
        self._ended_sessions = False

    def close(self) -> None:
        self._checkpointer.close()
        self._connection.close()
        self.ended_signal.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on an exception.

        Only a transaction that changed rows wakes the checkpointer: an idle server's
        periodic reads (the signing keys, every few seconds) leave it asleep.
        """
        with self._lock:
            self._ended_sessions = False
            changes = self._connection.total_changes
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
            if self._connection.total_changes != changes:
                self._checkpointer.committed()
            if self._ended_sessions:
                self.ended_signal.announce()

    def add_user(self, user: User, now: int) -> bool:
        try:
            self._connection.execute(
                "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (user.id, user.username, user.password_hash, now),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    def user_by_name(self, username: str) -> User | None:
        row = self._connection.execute(
            "SELECT id, username, password_hash FROM users WHERE username = ?", (username,)
        ).fetchone()
        return user_from(row) if row else None

    def user_by_id(self, user_id: str) -> User | None:
        row = self._connection.execute(
            "SELECT id, username, password_hash FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        return user_from(row) if row else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self._connection.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)
        )

    def add_session(self, session: Session, token_hash: bytes) -> None:
        self._connection.execute(
            "INSERT INTO sessions (id, user_id, client_id, created_at, last_refreshed_at,"
            " refresh_count, absolute_expires_at, idle_expires_at, current_generation,"
            " rotated_at, ended_at, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.id,
                session.user_id,
                session.client_id,
                session.created_at,
                session.last_refreshed_at,
                session.refresh_count,
                session.absolute_expires_at,
                session.idle_expires_at,
                session.current_generation,
                session.rotated_at,
                session.ended_at,
                session.end_reason,
            ),
        )
        self._add_token(token_hash, session.id, session.current_generation, session.rotated_at)

    def _add_token(self, token_hash: bytes, session_id: str, generation: int, now: float) -> None:
        self._connection.execute(
            "INSERT INTO refresh_tokens (token_hash, session_id, generation, issued_at)"
            " VALUES (?, ?, ?, ?)",
            (token_hash, session_id, generation, now),
        )

    def session(self, session_id: str) -> Session | None:
        row = self._connection.execute(
            "SELECT * FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        return session_from(row) if row else None

    def live_sessions(
        self, user_id: str, now: int, limit: int, after: SessionPosition | None
    ) -> list[Session]:
        start = (after.created_at, after.session_id) if after else (None, None)
        rows = self._connection.execute(
            "SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL"
            " AND MIN(absolute_expires_at, idle_expires_at) > ?"
            " AND (? IS NULL OR (created_at, id) < (?, ?))"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (user_id, now, start[0], start[0], start[1], limit),
        ).fetchall()
        return [session_from(row) for row in rows]

    def sessions_started_since(self, user_id: str, since: int) -> int:
        row = self._connection.execute(
            "SELECT COUNT(*) FROM sessions WHERE user_id = ? AND created_at >= ?",
            (user_id, since),
        ).fetchone()
        return int(row[0])

    def end_least_recent_sessions(
        self, user_id: str, keep: int, reason: EndReason, now: int
    ) -> list[str]:
        rows = self._connection.execute(
            "SELECT id FROM sessions WHERE user_id = ? AND ended_at IS NULL"
            " AND MIN(absolute_expires_at, idle_expires_at) > ?"
            " ORDER BY rotated_at DESC, id DESC LIMIT -1 OFFSET ?",
            (user_id, now, keep),
        ).fetchall()
        ended = [row["id"] for row in reversed(rows)]
        for session_id in ended:
            self.end_session(session_id, reason, now)
        return ended

    def find_token(self, token_hash: bytes) -> TokenRecord | None:
        row = self._connection.execute(
            "SELECT session_id, generation FROM refresh_tokens WHERE token_hash = ?",
            (token_hash,),
        ).fetchone()
        return (
            TokenRecord(session_id=row["session_id"], generation=row["generation"]) if row else None
        )

    def token_in_session(self, token_hash: bytes) -> TokenInSession | None:
        """One query for what a refresh needs: the token's generation, session and username."""
        row = self._connection.execute(
            "SELECT s.*, t.generation, u.username FROM refresh_tokens t"
            " JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id"
            " WHERE t.token_hash = ?",
            (token_hash,),
        ).fetchone()
        if row is None:
            return None
        return TokenInSession(
            generation=row["generation"], session=session_from(row), username=row["username"]
        )

    def advance(
        self,
        token_hash: bytes,
        successor_hash: bytes,
        now: float,
        idle_expires_at: int,
        client_id: str | None,
    ) -> GrantedSession | None:
        """The conditions in one read, then the write: atomic, as the connection holds
        SQLite's write lock for the whole transaction (BEGIN IMMEDIATE). Measured, this is
        cheaper here than `UPDATE … FROM … RETURNING`, whose RETURNING costs more than a read;
        the read takes only the columns a grant needs, and the write computes the rest."""
        row = self._connection.execute(CURRENT_ROTATION, (token_hash, now, client_id)).fetchone()
        if row is None:
            return None
        session_id, user_id, session_client, absolute_expires_at, generation, username = row
        self._connection.execute(ADVANCE, (generation, now, int(now), idle_expires_at, session_id))
        self._add_token(successor_hash, session_id, generation, now)
        expires_at = min(absolute_expires_at, idle_expires_at)
        return GrantedSession(session_id, user_id, session_client, expires_at, username)

    def end_session(self, session_id: str, reason: EndReason, now: int) -> bool:
        cursor = self._connection.execute(
            "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
            (now, reason.value, session_id),
        )
        self._ended_sessions |= cursor.rowcount > 0
        return cursor.rowcount == 1

    def end_sessions_of(self, user_id: str, reason: EndReason, now: int) -> int:
        cursor = self._connection.execute(
            "UPDATE sessions SET ended_at = ?, end_reason = ?"
            " WHERE user_id = ? AND ended_at IS NULL",
            (now, reason.value, user_id),
        )
        self._ended_sessions |= cursor.rowcount > 0
        return cursor.rowcount

    def add_authorization_code(self, code: AuthorizationCode) -> None:
        self._connection.execute(
            "INSERT INTO authorization_codes (code_hash, user_id, client_id, redirect_uri,"
            " code_challenge, created_at, expires_at, redeemed_at, session_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code.code_hash,
                code.user_id,
                code.client_id,
                code.redirect_uri,
                code.code_challenge,
                code.created_at,
                code.expires_at,
                code.redeemed_at,
                code.session_id,
            ),
        )

    def authorization_code(self, code_hash: bytes) -> AuthorizationCode | None:
        """The code's row; the write lock of BEGIN IMMEDIATE already orders presentations."""
        row = self._connection.execute(
            "SELECT * FROM authorization_codes WHERE code_hash = ?", (code_hash,)
        ).fetchone()
        return code_from(row) if row else None

    def redeem_authorization_code(self, code_hash: bytes, session_id: str | None, now: int) -> bool:
        cursor = self._connection.execute(
            "UPDATE authorization_codes SET redeemed_at = ?, session_id = ?"
            " WHERE code_hash = ? AND redeemed_at IS NULL",
            (now, session_id, code_hash),
        )
        return cursor.rowcount == 1

    def purge(self, ended_before: int) -> int:
        """Delete sessions (and their token hashes) that ended or expired before a moment."""
        old = (
            "SELECT id FROM sessions WHERE (ended_at IS NOT NULL AND ended_at < :t)"
            " OR (ended_at IS NULL AND MIN(absolute_expires_at, idle_expires_at) < :t)"
        )
        self._connection.execute(
            f"DELETE FROM refresh_tokens WHERE session_id IN ({old})",  # noqa: S608
            {"t": ended_before},
        )
        cursor = self._connection.execute(
            f"DELETE FROM sessions WHERE id IN ({old})",  # noqa: S608
            {"t": ended_before},
        )
        self._connection.execute(
            "DELETE FROM authorization_codes WHERE expires_at < ?", (ended_before,)
        )
        return cursor.rowcount

    def failure_counts(self, keys: Sequence[str]) -> dict[str, FailureCount]:
        marks = ", ".join("?" * len(keys))
        rows = self._connection.execute(
            f"SELECT key, failures, last_failure FROM sign_in_failures WHERE key IN ({marks})",  # noqa: S608
            tuple(keys),
        ).fetchall()
        return {row["key"]: FailureCount(row["failures"], row["last_failure"]) for row in rows}

    def record_failures(self, keys: Sequence[str], now: float, restart_before: float) -> None:
        self._connection.executemany(
            "INSERT INTO sign_in_failures (key, failures, last_failure) VALUES (?, 1, ?)"
            " ON CONFLICT (key) DO UPDATE SET last_failure = excluded.last_failure,"
            " failures = CASE WHEN sign_in_failures.last_failure < ? THEN 1"
            " ELSE sign_in_failures.failures + 1 END",
            [(key, now, restart_before) for key in keys],
        )

    def clear_failures(self, keys: Sequence[str]) -> None:
        self._connection.executemany(
            "DELETE FROM sign_in_failures WHERE key = ?", [(key,) for key in keys]
        )

    def signed_in_from(self, user_id: str, address: str) -> bool:
        row = self._connection.execute(
            "SELECT 1 FROM sign_in_addresses WHERE user_id = ? AND address = ?",
            (user_id, address),
        ).fetchone()
        return row is not None

    def remember_sign_in_address(self, user_id: str, address: str, now: int) -> None:
        self._connection.execute(
            "INSERT INTO sign_in_addresses (user_id, address, last_sign_in) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, address) DO UPDATE SET last_sign_in = excluded.last_sign_in",
            (user_id, address, now),
        )

    def purge_sign_in_records(self, failures_before: float, addresses_before: int) -> int:
        failures = self._connection.execute(
            "DELETE FROM sign_in_failures WHERE last_failure < ?", (failures_before,)
        )
        addresses = self._connection.execute(
            "DELETE FROM sign_in_addresses WHERE last_sign_in < ?", (addresses_before,)
        )
        return failures.rowcount + addresses.rowcount

    def signing_keys(self) -> list[SigningKey]:
        rows = self._connection.execute(
            "SELECT * FROM signing_keys ORDER BY activates_at, created_at, kid"
        ).fetchall()
        return [signing_key_from(row) for row in rows]

    def add_signing_key(self, key: SigningKey) -> None:
        self._connection.execute(
            "INSERT INTO signing_keys (kid, public_key, sealed_private_key, created_at,"
            " activates_at, retired_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                key.kid,
                key.public_key,
                key.sealed_private_key,
                key.created_at,
                key.activates_at,
                key.retired_at,
            ),
        )

    def add_first_signing_key(self, key: SigningKey) -> bool:
        """The transaction holds SQLite's write lock, so no other server adds one meanwhile."""
        if self._connection.execute("SELECT 1 FROM signing_keys LIMIT 1").fetchone():
            return False
        self.add_signing_key(key)
        return True

    def retire_signing_key(self, kid: str, now: int) -> bool:
        cursor = self._connection.execute(
            "UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL",
            (now, kid),
        )
        return cursor.rowcount == 1

    def secrets_check(self, candidate: bytes) -> bytes:
        self._connection.execute(
            "INSERT OR IGNORE INTO deployment (id, secrets_check) VALUES (1, ?)", (candidate,)
        )
        row = self._connection.execute("SELECT secrets_check FROM deployment").fetchone()
        recorded: bytes = row["secrets_check"]
        return recorded
