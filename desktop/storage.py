"""Where the refresh token lives: the OS keyring, a 0600 file or memory, behind one interface."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any, TypeVar

import filelock
import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors

from desktop.errors import StorageError, StoreTimeout, StoreUnavailable
from desktop.redact import shorten

SERVICE = "jwt-refresh-demo"
STORE_KINDS = ("keyring", "file", "memory")
TOKEN_FILE_NAME = "refresh-tokens.json"  # noqa: S105 (a file name)
KEYRING_TIMEOUT = 5.0
LOCK_TIMEOUT = 20.0
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
T = TypeVar("T")


def server_key(url: str) -> str:
    """The entry's key: the server's base URL as given, without a trailing slash."""
    return url.rstrip("/")


@dataclass(frozen=True)
class StoredEntry:
    """The one thing the app keeps: never the password, never the access token."""

    server: str
    username: str
    refresh_token: str = field(repr=False)
    session_id: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_mapping(cls, value: Any) -> StoredEntry:
        """Parse the contract's object, which has exactly the four string fields."""
        names = {"server", "username", "refresh_token", "session_id"}
        if not isinstance(value, dict) or set(value) != names:
            raise StorageError("The stored entry is not in the expected format.")
        if not all(isinstance(value[name], str) and value[name] for name in names):
            raise StorageError("The stored entry has an empty or non-text field.")
        return cls(**value)

    @classmethod
    def from_json(cls, text: str) -> StoredEntry:
        try:
            value = json.loads(text)
        except ValueError:
            raise StorageError("The stored entry is not valid JSON.") from None
        return cls.from_mapping(value)

    def masked(self) -> dict[str, str]:
        """The entry with the refresh token shortened, fit to show on screen."""
        return {**asdict(self), "refresh_token": shorten(self.refresh_token)}


def private_dir(path: Path) -> Path:
    """Create `path` (mode 0700) if needed and make sure it is ours and not a symlink."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    info = path.lstat()
    if path.is_symlink() or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise StorageError(f"{path} is not a private directory of this user.")
    return path


def default_lock_dir() -> Path:
    """A per-user directory for lock files that every instance of the app shares."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / SERVICE
    user = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    return Path(tempfile.gettempdir()) / f"{SERVICE}-{user}"


@contextlib.contextmanager
def held(lock: filelock.BaseFileLock) -> Iterator[None]:
    """Hold a cross-process file lock, turning a timeout into a StorageError."""
    try:
        lock.acquire()
    except filelock.Timeout:
        raise StoreTimeout("Another instance of the app holds the token lock.") from None
    try:
        yield
    finally:
        lock.release()


class TokenStore(ABC):
    """One server's entry in one kind of store."""

    kind: str

    def __init__(self, server: str) -> None:
        self.key = server_key(server)

    def check(self) -> None:  # noqa: B027 (most stores are always usable)
        """Raise StoreUnavailable if this store cannot be used on this machine."""

    @abstractmethod
    def load(self) -> StoredEntry | None: ...

    @abstractmethod
    def save(self, entry: StoredEntry) -> None: ...

    @abstractmethod
    def delete(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """Where the token is kept, in words."""

    @abstractmethod
    def lock(self) -> contextlib.AbstractContextManager[Any]:
        """Held while refreshing, so instances of the app sharing this store take turns."""


class MemoryStore(TokenStore):
    """Kept in this process only: the next start asks for the password again."""

    kind = "memory"

    def __init__(self, server: str) -> None:
        super().__init__(server)
        self._entry: StoredEntry | None = None
        self._lock = threading.RLock()

    def load(self) -> StoredEntry | None:
        return self._entry

    def save(self, entry: StoredEntry) -> None:
        self._entry = entry

    def delete(self) -> None:
        self._entry = None

    def describe(self) -> str:
        return "memory only (forgotten when the app quits)"

    def lock(self) -> contextlib.AbstractContextManager[Any]:
        return self._lock


class FileStore(TokenStore):
    """A JSON file of entries by server, mode 0600, replaced atomically on every write."""

    kind = "file"

    def __init__(self, server: str, path: Path) -> None:
        super().__init__(server)
        self.path = path
        self._file_lock = filelock.FileLock(path.with_name(path.name + ".lock"), LOCK_TIMEOUT)

    def check(self) -> None:
        private_dir(self.path.parent)

    def _read_all(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise StorageError(f"Cannot read {self.path}: {error.strerror}") from None
        try:
            entries = json.loads(text)
        except ValueError:
            raise StorageError(f"{self.path} is not valid JSON.") from None
        if not isinstance(entries, dict):
            raise StorageError(f"{self.path} does not hold entries by server.")
        return entries

    def _write_all(self, entries: dict[str, Any]) -> None:
        directory = private_dir(self.path.parent)
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
        try:
            os.fchmod(handle, PRIVATE_FILE_MODE)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entries, stream, indent=2, sort_keys=True)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise StorageError(f"Cannot write {self.path}: {error.strerror}") from None

    def load(self) -> StoredEntry | None:
        with self.lock():
            value = self._read_all().get(self.key)
        return None if value is None else StoredEntry.from_mapping(value)

    def save(self, entry: StoredEntry) -> None:
        with self.lock():
            entries = self._read_all()
            entries[self.key] = json.loads(entry.to_json())
            self._write_all(entries)

    def delete(self) -> None:
        with self.lock():
            entries = self._read_all()
            if entries.pop(self.key, None) is not None:
                self._write_all(entries)

    def describe(self) -> str:
        return f"file {self.path} (mode 0600)"

    def lock(self) -> contextlib.AbstractContextManager[Any]:
        private_dir(self.path.parent)
        return held(self._file_lock)


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
        self._call(lambda: keyring.set_password(SERVICE, self.key, text))

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


def make_store(kind: str, server: str, data_dir: Path, lock_dir: Path | None = None) -> TokenStore:
    """The store named on the command line for `server`."""
    if kind == "keyring":
        return KeyringStore(server, lock_dir or default_lock_dir())
    if kind == "file":
        return FileStore(server, data_dir / TOKEN_FILE_NAME)
    if kind == "memory":
        return MemoryStore(server)
    raise ValueError(f"unknown token store {kind!r}; use one of {', '.join(STORE_KINDS)}")
