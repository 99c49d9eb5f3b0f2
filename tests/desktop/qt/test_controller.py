"""The controller's timers and states: clock jumps, busy buttons, warnings, the expiry bar."""

from __future__ import annotations

from pathlib import Path

from desktop.options import parse_options
from desktop.qt.controller import Controller
from desktop.qt.engine import Phase
from desktop.ui.main_window import MainWindow
from tests.desktop.conftest import Account
from tests.desktop.driver import Driver
from tests.desktop.fakes import FakeClock


def window_with_clock(qtbot, server_url: str, clock: FakeClock, tmp_path: Path) -> Driver:
    argv = ["--server", server_url, "--token-store", "memory", "--data-dir", str(tmp_path)]
    options = parse_options(argv)
    controller = Controller(server_url, options.data_dir, options.token_store, clock=clock)
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.show()
    driver = Driver(qtbot, window)
    window.controller.start()
    return driver


def test_a_clock_jump_forward_refreshes_at_once(qtbot, server, make_account, tmp_path) -> None:
    account: Account = make_account(server.url)
    clock = FakeClock(follow_real_time=True)
    app = window_with_clock(qtbot, server.url, clock, tmp_path)
    try:
        app.sign_in(account.username, account.password)
        qtbot.wait(1500)
        assert app.issued("refresh") == []
        clock.jump(3600)
        app.wait_refreshes(1, timeout=5000)
        assert app.call_api().ok
        assert [e for e in app.exchanges() if e.status == 401] == []
    finally:
        app.window.close()


def test_a_clock_jump_backwards_refreshes_too(qtbot, server, make_account, tmp_path) -> None:
    account: Account = make_account(server.url)
    clock = FakeClock(follow_real_time=True)
    app = window_with_clock(qtbot, server.url, clock, tmp_path)
    try:
        app.sign_in(account.username, account.password)
        clock.jump(-900)
        app.wait_refreshes(1, timeout=5000)
        assert app.controller.phase == Phase.SIGNED_IN
    finally:
        app.window.close()


def test_buttons_are_disabled_and_the_status_says_why(server, make_account, open_window) -> None:
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    app.edit("usernameEdit").setText(account.username)
    app.edit("passwordEdit").setText(account.password)
    app.button("signInButton").click()
    assert not app.button("signInButton").isEnabled()
    assert not app.edit("usernameEdit").isEnabled()
    assert app.window.status_line.label.text() == "Signing in…"
    app.wait_phase(Phase.SIGNED_IN)
    app.qtbot.waitUntil(lambda: app.window.status_line.label.text() == "Ready", timeout=5000)
    call = app.button("callApiButton")
    call.click()
    assert not call.isEnabled()
    assert app.window.status_line.label.text() == "Calling the API…"
    app.qtbot.waitUntil(call.isEnabled, timeout=5000)
    revoke, sign_out = app.button("revokeButton"), app.button("signOutButton")
    revoke.click()
    assert not revoke.isEnabled()
    assert not sign_out.isEnabled()
    app.wait_phase(Phase.SIGNED_OUT)


def test_a_failed_save_is_shown_and_clears_when_saving_works_again(
    start_server, make_account, open_window, tmp_path: Path
) -> None:
    server = start_server("--access-ttl", "2")
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "file")
    app.sign_in(account.username, account.password)
    token_file = tmp_path / "app-data" / "refresh-tokens.json"
    token_file.unlink()
    token_file.mkdir()
    banner = app.window.persist_banner
    app.qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "memory only" in banner.label.text()
    assert app.call_api().ok
    token_file.rmdir()
    app.qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
    assert app.controller.phase == Phase.SIGNED_IN
    assert token_file.is_file()


def test_the_expiry_bar_counts_down_and_marks_the_refresh(
    start_server, make_account, open_window
) -> None:
    server = start_server("--access-ttl", "4")
    account: Account = make_account(server.url)
    app = open_window("--server", server.url, "--token-store", "memory")
    app.sign_in(account.username, account.password)
    bar = app.window.overview.bar
    app.qtbot.waitUntil(lambda: bar.value() > 0, timeout=5000)
    first = bar.value()
    app.qtbot.waitUntil(lambda: bar.value() < first, timeout=5000)
    assert bar.mark is not None
    assert 0 < bar.mark < 1
    assert "left" in bar.format()
    assert "next refresh ▼ at" in app.window.overview.plan.text()
    assert "expires" in app.window.overview.times.text()
    assert "left" in app.window.overview.remaining.text()
