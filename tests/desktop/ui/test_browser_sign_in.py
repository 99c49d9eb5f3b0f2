"""Signing in through the browser from the real window: BROWSER runs a stand-in that drives
headless Chromium through the server's page; the loopback listener, state, Cancel, timeout."""

from __future__ import annotations

import json
import shlex
import sys
import webbrowser
from pathlib import Path

import keyring
import pytest
import requests
from PySide6.QtGui import QGuiApplication

from desktop.core.events import BrowserStep
from desktop.core.redact import shorten
from desktop.qt.engine import Phase
from desktop.teaching.panels.inspector import InspectorPanel
from desktop.teaching.panels.sequence import SequencePanel
from tests.desktop.conftest import Account, SecretServiceEnv
from tests.desktop.driver import SIGN_IN_TIMEOUT_MS, Driver
from tests.support.components import require_executable
from tests.support.oauth_flow import query_of

STAND_IN = Path(__file__).resolve().parents[1] / "browser_stand_in.py"


@pytest.fixture
def browser_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """BROWSER set to the stand-in, which notes every URL it is asked to open in this file."""
    log = tmp_path / "opened.txt"
    monkeypatch.setenv("BROWSER", f"{shlex.quote(sys.executable)} {shlex.quote(str(STAND_IN))} %s")
    monkeypatch.setenv("STAND_IN_LOG", str(log))
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    return log


