"""The OS keyring store: the only module that imports `keyring`, every call with a timeout."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from hashlib import sha256
from pathlib import Path
from typing import Any, TypeVar

import filelock
import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.backends.SecretService
import keyring.errors

from desktop.core.errors import StorageError, StoreTimeout, StoreUnavailable
from desktop.core.token_store import SERVICE, StoredEntry, TokenStore
from desktop.storage.private import LOCK_TIMEOUT, held, private_dir

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


def keyring_backend_name() -> str:
    """The keyring backend the `keyring` package chose, e.g. 'SecretService Keyring'."""
    backend = keyring.get_keyring()
    return getattr(backend, "name", type(backend).__name__)


def unusable_keyring_reason() -> str | None:
    """Why the chosen keyring backend cannot hold secrets, or None if it can."""
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        return "no keyring backend is available on this system"
    if isinstance(backend, keyring.backends.null.Keyring):
        return "the keyring is disabled (null backend)"
    if isinstance(backend, keyring.backends.chainer.ChainerBackend) and not backend.backends:
        return "no keyring backend is available on this system"
    return None


def set_labelled(key: str, text: str, label: str) -> None:
    """Store `text` under `key`, named `label` where the keyring shows names.

    The Secret Service (GNOME Keyring, KWallet) shows each item's label in its viewer, and
    `keyring` would call it "Password for ...": the item is written here as `keyring`
    writes it, with the same attributes so that `keyring` finds it, under `label`. Other
    keyrings name the item after the service, which `keyring` does without being asked.
    """
    backend = keyring.get_keyring()
    if not isinstance(backend, keyring.backends.SecretService.Keyring):
        keyring.set_password(SERVICE, key, text)
        return
    names = backend.schemes[backend.scheme]
    attributes = {names["service"]: SERVICE, names["username"]: key, "application": backend.appid}
    collection = backend.get_preferred_collection()  # type: ignore[no-untyped-call]
    with contextlib.closing(collection.connection):
        collection.create_item(label, attributes, text, replace=True)


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

    def _call(self, function: Callable[[], T]) -> T:
        try:
            return _keyring_thread.call(function, self.timeout)
        except keyring.errors.KeyringLocked:
            raise StoreUnavailable("The keyring is locked and could not be unlocked.") from None
        except keyring.errors.NoKeyringError:
            raise StoreUnavailable("No keyring backend is available on this system.") from None
        except keyring.errors.InitError:
            raise StoreUnavailable(
                "The keyring could not open its collection (is it locked, or not set up?)."
            ) from None
        except StorageError:
            raise
        except Exception as error:
            raise StorageError(f"The keyring failed ({type(error).__name__}).") from None

    def check(self) -> None:
        reason = self._call(unusable_keyring_reason)
        if reason is not None:
            raise StoreUnavailable(f"The OS keyring cannot be used: {reason}.")
        self._backend = self._call(keyring_backend_name)
        self._call(lambda: keyring.get_password(SERVICE, self.key))

    def load(self) -> StoredEntry | None:
        text = self._call(lambda: keyring.get_password(SERVICE, self.key))
        return None if text is None else StoredEntry.from_json(text)

    def save(self, entry: StoredEntry) -> None:
        text = entry.to_json()
        self._call(lambda: set_labelled(self.key, text, entry.label))

    def delete(self) -> None:
        def delete_if_present() -> None:
            if keyring.get_password(SERVICE, self.key) is not None:
                keyring.delete_password(SERVICE, self.key)

        self._call(delete_if_present)

    def describe(self) -> str:
        backend = f"{self._backend}, " if self._backend else ""
        return f"OS keyring ({backend}service {SERVICE})"

    def lock(self) -> contextlib.AbstractContextManager[Any]:
        private_dir(self.lock_dir)
        return held(self._file_lock)
