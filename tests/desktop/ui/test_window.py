"""The window driven by clicks against a real server with access tokens of a few seconds."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import backend
from desktop.core.client import ApiClient
from desktop.core.clock import SystemClock
from desktop.core.errors import InvalidGrant
from desktop.core.events import EndReason
from desktop.core.token_store import StoredEntry
from desktop.qt.engine import Phase
from desktop.storage.file_store import FileStore
from tests.desktop.conftest import Account
from tests.desktop.driver import Driver
from tests.support.server_process import ServerProcess

FILE_STORE = ("--token-store", "file")


def stored(data_dir: Path, server_url: str) -> StoredEntry | None:
    return FileStore(server_url, data_dir / "refresh-tokens.json").load()


@pytest.fixture
def signed_in_with_file_store(start_server, make_account, open_window):
    """Start a server with these options, make an account, and sign a file-store window in."""

    def open_signed_in(*server_options: str) -> tuple[ServerProcess, Account, Driver]:
        server = start_server(*server_options)
        account: Account = make_account(server.url)
        app = open_window("--server", server.url, *FILE_STORE)
        app.sign_in(account.username, account.password)
        return server, account, app

    return open_signed_in


def test_sign_in_then_refreshes_keep_api_calls_free_of_401(signed_in_with_file_store) -> None:
    _server, account, app = signed_in_with_file_store("--access-ttl", "2")
    assert app.edit("passwordEdit").text() == ""
    while len(app.issued("refresh")) < 4:
        assert app.call_api().ok
    assert [e for e in app.exchanges() if e.status == 401] == []
    assert {e.status for e in app.exchanges("/tokens/refresh")} == {200}
    assert all(call.ok for call in app.api_calls())
    assert app.controller.phase == Phase.SIGNED_IN
    assert '"username"' in app.window.overview.answer.toPlainText()
    assert account.password not in app.log_text()
    assert app.window.findChild(type(app.window.overview.bar), "expiryBar").value() > 0


def test_restart_resumes_without_the_password(
    start_server, make_account, open_window, tmp_path
) -> None:
    server = start_server("--access-ttl", "3")
    account: Account = make_account(server.url)
    first = open_window("--server", server.url, *FILE_STORE)
    first.sign_in(account.username, account.password)
    first.window.close()
    second = open_window("--server", server.url, *FILE_STORE)
    second.wait_phase(Phase.SIGNED_IN)
    assert [e.via for e in second.issued()] == ["startup"]
    assert second.exchanges("/sign-in") == []
    assert second.call_api().ok
    entry = stored(tmp_path / "app-data", server.url)
    assert entry is not None
    assert entry.username == account.username


def test_revoke_deletes_the_token_and_the_server_refuses_it(
    signed_in_with_file_store, tmp_path
) -> None:
    server, _account, app = signed_in_with_file_store("--access-ttl", "3")
    entry = stored(tmp_path / "app-data", server.url)
    assert entry is not None
    app.button("revokeButton").click()
    app.wait_phase(Phase.SIGNED_OUT)
    assert stored(tmp_path / "app-data", server.url) is None
    with pytest.raises(InvalidGrant):
        ApiClient(server.url, SystemClock()).refresh(entry.refresh_token)
    assert [e.reason for e in app.endings()] == [EndReason.REVOKED]
    assert "revoked" in app.window.sign_in.reason.text()


def test_revoke_while_offline_still_forgets_the_token(signed_in_with_file_store, tmp_path) -> None:
    server, _account, app = signed_in_with_file_store("--access-ttl", "30")
    server.kill()
    app.button("revokeButton").click()
    app.wait_phase(Phase.SIGNED_OUT)
    assert stored(tmp_path / "app-data", server.url) is None
    assert "could not be reached" in app.window.sign_in.reason.text()


def test_offline_state_then_recovery(signed_in_with_file_store) -> None:
    server, _account, app = signed_in_with_file_store("--access-ttl", "3")
    server.kill()
    banner = app.window.offline_banner
    app.qtbot.waitUntil(banner.isVisible, timeout=10_000)
    app.qtbot.waitUntil(lambda: "The app tries again in" in banner.label.text(), timeout=5_000)
    words = banner.label.text()
    assert words.startswith(f"Cannot reach the server at {server.url}: it is not running")
    assert "You are still signed in" in words
    assert "or press Retry now." in words
    assert app.controller.phase == Phase.SIGNED_IN
    failures = len([e for e in app.exchanges("/tokens/refresh") if e.status is None])
    server.restart()
    app.qtbot.waitUntil(lambda: not banner.isVisible(), timeout=30_000)
    assert failures >= 1
    assert app.controller.phase == Phase.SIGNED_IN
    assert app.exchanges("/tokens/refresh")[-1].status == 200
    assert app.call_api().ok
    assert app.endings() == []


def test_retry_now_button_reaches_the_server_at_once(signed_in_with_file_store) -> None:
    server, _account, app = signed_in_with_file_store("--access-ttl", "2")
    server.kill()
    app.qtbot.waitUntil(app.window.offline_banner.isVisible, timeout=10_000)
    server.restart()
    app.button("retryNowButton").click()
    app.qtbot.waitUntil(lambda: not app.window.offline_banner.isVisible(), timeout=10_000)
    assert app.exchanges("/tokens/refresh")[-1].status == 200


def test_invalid_grant_returns_to_the_sign_in_form(signed_in_with_file_store, tmp_path) -> None:
    server, _account, app = signed_in_with_file_store("--access-ttl", "2")
    entry = stored(tmp_path / "app-data", server.url)
    assert entry is not None
    ApiClient(server.url, SystemClock()).revoke(entry.refresh_token)
    app.wait_phase(Phase.SIGNED_OUT, timeout=10_000)
    assert [e.reason for e in app.endings()] == [EndReason.INVALID_GRANT]
    assert "sign in again" in app.window.sign_in.reason.text()
    assert app.window.sign_in.reason.isVisible()
    assert stored(tmp_path / "app-data", server.url) is None


def test_start_up_with_a_refused_token_shows_why(
    start_server, make_account, open_window, tmp_path
) -> None:
    server = start_server()
    account: Account = make_account(server.url)
    tokens = ApiClient(server.url, SystemClock()).sign_in(account.username, account.password)
    data_dir = tmp_path / "app-data"
    FileStore(server.url, data_dir / "refresh-tokens.json").save(
        StoredEntry(server.url, account.username, tokens.refresh_token, tokens.session_id)
    )
    ApiClient(server.url, SystemClock()).revoke(tokens.refresh_token)
    app = open_window("--server", server.url, *FILE_STORE)
    app.wait_phase(Phase.SIGNED_OUT)
    assert "session has ended" in app.window.sign_in.reason.text()
    assert stored(data_dir, server.url) is None


def test_two_windows_on_one_account_stay_signed_in(start_server, make_account, open_window) -> None:
    server = start_server("--access-ttl", "2")
    account: Account = make_account(server.url)
    first = open_window("--server", server.url, *FILE_STORE)
    first.sign_in(account.username, account.password)
    second = open_window("--server", server.url, *FILE_STORE)
    second.wait_phase(Phase.SIGNED_IN)
    first.wait_refreshes(8)
    second.wait_refreshes(8)
    assert first.call_api().ok
    assert second.call_api().ok
    assert first.endings() == second.endings() == []
    statuses = {e.status for e in first.exchanges() + second.exchanges()}
    assert 400 not in statuses
    assert 401 not in statuses
    assert first.controller.tokens.session_id == second.controller.tokens.session_id


def test_wrong_password_is_said_in_words(server, make_account, open_window) -> None:
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "memory")
    assert "username or password is wrong" in app.fail_sign_in(account.username, "not the password")
    assert app.controller.phase == Phase.SIGNED_OUT
    assert app.edit("passwordEdit").text() == ""
    assert app.edit("usernameEdit").isEnabled()


def test_sign_up_with_strength_feedback_estimated_off_the_ui_thread(
    server, open_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    estimated_on: list[threading.Thread] = []
    real_estimate = backend.password_strength

    def watched(password: str, username: str = "") -> object:
        estimated_on.append(threading.current_thread())
        return real_estimate(password, username)

    monkeypatch.setattr(backend, "password_strength", watched)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    form = app.window.sign_in
    app.edit("usernameEdit").setText("newcomer")
    app.edit("passwordEdit").setText("password1")
    app.qtbot.waitUntil(lambda: "too weak" in form.strength_text.text(), timeout=10_000)
    assert not app.button("signUpButton").isEnabled()
    for typed in ("Correct", "Correct-horse", "Correct-horse-battery-9"):
        app.edit("passwordEdit").setText(typed)  # faster than the estimates come back
    app.qtbot.waitUntil(app.button("signUpButton").isEnabled, timeout=10_000)
    assert "good enough" in form.strength_text.text()
    assert estimated_on
    assert threading.main_thread() not in estimated_on
    app.button("signUpButton").click()
    app.wait_phase(Phase.SIGNED_IN)
    assert [e.path for e in app.exchanges()][:2] == ["/sign-up", "/sign-in"]
    assert app.controller.username == "newcomer"


def test_sessions_list_ends_another_session(server, make_account, open_window) -> None:
    account: Account = make_account(server.url)
    other = ApiClient(server.url, SystemClock()).sign_in(account.username, account.password)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.sign_in(account.username, account.password)
    table = app.window.sessions.table
    app.qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=10_000)
    buttons = {
        b.property("sessionId"): b
        for b in app.window.sessions.findChildren(type(app.button("revokeButton")))
        if b.objectName() == "revokeSessionButton"
    }
    buttons[other.session_id].click()
    app.qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=10_000)
    with pytest.raises(InvalidGrant):
        ApiClient(server.url, SystemClock()).refresh(other.refresh_token)
    assert app.controller.phase == Phase.SIGNED_IN


def test_sign_out_everywhere_ends_every_session(server, make_account, open_window) -> None:
    account: Account = make_account(server.url)
    other = ApiClient(server.url, SystemClock()).sign_in(account.username, account.password)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.sign_in(account.username, account.password)
    app.button("signOutEverywhereButton").click()
    app.wait_phase(Phase.SIGNED_OUT)
    with pytest.raises(InvalidGrant):
        ApiClient(server.url, SystemClock()).refresh(other.refresh_token)
    assert [e.reason for e in app.endings()] == [EndReason.SIGNED_OUT_EVERYWHERE]


def test_sign_out_ends_the_session(server, make_account, open_window) -> None:
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.sign_in(account.username, account.password)
    refresh_token = app.controller.tokens.refresh_token
    app.button("signOutButton").click()
    app.wait_phase(Phase.SIGNED_OUT)
    with pytest.raises(InvalidGrant):
        ApiClient(server.url, SystemClock()).refresh(refresh_token)
    assert app.controller.tokens is None
    assert "signed out" in app.window.sign_in.reason.text()


def test_start_up_while_the_server_is_down_waits_then_resumes(
    start_server, make_account, open_window
) -> None:
    server = start_server("--access-ttl", "3")
    account: Account = make_account(server.url)
    first = open_window("--server", server.url, *FILE_STORE)
    first.sign_in(account.username, account.password)
    first.window.close()
    server.kill()
    app = open_window("--server", server.url, *FILE_STORE)
    app.wait_phase(Phase.SIGNED_IN)
    app.qtbot.waitUntil(app.window.offline_banner.isVisible, timeout=10_000)
    assert app.controller.access_token is None
    assert (
        "no access token is valid until the server answers"
        in app.window.offline_banner.label.text()
    )
    server.restart()
    app.qtbot.waitUntil(lambda: app.controller.access_token is not None, timeout=30_000)
    app.qtbot.waitUntil(lambda: not app.window.offline_banner.isVisible(), timeout=5_000)
    assert app.call_api().ok
    assert app.endings() == []


def test_sign_out_everywhere_while_offline_says_what_did_not_happen(
    server, make_account, open_window
) -> None:
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.sign_in(account.username, account.password)
    server.kill()
    app.button("signOutEverywhereButton").click()
    banner = app.window.notice_banner
    expected = "Could not sign out everywhere: Cannot reach the server"
    app.qtbot.waitUntil(lambda: banner.label.text().startswith(expected), timeout=10_000)
    assert banner.isVisible()
    assert app.controller.phase == Phase.SIGNED_IN
    assert app.button("signOutEverywhereButton").isEnabled()


def test_a_session_list_that_cannot_load_says_so_beside_it_and_leaves_the_notice(
    server, make_account, open_window
) -> None:
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.sign_in(account.username, account.password)
    panel = app.window.sessions
    app.qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10_000)
    server.kill()
    app.button("callApiButton").click()
    notice = app.window.notice_banner.label
    app.qtbot.waitUntil(lambda: notice.text().startswith("Could not call the API"), timeout=10_000)
    said = notice.text()
    tabs = app.window.tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("Sessions"))
    app.qtbot.waitUntil(panel.problem.isVisible, timeout=10_000)
    assert panel.problem.label.text().startswith(
        "Could not load the sessions: Cannot reach the server"
    )
    assert notice.text() == said
    assert panel.table.rowCount() == 1
    server.restart()
    reload = app.button("reloadSessionsButton")
    app.qtbot.waitUntil(reload.isEnabled, timeout=10_000)
    reload.click()
    app.qtbot.waitUntil(lambda: not panel.problem.isVisible(), timeout=10_000)
    assert panel.table.rowCount() == 1
