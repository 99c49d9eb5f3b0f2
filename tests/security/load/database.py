"""Checks of a stopped server's database, opened read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.server_process import ServerProcess


def assert_database_intact(server: ServerProcess) -> None:
    """Stop the server and check its database: SQLite's own checks, and the chain invariant
    (every stored token hash is a sign-in or one rotation, so nothing was half written)."""
    assert server.stop() == 0
    database = Path(server.data_dir, "auth.sqlite3")
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        (tokens,) = connection.execute("SELECT COUNT(*) FROM refresh_tokens").fetchone()
        (sessions, rotations) = connection.execute(
            "SELECT COUNT(*), COALESCE(SUM(refresh_count), 0) FROM sessions"
        ).fetchone()
    finally:
        connection.close()
    assert tokens == sessions + rotations, (tokens, sessions, rotations)
