"""Secret files in the data dir: created once with mode 0600, never replaced."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def load_or_create_secret(path: Path, make: Callable[[], bytes]) -> bytes:
    """Return the file's bytes, creating it atomically with `make()` and mode 0600 if absent."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(make())
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_bytes()
