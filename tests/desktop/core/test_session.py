"""The session core against the real server: refresh policy, single flight, rotation safety."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from desktop.core.client import ApiClient
from desktop.core.clock import Clock, SystemClock
from desktop.core.errors import Forbidden, InvalidGrant, NetworkDown, SessionLost, TokenRejected
from desktop.core.events import HttpExchange, SessionEvent, TokensIssued
from desktop.core.policy import Lifetime
from desktop.core.session import Session, Tokens
from desktop.core.token_store import StoredEntry, TokenStore
from desktop.storage.file_store import FileStore
from desktop.storage.memory_store import MemoryStore
from tests.desktop.conftest import Account
from tests.desktop.fakes import FakeClock
from tests.desktop.netfail import canned_server


def held(session: Session) -> Tokens:
    """The tokens the session holds; the test expects it to hold some."""
    tokens = session.tokens
    assert tokens is not None, "the session holds no tokens"
    return tokens


def access_token_of(session: Session) -> str:
    """The session's access token; the test expects one."""
    access_token = held(session).access_token
    assert access_token is not None, "the session has no access token yet"
    return access_token


def lifetime_of(session: Session) -> Lifetime:
    """The lifetime of the session's access token; the test expects one."""
    lifetime = held(session).lifetime
    assert lifetime is not None, "the session has no access token yet"
    return lifetime


def entry_in(store: TokenStore) -> StoredEntry:
    """The store's entry; the test expects one."""
    entry = store.load()
    assert entry is not None, "the store holds no entry"
    return entry


def all_tokens(results: list[object]) -> list[Tokens]:
    """What concurrent refreshes returned; the test expects tokens from every one."""
    assert all(isinstance(result, Tokens) for result in results), results
    return [result for result in results if isinstance(result, Tokens)]


class Recorder:
    """Collects what a session reports, from any thread."""

    def __init__(self) -> None:
        self.events: list[SessionEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: SessionEvent) -> None:
        with self._lock:
            self.events.append(event)

    def exchanges(self, path: str | None = None) -> list[HttpExchange]:
        return [
            e
            for e in self.events
            if isinstance(e, HttpExchange) and (path is None or e.path == path)
        ]

    def refreshes(self) -> list[HttpExchange]:
        return self.exchanges("/tokens/refresh")


def make_session(
    url: str, store: TokenStore, recorder: Recorder, clock: Clock | None = None
) -> Session:
    clock = clock or SystemClock()
    return Session(ApiClient(url, clock, recorder), store, clock, observer=recorder)


def signed_in(
    account: Account, store: TokenStore | None = None, clock: Clock | None = None
) -> tuple[Session, Recorder]:
    recorder = Recorder()
    session = make_session(account.server, store or MemoryStore(account.server), recorder, clock)
    session.sign_in(account.username, account.password)
    return session, recorder


def test_sign_in_stores_exactly_the_entry(server, make_account) -> None:
    account = make_account(server.url)
    store = MemoryStore(server.url)
    session, recorder = signed_in(account, store)
    tokens = session.tokens
    assert tokens is not None
    assert tokens.access_token
    assert store.load() == StoredEntry(
        server.url, account.username, tokens.refresh_token, tokens.session_id
    )
    issued = [e for e in recorder.events if isinstance(e, TokensIssued)]
    assert [(e.via, e.refresh_token_changed) for e in issued] == [("sign-in", True)]


def test_restore_refreshes_silently_with_the_stored_token(server, make_account, tmp_path) -> None:
    account = make_account(server.url)
    path = tmp_path / "tokens.json"
    first, _ = signed_in(account, FileStore(server.url, path))
    stored_before = FileStore(server.url, path).load()
    recorder = Recorder()
    second = make_session(server.url, FileStore(server.url, path), recorder)
    tokens = second.restore()
    assert tokens is not None
    assert tokens.session_id == held(first).session_id
    assert stored_before is not None
    assert tokens.refresh_token != stored_before.refresh_token
    assert entry_in(FileStore(server.url, path)).refresh_token == tokens.refresh_token
    assert [e.via for e in recorder.events if isinstance(e, TokensIssued)] == ["startup"]
    assert second.account()["username"] == account.username


def test_restore_with_nothing_stored_returns_none(server) -> None:
    assert make_session(server.url, MemoryStore(server.url), Recorder()).restore() is None


