"""The OS keyring store: every call on the keyring's own thread, with a timeout.

The calls themselves are in desktop.storage.keyring_access, loaded on that thread at the
first call: making the store costs no import of `keyring`.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import filelock

from desktop.core.errors import StoreTimeout, StoreUnavailable
from desktop.core.token_store import SERVICE, StoredEntry, TokenStore
from desktop.storage.private import LOCK_TIMEOUT, held, private_dir

if TYPE_CHECKING:
    from desktop.storage.keyring_access import KeyringAccess

KEYRING_TIMEOUT = 5.0
T = TypeVar("T")


class CallThread:
    """Runs calls one at a time on a daemon thread, so a hung call can be given up on."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]]] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def call(self, function: Callable[[], T], timeout: float) -> T:
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="keyring", daemon=True)
                self._thread.start()
        future: Future[T] = Future()
        self._calls.put((future, function))
        try:
            return future.result(timeout)
        except FutureTimeout:
            raise StoreTimeout(
                f"The keyring did not answer within {timeout:.0f} s "
                "(is it waiting to be unlocked?)."
            ) from None

    def _serve(self) -> None:
        while True:
            future, function = self._calls.get()
            try:
                future.set_result(function())
            except BaseException as error:  # handed to the caller, who raises it
                future.set_exception(error)


_keyring_thread = CallThread()


class KeyringStore(TokenStore):
    """The OS keyring through `keyring`, every call off the caller's thread with a timeout."""

    kind = "keyring"

    def __init__(self, server: str, lock_dir: Path, timeout: float = KEYRING_TIMEOUT) -> None:
        super().__init__(server)
        self.timeout = timeout
        self.lock_dir = lock_dir
        lock_name = sha256(self.key.encode()).hexdigest()[:16] + ".lock"
        self._file_lock = filelock.FileLock(lock_dir / lock_name, LOCK_TIMEOUT)
        self._backend = ""

    def _call(self, use: Callable[[KeyringAccess], T]) -> T:
        """`use` the keyring on its own thread, within the timeout."""

        def run() -> T:
            from desktop.storage.keyring_access import KeyringAccess, translated  # loads keyring

            return translated(lambda: use(KeyringAccess(self.key)))

        return _keyring_thread.call(run, self.timeout)

    def check(self) -> None:
        reason = self._call(lambda access: access.unusable_reason())
        if reason is not None:
            raise StoreUnavailable(f"The OS keyring cannot be used: {reason}.")
        self._backend = self._call(lambda access: access.backend_name())
        self._call(lambda access: access.load())

    def load(self) -> StoredEntry | None:
        text = self._call(lambda access: access.load())
        return None if text is None else StoredEntry.from_json(text)

    def save(self, entry: StoredEntry) -> None:
        text, label = entry.to_json(), entry.label
        self._call(lambda access: access.save(text, label))

    def delete(self) -> None:
        self._call(lambda access: access.delete())

    def describe(self) -> str:
        backend = f"{self._backend}, " if self._backend else ""
        return f"OS keyring ({backend}service {SERVICE})"

    def lock(self) -> contextlib.AbstractContextManager[Any]:
        private_dir(self.lock_dir)
        return held(self._file_lock)
