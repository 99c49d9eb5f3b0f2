"""The database thread: every unit of work in order, in a transaction, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar, TypeVarTuple

from backend.storage.store import StorageConflict, Store
from backend.threads import wake_without_preempting

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
MAX_BATCH = 64
CONFLICT_RETRIES = 3
CONFLICT_PAUSE_SECONDS = 0.005


@dataclass
class Job:
    """One unit of database work, the loop that awaits it, and how it went."""

    work: Callable[[], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    result: Any = None
    error: BaseException | None = None


def settle(jobs: list[Job]) -> None:
    """On the event loop: hand each job's result or error to the coroutine awaiting it."""
    for job in jobs:
        if job.future.done():
            continue
        if job.error is not None:
            job.future.set_exception(job.error)
        else:
            job.future.set_result(job.result)


class Database:
    """Runs every unit of work on one dedicated thread, in order, inside a transaction.

    Units that queue up while the thread is busy run together in one transaction (group
    commit): one COMMIT, so one fsync with synchronous=FULL, and one wake-up of the event
    loop serve the whole batch. Results are handed out only after the COMMIT, so a caller
    never answers with something that is not yet durable. If a unit raises, the batch is
    undone and each unit runs again alone: units must only touch the store. A unit the
    database undid for a conflict runs again after a short random pause, so that two servers
    that deadlocked do not meet again in step. On Linux the thread wakes without preempting
    the event loop (SCHED_BATCH, see threads.py): under load it runs when the loop waits,
    and the batch holds every unit queued meanwhile.
    """

    def __init__(self, store: Store, max_batch: int = MAX_BATCH) -> None:
        self.store = store
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="database", daemon=True)
        self._thread.start()

    async def run(self, work: Callable[[Store, *Ts], T], *args: *Ts) -> T:
        """Run `work(store, *args)` inside a transaction and return its result."""
        loop = asyncio.get_running_loop()
        job = Job(partial(work, self.store, *args), loop, loop.create_future())
        self._queue.put(job)
        result: T = await job.future
        return result

    def _serve(self) -> None:
        wake_without_preempting()
        while batch := self._next_batch():
            self._execute(batch)
            self._deliver(batch)

    def _next_batch(self) -> list[Job]:
        """The first job (waiting for it) and those queued behind it; empty once closed."""
        first = self._queue.get()
        if first is None:
            return []
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self._queue.put(None)
                break
            batch.append(job)
        return batch

    def _execute(self, batch: list[Job], attempt: int = 1) -> None:
        try:
            with self.store.transaction():
                for job in batch:
                    job.result = job.work()
        except Exception as error:
            if len(batch) > 1:
                for job in batch:
                    self._execute([job])
            elif isinstance(error, StorageConflict) and attempt < CONFLICT_RETRIES:
                time.sleep(random.uniform(0, CONFLICT_PAUSE_SECONDS * attempt))
                self._execute(batch, attempt + 1)
            else:
                batch[0].error = error

    @staticmethod
    def _deliver(batch: list[Job]) -> None:
        loops: dict[asyncio.AbstractEventLoop, list[Job]] = {}
        for job in batch:
            loops.setdefault(job.loop, []).append(job)
        for loop, jobs in loops.items():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, jobs)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self.store.close()