def refresh_from_eight_threads(session: Session) -> list[object]:
    """Eight callers at once; what each got back (tokens or the exception it raised)."""
    barrier = threading.Barrier(8)
    results: list[object] = []

    def refresh() -> None:
        barrier.wait()
        try:
            results.append(session.refresh())
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=refresh) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def slowed(session: Session, fail: bool) -> list[float]:
    """Hold every refresh for half a second, so all callers are waiting while it runs;
    with `fail`, the network then fails instead of reaching the server."""
    calls: list[float] = []
    real_refresh = session.client.refresh

    def refresh(refresh_token: str):
        calls.append(time.monotonic())
        time.sleep(0.5)
        if fail:
            raise NetworkDown("Cannot reach the server.")
        return real_refresh(refresh_token)

    session.client.refresh = refresh  # type: ignore[method-assign]
    return calls


def test_concurrent_callers_share_one_refresh(server, make_account) -> None:
    session, recorder = signed_in(make_account(server.url))
    calls = slowed(session, fail=False)
    results = refresh_from_eight_threads(session)
    assert len(calls) == len(recorder.refreshes()) == 1
    assert len({r.refresh_token for r in all_tokens(results)}) == 1


def test_concurrent_callers_share_one_failure_too(server, make_account) -> None:
    session, recorder = signed_in(make_account(server.url))
    calls = slowed(session, fail=True)
    results = refresh_from_eight_threads(session)
    assert len(calls) == 1
    assert recorder.refreshes() == []
    assert len(results) == 8
    assert all(isinstance(result, NetworkDown) for result in results)
    assert session.backoff.attempts == 1


def test_a_fresh_token_is_not_refreshed_again(server, make_account) -> None:
    clock = FakeClock()
    session, recorder = signed_in(make_account(server.url), clock=clock)
    clock.advance(lifetime_of(session).refresh_at - clock.wall() + 0.01)
    for _ in range(5):
        session.refresh(only_if_due=True)
    assert len(recorder.refreshes()) == 1
    for _ in range(5):
        session.account()
    assert len(recorder.refreshes()) == 1


def wait_until_refused(server_url: str, access_token: str, timeout: float = 10.0) -> None:
    """Ask the server until it refuses the token (it expired there), failing after `timeout`."""
    client = ApiClient(server_url, SystemClock())
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.account(access_token)
        except TokenRejected:
            return
        assert time.monotonic() < deadline, "the access token did not expire"
        time.sleep(0.1)


def test_a_401_refreshes_once_and_retries(start_server, make_account) -> None:
    server = start_server("--access-ttl", "1")
    clock = FakeClock()
    session, recorder = signed_in(make_account(server.url), clock=clock)
    wait_until_refused(server.url, access_token_of(session))
    recorder.events.clear()
    assert session.account()["username"]
    assert [(e.path, e.status) for e in recorder.exchanges()] == [
        ("/account", 401),
        ("/tokens/refresh", 200),
        ("/account", 200),
    ]


def test_concurrent_401s_share_one_refresh(start_server, make_account) -> None:
    server = start_server("--access-ttl", "1")
    session, recorder = signed_in(make_account(server.url), clock=FakeClock())
    failed = access_token_of(session)
    wait_until_refused(server.url, failed)
    barrier = threading.Barrier(4)
    answers = []

    def call() -> None:
        barrier.wait()
        answers.append(session.account())

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 4
    assert len(recorder.refreshes()) == 1


def test_a_403_is_never_answered_with_a_refresh(server, make_account) -> None:
    session, recorder = signed_in(make_account(server.url))
    with canned_server("403 Forbidden") as url, pytest.raises(Forbidden):
        session.call(ApiClient(url, SystemClock()).account)
    assert recorder.refreshes() == []


def test_a_clock_jump_refreshes_before_the_next_call(server, make_account) -> None:
    clock = FakeClock()
    session, recorder = signed_in(make_account(server.url), clock=clock)
    assert not session.is_due()
    clock.jump(3600)
    assert session.is_due()
    assert session.account()["username"]
    assert [(e.path, e.status) for e in recorder.exchanges()][-2:] == [
        ("/tokens/refresh", 200),
        ("/account", 200),
    ]


def test_invalid_grant_deletes_the_stored_token(server, make_account) -> None:
    account = make_account(server.url)
    store = MemoryStore(server.url)
    session, _ = signed_in(account, store)
    ApiClient(server.url, SystemClock()).revoke(held(session).refresh_token)
    with pytest.raises(SessionLost, match="sign in again"):
        session.refresh()
    assert session.tokens is None
    assert store.load() is None


