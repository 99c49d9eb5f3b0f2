"""One HTTP helper for every suite that calls a real server: JSON, forms, accounts, checks."""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests

PASSWORD = "correct horse battery staple"
TIMEOUT = 30
_serial = itertools.count()


def unique_name(prefix: str = "user") -> str:
    """A username no other call, in this test process or another, has used."""
    return f"{prefix}{os.getpid()}n{next(_serial)}"


@dataclass
class Tokens:
    """A token response, with the raw dict for everything else."""

    access_token: str
    refresh_token: str
    session_id: str
    raw: dict[str, Any]


def tokens_of(response: requests.Response) -> Tokens:
    body = response.json()
    return Tokens(body["access_token"], body["refresh_token"], body["session_id"], body)


class Api:
    """Calls one server; every method but the account helpers returns the `requests.Response`."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        """POST a JSON body."""
        return self.http.post(self.base_url + path, json=body, timeout=TIMEOUT, **kwargs)

    def form(self, path: str, fields: Any, **kwargs: Any) -> requests.Response:
        """POST an application/x-www-form-urlencoded body, as OAuth endpoints expect."""
        return self.http.post(self.base_url + path, data=fields, timeout=TIMEOUT, **kwargs)

    def get(self, path: str, token: str | None = None) -> requests.Response:
        return self.call("GET", path, token)

    def delete(self, path: str, token: str | None = None) -> requests.Response:
        return self.call("DELETE", path, token)

    def call(self, method: str, path: str, token: str | None = None) -> requests.Response:
        """A Bearer call; `token` None sends no Authorization header."""
        return self.authorized(method, path, f"Bearer {token}" if token is not None else None)

    def authorized(self, method: str, path: str, authorization: str | None) -> requests.Response:
        """A call with this exact Authorization header value (None: no header)."""
        headers = {"Authorization": authorization} if authorization is not None else {}
        return self.http.request(method, self.base_url + path, headers=headers, timeout=TIMEOUT)

    def sign_up(self, username: str | None = None, password: str = PASSWORD) -> str:
        """Create an account (a fresh name unless `username` is given); its normalised name."""
        response = self.post(
            "/sign-up", {"username": username or unique_name(), "password": password}
        )
        assert response.status_code == 201, response.text
        name: str = response.json()["username"]
        return name

    def sign_in(self, username: str, password: str = PASSWORD) -> Tokens:
        """A new session's tokens."""
        response = self.post("/sign-in", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        return tokens_of(response)

    def new_session(self) -> tuple[str, Tokens]:
        """A fresh account signed in once."""
        username = self.sign_up()
        return username, self.sign_in(username)

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.post("/tokens/refresh", {"refresh_token": refresh_token})

    def session_state(self, access_token: str, session_id: str) -> dict[str, Any] | None:
        """The session's entry in GET /sessions, or None when it is not active."""
        response = self.get("/sessions", access_token)
        if response.status_code != 200:
            return None
        matches = [item for item in response.json()["sessions"] if item["id"] == session_id]
        return matches[0] if matches else None


class Answer(Protocol):
    """What the checks read of a response: a `requests.Response` or a raw one."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def json(self) -> Any: ...


def assert_error(response: Answer, status: int, code: str) -> dict[str, Any]:
    """The contract's error body, with this status and code and `no-store`; returns the body."""
    assert response.status_code == status, (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == code, body
    assert isinstance(body["error_description"], str)
    assert body["error_description"]
    assert response.headers.get("Cache-Control") == "no-store"
    return body


def assert_token_refused(response: Answer) -> None:
    """RFC 6750 refusal of a presented token: 401 invalid_token and the Bearer challenge."""
    assert_error(response, 401, "invalid_token")
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith("Bearer "), challenge
    assert 'error="invalid_token"' in challenge, challenge
    assert challenge.isascii(), "RFC 6750 §3 allows only ASCII in the challenge"
