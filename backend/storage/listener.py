"""Ended sessions heard through LISTEN/NOTIFY by every server: a mark that fails closed."""

from __future__ import annotations

import logging
import os
import secrets
import select
import threading
from dataclasses import dataclass, field

import psycopg
from psycopg.conninfo import make_conninfo

log = logging.getLogger("backend.storage")

ENDED_CHANNEL = "jwt_refresh_session_ended"
HEARD_CHANNEL = "jwt_refresh_session_ended_heard"
LISTENER_NAME = "jwt-refresh-server listener"
MARK_BYTES = 8
HEARTBEAT_SECONDS = 2.0
RECONNECT_SECONDS = (0.05, 0.2, 0.5, 1.0)


def conninfo(url: str, name: str) -> str:
    """The URL's connection, named in pg_stat_activity, with timeouts that find a dead line."""
    return make_conninfo(
        url,
        application_name=name,
        connect_timeout=5,
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=2,
        tcp_user_timeout=5000,
    )


@dataclass
class Hearing:
    """How many listeners have said they heard one ending, of how many there were."""

    expected: int
    heard: int = 0
    everyone: threading.Event = field(default_factory=threading.Event)


class SessionEndListener:
    """A connection of its own that LISTENs for ended sessions; the mark changes at each one.

    Every COMMIT that ends a session sends a NOTIFY with a word of its own (see postgres.py),
    and every server's listener receives it, changes the mark, then answers on a second
    channel that it heard that word. The server that ended the session waits for those
    answers before it answers its client, so its client's next request, whichever server
    it reaches, meets a server that knows. While the connection is down nothing can be
    heard, so `mark()` answers a new random value at every call: no remembered session is
    trusted, and each request reads its session from the database. Once LISTEN is in place
    again the mark becomes steady at a value never seen before, so what was remembered
    before the outage is read again too. A heartbeat query finds a connection that died
    silently.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._mark: bytes | None = None
        self._state = threading.Lock()
        self._hearings: dict[str, Hearing] = {}
        self._wake_read, self._wake_write = os.pipe()
        self._closing = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="session-end-listener", daemon=True)
        self._thread.start()

    @property
    def listening(self) -> bool:
        """True while LISTEN is in place, so that every ended session is heard."""
        return self._mark is not None

    def wait_until_listening(self, timeout: float) -> bool:
        """Wait for the first connection (a server that starts fails closed until then)."""
        return self._connected.wait(timeout)

    def mark(self) -> bytes:
        """The current mark: steady while listening, new at every call while not."""
        mark = self._mark
        return mark if mark is not None else secrets.token_bytes(MARK_BYTES)

    def announce(self) -> None:
        """Change the mark at once for this process (its own ending; others hear the NOTIFY)."""
        with self._state:
            if self._mark is not None:
                self._mark = secrets.token_bytes(MARK_BYTES)

    def expect(self, word: str, listeners: int) -> None:
        """Count the answers to `word` from now on, until `listeners` have heard it."""
        with self._state:
            self._hearings[word] = Hearing(listeners)

    def await_hearing(self, word: str, timeout: float) -> bool:
        """Wait until every listener expected has heard `word`; False if some did not in time."""
        hearing = self._hearings.get(word)
        try:
            return hearing is None or hearing.everyone.wait(timeout)
        finally:
            self.forget(word)

    def forget(self, word: str) -> None:
        """Stop counting answers to `word` (heard by all, or never sent)."""
        with self._state:
            self._hearings.pop(word, None)

    def _listen(self, mark: bytes | None) -> None:
        with self._state:
            self._mark = mark

    def _heard(self, word: str) -> None:
        with self._state:
            hearing = self._hearings.get(word)
            if hearing is not None:
                hearing.heard += 1
                if hearing.heard >= hearing.expected:
                    hearing.everyone.set()

    def _run(self) -> None:
        failures = 0
        while not self._closing.is_set():
            try:
                with psycopg.connect(
                    conninfo(self.url, LISTENER_NAME), autocommit=True
                ) as connection:
                    connection.execute(f"LISTEN {ENDED_CHANNEL}")
                    connection.execute(f"LISTEN {HEARD_CHANNEL}")
                    self._listen(secrets.token_bytes(MARK_BYTES))
                    self._connected.set()
                    if failures:
                        log.warning("listening for ended sessions again; the cache is trusted")
                    failures = 0
                    self._hear(connection)
            except psycopg.Error as error:
                self._listen(None)
                if failures == 0:
                    log.warning(
                        "the listener for ended sessions lost its connection (%s); every"
                        " request reads its session from the database until it is back",
                        " ".join(str(error).split()) or type(error).__name__,
                    )
                pause = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                self._closing.wait(pause)
        self._listen(None)

    def _hear(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        """Change the mark at every ending heard and answer it; a heartbeat when quiet."""
        while not self._closing.is_set():
            ended = []
            for notification in connection.notifies(timeout=0):
                if notification.channel == ENDED_CHANNEL:
                    ended.append(notification.payload)
                else:
                    self._heard(notification.payload)
            if ended:
                self.announce()
                for word in ended:
                    connection.execute("SELECT pg_notify(%s, %s)", (HEARD_CHANNEL, word))
                continue
            readable, _, _ = select.select(
                [connection.fileno(), self._wake_read], [], [], HEARTBEAT_SECONDS
            )
            if self._wake_read in readable:
                return
            if not readable:
                connection.execute("SELECT 1")

    def close(self) -> None:
        self._closing.set()
        os.write(self._wake_write, b"x")
        self._thread.join()
        os.close(self._wake_read)
        os.close(self._wake_write)
