"""Fixtures of the desktop suite: a private Secret Service, accounts on real servers, windows."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.backends.SecretService
import keyring.core
import pytest

import desktop.core.client
from desktop.app import create_window
from desktop.core.client import ApiClient, TokenResponse
from desktop.core.clock import SystemClock
from desktop.core.errors import DesktopError
from tests.desktop.driver import Driver
from tests.desktop.faults.ledger import LedgerHandler, SecretLedger
from tests.desktop.faults.secret_service import dump_every_item
from tests.support.components import require_executable

KEYRING_PASSWORD = "unlock-the-test-keyring"
LEDGER = SecretLedger()


@dataclass(frozen=True)
class Account:
    """A user that exists on a server, with the password the tests type."""

    server: str
    username: str
    password: str


@dataclass(frozen=True)
class SecretServiceEnv:
    """The private session bus and its environment, for outside tools like secret-tool."""

    env: dict[str, str]
    address: str


@pytest.fixture(autouse=True)
def private_lock_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Lock files of the keyring store go under the test's own runtime dir."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return runtime


def new_password() -> str:
    password = "Pw-" + secrets.token_urlsafe(18)
    LEDGER.add_password(password)
    return password


@pytest.fixture(scope="session", autouse=True)
def secrets_scanned_at_the_end(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SecretLedger]:
    """After the whole suite: no password or whole token in logs, messages, keyrings or files.

    Every log record of every level is collected on the way; the scan covers every test's
    temporary directory (data dirs, token files, lock dirs, the keyrings' own files).
    """
    root = logging.getLogger()
    handler, level = LedgerHandler(LEDGER), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield LEDGER
    root.removeHandler(handler)
    root.setLevel(level)
    findings = LEDGER.findings(tmp_path_factory.getbasetemp())
    assert findings == [], "secrets leaked:\n" + "\n".join(findings)


def password_noted(method: Callable[..., Any]) -> Callable[..., Any]:
    """`ApiClient.sign_in` or `sign_up`, noting the password before it is sent."""

    def send(self: ApiClient, username: str, password: str) -> Any:
        LEDGER.add_password(password)
        return method(self, username, password)

    return send


@pytest.fixture(autouse=True)
def secrets_recorded(
    monkeypatch: pytest.MonkeyPatch, secrets_scanned_at_the_end: SecretLedger
) -> None:
    """Every password sent, token received and desktop error message goes into the ledger."""
    parse, init = desktop.core.client.token_response, DesktopError.__init__

    def token_response(body: Any, sent_at: float) -> TokenResponse:
        parsed = parse(body, sent_at)
        LEDGER.add_tokens(parsed.access_token, parsed.refresh_token)
        return parsed

    def noted_init(self: DesktopError, message: str | None = None) -> None:
        init(self, message)
        LEDGER.add_text(f"message of {type(self).__name__}", str(self))

    monkeypatch.setattr(desktop.core.client, "token_response", token_response)
    monkeypatch.setattr(DesktopError, "__init__", noted_init)
    for name in ("sign_in", "sign_up"):
        monkeypatch.setattr(ApiClient, name, password_noted(getattr(ApiClient, name)))


@pytest.fixture
def make_account() -> Callable[[str], Account]:
    """Sign a fresh user up on a server and return its credentials."""

    def make(server_url: str) -> Account:
        username = "user" + secrets.token_hex(4)
        password = new_password()
        ApiClient(server_url, SystemClock()).sign_up(username, password)
        return Account(server_url, username, password)

    return make


def reset_keyring() -> None:
    """Make `keyring` choose its backend again, forgetting which ones it found viable."""
    with contextlib.suppress(KeyError):
        keyring.backend.get_all_keyring.reset()
    keyring.core.init_backend()


def wait_for_secret_service(timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reset_keyring()
        if isinstance(keyring.get_keyring(), keyring.backends.SecretService.Keyring):
            return
        time.sleep(0.1)
    raise RuntimeError("gnome-keyring did not provide the Secret Service in time")


@pytest.fixture
def secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretServiceEnv]:
    """A private D-Bus session with an unlocked gnome-keyring, torn down after the test."""
    dbus_daemon = require_executable("dbus-daemon")
    keyring_daemon = require_executable("gnome-keyring-daemon")
    home = tmp_path / "keyring-home"
    runtime = tmp_path / "keyring-run"
    for path in (home, runtime):
        path.mkdir(mode=0o700)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    bus = subprocess.Popen(
        [dbus_daemon, "--session", "--nofork", f"--address=unix:path={runtime}/bus",
         "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.Popen(
        [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        text=True, env=env,
    )  # fmt: skip
    assert daemon.stdin is not None
    daemon.stdin.write(KEYRING_PASSWORD)
    daemon.stdin.close()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    try:
        wait_for_secret_service()
        yield SecretServiceEnv(env, address)
        LEDGER.add_keyring_dump(dump_every_item(KEYRING_PASSWORD))
    finally:
        for process in (daemon, bus):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        monkeypatch.undo()
        reset_keyring()


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The situation of a headless Linux: keyring finds no backend at all."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    reset_keyring()
    yield
    monkeypatch.undo()
    reset_keyring()


@pytest.fixture
def open_window(qtbot, tmp_path: Path) -> Iterator[Callable[..., Driver]]:
    """Open windows with create_window(argv) and close them (stopping what they started)."""
    opened: list[Driver] = []

    def open_(*argv: str, data_dir: Path | None = None, show: bool = True) -> Driver:
        directory = data_dir or tmp_path / "app-data"
        window = create_window([*argv, "--data-dir", str(directory)])
        qtbot.addWidget(window)
        if show:
            window.show()
        driver = Driver(qtbot, window)
        controller = window.controller
        said = (controller.notice, controller.persist_warning, controller.store_problem)
        for signal in (*said, controller.signed_out):
            signal.connect(lambda text: LEDGER.add_text("a window's message", text))
        controller.connectivity.connect(lambda text, _: LEDGER.add_text("offline banner", text))
        opened.append(driver)
        return driver

    yield open_
    for driver in opened:
        LEDGER.add_text("a window's event log", driver.log_text())
        driver.window.close()
