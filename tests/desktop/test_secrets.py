"""The keyring holds exactly the contract's entry, and no password is ever written anywhere."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import keyring
import pytest

from desktop.core.client import ApiClient
from desktop.core.clock import SystemClock
from desktop.core.errors import InvalidGrant
from desktop.core.token_store import SERVICE
from desktop.qt.engine import Phase
from desktop.teaching.panels.stored import StoredPanel
from tests.desktop.conftest import LEDGER, Account, SecretServiceEnv, new_password
from tests.desktop.driver import Driver
from tests.desktop.faults.ledger import SecretLedger
from tests.support.components import require_executable

pytestmark = pytest.mark.slow


def keyring_entry(server_url: str) -> dict | None:
    value = keyring.get_password(SERVICE, server_url)
    return None if value is None else json.loads(value)


def every_file(*roots: Path) -> list[Path]:
    return [path for root in roots for path in root.rglob("*") if path.is_file()]


def secret_tool_dump(env: SecretServiceEnv) -> str:
    secret_tool = require_executable("secret-tool")
    result = subprocess.run(
        [secret_tool, "search", "--all", "--unlock", "service", SERVICE],
        capture_output=True,
        text=True,
        env=env.env,
        timeout=30,
        check=True,
    )
    return result.stdout + result.stderr


def sign_up_and_use(app: Driver, username: str, password: str) -> None:
    """Create the account in the window, let tokens rotate, call the API."""
    app.wait_phase(Phase.SIGNED_OUT)
    app.edit("usernameEdit").setText(username)
    app.edit("passwordEdit").setText(password)
    app.qtbot.waitUntil(app.button("signUpButton").isEnabled, timeout=10_000)
    app.button("signUpButton").click()
    app.wait_phase(Phase.SIGNED_IN)
    app.wait_refreshes(2)
    assert app.call_api().ok


@pytest.mark.keyring
def test_keyring_entry_survives_a_restart_and_revoke_removes_it(
    secret_service: SecretServiceEnv, start_server, make_account, open_window
) -> None:
    server = start_server("--access-ttl", "3")
    account: Account = make_account(server.url)
    first = open_window("--server", server.url)
    first.sign_in(account.username, account.password)
    assert "SecretService" in first.controller.store_description
    entry = keyring_entry(server.url)
    assert entry is not None
    assert set(entry) == {"server", "username", "refresh_token", "session_id"}
    assert entry["server"] == server.url
    assert entry["refresh_token"] == first.controller.tokens.refresh_token
    label = f"Refresh token for {account.username} at {server.url}"
    assert f"label = {label}" in secret_tool_dump(secret_service)
    stored = first.window.findChild(StoredPanel, "storedPanel")
    assert stored is not None
    assert stored.viewer_name.text() == label
    assert stored.viewer_name.isVisibleTo(stored)
    assert "not a password" in stored.viewer_note.text()
    first.window.close()

    second = open_window("--server", server.url)
    second.wait_phase(Phase.SIGNED_IN)
    assert second.exchanges("/sign-in") == []
    latest = keyring_entry(server.url)
    assert latest is not None
    assert latest["refresh_token"] != entry["refresh_token"]
    second.button("revokeButton").click()
    second.wait_phase(Phase.SIGNED_OUT)
    assert keyring_entry(server.url) is None
    assert server.url not in secret_tool_dump(secret_service)
    with pytest.raises(InvalidGrant):
        ApiClient(server.url, SystemClock()).refresh(latest["refresh_token"])


@pytest.mark.keyring
def test_no_password_in_the_keyring_or_any_file_written(
    secret_service: SecretServiceEnv, open_window, tmp_path: Path, private_lock_dir: Path
) -> None:
    data_dir = tmp_path / "app-data"
    password = new_password()
    app = open_window("--access-ttl", "2", data_dir=data_dir)
    assert app.controller.embedded
    sign_up_and_use(app, "scanned", password)
    url = app.controller.server_url
    app.window.close()
    again = open_window("--access-ttl", "2", data_dir=data_dir)
    again.wait_phase(Phase.SIGNED_IN)
    assert again.controller.server_url == url
    again.wait_refreshes(1)
    access_token = again.controller.access_token
    again.window.close()

    files = every_file(data_dir, private_lock_dir)
    assert len(files) >= 3
    for path in files:
        content = path.read_bytes()
        assert password.encode() not in content, path
        assert access_token.encode() not in content, path
    dump = secret_tool_dump(secret_service)
    assert f"attribute.username = {url}" in dump
    assert password not in dump
    entry = keyring_entry(url)
    assert entry is not None
    assert set(entry) == {"server", "username", "refresh_token", "session_id"}
    for text in (app.log_text(), again.log_text()):
        assert password not in text
        assert entry["refresh_token"] not in text


def test_no_password_in_the_token_file(
    start_server, open_window, tmp_path: Path, private_lock_dir: Path
) -> None:
    server = start_server("--access-ttl", "2")
    data_dir = tmp_path / "app-data"
    password = new_password()
    app = open_window("--server", server.url, "--token-store", "file", data_dir=data_dir)
    sign_up_and_use(app, "filed", password)
    app.window.close()
    token_file = data_dir / "refresh-tokens.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    entries = json.loads(token_file.read_text())
    assert set(entries) == {server.url}
    assert set(entries[server.url]) == {"server", "username", "refresh_token", "session_id"}
    for path in every_file(data_dir, private_lock_dir, server.data_dir):
        assert password.encode() not in path.read_bytes(), path


def test_the_final_scan_finds_planted_secrets_and_names_only_the_place(tmp_path: Path) -> None:
    ledger = SecretLedger()
    password, access, refresh = "Pw-planted-password", "eyJ" + "x" * 60, "r" * 43
    ledger.add_password(password)
    ledger.add_tokens(access, refresh)
    entry = {"server": "http://h:1", "username": "u", "refresh_token": refresh, "session_id": "s"}
    (tmp_path / "tokens.json").write_text(json.dumps({"http://h:1": entry}))
    (tmp_path / "other.json").write_text(json.dumps({"refresh_token": refresh}))
    (tmp_path / "app.log").write_text(f"rotated to {refresh}")
    (tmp_path / "store.db").write_bytes(b"\x00\x17" + password.encode() + b"\x01")
    ledger.add_text("a window's message", f"Bearer {access} refused")
    ledger.add_keyring_dump(f"jwt-refresh-demo {refresh}")
    findings = ledger.findings(tmp_path)
    assert sorted(findings) == sorted(
        [
            f"refresh token in {tmp_path / 'app.log'}",
            f"refresh token in {tmp_path / 'other.json'}",
            f"password in {tmp_path / 'store.db'}",
            "access token in a window's message",
        ]
    )
    report = "\n".join(findings)
    assert not [secret for secret in (password, access, refresh) if secret in report]
    ledger.add_keyring_dump(f"jwt-refresh-demo {password}")
    assert "password in keyring" in ledger.findings(tmp_path)


def test_the_final_scan_knows_what_a_session_used(server, make_account, open_window) -> None:
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.fail_sign_in(account.username, "a wrong password, typed")
    app.sign_in(account.username, account.password)
    tokens = app.controller.tokens
    assert {account.password, "a wrong password, typed"} <= LEDGER.passwords
    assert tokens.access_token in LEDGER.access_tokens
    assert tokens.refresh_token in LEDGER.refresh_tokens
    texts = [where for where, text in LEDGER.texts if "username or password is wrong" in text]
    assert "message of InvalidCredentials" in texts
    assert "a window's message" in texts
    assert any(where.startswith("log record of urllib3") for where, _ in LEDGER.texts)
