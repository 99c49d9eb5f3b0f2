"""The versioned schema: numbered SQL migrations per store, applied in order, in schema_version.

Each store has its own folder, `migrations/<dialect>/NNNN_name.sql`; one number means one
schema in every folder, so the stores move in step. A migration is never edited once
released: a change is a new file with the next number.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

from backend.errors import ConfigurationError

MIGRATION_FILE = re.compile(r"(?P<version>\d{4})_(?P<name>\w+)\.sql")
SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version"
    " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
)


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its number, its name and its SQL."""

    version: int
    name: str
    script: str


def migrations(dialect: str) -> list[Migration]:
    """A store's migrations in version order."""
    folder = resources.files("backend.storage") / "migrations" / dialect
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_FILE.fullmatch(entry.name)
        if match is not None:
            version, name = int(match["version"]), match["name"]
            found.append(Migration(version, name, entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda migration: migration.version)


def pending(available: list[Migration], applied: int) -> list[Migration]:
    """The migrations after version `applied`; a database newer than this server is refused."""
    latest = available[-1].version if available else 0
    if applied > latest:
        raise ConfigurationError(
            f"The database's schema is version {applied}, newer than this server knows"
            f" ({latest}): run a newer server on it."
        )
    return [migration for migration in available if migration.version > applied]


def statements(script: str) -> Iterator[str]:
    """A SQLite script's statements one by one (SQLite itself says where each one ends)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""
    if statement.strip():
        yield statement


class Steps(Protocol):
    """One engine's way to read the applied version and to apply one migration, inside the
    transaction (and under the lock) that its caller holds."""

    dialect: str

    def applied_version(self) -> int: ...

    def apply(self, migration: Migration, applied_at: int) -> None: ...


def upgrade(steps: Steps) -> int:
    """Apply every pending migration of the engine in order; returns the schema's version."""
    version = steps.applied_version()
    for migration in pending(migrations(steps.dialect), version):
        steps.apply(migration, int(time.time()))
        version = migration.version
    return version


class SqliteSteps:
    """Migrations on a SQLite connection."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def applied_version(self) -> int:
        self.connection.execute(SCHEMA_VERSION_TABLE)
        applied = self.connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(applied[0] or 0)

    def apply(self, migration: Migration, applied_at: int) -> None:
        for statement in statements(migration.script):
            self.connection.execute(statement)
        self.connection.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
            (migration.version, migration.name, applied_at),
        )


def migrate(connection: sqlite3.Connection) -> int:
    """Bring a SQLite database to the newest schema; returns its version.

    One transaction under the write lock, so of two servers starting at once on a new
    database one migrates it and the other finds it done; a failed step changes nothing.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = upgrade(SqliteSteps(connection))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return version
