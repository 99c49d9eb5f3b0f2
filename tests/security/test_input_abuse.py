"""Hostile bodies and fields on every route that reads a body: a 4xx in the contract's shape."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.security.figures import FIGURES
from tests.support.api import PASSWORD, Api, assert_error, unique_name
from tests.support.raw import send
from tests.support.server_process import ServerProcess

SUITE = "hostile request bodies and fields refused"
LIMIT = 64 * 1024
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_ROUTES = ("/sign-up", "/sign-in", "/tokens/refresh", "/tokens/revoke")
FORM_ROUTES = ("/oauth/token", "/oauth/revoke")
FIELDS = ("username", "password", "refresh_token")


def every_field(value: str) -> bytes:
    """A JSON object giving `value` (JSON text) to every field any JSON route reads."""
    return ("{" + ",".join(f'"{name}":{value}' for name in FIELDS) + "}").encode()


def form_of(token: str) -> bytes:
    return f"grant_type=refresh_token&refresh_token={token}&token={token}".encode()


def chunks(total: int, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


Body = tuple[bytes | Callable[[], Iterator[bytes]], str | None]

JSON_BODIES: dict[str, Body] = {
    "over-64-kib-declared": (b"{" + b" " * LIMIT + b"}", JSON_TYPE),
    "over-64-kib-chunked": (lambda: chunks(LIMIT + 4096), JSON_TYPE),
    "one-mib-declared": (b" " * (1 << 20), JSON_TYPE),
    "content-type-text-plain": (every_field('"x"'), "text/plain"),
    "content-type-missing": (every_field('"x"'), None),
    "content-type-multipart": (every_field('"x"'), "multipart/form-data; boundary=x"),
    "content-type-form": (form_of("x"), FORM_TYPE),
    "content-type-json-prefix": (every_field('"x"'), "application/jsonx"),
    "latin-1-bytes": (every_field('"caf_"').replace(b"_", b"\xe9"), JSON_TYPE),
    "utf-16": (every_field('"x"').decode().encode("utf-16"), JSON_TYPE),
    "overlong-utf-8": (every_field('"a_"').replace(b"_", b"\xc0\xaf"), JSON_TYPE),
    "surrogate-as-utf-8-bytes": (every_field('"a_"').replace(b"_", b"\xed\xa0\x80"), JSON_TYPE),
    "lone-surrogate-escape": (every_field('"correct horse \\ud800 battery"'), JSON_TYPE),
    "reversed-surrogate-pair": (every_field('"x\\udc00\\ud800"'), JSON_TYPE),
    "byte-order-mark": (b"\xef\xbb\xbf" + every_field('"x"'), JSON_TYPE),
    "empty": (b"", JSON_TYPE),
    "nul-bytes": (b"\x00" * 16, JSON_TYPE),
    "top-level-array": (b"[]", JSON_TYPE),
    "top-level-string": (b'"refresh_token"', JSON_TYPE),
    "top-level-number": (b"1", JSON_TYPE),
    "top-level-null": (b"null", JSON_TYPE),
    "truncated": (every_field('"x"')[:-3], JSON_TYPE),
    "trailing-garbage": (every_field('"x"') + b" x", JSON_TYPE),
    "two-objects": (every_field('"x"') * 2, JSON_TYPE),
    "single-quotes": (every_field("'x'"), JSON_TYPE),
    "nested-arrays-30000-deep": (b"[" * 30000 + b"]" * 30000, JSON_TYPE),
    "nested-objects-6000-deep": (b'{"a":' * 6000 + b"1" + b"}" * 6000, JSON_TYPE),
    "deep-value-in-a-field": (every_field("[" * 10000 + "]" * 10000), JSON_TYPE),
    "huge-integer": (every_field("1" * 5000), JSON_TYPE),
    "nan": (every_field("NaN"), JSON_TYPE),
    "infinity": (every_field("-Infinity"), JSON_TYPE),
    "values-null": (every_field("null"), JSON_TYPE),
    "values-objects": (every_field('{"$gt":""}'), JSON_TYPE),
    "values-lists": (every_field('["x","y"]'), JSON_TYPE),
    "values-booleans": (every_field("true"), JSON_TYPE),
    "duplicate-keys": (
        b'{"username":"x","username":"y","password":"x","password":"y",'
        b'"refresh_token":"x","refresh_token":"y"}',
        JSON_TYPE,
    ),
}

FORM_BODIES: dict[str, Body] = {
    "over-64-kib-declared": (b"token=" + b"x" * LIMIT, FORM_TYPE),
    "over-64-kib-chunked": (lambda: chunks(LIMIT + 4096), FORM_TYPE),
    "one-mib-declared": (b"x" * (1 << 20), FORM_TYPE),
    "content-type-text-plain": (form_of("x"), "text/plain"),
    "content-type-missing": (form_of("x"), None),
    "content-type-multipart": (form_of("x"), "multipart/form-data; boundary=x"),
    "content-type-json": (b'{"grant_type":"refresh_token","token":"x"}', JSON_TYPE),
    "latin-1-bytes": (form_of("x").replace(b"=x", b"=caf\xe9"), FORM_TYPE),
    "percent-encoded-invalid-utf-8": (form_of("%FF%FE"), FORM_TYPE),
    "percent-encoded-surrogate": (form_of("%ED%A0%80"), FORM_TYPE),
    "utf-16": (form_of("x").decode().encode("utf-16"), FORM_TYPE),
    "empty": (b"", FORM_TYPE),
    "only-separators": (b"&" * 60000, FORM_TYPE),
    "thousands-of-fields": (b"&".join(b"f%d=1" % i for i in range(8000)), FORM_TYPE),
    "fields-without-values": (b"grant_type&refresh_token&token", FORM_TYPE),
    "nul-bytes": (b"\x00" * 16, FORM_TYPE),
}

TOO_LARGE = {"over-64-kib-declared", "over-64-kib-chunked", "one-mib-declared"}


def route_cases() -> list[Any]:
    cases = [
        pytest.param(route, name, JSON_BODIES[name], id=f"{route}-{name}")
        for route in JSON_ROUTES
        for name in JSON_BODIES
    ]
    cases += [
        pytest.param(route, name, FORM_BODIES[name], id=f"{route}-{name}")
        for route in FORM_ROUTES
        for name in FORM_BODIES
    ]
    return cases


@pytest.mark.parametrize(("route", "name", "body"), route_cases())
def test_hostile_body_is_refused(
    module_server: ServerProcess, route: str, name: str, body: Body
) -> None:
    content, content_type = body
    headers = {"Content-Type": content_type} if content_type else {}
    payload = content() if callable(content) else content
    response = send(module_server.url, "POST", route, payload, headers)
    status = 413 if name in TOO_LARGE else 400
    assert_error(response, status, "invalid_request")
    FIGURES.tally(SUITE)


LONG = "a" * 60000
USERNAME_CASES = {
    "long": LONG,
    "newline-log-injection": "mallory\n2026-01-01 INFO backend.service: user signed up: root",
    "carriage-return": "mallory\rroot",
    "nul-byte": "mallory\x00root",
    "zero-width-space": "mall\u200bory",
    "right-to-left-override": "mallory\u202eexe.txt",
    "html": "<script>alert(1)</script>",
    "sql-quote": "x' OR '1'='1",
    "path": "../../etc/passwd",
    "blank": "   ",
}
SIGN_IN_NAMES = ("long", "newline-log-injection", "nul-byte", "right-to-left-override")


def field_cases() -> list[Any]:
    """(path, body, status, code): each field of each route, too long, mistyped or hostile.

    Sign-in answers a malformed username like a wrong password, and every malformed name
    shares one throttle bucket that allows five failures: so only four are tried there.
    """
    cases: list[Any] = []
    for name, username in USERNAME_CASES.items():
        body: dict[str, Any] = {"username": username, "password": PASSWORD}
        cases.append(pytest.param("/sign-up", body, 400, "invalid_request", id=f"sign-up-{name}"))
        if name in SIGN_IN_NAMES:
            case_id = f"sign-in-{name}"
            cases.append(pytest.param("/sign-in", body, 401, "invalid_credentials", id=case_id))
    for field in ("username", "password"):
        for kind, value in (("number", 1), ("list", ["x"]), ("object", {}), ("null", None)):
            body = {"username": "mallory", "password": PASSWORD, field: value}
            for route in ("/sign-up", "/sign-in"):
                case_id = f"{route.strip('/')}-{field}-{kind}"
                cases.append(pytest.param(route, body, 400, "invalid_request", id=case_id))
        missing = {"username": "mallory", "password": PASSWORD}
        del missing[field]
        for route in ("/sign-up", "/sign-in"):
            case_id = f"{route.strip('/')}-{field}-missing"
            cases.append(pytest.param(route, missing, 400, "invalid_request", id=case_id))
    cases += [
        pytest.param(
            "/sign-up",
            {"username": "mallory", "password": "x" * 2000},
            400,
            "invalid_request",
            id="sign-up-password-2000-characters",
        ),
        pytest.param(
            "/tokens/refresh", {"refresh_token": LONG}, 400, "invalid_request", id="refresh-long"
        ),
        pytest.param(
            "/tokens/revoke", {"refresh_token": LONG}, 400, "invalid_request", id="revoke-long"
        ),
    ]
    return cases


@pytest.mark.parametrize(("path", "body", "status", "code"), field_cases())
def test_hostile_field_is_refused(
    module_server: ServerProcess, path: str, body: dict[str, Any], status: int, code: str
) -> None:
    content = json.dumps(body).encode()
    response = send(module_server.url, "POST", path, content, {"Content-Type": JSON_TYPE})
    assert_error(response, status, code)
    FIGURES.tally(SUITE)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        pytest.param({"grant_type": "g" * 10000, "refresh_token": "x"}, 400, id="grant-type-long"),
        pytest.param({"grant_type": "refresh_token", "refresh_token": LONG}, 400, id="token-long"),
        pytest.param({"token": LONG}, 400, id="revoke-token-long"),
    ],
)
def test_hostile_form_field_is_refused(api: Api, fields: dict[str, str], status: int) -> None:
    path = "/oauth/revoke" if "token" in fields else "/oauth/token"
    assert_error(api.form(path, fields), status, "invalid_request")
    FIGURES.tally(SUITE)


def test_a_very_long_password_is_a_wrong_password_not_an_error(api: Api) -> None:
    username = api.sign_up(unique_name("longpassword"))
    response = api.post("/sign-in", {"username": username, "password": LONG})
    assert_error(response, 401, "invalid_credentials")
    assert api.sign_in(username).session_id
    FIGURES.tally(SUITE)
