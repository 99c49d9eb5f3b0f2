"""WAL checkpoints on a thread of their own, so their fsyncs never hold up a transaction."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("backend.checkpoints")

WRITER_CHECKPOINT_PAGES = 4000
COALESCE_SECONDS = 0.2


class Checkpointer:
    """Copies committed WAL frames into the database file in the background.

    Left to itself, SQLite checkpoints inside a COMMIT once the WAL holds 1000 pages, and
    that checkpoint's fsyncs (two with synchronous=NORMAL) stall every transaction queued
    behind it for tens of milliseconds. A PASSIVE checkpoint on a second connection runs
    beside the writer instead, a moment after commits arrive (never while idle): 0.2 s, so a
    page that many rotations rewrite meanwhile (a session's row, an index's inner pages) is
    copied once, and the checkpoint's two fsyncs serve hundreds of commits. The
    writer keeps a higher automatic threshold as a safety net: its own checkpoint then
    finds little left to copy, and lets the WAL start over from its beginning.
    """

    def __init__(self, path: Path, synchronous: str) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.execute(f"PRAGMA synchronous={synchronous}")
        self._committed = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkpointer", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Note that a transaction committed; a checkpoint follows shortly."""
        self._committed.set()

    def _run(self) -> None:
        """Checkpoint a moment after commits, until closed. The close is looked at again
        before each wait: one that came after the pause would otherwise be lost when the
        wake-up it gave is cleared."""
        while not self._closing.is_set():
            self._committed.wait()
            if self._closing.wait(COALESCE_SECONDS):
                return
            self._committed.clear()
            try:
                self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error as error:
                log.warning("background checkpoint failed: %s", error)

    def close(self) -> None:
        self._closing.set()
        self._committed.set()
        self._thread.join()
        self._connection.close()
