"""The file store: entries by server in a JSON file of mode 0600, replaced atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import filelock

from desktop.core.errors import StorageError
from desktop.core.token_store import StoredEntry, TokenStore
from desktop.storage.private import LOCK_TIMEOUT, PRIVATE_FILE_MODE, held, private_dir


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
