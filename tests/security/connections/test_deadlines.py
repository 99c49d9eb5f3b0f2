"""Slow clients hold nothing for long: header and body deadlines, keep-alive, a connection cap."""

from __future__ import annotations

import contextlib
import time

import pytest

from tests.security.figures import FIGURES
from tests.support.api import Api, assert_error
from tests.support.raw import RawResponse, connect, parse_answer, read_until_closed
from tests.support.server_process import ServerProcess

SUITE = "slow or idle connections closed by a deadline or the connection cap"
FAST = ("--header-timeout", "1", "--body-timeout", "1", "--keep-alive-timeout", "1")


def stalled(server: ServerProcess, *parts: bytes) -> RawResponse:
    """The answer to a request sent in `parts`, half a second apart, and never finished."""
    with connect(server.url) as connection:
        for number, part in enumerate(parts):
            if number:
                time.sleep(0.5)
            connection.sendall(part)
        return parse_answer(read_until_closed(connection, timeout=10))


@pytest.mark.parametrize(
    ("parts", "waited_for"),
    [
        ((b"GET /hea",), "request headers"),
        ((b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", b"still"), "request headers"),
        (
            (
                b"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"user',
                b"name",
            ),
            "the request body",
        ),
    ],
    ids=["half-a-request-line", "half-the-headers", "a-body-that-trickles-in"],
)
def test_a_request_that_stalls_gets_408_once_its_deadline_passes(
    start_server, parts: tuple[bytes, ...], waited_for: str
) -> None:
    server = start_server(*FAST)
    started = time.monotonic()
    body = assert_error(stalled(server, *parts), 408, "invalid_request")
    assert time.monotonic() - started < 8
    assert waited_for.split()[-1] in body["error_description"]
    assert server.logged(f"{waited_for} did not arrive in time")
    FIGURES.tally(SUITE)


def test_a_connection_that_sends_nothing_is_closed(start_server) -> None:
    server = start_server(*FAST)
    with connect(server.url) as connection:
        assert read_until_closed(connection, timeout=10) == b""
    FIGURES.tally(SUITE)


def test_an_idle_keep_alive_connection_is_closed(start_server) -> None:
    server = start_server(*FAST)
    with connect(server.url) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = read_until_closed(connection, timeout=10)
    assert parse_answer(received).status_code == 200
    FIGURES.tally(SUITE)


def test_connections_beyond_the_cap_are_closed_and_the_server_stays_usable(start_server) -> None:
    server = start_server("--max-connections", "4", "--header-timeout", "30")
    held = [connect(server.url) for _ in range(4)]
    try:
        time.sleep(0.3)
        with connect(server.url) as extra, contextlib.suppress(ConnectionResetError):
            assert read_until_closed(extra, timeout=10) == b""
        assert server.logged("the most allowed")
    finally:
        for connection in held:
            connection.close()
    time.sleep(0.3)
    assert Api(server.url).get("/health").status_code == 200
    FIGURES.tally(SUITE)


def test_a_normal_client_is_not_cut_off_by_the_deadlines(start_server) -> None:
    api = Api(start_server(*FAST).url)
    username, tokens = api.new_session()
    for _ in range(3):
        assert api.get("/account", tokens.access_token).status_code == 200
    assert_error(
        api.post("/sign-in", {"username": username, "password": "wrong password here"}),
        401,
        "invalid_credentials",
    )