def opened(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def waiting_url(app: Driver) -> str:
    """The sign-in page's address, as the waiting row's Copy address button copies it."""
    app.qtbot.waitUntil(lambda: app.window.sign_in.waiting_row.isVisible(), timeout=10_000)
    app.button("copyBrowserAddressButton").click()
    url = QGuiApplication.clipboard().text()
    assert url.startswith(app.controller.server_url + "/oauth/authorize?")
    return url


def error_shown(app: Driver) -> str:
    error = app.window.sign_in.error
    app.qtbot.waitUntil(error.isVisible, timeout=SIGN_IN_TIMEOUT_MS)
    app.qtbot.waitUntil(lambda: not app.window.sign_in.waiting_row.isVisible(), timeout=5_000)
    return error.text()


@pytest.mark.keyring
@pytest.mark.slow
def test_signing_in_through_chromium_keeps_only_the_refresh_token(
    secret_service: SecretServiceEnv,
    start_server,
    make_account,
    open_window,
    browser_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_executable("chromium")
    server = start_server("--access-ttl", "3")
    account: Account = make_account(server.url)
    monkeypatch.setenv("STAND_IN_USERNAME", account.username)
    monkeypatch.setenv("STAND_IN_PASSWORD", account.password)
    app = open_window("--server", server.url)
    app.wait_phase(Phase.SIGNED_OUT)
    app.button("signInBrowserButton").click()
    app.wait_phase(Phase.SIGNED_IN, timeout=90_000)
    assert len(opened(browser_log)) == 1
    assert opened(browser_log)[0].startswith(f"{server.url}/oauth/authorize?")
    assert [e.path for e in app.exchanges("/oauth/token")] == ["/oauth/token"]
    assert app.exchanges("/sign-in") == []
    assert [e.step for e in app.events if isinstance(e, BrowserStep)] == ["opened", "came back"]
    entry = json.loads(keyring.get_password("jwt-refresh-demo", server.url) or "{}")
    assert set(entry) == {"server", "username", "refresh_token", "session_id"}
    assert entry["username"] == account.username
    assert account.password not in json.dumps(entry)
    assert app.controller.tokens is not None
    assert entry["refresh_token"] == app.controller.tokens.refresh_token
    app.wait_refreshes(2, timeout=30_000)
    assert app.call_api().ok
    stored = json.loads(keyring.get_password("jwt-refresh-demo", server.url) or "{}")
    assert stored["refresh_token"] == app.controller.tokens.refresh_token
    assert stored["refresh_token"] != entry["refresh_token"]
    assert account.password not in app.log_text()
    teaching_views_show_the_browser_way(app)


def teaching_views_show_the_browser_way(app: Driver) -> None:
    """The inspector shows code, verifier and challenge shortened; the diagram lit its steps."""
    step = [e for e in app.events if isinstance(e, BrowserStep)][-1]
    assert step.code is not None
    inspector = app.window.findChild(InspectorPanel, "inspectorPanel")
    assert inspector is not None
    table = inspector.pkce_table

    def cell(row: int, column: int) -> str:
        item = table.item(row, column)
        assert item is not None
        return item.text()

    rows = {cell(row, 0): (cell(row, 1), cell(row, 2)) for row in range(table.rowCount())}
    assert rows["code"][0] == shorten(step.code)
    assert rows["code_verifier"][0] == shorten(step.code_verifier)
    assert rows["code_challenge"][0] == shorten(step.code_challenge)
    assert "✓" in rows["code_challenge"][1]
    assert "never reached the app" in rows["code"][1]
    shown = " ".join(text for pair in rows.values() for text in pair)
    assert step.code not in shown
    assert step.code_verifier not in shown
    sequence = app.window.findChild(SequencePanel, "sequencePanel")
    assert sequence is not None
    assert "browser" in sequence.diagram.last_lit


def test_a_second_click_opens_no_second_listener_and_cancel_ends_it(
    server, open_window, browser_log: Path
) -> None:
    app = open_window("--server", server.url, "--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    button = app.button("signInBrowserButton")
    button.click()
    url = waiting_url(app)
    assert not button.isEnabled()
    app.controller.engine.sign_in_with_browser()
    button.click()
    app.qtbot.waitUntil(lambda: len(opened(browser_log)) == 1, timeout=10_000)
    app.qtbot.wait(300)
    assert opened(browser_log) == [url]
    assert len([e for e in app.events if isinstance(e, BrowserStep)]) == 1
    redirect_uri = query_of(url)["redirect_uri"]
    assert redirect_uri.startswith("http://127.0.0.1:")
    app.button("cancelBrowserSignInButton").click()
    assert "cancelled" in error_shown(app)
    assert button.isEnabled()
    with pytest.raises(requests.ConnectionError):
        requests.get(redirect_uri, timeout=5)


def test_an_answer_with_another_state_is_ignored_and_a_denial_is_said(
    server, open_window, browser_log: Path
) -> None:
    app = open_window("--server", server.url, "--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    app.button("signInBrowserButton").click()
    query = query_of(waiting_url(app))
    callback = query["redirect_uri"]
    forged = requests.get(callback, params={"code": "stolen", "state": "guessed"}, timeout=5)
    assert forged.status_code == 400
    assert app.window.sign_in.waiting_row.isVisible()
    denied = requests.get(
        callback, params={"error": "access_denied", "state": query["state"]}, timeout=5
    )
    assert "close this tab" in denied.text
    assert "You cancelled signing in in the browser." in error_shown(app)
    assert app.exchanges("/oauth/token") == []


def test_a_refused_code_is_said_in_words(server, open_window, browser_log: Path) -> None:
    app = open_window("--server", server.url, "--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    app.button("signInBrowserButton").click()
    query = query_of(waiting_url(app))
    answer = {"code": "not-a-code-of-this-server", "state": query["state"], "iss": server.url}
    requests.get(query["redirect_uri"], params=answer, timeout=5)
    text = error_shown(app)
    assert "The server refused the sign-in code" in text
    assert "unknown" in text
    assert app.controller.phase == Phase.SIGNED_OUT


def test_a_browser_that_never_comes_back_times_out_in_words(
    server, open_window, browser_log: Path
) -> None:
    app = open_window("--server", server.url, "--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    app.controller.engine.browser_timeout = 1.0
    app.button("signInBrowserButton").click()
    assert "did not come back" in error_shown(app)
    assert app.button("signInBrowserButton").isEnabled()
