"""The kinds of token store by the names the command line uses, and the store for a name."""

from __future__ import annotations

from pathlib import Path

from desktop.core.token_store import TokenStore
from desktop.storage.file_store import FileStore
from desktop.storage.keyring_store import KeyringStore
from desktop.storage.memory_store import MemoryStore
from desktop.storage.private import default_lock_dir

STORE_KINDS = ("keyring", "file", "memory")
TOKEN_FILE_NAME = "refresh-tokens.json"  # noqa: S105 (a file name)


def make_store(kind: str, server: str, data_dir: Path, lock_dir: Path | None = None) -> TokenStore:
    """The store named on the command line for `server`."""
    if kind == "keyring":
        return KeyringStore(server, lock_dir or default_lock_dir())
    if kind == "file":
        return FileStore(server, data_dir / TOKEN_FILE_NAME)
    if kind == "memory":
        return MemoryStore(server)
    raise ValueError(f"unknown token store {kind!r}; use one of {', '.join(STORE_KINDS)}")