def test_network_failure_backs_off_and_keeps_the_access_token(server, make_account) -> None:
    clock = FakeClock()
    session, recorder = signed_in(make_account(server.url), clock=clock)
    access = held(session).access_token
    server.kill()
    clock.advance(lifetime_of(session).refresh_at - clock.wall() + 0.01)
    with pytest.raises(NetworkDown):
        session.refresh(only_if_due=True)
    assert session.retry_at == pytest.approx(clock.wall() + 1, abs=0.11)
    assert session.call(lambda token: token) == access
    assert len(recorder.refreshes()) == 1
    with pytest.raises(NetworkDown):
        session.refresh()
    assert session.retry_at == pytest.approx(clock.wall() + 2, abs=0.21)
    server.restart()
    session.refresh()
    assert session.retry_at is None
    assert session.backoff.attempts == 0


def test_a_failed_save_keeps_the_new_token_in_memory(start_server, make_account, tmp_path) -> None:
    server = start_server("--reuse-grace", "0")
    path = tmp_path / "tokens.json"
    store = FileStore(server.url, path)
    session, _ = signed_in(make_account(server.url), store)
    older = entry_in(store)
    path.unlink()
    path.mkdir()
    session.refresh()
    assert session.persist_problem is not None
    assert "memory only" in session.persist_problem
    newer = held(session).refresh_token
    assert newer != older.refresh_token
    path.rmdir()
    store.save(older)
    session.refresh()
    assert session.persist_problem is None
    assert entry_in(store).refresh_token == held(session).refresh_token
    assert session.account()["session_id"] == older.session_id


def test_two_instances_adopt_each_others_rotations(server, make_account, tmp_path) -> None:
    account = make_account(server.url)
    path = tmp_path / "tokens.json"
    first, first_log = signed_in(account, FileStore(server.url, path))
    second_log = Recorder()
    second = make_session(server.url, FileStore(server.url, path), second_log)
    second.restore()
    for _ in range(4):
        first.refresh()
        second.refresh()
        assert first.account()["session_id"] == second.account()["session_id"]
    assert held(first).refresh_token != held(second).refresh_token
    assert entry_in(FileStore(server.url, path)).refresh_token == held(second).refresh_token
    statuses = {e.status for e in first_log.refreshes() + second_log.refreshes()}
    assert statuses == {200}


def test_revoke_when_offline_still_forgets_locally(server, make_account) -> None:
    account = make_account(server.url)
    store = MemoryStore(server.url)
    session, _ = signed_in(account, store)
    server.kill()
    ending = session.revoke()
    assert not ending.server_confirmed
    assert ending.local_problem == ""
    assert store.load() is None
    assert session.tokens is None


def test_revoke_ends_the_session_on_the_server(server, make_account) -> None:
    session, _ = signed_in(make_account(server.url))
    refresh_token = held(session).refresh_token
    assert session.revoke().server_confirmed
    with pytest.raises(InvalidGrant):
        ApiClient(server.url, SystemClock()).refresh(refresh_token)


def test_sign_out_everywhere_ends_other_sessions(server, make_account) -> None:
    account = make_account(server.url)
    here, _ = signed_in(account)
    elsewhere, _ = signed_in(account)
    here.sign_out_everywhere()
    assert here.tokens is None
    with pytest.raises(SessionLost):
        elsewhere.refresh()


def test_ending_one_session_from_the_list(server, make_account) -> None:
    account = make_account(server.url)
    here, _ = signed_in(account)
    elsewhere, _ = signed_in(account)
    ids = {s.id for s in here.sessions()}
    assert ids == {held(here).session_id, held(elsewhere).session_id}
    assert here.end_session(held(elsewhere).session_id) is None
    with pytest.raises(SessionLost):
        elsewhere.refresh()
    assert here.end_session(held(here).session_id) is not None
    assert here.tokens is None


def test_no_secret_reaches_the_event_log(server, make_account, tmp_path: Path) -> None:
    account = make_account(server.url)
    session, recorder = signed_in(account)
    secrets = {account.password, held(session).refresh_token, held(session).access_token}
    session.refresh()
    session.account()
    secrets |= {held(session).refresh_token, held(session).access_token}
    text = " ".join(e.detail for e in recorder.exchanges())
    assert not [s for s in secrets if s in text]


def test_a_lost_refresh_answer_is_recovered_by_the_reuse_grace(server, make_account) -> None:
    session, recorder = signed_in(make_account(server.url))
    presented = held(session).refresh_token
    lost = ApiClient(server.url, SystemClock()).refresh(presented)
    tokens = session.refresh()
    assert tokens.refresh_token == lost.refresh_token
    assert recorder.refreshes()[-1].status == 200
    session.refresh()
    assert session.account()["session_id"] == lost.session_id
