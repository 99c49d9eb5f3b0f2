"""Accounts and tokens made over HTTP before a load starts: the pools the wrk scripts use."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

PASSWORD = "bench: correct horse battery staple"


@dataclass(frozen=True)
class Grant:
    access_token: str
    refresh_token: str


def sign_up(base_url: str, password: str = PASSWORD) -> str:
    """A new account; returns its username."""
    username = f"bench-{secrets.token_hex(4)}"
    response = requests.post(
        f"{base_url}/sign-up", json={"username": username, "password": password}, timeout=30
    )
    response.raise_for_status()
    return response.json()["username"]


def sign_in(base_url: str, username: str, password: str = PASSWORD) -> Grant:
    response = requests.post(
        f"{base_url}/sign-in", json={"username": username, "password": password}, timeout=30
    )
    response.raise_for_status()
    body = response.json()
    return Grant(body["access_token"], body["refresh_token"])


def refreshes(base_url: str, refresh_token: str) -> bool:
    """Whether the server still takes this refresh token."""
    response = requests.post(
        f"{base_url}/tokens/refresh", json={"refresh_token": refresh_token}, timeout=30
    )
    return response.status_code == 200


def accounts(base_url: str, count: int) -> list[str]:
    """`count` new accounts, made a few at a time; their usernames."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda _: sign_up(base_url), range(count)))


def sessions(base_url: str, username: str, count: int) -> list[Grant]:
    """`count` sessions of one account, signed in a few at a time."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda _: sign_in(base_url, username), range(count)))


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path
