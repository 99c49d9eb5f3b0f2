"""The schema as numbered migrations: new, older and foreign-shaped databases all open right."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from backend.errors import ConfigurationError
from backend.storage.records import EndReason, Session
from backend.storage.schema import migrations
from backend.storage.sqlite import SqliteStore

SESSION = Session(
    id="s1",
    user_id="u1",
    client_id="jwt-refresh-demo",
    created_at=100,
    last_refreshed_at=150,
    refresh_count=3,
    absolute_expires_at=1_000,
    idle_expires_at=900,
    current_generation=3,
    rotated_at=150.25,
    ended_at=200,
    end_reason=EndReason.REVOKED,
)

SIMULTANEOUS_START_ROUNDS = 25


def every_version() -> list[tuple[int, str]]:
    return [(migration.version, migration.name) for migration in migrations("sqlite")]


def versions(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version, name FROM schema_version").fetchall()


def add_account_and_session(connection: sqlite3.Connection) -> None:
    """One account, one ended session and its current token's hash, columns named."""
    connection.execute(
        "INSERT INTO users (id, username, password_hash, created_at)"
        " VALUES ('u1', 'alice', 'hash', 100)"
    )
    connection.execute(
        "INSERT INTO sessions (id, user_id, client_id, created_at, last_refreshed_at,"
        " refresh_count, absolute_expires_at, idle_expires_at, current_generation, rotated_at,"
        " ended_at, end_reason)"
        " VALUES ('s1', 'u1', 'jwt-refresh-demo', 100, 150, 3, 1000, 900, 3, 150.25, 200,"
        " 'revoked')"
    )
    connection.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, generation, issued_at)"
        " VALUES (x'01', 's1', 3, 150.25)"
    )


def test_a_new_database_gets_every_migration_once(tmp_path: Path) -> None:
    path = tmp_path / "auth.sqlite3"
    SqliteStore(path).close()
    expected = every_version()
    assert expected[0] == (1, "initial")
    assert versions(path) == expected
    SqliteStore(path).close()
    assert versions(path) == expected


def test_a_database_from_before_versioning_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "auth.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(migrations("sqlite")[0].script)
        add_account_and_session(connection)
    store = SqliteStore(path)
    try:
        with store.transaction():
            user = store.user_by_name("alice")
            assert user is not None
            assert user.id == "u1"
            assert store.session("s1") == SESSION
    finally:
        store.close()
    assert versions(path) == every_version()


def test_rows_are_read_by_column_name_not_position(tmp_path: Path) -> None:
    path = tmp_path / "auth.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            "CREATE TABLE users (created_at INTEGER NOT NULL, password_hash TEXT NOT NULL,"
            " username TEXT NOT NULL UNIQUE, id TEXT PRIMARY KEY, note TEXT);"
            "CREATE TABLE sessions (end_reason TEXT, ended_at INTEGER, note TEXT,"
            " rotated_at REAL NOT NULL, current_generation INTEGER NOT NULL,"
            " idle_expires_at INTEGER NOT NULL, absolute_expires_at INTEGER NOT NULL,"
            " refresh_count INTEGER NOT NULL, last_refreshed_at INTEGER NOT NULL,"
            " created_at INTEGER NOT NULL, client_id TEXT NOT NULL, user_id TEXT NOT NULL,"
            " id TEXT PRIMARY KEY);"
            "CREATE TABLE refresh_tokens (issued_at REAL NOT NULL, generation INTEGER NOT NULL,"
            " session_id TEXT NOT NULL, token_hash BLOB PRIMARY KEY);"
        )
        add_account_and_session(connection)
    store = SqliteStore(path)
    try:
        with store.transaction():
            assert store.session("s1") == SESSION
            assert store.live_sessions("u1", 0, 10, None) == []
            found = store.token_in_session(b"\x01")
            record = store.find_token(b"\x01")
    finally:
        store.close()
    assert found is not None
    assert (found.generation, found.username, found.session) == (3, "alice", SESSION)
    assert record is not None
    assert (record.session_id, record.generation) == ("s1", 3)


def test_a_database_newer_than_the_server_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "auth.sqlite3"
    SqliteStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO schema_version VALUES (99, 'from_the_future', 0)")
    with pytest.raises(ConfigurationError, match="version 99, newer than this server knows"):
        SqliteStore(path)


def open_at_once(path: Path, servers: int) -> list[BaseException]:
    """Open `servers` stores on one new database at the same moment; what each raised."""
    opened: list[SqliteStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            opened.append(SqliteStore(path))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(servers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in opened:
        store.close()
    return errors


def test_servers_starting_at_once_on_a_new_database_all_come_up(tmp_path: Path) -> None:
    """Switching a new database to WAL can collide with another server's switch, which SQLite
    refuses at once rather than waiting; a collision is rare, hence the rounds."""
    for round_number in range(SIMULTANEOUS_START_ROUNDS):
        path = tmp_path / str(round_number) / "auth.sqlite3"
        assert open_at_once(path, 4) == [], f"round {round_number}"
        assert versions(path) == every_version()
