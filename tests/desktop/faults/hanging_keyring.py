"""A keyring backend whose calls block while told to: the one fake of the fault tests.

A Secret Service that really hangs (a prompt nobody answers, a daemon stuck in I/O) cannot
be produced on demand and released again, so this backend stands in for one. Outside a hang
it keeps entries in memory like a working keyring.
"""

from __future__ import annotations

import threading

import keyring.backend

RELEASE_LIMIT = 120.0


class HangingKeyring(keyring.backend.KeyringBackend):
    """Every call waits while `hang()` is in force, and proceeds after `release()`.

    It inherits the base class's missing priority, so `keyring` never chooses it by itself.
    """

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self._free = threading.Event()
        self._free.set()
        self.blocked = 0

    def hang(self) -> None:
        self._free.clear()

    def release(self) -> None:
        self._free.set()

    def _wait(self) -> None:
        if not self._free.is_set():
            self.blocked += 1
        self._free.wait(RELEASE_LIMIT)

    def get_password(self, service: str, username: str) -> str | None:
        self._wait()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._wait()
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._wait()
        self.entries.pop((service, username), None)
