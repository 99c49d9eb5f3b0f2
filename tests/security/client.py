"""HTTP helpers of the security suites: JSON and form calls, accounts, and the error checks."""

from __future__ import annotations

import itertools
import os
from typing import Any

import requests

from tests.security.raw import RawResponse

PASSWORD = "correct horse battery staple"
TIMEOUT = 30
_serial = itertools.count()


def unique_name(prefix: str) -> str:
    """A username no other call in this test process has used."""
    return f"{prefix}{os.getpid()}n{next(_serial)}"


class Client:
    """Calls one server; every method returns the `requests.Response`."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def post_json(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.http.post(self.base_url + path, json=body, timeout=TIMEOUT, **kwargs)

    def post_form(self, path: str, fields: Any, **kwargs: Any) -> requests.Response:
        return self.http.post(self.base_url + path, data=fields, timeout=TIMEOUT, **kwargs)

    def call(self, method: str, path: str, token: str | None = None) -> requests.Response:
        """A Bearer call; `token` None sends no Authorization header."""
        authorization = f"Bearer {token}" if token is not None else None
        return self.authorized(method, path, authorization)

    def authorized(self, method: str, path: str, authorization: str | None) -> requests.Response:
        """A call with this exact Authorization header value (None: no header)."""
        headers = {"Authorization": authorization} if authorization is not None else {}
        return self.http.request(method, self.base_url + path, headers=headers, timeout=TIMEOUT)

    def sign_up(self, prefix: str = "user", password: str = PASSWORD) -> str:
        """Create an account and return its username."""
        username = unique_name(prefix)
        response = self.post_json("/sign-up", {"username": username, "password": password})
        assert response.status_code == 201, response.text
        return response.json()["username"]

    def sign_in(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        """A new session's token response."""
        response = self.post_json("/sign-in", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.post_json("/tokens/refresh", {"refresh_token": refresh_token})

    def session_state(self, access_token: str, session_id: str) -> dict[str, Any] | None:
        """The session's entry in GET /sessions, or None when it is not active."""
        response = self.call("GET", "/sessions", access_token)
        if response.status_code != 200:
            return None
        matches = [item for item in response.json()["sessions"] if item["id"] == session_id]
        return matches[0] if matches else None


def assert_error(response: requests.Response | RawResponse, status: int, code: str) -> None:
    """The contract's error body, with this status and code and `no-store`."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == code, body
    assert isinstance(body["error_description"], str)
    assert body["error_description"]
    assert response.headers.get("Cache-Control") == "no-store"


def assert_token_refused(response: requests.Response) -> None:
    """RFC 6750 refusal of a presented token: 401 invalid_token and the Bearer challenge."""
    assert_error(response, 401, "invalid_token")
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith("Bearer "), challenge
    assert 'error="invalid_token"' in challenge, challenge
    assert challenge.isascii(), "RFC 6750 §3 allows only ASCII in the challenge"
