"""A keyring that is locked, missing or hanging: the session goes on and the app says where."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from desktop.core.token_store import SERVICE
from desktop.qt.engine import Phase
from tests.desktop.conftest import KEYRING_PASSWORD, SecretServiceEnv, reset_keyring
from tests.desktop.faults.hanging_keyring import HangingKeyring
from tests.desktop.faults.secret_service import lock_default_collection, unlock_default_collection

STORE_MS = 40_000


def stored_refresh_token(server_url: str) -> str | None:
    value = keyring.get_password(SERVICE, server_url)
    return None if value is None else json.loads(value)["refresh_token"]


@pytest.mark.keyring
def test_a_keyring_locked_mid_session_keeps_the_token_in_memory_until_unlocked(
    secret_service: SecretServiceEnv, server, make_account, open_window
) -> None:
    account = make_account(server.url)
    app = open_window("--server", server.url)
    app.sign_in(account.username, account.password)
    assert "SecretService" in app.controller.store_description
    lock_default_collection()
    app.button("refreshNowButton").click()
    banner = app.window.persist_banner
    app.qtbot.waitUntil(banner.isVisible, timeout=STORE_MS)
    assert banner.label.text().startswith("The keyring is locked and could not be unlocked.")
    assert "kept in memory only" in banner.label.text()
    assert app.exchanges("/tokens/refresh")[-1].status == 200
    assert app.call_api().ok
    held_in_memory = app.controller.tokens.refresh_token

    unlock_default_collection(KEYRING_PASSWORD)
    app.button("refreshNowButton").click()
    app.qtbot.waitUntil(lambda: not banner.isVisible(), timeout=STORE_MS)
    assert app.controller.tokens.refresh_token != held_in_memory
    assert stored_refresh_token(server.url) == app.controller.tokens.refresh_token
    assert app.controller.phase == Phase.SIGNED_IN
    assert app.endings() == []


@pytest.mark.keyring
def test_a_keyring_locked_at_start_up_is_said_and_the_session_waits_in_it(
    secret_service: SecretServiceEnv, server, make_account, open_window
) -> None:
    account = make_account(server.url)
    first = open_window("--server", server.url)
    first.sign_in(account.username, account.password)
    first.window.close()
    lock_default_collection()

    locked = open_window("--server", server.url)
    locked.wait_phase(Phase.CHOOSE_STORE)
    assert "The keyring is locked" in locked.window.store_banner.label.text()
    assert not locked.button("signInButton").isEnabled()
    assert locked.exchanges() == []
    locked.window.close()

    unlock_default_collection(KEYRING_PASSWORD)
    resumed = open_window("--server", server.url)
    resumed.wait_phase(Phase.SIGNED_IN)
    resumed.qtbot.waitUntil(lambda: resumed.controller.access_token is not None, timeout=STORE_MS)
    assert resumed.exchanges("/sign-in") == []
    assert resumed.exchanges("/tokens/refresh")[0].status == 200
    assert stored_refresh_token(server.url) == resumed.controller.tokens.refresh_token
    assert resumed.call_api().ok


def test_without_a_session_bus_the_app_says_there_is_no_keyring(
    server, make_account, open_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    reset_keyring()
    try:
        account = make_account(server.url)
        app = open_window("--server", server.url)
        app.wait_phase(Phase.CHOOSE_STORE)
        assert "no keyring backend is available" in app.window.store_banner.label.text()
        app.button("useFileStoreButton").click()
        app.sign_in(account.username, account.password)
        assert app.controller.store_kind == "file"
        assert app.call_api().ok
    finally:
        monkeypatch.undo()
        reset_keyring()


def test_a_hanging_keyring_is_given_up_on_and_the_session_goes_on(
    hanging_keyring: HangingKeyring, server, make_account, open_window
) -> None:
    account = make_account(server.url)
    app = open_window("--server", server.url)
    app.sign_in(account.username, account.password)
    key = (SERVICE, server.url)
    before = hanging_keyring.entries[key]
    hanging_keyring.hang()
    app.button("refreshNowButton").click()
    banner = app.window.persist_banner
    app.qtbot.waitUntil(banner.isVisible, timeout=STORE_MS)
    assert "The keyring did not answer within 5 s" in banner.label.text()
    assert "kept in memory only" in banner.label.text()
    assert hanging_keyring.blocked >= 1
    assert hanging_keyring.entries[key] == before
    assert app.exchanges("/tokens/refresh")[-1].status == 200
    assert app.call_api().ok

    hanging_keyring.release()
    app.button("refreshNowButton").click()
    app.qtbot.waitUntil(lambda: not banner.isVisible(), timeout=STORE_MS)
    stored = json.loads(hanging_keyring.entries[key])
    assert stored["refresh_token"] == app.controller.tokens.refresh_token
    assert app.controller.phase == Phase.SIGNED_IN
    assert app.endings() == []
