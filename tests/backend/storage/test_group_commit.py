"""The database thread's group commit: batched units commit together, a failing one alone fails."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from backend.storage.database import Database
from backend.storage.records import User
from backend.storage.sqlite import SqliteStore
from backend.storage.store import Store


class Boom(Exception):
    """A unit of work that fails on purpose."""


class CountingStore(SqliteStore):
    """The real store, counting the transactions it commits or rolls back."""

    transactions = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.transactions += 1
        with super().transaction():
            yield


def add(store: Store, name: str) -> bool:
    return store.add_user(User(f"id-{name}", name, "hash"), 0)


def add_then_fail(store: Store, name: str) -> bool:
    store.add_user(User(f"id-{name}", name, "hash"), 0)
    raise Boom(name)


async def run_batch(database: Database, names: list[str], failing: str) -> list[object]:
    """Queue every unit while the database thread is held, so they run as one batch."""
    started, release = threading.Event(), threading.Event()

    def hold(store: Store) -> bool:
        started.set()
        return release.wait(10)

    held = asyncio.ensure_future(database.run(hold))
    while not started.is_set():
        await asyncio.sleep(0.01)
    units = [database.run(add_then_fail if name == failing else add, name) for name in names]
    tasks = [asyncio.ensure_future(unit) for unit in units]
    await asyncio.sleep(0.05)
    release.set()
    await held
    return await asyncio.gather(*tasks, return_exceptions=True)


def test_one_failing_unit_does_not_undo_the_others(tmp_path: Path) -> None:
    store = CountingStore(tmp_path / "db.sqlite3")
    database = Database(store)
    try:
        names = ["ann", "bob", "cat", "dan"]
        results = asyncio.run(run_batch(database, names, failing="cat"))
        assert results[:2] == [True, True]
        assert isinstance(results[2], Boom)
        assert results[3] is True
        stored = {name: database.store.user_by_name(name) for name in names}
        assert stored["cat"] is None
        assert all(stored[name] is not None for name in ("ann", "bob", "dan"))
        assert store.transactions == 1 + 1 + len(names)
    finally:
        database.close()


def test_units_see_the_changes_of_earlier_units_in_the_batch(tmp_path: Path) -> None:
    store = CountingStore(tmp_path / "db.sqlite3")
    database = Database(store)
    try:
        results = asyncio.run(run_batch(database, ["eve", "eve", "fay"], failing=""))
        assert results == [True, False, True]
        assert store.transactions == 2
    finally:
        database.close()
