"""The memory store: the refresh token is kept in this process only."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from desktop.core.token_store import StoredEntry, TokenStore


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
