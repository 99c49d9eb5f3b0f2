"""The Store in PostgreSQL: one connection per database thread, row locks, NOTIFY of endings."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row

from backend.errors import ConfigurationError
from backend.storage.listener import (
    ENDED_CHANNEL,
    LISTENER_NAME,
    SessionEndListener,
    conninfo,
)
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
from backend.storage.schema import SCHEMA_VERSION_TABLE, Migration, upgrade
from backend.storage.store import StorageConflict

log = logging.getLogger("backend.storage")

Connection = psycopg.Connection[DictRow]
SCHEMA_LOCK = "jwt-refresh-demo schema"
SIGNING_KEYS_LOCK = "jwt-refresh-demo signing keys"
LISTENER_START_SECONDS = 10.0
CONFLICTS = (errors.DeadlockDetected, errors.SerializationFailure)
ENDED = f"SELECT pg_notify('{ENDED_CHANNEL}', %s) FROM ended"  # noqa: S608 (constants only)
LISTENERS = (
    "SELECT count(*) AS listeners FROM pg_stat_activity"
    " WHERE datname = current_database() AND application_name = %s"
)
HEARING_SECONDS = 1.0
ADVANCE = (
    "WITH current AS (SELECT s.id, u.username FROM refresh_tokens t"
    " JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id"
    " WHERE t.token_hash = %s AND t.generation = s.current_generation AND s.ended_at IS NULL"
    " AND %s < LEAST(s.absolute_expires_at, s.idle_expires_at)"
    " AND (%s::text IS NULL OR s.client_id = %s) FOR UPDATE OF s),"
    " advanced AS (UPDATE sessions s SET current_generation = s.current_generation + 1,"
    " rotated_at = %s, last_refreshed_at = floor(%s::double precision)::bigint,"
    " refresh_count = s.refresh_count + 1,"
    " idle_expires_at = LEAST(s.absolute_expires_at, %s)"
    " FROM current WHERE s.id = current.id RETURNING s.*, current.username),"
    " token AS (INSERT INTO refresh_tokens (token_hash, session_id, generation, issued_at)"
    " SELECT %s, id, current_generation, %s FROM advanced)"
    " SELECT id, user_id, client_id, LEAST(absolute_expires_at, idle_expires_at) AS expires_at,"
    " username FROM advanced"
)
END_SESSION = (
    "WITH ended AS (UPDATE sessions SET ended_at = %s, end_reason = %s"  # noqa: S608
    f" WHERE id = %s AND ended_at IS NULL RETURNING id) {ENDED}"
)
END_SESSIONS_OF = (
    "WITH ended AS (UPDATE sessions SET ended_at = %s, end_reason = %s"  # noqa: S608
    f" WHERE user_id = %s AND ended_at IS NULL RETURNING id) {ENDED}"
)
END_LEAST_RECENT = (
    "WITH ended AS (UPDATE sessions SET ended_at = %(now)s, end_reason = %(reason)s"  # noqa: S608
    " WHERE id IN (SELECT id FROM sessions WHERE user_id = %(user)s AND ended_at IS NULL"
    " AND LEAST(absolute_expires_at, idle_expires_at) > %(now)s"
    " ORDER BY rotated_at DESC, id DESC OFFSET %(keep)s FOR UPDATE)"
    " RETURNING id, rotated_at)"
    " SELECT id, pg_notify('" + ENDED_CHANNEL + "', %(word)s) FROM ended ORDER BY rotated_at, id"
)


class PostgresSteps:
    """Migrations on a PostgreSQL connection; DDL is transactional, so a failed step undoes all."""

    dialect = "postgresql"

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def applied_version(self) -> int:
        self.connection.execute(SCHEMA_VERSION_TABLE)
        row = self.connection.execute("SELECT MAX(version) AS version FROM schema_version")
        found = row.fetchone()
        return int(found["version"] or 0) if found else 0

    def apply(self, migration: Migration, applied_at: int) -> None:
        self.connection.execute(migration.script)
        self.connection.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (%s, %s, %s)",
            (migration.version, migration.name, applied_at),
        )


def migrate(connection: Connection) -> int:
    """Bring the database to the newest schema under an advisory lock; returns its version.

    Of servers starting at once on an empty database, one migrates while the others wait
    for the lock and then find nothing left to do.
    """
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (SCHEMA_LOCK,))
        return upgrade(PostgresSteps(connection))


def connect(url: str, name: str) -> Connection:
    """A connection in autocommit mode (transactions are explicit), commits waiting for the
    WAL to be flushed (synchronous_commit on), rows as dicts."""
    try:
        connection = psycopg.connect(conninfo(url, name), autocommit=True, row_factory=dict_row)
    except psycopg.OperationalError as error:
        raise ConfigurationError(
            f"Cannot connect to the database {where(url)}: {' '.join(str(error).split())}"
        ) from error
    connection.execute("SET synchronous_commit = on")
    return connection


def where(url: str) -> str:
    """The database a URL names, without its password."""
    info = conninfo_to_dict(url)
    host, port, name = info.get("host", "localhost"), info.get("port", "5432"), info.get("dbname")
    return f"{name} on {host}:{port}"


class PostgresStore:
    """PostgreSQL; one connection, used by one thread at a time (the database thread).

    A rotation locks its session row (`SELECT … FOR UPDATE`), so of two servers rotating one
    session the second waits for the first's COMMIT and then reads what it wrote: the
    predecessor within the grace gets the same successor from every server. Every
    statement that ends a session also sends a NOTIFY with the transaction's own word,
    delivered to every server's listener when (and only if) the transaction commits; the
    transaction returns once every listener has answered that it heard it (or a second has
    passed), so no client hears of an ending before every server knows. A connection that
    broke is replaced at the next transaction.
    """

    def __init__(self, url: str, listener: SessionEndListener | None = None) -> None:
        self.url = url
        self._connection = connect(url, "jwt-refresh-server")
        migrate(self._connection)
        self._listener = listener or SessionEndListener(url)
        if not self._listener.wait_until_listening(LISTENER_START_SECONDS):
            log.warning("not yet listening for ended sessions: every request reads the database")
        self._ended_sessions = False
        self._word = ""

    @property
    def ended_signal(self) -> SessionEndListener:
        return self._listener

    def close(self) -> None:
        self._connection.close()
        self._listener.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT, or ROLLBACK on an exception; a conflict is a StorageConflict."""
        if self._connection.broken or self._connection.closed:
            self._connection = connect(self.url, "jwt-refresh-server")
        self._ended_sessions = False
        self._word = secrets.token_hex(8)
        try:
            with self._connection.transaction():
                yield
                if self._ended_sessions:
                    self._expect_hearing()
        except BaseException as error:
            self._listener.forget(self._word)
            if isinstance(error, CONFLICTS):
                raise StorageConflict(str(error)) from error
            raise
        if self._ended_sessions:
            self._listener.announce()
            self._await_hearing()

    def _expect_hearing(self) -> None:
        row = self._execute(LISTENERS, (LISTENER_NAME,)).fetchone()
        self._listener.expect(self._word, int(row["listeners"]) if row else 0)

    def _await_hearing(self) -> None:
        if not self._listener.await_hearing(self._word, HEARING_SECONDS):
            log.warning("not every server said it heard of an ended session within a second")

    def _execute(
        self, query: str, params: tuple[Any, ...] | dict[str, Any]
    ) -> psycopg.Cursor[DictRow]:
        return self._connection.execute(query, params)

    def add_user(self, user: User, now: int) -> bool:
        cursor = self._execute(
            "INSERT INTO users (id, username, password_hash, created_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (username) DO NOTHING",
            (user.id, user.username, user.password_hash, now),
        )
        return cursor.rowcount == 1

    def user_by_name(self, username: str) -> User | None:
        row = self._execute(
            "SELECT id, username, password_hash FROM users WHERE username = %s", (username,)
        ).fetchone()
        return user_from(row) if row else None

    def user_by_id(self, user_id: str) -> User | None:
        row = self._execute(
            "SELECT id, username, password_hash FROM users WHERE id = %s", (user_id,)
        ).fetchone()
        return user_from(row) if row else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self._execute("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))

    def add_session(self, session: Session, token_hash: bytes) -> None:
        self._execute(
            "WITH token AS (INSERT INTO refresh_tokens (token_hash, session_id, generation,"
            " issued_at) VALUES (%(token_hash)s, %(id)s, %(current_generation)s,"
            " %(rotated_at)s))"
            " INSERT INTO sessions (id, user_id, client_id, created_at, last_refreshed_at,"
            " refresh_count, absolute_expires_at, idle_expires_at, current_generation,"
            " rotated_at, ended_at, end_reason) VALUES (%(id)s, %(user_id)s, %(client_id)s,"
            " %(created_at)s, %(last_refreshed_at)s, %(refresh_count)s,"
            " %(absolute_expires_at)s, %(idle_expires_at)s, %(current_generation)s,"
            " %(rotated_at)s, %(ended_at)s, %(end_reason)s)",
            {
                "token_hash": token_hash,
                "id": session.id,
                "user_id": session.user_id,
                "client_id": session.client_id,
                "created_at": session.created_at,
                "last_refreshed_at": session.last_refreshed_at,
                "refresh_count": session.refresh_count,
                "absolute_expires_at": session.absolute_expires_at,
                "idle_expires_at": session.idle_expires_at,
                "current_generation": session.current_generation,
                "rotated_at": session.rotated_at,
                "ended_at": session.ended_at,
                "end_reason": session.end_reason.value if session.end_reason else None,
            },
        )

    def session(self, session_id: str) -> Session | None:
        row = self._execute("SELECT * FROM sessions WHERE id = %s", (session_id,)).fetchone()
        return session_from(row) if row else None

    def live_sessions(
        self, user_id: str, now: int, limit: int, after: SessionPosition | None
    ) -> list[Session]:
        start = (after.created_at, after.session_id) if after else (None, None)
        rows = self._execute(
            "SELECT * FROM sessions WHERE user_id = %s AND ended_at IS NULL"
            " AND LEAST(absolute_expires_at, idle_expires_at) > %s"
            " AND (%s::bigint IS NULL OR (created_at, id) < (%s, %s))"
            " ORDER BY created_at DESC, id DESC LIMIT %s",
            (user_id, now, start[0], start[0], start[1], limit),
        ).fetchall()
        return [session_from(row) for row in rows]

    def sessions_started_since(self, user_id: str, since: int) -> int:
        row = self._execute(
            "SELECT COUNT(*) AS started FROM sessions WHERE user_id = %s AND created_at >= %s",
            (user_id, since),
        ).fetchone()
        return int(row["started"]) if row else 0

    def end_least_recent_sessions(
        self, user_id: str, keep: int, reason: EndReason, now: int
    ) -> list[str]:
        """One statement: the sessions beyond the `keep` most recently used end, announced."""
        rows = self._execute(
            END_LEAST_RECENT,
            {"now": now, "reason": reason.value, "user": user_id, "keep": keep, "word": self._word},
        ).fetchall()
        self._ended_sessions |= bool(rows)
        return [row["id"] for row in rows]

    def find_token(self, token_hash: bytes) -> TokenRecord | None:
        row = self._execute(
            "SELECT session_id, generation FROM refresh_tokens WHERE token_hash = %s",
            (token_hash,),
        ).fetchone()
        if row is None:
            return None
        return TokenRecord(session_id=row["session_id"], generation=row["generation"])

    def token_in_session(self, token_hash: bytes) -> TokenInSession | None:
        """One query, and the session row locked until the COMMIT."""
        row = self._execute(
            "SELECT s.*, t.generation, u.username FROM refresh_tokens t"
            " JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id"
            " WHERE t.token_hash = %s FOR UPDATE OF s",
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
        """One statement: the session row locked if the token is its current one and the session
        is live and the client's, then advanced and the successor added. Of two rotations racing
        on one token, the second waits for the lock, finds the generation moved on (PostgreSQL
        checks the conditions again on the row as committed) and advances nothing."""
        row = self._execute(
            ADVANCE,
            (token_hash, now, client_id, client_id, now, now, idle_expires_at, successor_hash, now),
        ).fetchone()
        if row is None:
            return None
        return GrantedSession(
            row["id"], row["user_id"], row["client_id"], row["expires_at"], row["username"]
        )

    def end_session(self, session_id: str, reason: EndReason, now: int) -> bool:
        cursor = self._execute(END_SESSION, (now, reason.value, session_id, self._word))
        self._ended_sessions |= cursor.rowcount > 0
        return cursor.rowcount == 1

    def end_sessions_of(self, user_id: str, reason: EndReason, now: int) -> int:
        cursor = self._execute(END_SESSIONS_OF, (now, reason.value, user_id, self._word))
        self._ended_sessions |= cursor.rowcount > 0
        return cursor.rowcount

    def purge(self, ended_before: int) -> int:
        """Delete sessions (and their token hashes) that ended or expired before a moment, and
        authorization codes that expired before it; the number of sessions deleted."""
        old = (
            "SELECT id FROM sessions WHERE (ended_at IS NOT NULL AND ended_at < %(t)s)"
            " OR (ended_at IS NULL AND LEAST(absolute_expires_at, idle_expires_at) < %(t)s)"
        )
        self._execute(
            f"DELETE FROM refresh_tokens WHERE session_id IN ({old})",  # noqa: S608
            {"t": ended_before},
        )
        cursor = self._execute(
            f"DELETE FROM sessions WHERE id IN ({old})",  # noqa: S608
            {"t": ended_before},
        )
        self._execute("DELETE FROM authorization_codes WHERE expires_at < %s", (ended_before,))
        return cursor.rowcount

    def add_authorization_code(self, code: AuthorizationCode) -> None:
        self._execute(
            "INSERT INTO authorization_codes (code_hash, user_id, client_id, redirect_uri,"
            " code_challenge, created_at, expires_at, redeemed_at, session_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
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
        """The code's row, locked until the COMMIT: of two servers given one code, one waits."""
        row = self._execute(
            "SELECT * FROM authorization_codes WHERE code_hash = %s FOR UPDATE", (code_hash,)
        ).fetchone()
        return code_from(row) if row else None

    def redeem_authorization_code(self, code_hash: bytes, session_id: str | None, now: int) -> bool:
        cursor = self._execute(
            "UPDATE authorization_codes SET redeemed_at = %s, session_id = %s"
            " WHERE code_hash = %s AND redeemed_at IS NULL",
            (now, session_id, code_hash),
        )
        return cursor.rowcount == 1

    def failure_counts(self, keys: Sequence[str]) -> dict[str, FailureCount]:
        rows = self._execute(
            "SELECT key, failures, last_failure FROM sign_in_failures WHERE key = ANY(%s)",
            (list(keys),),
        ).fetchall()
        return {row["key"]: FailureCount(row["failures"], row["last_failure"]) for row in rows}

    def record_failures(self, keys: Sequence[str], now: float, restart_before: float) -> None:
        """One statement for every key, in a fixed order so that servers never deadlock."""
        self._execute(
            "INSERT INTO sign_in_failures (key, failures, last_failure)"
            " SELECT key, 1, %s FROM unnest(%s::text[]) AS key ORDER BY key"
            " ON CONFLICT (key) DO UPDATE SET last_failure = excluded.last_failure,"
            " failures = CASE WHEN sign_in_failures.last_failure < %s THEN 1"
            " ELSE sign_in_failures.failures + 1 END",
            (now, sorted(set(keys)), restart_before),
        )

    def clear_failures(self, keys: Sequence[str]) -> None:
        self._execute("DELETE FROM sign_in_failures WHERE key = ANY(%s)", (list(keys),))

    def signed_in_from(self, user_id: str, address: str) -> bool:
        row = self._execute(
            "SELECT 1 FROM sign_in_addresses WHERE user_id = %s AND address = %s",
            (user_id, address),
        ).fetchone()
        return row is not None

    def remember_sign_in_address(self, user_id: str, address: str, now: int) -> None:
        self._execute(
            "INSERT INTO sign_in_addresses (user_id, address, last_sign_in) VALUES (%s, %s, %s)"
            " ON CONFLICT (user_id, address) DO UPDATE SET last_sign_in = excluded.last_sign_in",
            (user_id, address, now),
        )

    def purge_sign_in_records(self, failures_before: float, addresses_before: int) -> int:
        failures = self._execute(
            "DELETE FROM sign_in_failures WHERE last_failure < %s", (failures_before,)
        )
        addresses = self._execute(
            "DELETE FROM sign_in_addresses WHERE last_sign_in < %s", (addresses_before,)
        )
        return failures.rowcount + addresses.rowcount

    def signing_keys(self) -> list[SigningKey]:
        rows = self._execute(
            "SELECT * FROM signing_keys ORDER BY activates_at, created_at, kid", ()
        ).fetchall()
        return [signing_key_from(row) for row in rows]

    def add_signing_key(self, key: SigningKey) -> None:
        self._execute(
            "INSERT INTO signing_keys (kid, public_key, sealed_private_key, created_at,"
            " activates_at, retired_at) VALUES (%s, %s, %s, %s, %s, %s)",
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
        """Under an advisory lock, so of servers starting at once only one adds its key."""
        self._execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (SIGNING_KEYS_LOCK,))
        if self._execute("SELECT 1 FROM signing_keys LIMIT 1", ()).fetchone():
            return False
        self.add_signing_key(key)
        return True

    def retire_signing_key(self, kid: str, now: int) -> bool:
        cursor = self._execute(
            "UPDATE signing_keys SET retired_at = %s WHERE kid = %s AND retired_at IS NULL",
            (now, kid),
        )
        return cursor.rowcount == 1

    def secrets_check(self, candidate: bytes) -> bytes:
        self._execute(
            "INSERT INTO deployment (id, secrets_check) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
            (candidate,),
        )
        row = self._execute("SELECT secrets_check FROM deployment", ()).fetchone()
        assert row is not None
        return bytes(row["secrets_check"])
