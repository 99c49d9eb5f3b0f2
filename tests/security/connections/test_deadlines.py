"""Slow clients hold nothing for long: header and body deadlines, keep-alive, a connection cap."""

from __future__ import annotations

import contextlib
import socket
import time

from tests.security.figures import FIGURES
from tests.support.api import Api, assert_error
from tests.support.raw import connect, parse_answer, read_until_closed

SUITE = "slow or idle connections closed by a deadline or the connection cap"
FAST = ("--header-timeout", "1", "--body-timeout", "1", "--keep-alive-timeout", "1")


def test_half_a_request_line_gets_408_once_the_header_deadline_passes(start_server) -> None:
    server = start_server(*FAST)
    with connect(server.url) as connection:
        connection.sendall(b"GET /hea")
        started = time.monotonic()
        answer = parse_answer(read_until_closed(connection, timeout=10))
    assert time.monotonic() - started < 8
    body = assert_error(answer, 408, "invalid_request")
    assert "headers" in body["error_description"]
    assert server.logged("request headers did not arrive in time")
    FIGURES.tally(SUITE)


def test_half_the_headers_get_408_too(start_server) -> None:
    server = start_server(*FAST)
    with connect(server.url) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        time.sleep(0.5)
        connection.sendall(b"still")
        assert_error(
            parse_answer(read_until_closed(connection, timeout=10)), 408, "invalid_request"
        )
    FIGURES.tally(SUITE)


def test_a_body_that_trickles_in_gets_408_once_the_body_deadline_passes(start_server) -> None:
    server = start_server(*FAST)
    with connect(server.url) as connection:
        connection.sendall(
            b"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"user'
        )
        answer = parse_answer(read_until_closed(connection, timeout=10))
    body = assert_error(answer, 408, "invalid_request")
    assert "body" in body["error_description"]
    assert server.logged("the request body did not arrive in time")
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
    assert isinstance(socket.gethostname(), str)
