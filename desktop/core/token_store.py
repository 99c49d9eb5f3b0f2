"""What the session needs of a token store: the one entry it keeps, and the store's interface."""

from __future__ import annotations

import contextlib
import json
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop.core.errors import StorageError
from desktop.core.redact import shorten

SERVICE = "jwt-refresh-demo"


def server_key(url: str) -> str:
    """The entry's key: the server's base URL as given, without a trailing slash."""
    return url.rstrip("/")


@dataclass(frozen=True)
class StoredEntry:
    """The one thing the app keeps: never the password, never the access token."""

    server: str
    username: str
    refresh_token: str = field(repr=False)
    session_id: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_mapping(cls, value: Any) -> StoredEntry:
        """Parse the contract's object, which has exactly the four string fields."""
        names = {"server", "username", "refresh_token", "session_id"}
        if not isinstance(value, dict) or set(value) != names:
            raise StorageError("The stored entry is not in the expected format.")
        if not all(isinstance(value[name], str) and value[name] for name in names):
            raise StorageError("The stored entry has an empty or non-text field.")
        return cls(**value)

    @classmethod
    def from_json(cls, text: str) -> StoredEntry:
        try:
            value = json.loads(text)
        except ValueError:
            raise StorageError("The stored entry is not valid JSON.") from None
        return cls.from_mapping(value)

    @property
    def label(self) -> str:
        """The entry's name where a store shows names, as in a keyring viewer."""
        return f"Refresh token for {self.username} at {self.server}"

    def masked(self) -> dict[str, str]:
        """The entry with the refresh token shortened, fit to show on screen."""
        return {**asdict(self), "refresh_token": shorten(self.refresh_token)}


class TokenStore(ABC):
    """One server's entry in one kind of store."""

    kind: str

    def __init__(self, server: str) -> None:
        self.key = server_key(server)

    def check(self) -> None:  # noqa: B027 (most stores are always usable)
        """Raise StoreUnavailable if this store cannot be used on this machine."""

    @abstractmethod
    def load(self) -> StoredEntry | None: ...

    @abstractmethod
    def save(self, entry: StoredEntry) -> None: ...

    @abstractmethod
    def delete(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """Where the token is kept, in words."""

    @abstractmethod
    def lock(self) -> contextlib.AbstractContextManager[Any]:
        """Held while refreshing, so instances of the app sharing this store take turns."""
