"""The store chosen when the keyring could not be used, remembered so the app asks only once."""

from __future__ import annotations

from pathlib import Path

from desktop.core.errors import StorageError
from desktop.storage.private import private_dir

CHOICE_FILE_NAME = "token-store-choice"
FALLBACK_KINDS = ("file", "memory")


class StoreChoice:
    """One word in a file of the data dir, `file` or `memory`; no secret, so plain text."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / CHOICE_FILE_NAME

    def load(self) -> str | None:
        """The remembered kind, or None if there is none (or the file makes no sense)."""
        try:
            kind = self.path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return kind if kind in FALLBACK_KINDS else None

    def save(self, kind: str) -> None:
        """Remember `kind`; raises StorageError saying why it could not."""
        if kind not in FALLBACK_KINDS:
            raise ValueError(f"only {' or '.join(FALLBACK_KINDS)} is remembered, not {kind!r}")
        try:
            private_dir(self.path.parent)
            self.path.write_text(f"{kind}\n", encoding="utf-8")
        except OSError as error:
            raise StorageError(f"Cannot write {self.path}: {error.strerror}") from None
