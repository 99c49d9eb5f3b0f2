"""The server's own threads in Linux's scheduler: the database thread and the hashers give way."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from backend.core.passwords import Hasher
from backend.storage.database import Database
from backend.storage.sqlite import SqliteStore
from backend.storage.store import Store
from backend.threads import take_only_idle_time, wake_without_preempting

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="these scheduling policies are Linux's"
)


def own_thread(store: Store) -> int:
    return threading.get_native_id()


def test_the_database_thread_wakes_without_preempting_the_event_loop(tmp_path: Path) -> None:
    database = Database(SqliteStore(tmp_path / "auth.sqlite3"))
    try:
        thread = asyncio.run(database.run(own_thread))
        assert thread != threading.get_native_id()
        assert os.sched_getscheduler(thread) == os.SCHED_BATCH
    finally:
        database.close()


def test_a_hasher_thread_takes_only_idle_time() -> None:
    hasher = Hasher(threads=1)
    try:
        thread = asyncio.run(hasher.run(threading.get_native_id))
        assert thread != threading.get_native_id()
        assert os.sched_getscheduler(thread) == os.SCHED_IDLE
    finally:
        hasher.close()


@pytest.mark.parametrize(
    ("give_way", "policy_name"),
    [(wake_without_preempting, "SCHED_BATCH"), (take_only_idle_time, "SCHED_IDLE")],
)
def test_each_changes_only_the_calling_thread(
    give_way: Callable[[], None], policy_name: str
) -> None:
    """The policies are named, not looked up at collection: elsewhere `os` lacks them."""
    seen: list[int] = []

    def on_a_thread() -> None:
        give_way()
        seen.append(os.sched_getscheduler(threading.get_native_id()))

    worker = threading.Thread(target=on_a_thread)
    worker.start()
    worker.join()
    assert seen == [getattr(os, policy_name)]
    assert os.sched_getscheduler(threading.get_native_id()) == os.SCHED_OTHER
