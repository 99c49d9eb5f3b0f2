"""kill -9 while clients refresh, restart on the same data dir and port: every session goes on."""

from __future__ import annotations

import math
import threading
import time

import pytest

from tests.security.figures import FIGURES
from tests.security.load.rotation import assert_no_session_lost, new_rotators
from tests.support.api import Api, unique_name

pytestmark = pytest.mark.slow
CLIENTS = 20
CYCLES = 3
SECONDS_BETWEEN_CRASHES = 2.0


def test_every_client_continues_its_session_across_kill_9(start_server) -> None:
    """A refresh cut off by the crash is retried with the token it sent: the current one if
    the rotation was lost with the process, its predecessor (within the grace) if it was
    committed. Either way the client goes on, and the server's counts match the clients'."""
    server = start_server()
    username = Api(server.url).sign_up(unique_name("crash"))
    rotators = new_rotators(server.url, username, CLIENTS)
    stop = threading.Event()
    threads = [threading.Thread(target=r.rotate_until, args=(math.inf, stop)) for r in rotators]
    for thread in threads:
        thread.start()
    try:
        for _ in range(CYCLES):
            time.sleep(SECONDS_BETWEEN_CRASHES)
            server.kill()
            server.restart()
        after_last_restart = [r.refreshes for r in rotators]
        time.sleep(SECONDS_BETWEEN_CRASHES)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    refreshes = sum(r.refreshes for r in rotators)
    FIGURES.tally("kill -9 crashes survived", CYCLES)
    FIGURES.tally("refreshes through the crashes (20 clients)", refreshes)
    assert [r.unexpected for r in rotators if r.unexpected] == []
    assert sum(r.unreachable for r in rotators) > 0, "no request met a crash"
    assert all(r.refreshes > n for r, n in zip(rotators, after_last_restart, strict=True))
    assert_no_session_lost(server, username, rotators)
