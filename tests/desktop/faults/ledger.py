"""Every password and token the desktop tests used, and the places none of them may show up."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from desktop.core.errors import StorageError
from desktop.core.token_store import StoredEntry

# Shorter strings, like a test's deliberately weak "password", occur in ordinary text.
SHORTEST_SECRET = 12


class SecretLedger:
    """Collects secrets and texts from any thread; `findings` says where a secret leaked.

    Passwords and access tokens may appear nowhere. Refresh tokens are the one thing the app
    keeps: in the keyring and in token files, and nowhere else. A finding names the kind
    of secret and the place, never the secret.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.passwords: set[str] = set()
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.texts: list[tuple[str, str]] = []
        self.keyring_dumps: list[str] = []

    def add_password(self, password: str) -> None:
        with self._lock:
            self.passwords.add(password)

    def add_tokens(self, access_token: str, refresh_token: str) -> None:
        with self._lock:
            self.access_tokens.add(access_token)
            self.refresh_tokens.add(refresh_token)

    def add_text(self, where: str, text: str) -> None:
        with self._lock:
            self.texts.append((where, text))

    def add_keyring_dump(self, dump: str) -> None:
        with self._lock:
            self.keyring_dumps.append(dump)

    def _secrets(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(never stored anywhere, stored only in the token stores) as (kind, secret) pairs."""
        with self._lock:
            never = [("password", s) for s in self.passwords]
            never += [("access token", s) for s in self.access_tokens]
            kept = [("refresh token", s) for s in self.refresh_tokens]
        return long_enough(never), long_enough(kept)

    def findings(self, root: Path) -> list[str]:
        """Every leak into texts, keyring dumps, or files under `root`."""
        never, kept = self._secrets()
        with self._lock:
            texts, dumps = list(self.texts), list(self.keyring_dumps)
        found = leaks(texts, never + kept)
        found += leaks((("keyring", dump) for dump in dumps), never)
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            text = path.read_bytes().decode("latin-1")
            forbidden = never if is_token_file(text) else never + kept
            found += leaks([(str(path), text)], forbidden)
        return found


def is_token_file(text: str) -> bool:
    """Whether `text` is a file store's content: the contract's entries by server, nothing else."""
    try:
        entries = json.loads(text)
        if not isinstance(entries, dict) or not entries:
            return False
        for value in entries.values():
            StoredEntry.from_mapping(value)
    except (ValueError, StorageError):
        return False
    return True


def long_enough(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Leave out secrets too short to search for without false alarms."""
    return [(kind, secret) for kind, secret in pairs if len(secret) >= SHORTEST_SECRET]


def leaks(places: Iterable[tuple[str, str]], secrets: list[tuple[str, str]]) -> list[str]:
    """'<kind> in <place>' for each secret found in a place's text."""
    places = list(places)
    everything = "\n".join(text for _, text in places)
    present = [(kind, secret) for kind, secret in secrets if secret in everything]
    return [
        f"{kind} in {where}" for kind, secret in present for where, text in places if secret in text
    ]


class LedgerHandler(logging.Handler):
    """Hands every log record, formatted with its traceback, to the ledger."""

    def __init__(self, ledger: SecretLedger) -> None:
        super().__init__(logging.DEBUG)
        self.ledger = ledger

    def emit(self, record: logging.LogRecord) -> None:
        self.ledger.add_text(f"log record of {record.name}", self.format(record))
