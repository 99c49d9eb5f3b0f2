"""The end-of-session signal and the memory of active sessions built on it."""

from __future__ import annotations

import stat
from pathlib import Path

from backend.core.session_cache import ActiveSessionCache
from backend.storage.records import EndReason, User
from backend.storage.session_signal import SessionEndSignal
from backend.storage.sqlite import SqliteStore
from tests.support.records import active_session


def test_every_mapping_of_the_file_sees_an_announcement(tmp_path: Path) -> None:
    path = tmp_path / "auth.sqlite3-ended"
    mine, theirs = SessionEndSignal(path), SessionEndSignal(path)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        before = mine.mark()
        assert theirs.mark() == before
        theirs.announce()
        assert mine.mark() != before
        assert mine.mark() == theirs.mark()
    finally:
        mine.close()
        theirs.close()


def test_a_remembered_session_holds_until_a_session_ends_or_it_expires(tmp_path: Path) -> None:
    signal = SessionEndSignal(tmp_path / "ended")
    cache = ActiveSessionCache(signal)
    cache.remember(active_session("a"), cache.mark())
    assert cache.holds("a", "user", 999.5)
    assert not cache.holds("a", "someone else", 999.5)
    assert not cache.holds("b", "user", 0)
    assert not cache.holds("a", "user", 1_000)
    cache.remember(active_session("a"), cache.mark())
    signal.announce()
    assert not cache.holds("a", "user", 0)
    assert len(cache) == 0
    signal.close()


def test_a_read_that_raced_an_ending_is_not_trusted(tmp_path: Path) -> None:
    signal = SessionEndSignal(tmp_path / "ended")
    cache = ActiveSessionCache(signal)
    mark = cache.mark()
    signal.announce()
    cache.remember(active_session("a"), mark)
    assert not cache.holds("a", "user", 0)
    signal.close()


def test_a_full_cache_drops_stale_entries_then_the_oldest(tmp_path: Path) -> None:
    signal = SessionEndSignal(tmp_path / "ended")
    cache = ActiveSessionCache(signal, capacity=8)
    stale = cache.mark()
    signal.announce()
    for number in range(4):
        cache.remember(active_session(f"stale{number}"), stale)
    for number in range(4):
        cache.remember(active_session(f"fresh{number}"), cache.mark())
    cache.remember(active_session("newest"), cache.mark())
    assert len(cache) == 5
    for number in range(6):
        cache.remember(active_session(f"more{number}"), cache.mark())
    assert len(cache) <= 8
    assert cache.holds("more5", "user", 0)
    assert not cache.holds("fresh0", "user", 0)
    signal.close()


def test_only_a_commit_that_ended_a_session_changes_the_mark(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "auth.sqlite3")
    try:
        with store.transaction():
            store.add_user(User("user", "alice", "hash"), 0)
            store.add_session(active_session("a"), b"token-hash")
        before = store.ended_signal.mark()
        with store.transaction():
            assert store.end_session("a", EndReason.REVOKED, 1)
        ended = store.ended_signal.mark()
        assert ended != before
        with store.transaction():
            assert not store.end_session("a", EndReason.REVOKED, 2)
            assert store.end_sessions_of("user", EndReason.REVOKED_EVERYWHERE, 2) == 0
        assert store.ended_signal.mark() == ended
    finally:
        store.close()
