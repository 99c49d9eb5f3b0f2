"""The background checkpointer is woken by transactions that wrote, and only by them."""

from __future__ import annotations

from pathlib import Path

import pytest

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
