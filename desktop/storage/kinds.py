"""The kinds of token store by the names the command line uses, and the store for a name.

Each store's module loads only when a store of its kind is made: `keyring` and `filelock`
stay out of a start that uses neither.
"""

from __future__ import annotations

from pathlib import Path

from desktop.core.token_store import TokenStore

STORE_KINDS = ("keyring", "file", "memory")
TOKEN_FILE_NAME = "refresh-tokens.json"  # noqa: S105 (a file name)


def make_store(kind: str, server: str, data_dir: Path, lock_dir: Path | None = None) -> TokenStore:
    """The store named on the command line for `server`."""
    if kind == "keyring":
        from desktop.storage.keyring_store import KeyringStore
        from desktop.storage.private import default_lock_dir

        return KeyringStore(server, lock_dir or default_lock_dir())
    if kind == "file":
        from desktop.storage.file_store import FileStore

        return FileStore(server, data_dir / TOKEN_FILE_NAME)
    if kind == "memory":
        from desktop.storage.memory_store import MemoryStore

        return MemoryStore(server)
    raise ValueError(f"unknown token store {kind!r}; use one of {', '.join(STORE_KINDS)}")
