"""A client that goes away in the middle of its body is one line in the log, not a 500."""

from __future__ import annotations

import time

from tests.security.figures import FIGURES
from tests.support.api import Api
from tests.support.raw import connect

SUITE = "clients gone mid-body logged as such, without a 500 or a traceback"


def test_a_client_gone_mid_body_is_logged_as_a_disconnect(start_server) -> None:
    server = start_server()
    with connect(server.url) as connection:
        connection.sendall(
            b"POST /sign-up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"username": "half'
        )
        time.sleep(0.3)
    gone = server.logged("went away")
    assert Api(server.url).get("/health").status_code == 200
    assert len(gone) == 1, server.log
    assert "POST /sign-up" in gone[0]
    assert not any("Traceback" in line for line in server.log), server.log
    assert not any('/sign-up" 500' in line for line in server.log), server.log
    FIGURES.tally(SUITE)
