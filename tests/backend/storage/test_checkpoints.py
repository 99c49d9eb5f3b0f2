"""The background checkpointer: woken by transactions that wrote, and only by them; it stops
when the store closes, whenever that happens."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from backend.storage.checkpoints import COALESCE_SECONDS, Checkpointer
from backend.storage.records import User
from backend.storage.sqlite import SqliteStore


def test_only_a_transaction_that_changed_rows_wakes_the_checkpointer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "auth.sqlite3")
    woken: list[bool] = []
    monkeypatch.setattr(store._checkpointer, "committed", lambda: woken.append(True))
    try:
        for _ in range(3):
            with store.transaction():
                store.signing_keys()
                store.user_by_name("alice")
        assert woken == []
        with store.transaction():
            assert store.add_user(User("u1", "alice", "hash"), 100)
        assert woken == [True]
        with store.transaction():
            assert not store.add_user(User("u2", "alice", "hash"), 100)
        assert woken == [True]
    finally:
        store.close()


@pytest.mark.timeout(30)
def test_a_close_that_comes_as_the_pause_after_a_commit_ends_stops_the_checkpointer(
    tmp_path: Path,
) -> None:
    """The checkpointer pauses after a commit before it checkpoints. Here its pause ends
    while this thread keeps the interpreter lock (a long switch interval), and the close
    comes before the checkpointer runs again: it must still see the close and stop, not
    clear the wake-up the close gave and wait for commits for ever (the close would hang,
    and the timeout fail the test)."""
    store = SqliteStore(tmp_path / "auth.sqlite3")
    checkpointer = Checkpointer(tmp_path / "auth.sqlite3", "FULL")
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    try:
        checkpointer.committed()
        time.sleep(0.005)
        deadline = time.perf_counter() + 3 * COALESCE_SECONDS
        while time.perf_counter() < deadline:
            pass
        checkpointer.close()
    finally:
        sys.setswitchinterval(interval)
        store.close()
