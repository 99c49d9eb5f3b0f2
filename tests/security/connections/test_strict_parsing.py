"""Request shapes HTTP/1.1 forbids, used for smuggling behind proxies, each refused with 400."""

from __future__ import annotations

import pytest

from tests.security.figures import FIGURES
from tests.support.api import assert_error
from tests.support.raw import exchange, parse_answer, send
from tests.support.server_process import ServerProcess

SUITE = "ambiguous or malformed request framing refused with 400"
BODY = b'{"username":"mallory","password":"correct horse battery staple"}'
LENGTH = str(len(BODY)).encode()
HEAD = b"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
SHAPES = {
    "content-length-and-transfer-encoding": HEAD
    + b"Content-Length: " + LENGTH + b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "two-different-content-lengths": HEAD
    + b"Content-Length: " + LENGTH + b"\r\nContent-Length: 5\r\n\r\n" + BODY,
    "whitespace-before-a-colon": HEAD + b"Content-Length : " + LENGTH + b"\r\n\r\n" + BODY,
    "bare-lf-line-ends": HEAD.replace(b"\r\n", b"\n")
    + b"Content-Length: " + LENGTH + b"\n\n" + BODY,
    "one-bare-lf": HEAD + b"Content-Length: " + LENGTH + b"\nX-A: b\r\n\r\n" + BODY,
}  # fmt: skip


@pytest.mark.parametrize("shape", list(SHAPES))
def test_ambiguous_framing_gets_400_in_the_contracts_shape(
    module_server: ServerProcess, shape: str
) -> None:
    answer = parse_answer(exchange(module_server.url, SHAPES[shape]))
    body = assert_error(answer, 400, "invalid_request")
    assert "HTTP/1.1" in body["error_description"]
    FIGURES.tally(SUITE)


@pytest.mark.parametrize(
    "body",
    [
        b'{"username":"a","username":"b","password":"c"}',
        BODY + b" trailing",
        BODY + b"{}",
    ],
    ids=["duplicate-json-keys", "bytes-after-the-json-value", "second-json-value"],
)
def test_ambiguous_json_gets_400(module_server: ServerProcess, body: bytes) -> None:
    answer = send(module_server.url, "POST", "/sign-in", body, {"Content-Type": "application/json"})
    assert_error(answer, 400, "invalid_request")
    FIGURES.tally(SUITE)
