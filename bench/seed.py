"""Accounts and tokens made over HTTP before a load starts: the pools the wrk scripts use."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from backend.settings import CLIENT_ID
from backend.storage.records import Session, User
from backend.storage.sqlite import SqliteStore

PASSWORD = "bench: correct horse battery staple"
IDLE_SECONDS = 14 * 86400


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


def live_sessions(data_dir: Path, count: int, per_account: int = 20) -> None:
    """`count` live sessions of other accounts, written into the store before the server
    starts (signing them in would cost an argon2 hash each): they fill the tables and
    indexes a refresh and `/account` search, as other users' sessions would."""
    store = SqliteStore(data_dir / "auth.sqlite3")
    try:
        add_live_sessions(store, count, per_account)
    finally:
        store.close()


def add_live_sessions(store: SqliteStore, count: int, per_account: int = 20) -> list[bytes]:
    """`count` live sessions, `per_account` to an account, in one transaction; the hashes of
    their current refresh tokens."""
    now = int(time.time())
    token_hashes = []
    with store.transaction():
        for number in range(count):
            if number % per_account == 0:
                user = User(secrets.token_hex(16), f"seeded-{number}", "not-a-password-hash")
                store.add_user(user, now)
            session = Session(
                id=secrets.token_urlsafe(12),
                user_id=user.id,
                client_id=CLIENT_ID,
                created_at=now,
                last_refreshed_at=now,
                refresh_count=0,
                absolute_expires_at=now + 30 * 86400,
                idle_expires_at=now + IDLE_SECONDS,
                current_generation=0,
                rotated_at=now,
                ended_at=None,
                end_reason=None,
            )
            token_hashes.append(secrets.token_bytes(32))
            store.add_session(session, token_hashes[-1])
    return token_hashes
