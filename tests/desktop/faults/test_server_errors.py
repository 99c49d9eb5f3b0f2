"""Answers of 500: the app says so, keeps its session, and carries on when the server heals."""

from __future__ import annotations

from desktop.qt.engine import Phase
from tests.desktop.faults.proxy import Fault

RECOVERY_MS = 30_000


def test_500s_on_refresh_back_off_and_recover(signed_in_behind_proxy) -> None:
    window = signed_in_behind_proxy("memory")
    proxy, app, offline = window.proxy, window.app, window.offline
    session_id = app.controller.tokens.session_id
    proxy.inject("/tokens/refresh", Fault.ANSWER_500, times=2)
    app.button("refreshNowButton").click()
    banner = app.window.offline_banner
    app.qtbot.waitUntil(banner.isVisible, timeout=RECOVERY_MS)
    words = banner.label.text()
    assert words.startswith("The server had a problem (HTTP 500, an error inside the server)")
    assert "The server broke down." in words
    assert "You are still signed in: the current access token works for" in words
    assert "Traceback" not in words
    app.qtbot.waitUntil(lambda: not banner.isVisible(), timeout=RECOVERY_MS)

    assert [e.status for e in app.exchanges("/tokens/refresh")] == [500, 500, 200]
    assert proxy.pending("/tokens/refresh") == 0
    assert offline[-1] == ""
    assert all("HTTP 500" in message for message in offline[:-1])
    assert app.controller.tokens.session_id == session_id
    assert app.controller.tokens.rotations == 1
    assert app.endings() == []
    assert app.call_api().ok


def test_a_500_from_the_api_is_said_and_nothing_else_changes(signed_in_behind_proxy) -> None:
    window = signed_in_behind_proxy("memory")
    proxy, app = window.proxy, window.app
    refresh_token = app.controller.tokens.refresh_token
    proxy.inject("/account", Fault.ANSWER_500)
    failed = app.call_api()
    assert (failed.ok, failed.status) == (False, 500)
    notice = app.window.notice_banner
    assert notice.isVisible()
    assert notice.label.text().startswith("Could not call the API: The server had a problem")
    assert app.call_api().ok
    assert app.exchanges("/tokens/refresh") == []
    assert app.controller.tokens.refresh_token == refresh_token
    assert app.controller.phase == Phase.SIGNED_IN
    assert not app.window.offline_banner.isVisible()
