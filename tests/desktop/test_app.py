"""Starting and stopping the app: command line, display check, embedded server, store choice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.app import main
from desktop.core.client import ApiClient
from desktop.core.clock import SystemClock
from desktop.core.errors import NetworkDown
from desktop.options import parse_options
from desktop.qt.engine import Phase
from tests.desktop.conftest import Account


def test_options_follow_the_contract(tmp_path: Path) -> None:
    options = parse_options(
        ["--server", "http://127.0.0.1:9/", "--data-dir", str(tmp_path), "--token-store", "file"]
    )
    assert options.server == "http://127.0.0.1:9"
    assert options.data_dir == tmp_path
    assert options.token_store == "file"
    assert parse_options([]).token_store is None
    assert parse_options(["--access-ttl", "5"]).access_ttl == 5


@pytest.mark.parametrize(
    "argv",
    [
        ["--token-store", "plaintext"],
        ["--access-ttl", "0"],
        ["--server", "127.0.0.1:9"],
        ["--server", "http://127.0.0.1:9", "--access-ttl", "5"],
    ],
)
def test_bad_command_lines_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_options(argv)
    assert exit_info.value.code == 2


def test_without_a_display_main_explains_and_exits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["--token-store", "memory"]) == 2
    message = capsys.readouterr().err
    assert "xvfb-run" in message
    assert "python3 tasks.py server" in message


def test_python_m_desktop_without_a_display_does_not_abort(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "needs a display" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "server").exists()


def test_embedded_server_runs_on_loopback_and_stops_with_the_window(open_window) -> None:
    app = open_window("--token-store", "memory", "--access-ttl", "5")
    assert app.controller.embedded
    assert app.controller.embedded_server is not None
    url = app.controller.server_url
    assert url.startswith("http://127.0.0.1:")
    app.wait_phase(Phase.SIGNED_OUT)
    client = ApiClient(url, SystemClock())
    client.health()
    client.sign_up("embedded-user", "Pw-embedded-user-2024!x")
    app.sign_in("embedded-user", "Pw-embedded-user-2024!x")
    assert app.issued("sign-in")[0].access_expires_at - app.issued()[0].access_issued_at <= 5
    app.window.close()
    with pytest.raises(NetworkDown):
        client.health()


def test_without_a_keyring_the_app_offers_file_or_memory(
    no_keyring: None, server, make_account, open_window, tmp_path: Path
) -> None:
    account: Account = make_account(server.url)
    app = open_window("--server", server.url)
    app.wait_phase(Phase.CHOOSE_STORE)
    banner = app.window.store_banner
    assert banner.isVisible()
    assert "keyring" in banner.label.text()
    assert not app.button("signInButton").isEnabled()
    assert not app.edit("usernameEdit").isEnabled()
    app.button("useMemoryStoreButton").click()
    app.wait_phase(Phase.SIGNED_OUT)
    assert not banner.isVisible()
    app.sign_in(account.username, account.password)
    assert app.controller.store_kind == "memory"
    assert not (tmp_path / "app-data" / "refresh-tokens.json").exists()


def test_the_file_store_chosen_without_a_keyring_is_used_again_at_the_next_start(
    no_keyring: None, server, make_account, open_window, tmp_path: Path
) -> None:
    account: Account = make_account(server.url)
    first = open_window("--server", server.url)
    first.wait_phase(Phase.CHOOSE_STORE)
    first.button("useFileStoreButton").click()
    first.sign_in(account.username, account.password)
    assert first.controller.store_kind == "file"
    assert (tmp_path / "app-data" / "refresh-tokens.json").exists()
    assert "refresh-tokens.json" in first.window.store_label.text()
    assert (tmp_path / "app-data" / "token-store-choice").read_text() == "file\n"
    first.window.close()

    again = open_window("--server", server.url)
    again.wait_phase(Phase.SIGNED_IN)
    assert again.controller.store_kind == "file"
    assert again.exchanges("/sign-in") == []
    notice = again.window.notice_banner.label.text()
    assert "keyring" in notice
    assert "as you chose before" in notice
    assert "refresh-tokens.json" in notice
    assert again.call_api().ok


def test_asking_for_the_keyring_by_name_offers_the_choice_again(
    no_keyring: None, server, open_window, tmp_path: Path
) -> None:
    (tmp_path / "app-data").mkdir()
    (tmp_path / "app-data" / "token-store-choice").write_text("memory\n")
    app = open_window("--server", server.url, "--token-store", "keyring")
    app.wait_phase(Phase.CHOOSE_STORE)
    assert app.window.store_banner.isVisible()
    app.button("useFileStoreButton").click()
    app.wait_phase(Phase.SIGNED_OUT)
    chosen = tmp_path / "app-data" / "token-store-choice"
    app.qtbot.waitUntil(lambda: chosen.read_text() == "file\n", timeout=5_000)


def test_a_remembered_memory_choice_starts_signed_out_and_says_so(
    no_keyring: None, server, open_window, tmp_path: Path
) -> None:
    (tmp_path / "app-data").mkdir()
    (tmp_path / "app-data" / "token-store-choice").write_text("memory\n")
    app = open_window("--server", server.url)
    app.wait_phase(Phase.SIGNED_OUT)
    assert app.controller.store_kind == "memory"
    said = app.window.sign_in.error
    assert said.isVisible()
    assert "memory only" in said.text()
    assert "as you chose before" in said.text()
