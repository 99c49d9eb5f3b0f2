"""PostgreSQL alone: servers starting at once, schemas it does not know, deadlocks between
servers, another deployment's data dir, and the listener for ended sessions failing closed."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from backend.errors import ConfigurationError
from backend.storage.database import CONFLICT_RETRIES, Database
from backend.storage.listener import LISTENER_NAME
from backend.storage.postgres import PostgresStore
from backend.storage.records import User
from backend.storage.schema import migrations
from backend.storage.store import Store
from tests.support.api import Api, Tokens
from tests.support.postgres import PostgresServer
from tests.support.records import active_session
from tests.support.server_process import ServerProcess

SEEN_WITHIN = 10.0


@pytest.fixture
def database(postgres: PostgresServer, request: pytest.FixtureRequest) -> str:
    """A fresh database's URL."""
    return postgres.create_database(f"pg_{request.node.name[:40].lower()}_{time.monotonic_ns()}")


@pytest.fixture
def servers(tmp_path: Path, database: str) -> Iterator[list[ServerProcess]]:
    """Two servers, not started, of one deployment: one data dir, one database, one issuer."""
    made = [ServerProcess(tmp_path / "data", ["--issuer", "http://auth.test"], database)]
    made.append(ServerProcess(tmp_path / "data", ["--issuer", "http://auth.test"], database))
    yield made
    for server in made:
        server.stop()


def name_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_servers_starting_at_once_on_an_empty_database_both_come_up(
    servers: list[ServerProcess], postgres: PostgresServer, database: str
) -> None:
    threads = [threading.Thread(target=server.start) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(server.running for server in servers), [server.log for server in servers]
    applied = postgres.execute(name_of(database), "SELECT version, name FROM schema_version")
    expected = [(migration.version, migration.name) for migration in migrations("postgresql")]
    assert sorted(applied) == expected
    assert postgres.execute(name_of(database), "SELECT count(*) FROM signing_keys") == [(1,)]
    _, tokens = Api(servers[0].url).new_session()
    assert Api(servers[1].url).get("/account", tokens.access_token).status_code == 200


def test_a_schema_newer_than_the_server_is_refused_in_words(
    postgres: PostgresServer, database: str
) -> None:
    PostgresStore(database).close()
    postgres.execute(name_of(database), "INSERT INTO schema_version VALUES (99, 'future', 0)")
    with pytest.raises(ConfigurationError, match="version 99, newer than this server knows"):
        PostgresStore(database)


def test_a_data_dir_of_another_deployment_is_refused(
    servers: list[ServerProcess], tmp_path: Path, database: str
) -> None:
    servers[0].start()
    stranger = ServerProcess(tmp_path / "elsewhere", [], database)
    with pytest.raises(RuntimeError, match="server exited before listening"):
        stranger.start()
    assert any("belongs to another deployment" in line for line in stranger.log)


def test_a_deadlock_between_two_servers_is_undone_and_run_again(database: str) -> None:
    """Each of two stores locks one session, then wants the other's: PostgreSQL undoes one
    transaction (deadlock_detected), and its unit runs again until both have committed.

    A unit run again may take its first row back before the survivor has re-taken it (a
    waiter re-locks the row after the undone transaction ends), and so deadlock once more:
    at least one run again, never more than the retries allow."""
    first, second = PostgresStore(database), PostgresStore(database)
    with first.transaction():
        first.add_user(User("u", "alice", "hash"), 0)
        first.add_session(active_session("s1", "u", 10**10), b"token-1")
        first.add_session(active_session("s2", "u", 10**10), b"token-2")
    both_locked_one = threading.Barrier(2, timeout=10)
    attempts: list[str] = []

    def lock_in_turn(store: Store, mine: bytes, theirs: bytes) -> bool:
        attempts.append(mine.decode())
        assert store.token_in_session(mine) is not None
        if len(attempts) <= 2:
            both_locked_one.wait()
        return store.token_in_session(theirs) is not None

    async def race() -> list[bool]:
        one, other = Database(first), Database(second)
        try:
            return list(
                await asyncio.gather(
                    one.run(lock_in_turn, b"token-1", b"token-2"),
                    other.run(lock_in_turn, b"token-2", b"token-1"),
                )
            )
        finally:
            one.close()
            other.close()

    assert asyncio.run(race()) == [True, True]
    assert 3 <= len(attempts) <= 2 * CONFLICT_RETRIES
    assert set(attempts) == {"token-1", "token-2"}


def wait_for_line(server: ServerProcess, words: str, after: int) -> None:
    """Wait until the server logs a line with `words` (beyond its first `after` lines)."""
    deadline = time.monotonic() + SEEN_WITHIN
    while not any(words in line for line in server.log[after:]):
        assert time.monotonic() < deadline, f"no {words!r} in the log:\n" + "\n".join(server.log)
        time.sleep(0.05)


def warm(api: Api, tokens: Tokens) -> None:
    """Have the server remember the session as active."""
    for _ in range(2):
        assert api.get("/account", tokens.access_token).status_code == 200


def test_a_server_whose_listener_is_down_reads_every_session_until_it_is_back(
    servers: list[ServerProcess], postgres: PostgresServer, database: str
) -> None:
    for server in servers:
        server.start()
    through, watched = Api(servers[0].url), Api(servers[1].url)
    _, during = through.new_session()
    _, before = through.new_session()
    warm(watched, during)
    warm(watched, before)
    name = name_of(database)
    with psycopg.connect(database, autocommit=True) as behind_the_back:

        def end_without_a_word(tokens: Tokens) -> None:
            behind_the_back.execute(
                "UPDATE sessions SET ended_at = 1, end_reason = 'revoked' WHERE id = %s",
                (tokens.session_id,),
            )

        lines = len(servers[1].log)
        postgres.execute("postgres", f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        postgres.execute(
            "postgres",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = %s",
            name,
            LISTENER_NAME,
        )
        wait_for_line(servers[1], "lost its connection", lines)
        end_without_a_word(during)
        assert watched.get("/account", during.access_token).status_code == 401
        end_without_a_word(before)

        lines = len(servers[1].log)
        postgres.execute("postgres", f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        wait_for_line(servers[1], "listening for ended sessions again", lines)
        assert watched.get("/account", before.access_token).status_code == 401

        _, revoked = through.new_session()
        warm(watched, revoked)
        assert through.post("/tokens/revoke", {"refresh_token": revoked.refresh_token}).ok
        assert watched.get("/account", revoked.access_token).status_code == 401

        _, trusted = through.new_session()
        warm(watched, trusted)
        end_without_a_word(trusted)
        assert watched.get("/account", trusted.access_token).status_code == 200, (
            "once listening again, the server answers from its memory of active sessions,"
            " so an ending nobody announced (written behind its back) is not seen"
        )
