"""Private places on disk: this user's own 0700 directories and the cross-process locks in them."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import filelock

from desktop.core.errors import StorageError, StoreTimeout
from desktop.core.token_store import SERVICE

LOCK_TIMEOUT = 20.0
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


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
