"""No password or whole token used on a server shows up in its log, data dir or error bodies."""

from __future__ import annotations

import base64
import hashlib
import secrets
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.security.figures import FIGURES
from tests.support.api import Api, unique_name
from tests.support.server_process import ServerProcess


@dataclass
class Secrets:
    """Everything a leak would expose, and the error bodies the server sent while they were used."""

    passwords: list[str] = field(default_factory=list)
    access_tokens: list[str] = field(default_factory=list)
    refresh_tokens: list[str] = field(default_factory=list)
    error_bodies: list[bytes] = field(default_factory=list)

    def keep(self, response: requests.Response) -> requests.Response:
        """Record the tokens of a token response, or the body of an error."""
        if response.status_code >= 400:
            self.error_bodies.append(response.content)
        elif response.status_code == 200 and "refresh_token" in response.text:
            body = response.json()
            self.access_tokens.append(body["access_token"])
            self.refresh_tokens.append(body["refresh_token"])
        return response

    def needles(self) -> dict[str, bytes]:
        """Each secret as it would appear in text, and each refresh token's raw bytes."""
        found = {f"password {n}": p.encode() for n, p in enumerate(self.passwords)}
        found |= {f"access token {n}": t.encode() for n, t in enumerate(self.access_tokens)}
        for n, token in enumerate(self.refresh_tokens):
            found[f"refresh token {n}"] = token.encode()
            found[f"refresh token {n} (raw)"] = base64.urlsafe_b64decode(token + "=")
        return found


def leaks(haystack: bytes, kept: Secrets) -> list[str]:
    return [name for name, needle in kept.needles().items() if needle in haystack]


def data_files(data_dir: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(data_dir.rglob("*")) if path.is_file()}


def use_every_flow(api: Api, kept: Secrets) -> None:
    """Sign-up, sign-in, all three refresh routes, reuse, every revocation, misuse of tokens."""
    url = api.base_url
    password_a, password_b = (f"amber {secrets.token_hex(4)} harbour lantern" for _ in "ab")
    kept.passwords += [password_a, password_b, password_a + "!"]
    user_a = api.sign_up(unique_name("secret"), password_a)
    user_b = api.sign_up(unique_name("secret"), password_b)
    first = kept.keep(api.post("/sign-in", {"username": user_a, "password": password_a}))
    second = kept.keep(api.refresh(first.json()["refresh_token"])).json()
    third = kept.keep(api.http.post(f"{url}/tokens/{second['refresh_token']}/refresh")).json()
    fourth = kept.keep(
        api.form(
            "/oauth/token", {"grant_type": "refresh_token", "refresh_token": third["refresh_token"]}
        )
    ).json()
    access, refresh = fourth["access_token"], fourth["refresh_token"]
    for path in ("/account", "/sessions"):
        assert api.call("GET", path, access).status_code == 200
    misuses = [
        api.post("/sign-in", {"username": user_a, "password": password_a + "!"}),
        api.post("/sign-up", {"username": user_a, "password": password_a}),
        api.post("/sign-up", {"username": password_a, "password": password_a}),
        api.refresh(access),
        api.form("/oauth/token", {"grant_type": refresh, "refresh_token": refresh}),
        api.form("/oauth/token", {"grant_type": "refresh_token", "refresh_token": access}),
        api.post("/tokens/revoke", {"refresh_token": refresh, "reason": refresh}),
        api.call("GET", "/account", refresh),
        api.call("GET", f"/account?access_token={access}"),
        api.call("DELETE", f"/sessions/{refresh}", access),
        api.http.get(f"{url}/tokens/{refresh}"),
        api.http.post(f"{url}/tokens/{refresh}/elsewhere"),
        api.refresh(second["refresh_token"]),
        api.refresh(refresh),
    ]
    for response in misuses:
        assert 400 <= response.status_code < 500, response.text
        kept.keep(response)
    for revoke in (
        lambda s: api.http.post(f"{url}/tokens/{s['refresh_token']}/revoke"),
        lambda s: api.form("/oauth/revoke", {"token": s["access_token"]}),
        lambda s: api.form("/oauth/revoke", {"token": s["refresh_token"]}),
        lambda s: api.post(
            "/tokens/revoke", {"refresh_token": s["refresh_token"], "reason": "signed_out"}
        ),
        lambda s: api.call("POST", "/tokens/revoke-all", s["access_token"]),
    ):
        session = kept.keep(
            api.post("/sign-in", {"username": user_b, "password": password_b})
        ).json()
        assert revoke(session).status_code in (200, 204)
        kept.keep(api.refresh(session["refresh_token"]))


@pytest.fixture(scope="module")
def kept(api: Api) -> Secrets:
    secrets_used = Secrets()
    use_every_flow(api, secrets_used)
    assert len(secrets_used.refresh_tokens) == 9
    assert len(secrets_used.error_bodies) >= 19
    return secrets_used


def test_error_bodies_repeat_no_secret(kept: Secrets) -> None:
    assert [leaks(body, kept) for body in kept.error_bodies if leaks(body, kept)] == []
    FIGURES.tally("secrets sought in logs, data files and error bodies", len(kept.needles()))


def test_live_data_dir_holds_no_secret_and_only_private_files(
    module_server: ServerProcess, kept: Secrets
) -> None:
    """While the server runs, so the write-ahead log still holds the latest writes."""
    files = data_files(module_server.data_dir)
    assert any(name.endswith("-wal") for name in files), files.keys()
    assert {name: leaks(content, kept) for name, content in files.items()} == {
        name: [] for name in files
    }
    for name in files:
        assert stat.S_IMODE(Path(name).stat().st_mode) & 0o077 == 0, name


def test_log_and_stopped_data_dir_hold_no_secret(
    module_server: ServerProcess, kept: Secrets
) -> None:
    assert module_server.stop() == 0
    log = "\n".join(module_server.log).encode()
    assert b"/tokens/[redacted]/refresh" in log
    assert leaks(log, kept) == []
    files = data_files(module_server.data_dir)
    assert {name: leaks(content, kept) for name, content in files.items()} == {
        name: [] for name in files
    }


def test_database_keeps_only_hashes_of_refresh_tokens(
    module_server: ServerProcess, kept: Secrets
) -> None:
    module_server.stop()
    database = Path(module_server.data_dir, "auth.sqlite3")
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT token_hash FROM refresh_tokens").fetchall()
    finally:
        connection.close()
    stored: set[Any] = {row[0] for row in rows}
    assert {len(value) for value in stored} == {32}
    digests = {hashlib.sha256(token.encode()).digest() for token in kept.refresh_tokens}
    assert digests <= stored
