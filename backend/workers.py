"""Thread pools that keep database work and password hashing off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from backend.store import Store

T = TypeVar("T")


class Database:
    """Runs each unit of work as one transaction on a single dedicated thread, in order."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database")

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """Run `work(store, *args)` inside a transaction and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(self._transact, work, *args))

    def _transact(self, work: Callable[..., T], *args: object) -> T:
        with self.store.transaction():
            return work(self.store, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.store.close()


class Hasher:
    """A small pool for argon2, bounded so a burst of sign-ins cannot exhaust memory."""

    def __init__(self, threads: int = 2) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hasher")

    async def run(self, work: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(work, *args))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
