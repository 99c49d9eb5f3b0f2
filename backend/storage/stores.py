"""The store the settings name: PostgreSQL for a database URL, else SQLite in the data dir."""

from __future__ import annotations

from backend.settings import Settings
from backend.storage.sqlite import SqliteStore
from backend.storage.store import Store


def open_store(settings: Settings) -> Store:
    """Open (and migrate) the store; psycopg is imported only for PostgreSQL."""
    if settings.database:
        from backend.storage.postgres import PostgresStore

        return PostgresStore(settings.database)
    return SqliteStore(settings.database_path, settings.sqlite_synchronous)
