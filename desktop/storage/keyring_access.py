"""The calls into `keyring`, the only module that imports it, with its errors put in words.

The keyring store loads this module on its own thread at its first call, so a window that
keeps its refresh token in the keyring paints before `keyring` (about 60 ms) has loaded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.backends.SecretService
import keyring.errors

from desktop.core.errors import StorageError, StoreUnavailable
from desktop.core.token_store import SERVICE

T = TypeVar("T")


def translated(function: Callable[[], T]) -> T:
    """Run `function`; a failure of the keyring becomes a StorageError that says what failed."""
    try:
        return function()
    except keyring.errors.KeyringLocked:
        raise StoreUnavailable("The keyring is locked and could not be unlocked.") from None
    except keyring.errors.NoKeyringError:
        raise StoreUnavailable("No keyring backend is available on this system.") from None
    except keyring.errors.InitError:
        raise StoreUnavailable(
            "The keyring could not open its collection (is it locked, or not set up?)."
        ) from None
    except StorageError:
        raise
    except Exception as error:
        raise StorageError(f"The keyring failed ({type(error).__name__}).") from None


class KeyringAccess:
    """The keyring's operations on the item kept under one key."""

    def __init__(self, key: str) -> None:
        self.key = key

    def backend_name(self) -> str:
        """The keyring backend the `keyring` package chose, e.g. 'SecretService Keyring'."""
        backend = keyring.get_keyring()
        return getattr(backend, "name", type(backend).__name__)

    def unusable_reason(self) -> str | None:
        """Why the chosen keyring backend cannot hold secrets, or None if it can."""
        backend = keyring.get_keyring()
        if isinstance(backend, keyring.backends.fail.Keyring):
            return "no keyring backend is available on this system"
        if isinstance(backend, keyring.backends.null.Keyring):
            return "the keyring is disabled (null backend)"
        if isinstance(backend, keyring.backends.chainer.ChainerBackend) and not backend.backends:
            return "no keyring backend is available on this system"
        return None

    def load(self) -> str | None:
        return keyring.get_password(SERVICE, self.key)

    def save(self, text: str, label: str) -> None:
        """Store `text`, named `label` where the keyring shows names.

        The Secret Service (GNOME Keyring, KWallet) shows each item's label in its viewer,
        and `keyring` would call it "Password for ...": the item is written here as
        `keyring` writes it, with the same attributes so that `keyring` finds it, under
        `label`. Other keyrings name the item after the service, which `keyring` does
        without being asked.
        """
        backend = keyring.get_keyring()
        if not isinstance(backend, keyring.backends.SecretService.Keyring):
            keyring.set_password(SERVICE, self.key, text)
            return
        names = backend.schemes[backend.scheme]
        attributes = {
            names["service"]: SERVICE,
            names["username"]: self.key,
            "application": backend.appid,
        }
        collection = backend.get_preferred_collection()  # type: ignore[no-untyped-call]
        with contextlib.closing(collection.connection):
            collection.create_item(label, attributes, text, replace=True)

    def delete(self) -> None:
        """Delete the item, if there is one."""
        if keyring.get_password(SERVICE, self.key) is not None:
            keyring.delete_password(SERVICE, self.key)
