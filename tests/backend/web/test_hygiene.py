"""Request hygiene: body limits, malformed input, JSON errors everywhere, logs without tokens."""

from __future__ import annotations

import time

import pytest

from tests.support.api import Api, assert_error
from tests.support.server_process import ServerProcess

JSON = {"Content-Type": "application/json"}


def raw_post(api: Api, path: str, data: bytes, headers: dict[str, str]):
    return api.http.post(api.base_url + path, data=data, headers=headers, timeout=30)


@pytest.mark.parametrize("path", ["/sign-up", "/sign-in", "/tokens/refresh", "/oauth/token"])
def test_bodies_over_64_kib_get_413(api: Api, path: str) -> None:
    body = b'{"username": "' + b"a" * (64 * 1024) + b'"}'
    assert_error(raw_post(api, path, body, JSON), 413, "invalid_request")


def test_a_streamed_body_without_length_is_cut_at_the_limit(api: Api) -> None:
    chunks = (b"x" * 8192 for _ in range(20))
    response = api.http.post(api.base_url + "/sign-in", data=chunks, headers=JSON, timeout=30)
    assert_error(response, 413, "invalid_request")


def test_exactly_64_kib_is_accepted_as_a_body(api: Api) -> None:
    padding = 64 * 1024 - len(b'{"refresh_token": "unknown", "pad": ""}')
    body = b'{"refresh_token": "unknown", "pad": "' + b"p" * padding + b'"}'
    assert len(body) == 64 * 1024
    assert_error(raw_post(api, "/tokens/refresh", body, JSON), 400, "invalid_grant")


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        (b"{not json", JSON),
        (b"[1, 2]", JSON),
        (b'"text"', JSON),
        (b"", JSON),
        (b"\xff\xfe\x00", JSON),
        (b"[" * 100_00 + b"]" * 100_00, JSON),
        (b'{"username": "a", "password": "b"}', {"Content-Type": "text/plain"}),
        (b'{"username": "a", "password": "b"}', {}),
        (b"username=a&password=b", {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
    ids=[
        "broken", "array", "string", "empty", "not-utf8", "deeply-nested",
        "text-plain", "no-content-type", "form",
    ],
)  # fmt: skip
def test_malformed_or_mistyped_bodies_get_400(api: Api, data: bytes, headers: dict) -> None:
    body = assert_error(raw_post(api, "/sign-in", data, headers), 400, "invalid_request")
    assert "Traceback" not in body["error_description"]


def test_json_with_charset_is_fine(api: Api) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    assert_error(
        raw_post(api, "/tokens/refresh", b'{"refresh_token": "x"}', headers), 400, "invalid_grant"
    )


def test_unknown_paths_and_methods_get_json_errors(api: Api) -> None:
    assert_error(api.get("/no/such/path"), 404, "not_found")
    wrong_method = api.http.get(api.base_url + "/sign-in", timeout=10)
    assert_error(wrong_method, 405, "invalid_request")
    assert "POST" in wrong_method.headers["Allow"]


def test_health(api: Api) -> None:
    response = api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_log_never_shows_tokens_or_passwords(api: Api, module_server: ServerProcess) -> None:
    username, tokens = api.new_session()
    rotated = api.post(f"/tokens/{tokens.refresh_token}/refresh").json()
    api.post(f"/tokens/{rotated['refresh_token']}/revoke")
    api.get("/account", tokens.access_token)
    api.post("/sign-in", {"username": username, "password": "a wrong password here"})
    api.get("/after-the-secrets")
    deadline = time.monotonic() + 10
    while not any("after-the-secrets" in line for line in module_server.log):
        assert time.monotonic() < deadline, "the access log did not catch up"
        time.sleep(0.05)
    log = "\n".join(module_server.log)
    assert "/tokens/[redacted]/refresh" in log
    assert "/tokens/[redacted]/revoke" in log
    for secret in (
        tokens.refresh_token,
        rotated["refresh_token"],
        tokens.access_token,
        tokens.access_token.split(".")[2],
        "a wrong password here",
        "correct horse battery staple",
    ):
        assert secret not in log
