"""Locking, unlocking and reading a real gnome-keyring over D-Bus, as a person or tool would."""

from __future__ import annotations

import secretstorage
from jeepney.io.blocking import DBusConnection
from secretstorage.util import DBusAddressWrapper, format_secret, open_session

SERVICE_PATH = "/org/freedesktop/secrets"
GNOME_INTERFACE = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"


def lock_default_collection() -> None:
    """Lock the default collection through the Secret Service's own Lock call."""
    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
    finally:
        connection.close()


def unlock_collection(connection: DBusConnection, path: str, password: str) -> None:
    """Unlock with the password, as the login screen does: gnome-keyring's call, no prompt."""
    secret = format_secret(open_session(connection), password.encode(), "text/plain")
    gnome = DBusAddressWrapper(SERVICE_PATH, GNOME_INTERFACE, connection)
    gnome.call("UnlockWithMasterPassword", "o(oayays)", path, secret)


def unlock_default_collection(password: str) -> None:
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        unlock_collection(connection, collection.collection_path, password)
    finally:
        connection.close()


def dump_every_item(password: str) -> str:
    """Label, attributes and secret of every item in every collection (unlocked first)."""
    connection = secretstorage.dbus_init()
    lines = []
    try:
        for collection in secretstorage.get_all_collections(connection):
            if collection.is_locked():
                unlock_collection(connection, collection.collection_path, password)
            for item in collection.get_all_items():
                secret = item.get_secret().decode("utf-8", "replace")
                lines.append(f"{item.get_label()} {item.get_attributes()} {secret}")
    finally:
        connection.close()
    return "\n".join(lines)
