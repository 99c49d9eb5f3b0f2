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
        raise RuntimeError(
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


def migrate(connection: sqlite3.Connection) -> int:
    """Bring a SQLite database to the newest schema; returns its version.

    One transaction under the write lock, so of two servers starting at once on a new
    database one migrates it and the other finds it done; a failed step changes nothing.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(SCHEMA_VERSION_TABLE)
        applied = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        version = applied or 0
        for migration in pending(migrations("sqlite"), version):
            for statement in statements(migration.script):
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, int(time.time())),
            )
            version = migration.version
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return version
