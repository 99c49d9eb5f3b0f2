"""HTTP helper for the server tests: JSON calls, accounts and sessions against a base URL."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import requests

PASSWORD = "correct horse battery staple"
_names = itertools.count()


@dataclass
class Tokens:
    """A token response, with the raw dict for everything else."""

    access_token: str
    refresh_token: str
    session_id: str
    raw: dict[str, Any]


class Api:
    """JSON calls against one server; every method returns the `requests.Response`."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.http.post(self.base_url + path, json=body, timeout=30, **kwargs)

    def get(self, path: str, token: str | None = None) -> requests.Response:
        return self.http.get(self.base_url + path, headers=self.bearer(token), timeout=30)

    def delete(self, path: str, token: str | None = None) -> requests.Response:
        return self.http.delete(self.base_url + path, headers=self.bearer(token), timeout=30)

    @staticmethod
    def bearer(token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    def sign_up(self, username: str | None = None, password: str = PASSWORD) -> str:
        """Create an account and return its (normalised) username."""
        username = username or f"user{next(_names)}"
        response = self.post("/sign-up", {"username": username, "password": password})
        assert response.status_code == 201, response.text
        return response.json()["username"]

    def sign_in(self, username: str, password: str = PASSWORD) -> Tokens:
        response = self.post("/sign-in", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        return tokens_of(response)

    def new_session(self) -> tuple[str, Tokens]:
        """A fresh account signed in once."""
        username = self.sign_up()
        return username, self.sign_in(username)

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.post("/tokens/refresh", {"refresh_token": refresh_token})


def form(api: Api, path: str, fields: dict[str, str], **kwargs: Any) -> requests.Response:
    """POST an application/x-www-form-urlencoded body, as OAuth endpoints expect."""
    return api.http.post(api.base_url + path, data=fields, timeout=30, **kwargs)


def tokens_of(response: requests.Response) -> Tokens:
    body = response.json()
    return Tokens(body["access_token"], body["refresh_token"], body["session_id"], body)


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the contract's error body with this status and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code, body
    assert isinstance(body["error_description"], str)
    assert body["error_description"]
    return body
