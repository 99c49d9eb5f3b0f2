"""Headers over the limits (16 KiB a line, 64 KiB in all) get 431 before they are read whole."""

from __future__ import annotations

import contextlib

from tests.security.figures import FIGURES
from tests.support.api import assert_error
from tests.support.raw import connect, exchange, parse_answer, read_until_closed
from tests.support.server_process import ServerProcess

SUITE = "oversized request lines and headers refused with 431"
KIB = 1024


def request_with(*headers: bytes, path: bytes = b"/health") -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(headers) + b"\r\n"


def test_one_header_line_over_16_kib_gets_431(module_server: ServerProcess) -> None:
    raw = exchange(module_server.url, request_with(b"X-Big: " + b"a" * (17 * KIB) + b"\r\n"))
    assert_error(parse_answer(raw), 431, "invalid_request")
    FIGURES.tally(SUITE)


def test_a_request_line_over_16_kib_gets_431(module_server: ServerProcess) -> None:
    raw = exchange(module_server.url, request_with(path=b"/health?" + b"q" * (17 * KIB)))
    assert_error(parse_answer(raw), 431, "invalid_request")
    FIGURES.tally(SUITE)


def test_headers_over_64_kib_in_all_get_431(module_server: ServerProcess) -> None:
    lines = [b"X-Part-%d: %s\r\n" % (number, b"b" * (15 * KIB)) for number in range(6)]
    assert_error(
        parse_answer(exchange(module_server.url, request_with(*lines))), 431, "invalid_request"
    )
    FIGURES.tally(SUITE)


def test_an_8_mib_header_line_is_refused_before_it_is_read_to_the_end(
    module_server: ServerProcess,
) -> None:
    sent = 0
    with connect(module_server.url) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
        with contextlib.suppress(ConnectionError):
            for _ in range(8 * KIB):
                connection.sendall(b"c" * KIB)
                sent += KIB
        answer = parse_answer(read_until_closed(connection, timeout=10))
    assert_error(answer, 431, "invalid_request")
    assert sent < 8 * KIB * KIB, "the server read the whole 8 MiB line"
    FIGURES.tally(SUITE)


def test_headers_under_the_limits_are_served(module_server: ServerProcess) -> None:
    lines = [b"X-Part-%d: %s\r\n" % (number, b"d" * (12 * KIB)) for number in range(4)]
    assert (
        parse_answer(
            exchange(module_server.url, request_with(*lines, b"Connection: close\r\n"))
        ).status_code
        == 200
    )
