"""A mark that changes whenever a session ends, seen at once by every server process on the host."""

from __future__ import annotations

import mmap
import os
import secrets
from pathlib import Path

MARK_BYTES = 8


class SessionEndSignal:
    """Eight bytes in a memory-mapped file of the data dir, replaced after every ended session.

    A reader keeps the mark it saw before reading a session: while the mark is unchanged, no
    session has ended since, in any process sharing the data dir. Reading is a memory read, no
    system call. Marks are random rather than counted, so two processes ending sessions at the
    same moment cannot write the same new value and undo each other's change.
    """

    def __init__(self, path: Path) -> None:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < MARK_BYTES:
                os.ftruncate(descriptor, MARK_BYTES)
            self._map = mmap.mmap(descriptor, MARK_BYTES)
        finally:
            os.close(descriptor)

    def mark(self) -> bytes:
        """The current mark; compare it with an earlier one to learn whether a session ended."""
        return self._map[:MARK_BYTES]

    def announce(self) -> None:
        """Tell every process that a session ended (call after the COMMIT that ended it)."""
        self._map[:MARK_BYTES] = secrets.token_bytes(MARK_BYTES)

    def close(self) -> None:
        self._map.close()
