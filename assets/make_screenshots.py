"""Regenerate the README's screenshots: drive the real app offscreen and grab what it shows, and
the server's sign-in page in headless Chromium at a phone's and a desktop's width."""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from desktop.app import create_window
from desktop.core.client import ApiClient
from desktop.core.clock import SystemClock
from desktop.core.events import EndReason, SessionEnded, TokensIssued
from desktop.ui.main_window import MainWindow

ASSETS = Path(__file__).resolve().parent
sys.path.insert(0, str(ASSETS.parent))

from tests.support.chromium import start_chromium  # noqa: E402 (needs the repository on the path)
from tests.support.oauth_flow import Authorization  # noqa: E402

STAND_IN = ASSETS.parent / "tests" / "desktop" / "browser_stand_in.py"
PAGE_WIDTHS = {"phone": (390, 760, True), "desktop": (1100, 820, False)}
SIGN_IN_SIZE = (1180, 820)
WINDOW_SIZE = (1180, 900)
TALL_WINDOW_SIZE = (1180, 1240)
ACCESS_TTL = 15
REFRESHES = 2
TIMEOUT = 90.0
Found = TypeVar("Found", bound=QWidget)


class Driver:
    """Clicks through the real window and waits for what the app reports."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.controller = window.controller
        self.events: list[object] = []
        self.controller.happened.connect(self.events.append)

    def find(self, kind: type[Found], name: str) -> Found:
        widget = self.window.findChild(kind, name)
        if widget is None:
            raise RuntimeError(f"the window has no {kind.__name__} named {name!r}")
        return widget

    def click(self, name: str) -> None:
        button = self.find(QAbstractButton, name)
        self.wait_until(button.isEnabled, f"{name} to be enabled")
        button.click()

    def type(self, name: str, text: str) -> None:
        self.find(QLineEdit, name).setText(text)

    def wait_until(self, condition: Callable[[], object], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f"gave up waiting for {what}")
            QApplication.processEvents()
            time.sleep(0.02)

    def pause(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.02)

    def count(self, test: Callable[[object], bool]) -> int:
        return sum(1 for event in self.events if test(event))

    def show_tab(self, panel: QWidget) -> None:
        self.window.show_tab_holding(panel)
        self.pause(0.6)


def refreshed(event: object) -> bool:
    return isinstance(event, TokensIssued) and event.via == "refresh"


def session_over(event: object) -> bool:
    return isinstance(event, SessionEnded) and event.reason in {
        EndReason.INVALID_GRANT,
        EndReason.REUSE_DETECTED,
    }


def save(widget: QWidget, path: Path) -> Path:
    if not widget.grab().save(str(path), "PNG"):
        raise RuntimeError(f"could not write {path}")
    return path


def sign_in_through_the_browser(drive: Driver, server_url: str) -> None:
    """Create an account, then sign in as a person would: in the browser the app opens.

    `BROWSER` names the tests' stand-in, which drives headless Chromium through the page.
    """
    username = "ada" + secrets.token_hex(2)
    password = "Analytical-Engine-" + secrets.token_hex(4)
    ApiClient(server_url, SystemClock()).sign_up(username, password)
    os.environ["BROWSER"] = f"{shlex.quote(sys.executable)} {shlex.quote(str(STAND_IN))} %s"
    os.environ["STAND_IN_USERNAME"], os.environ["STAND_IN_PASSWORD"] = username, password
    drive.click("signInBrowserButton")
    drive.wait_until(lambda: drive.controller.access_token, "the browser sign-in")


def page_screenshots(out: Path, server_url: str) -> list[Path]:
    """The server's sign-in page, as the app opens it, at a phone's and a desktop's width."""
    url = Authorization("http://127.0.0.1:53682/callback").url(server_url)
    shots = []
    for name, (width, height, mobile) in PAGE_WIDTHS.items():
        driver = start_chromium(width=max(width, 500), height=height)
        try:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            )
            driver.get(url)
            path = out / f"sign-in-page-{name}.png"
            if not driver.save_screenshot(str(path)):
                raise RuntimeError(f"could not write {path}")
            shots.append(path)
        finally:
            driver.quit()
    return shots


def make_screenshots(out: Path, data_dir: Path) -> list[Path]:
    """Sign up, let the app refresh, call the API, simulate a theft; grab each stage."""
    out.mkdir(parents=True, exist_ok=True)
    argv = ["--data-dir", str(data_dir), "--token-store", "memory"]
    window = create_window([*argv, "--access-ttl", str(ACCESS_TTL)])
    window.resize(*WINDOW_SIZE)
    window.show()
    drive = Driver(window)
    shots: list[Path] = []
    try:
        drive.wait_until(lambda: drive.find(QLineEdit, "usernameEdit").isEnabled(), "sign-in")
        window.resize(*SIGN_IN_SIZE)
        drive.pause(0.6)
        shots.append(save(window, out / "sign-in.png"))
        shots.extend(page_screenshots(out, window.controller.server_url))
        window.resize(*WINDOW_SIZE)
        sign_in_through_the_browser(drive, window.controller.server_url)
        sequence = drive.find(QWidget, "sequencePanel")
        drive.show_tab(sequence)
        window.resize(*TALL_WINDOW_SIZE)
        drive.pause(1.0)
        diagram = sequence.findChild(QScrollArea)
        if diagram is not None:
            diagram.verticalScrollBar().setValue(0)
        drive.pause(0.3)
        shots.append(save(window, out / "sequence-browser.png"))
        window.resize(*WINDOW_SIZE)
        drive.show_tab(drive.find(QWidget, "pages"))
        drive.click("simulateActivityButton")
        drive.wait_until(lambda: drive.count(refreshed) >= REFRESHES, "two refreshes")
        drive.pause(1.5)
        shots.append(save(window, out / "main-window.png"))
        drive.click("simulateActivityButton")
        drive.show_tab(drive.find(QWidget, "storedPanel"))
        shots.append(save(window, out / "stored.png"))
        window.resize(*TALL_WINDOW_SIZE)
        drive.show_tab(drive.find(QWidget, "inspectorPanel"))
        drive.wait_until(
            lambda: "Signature valid" in drive.find(QLabel, "signatureVerdict").text(),
            "the signature check",
        )
        shots.append(save(window, out / "inspector.png"))
        drive.show_tab(drive.find(QWidget, "sequencePanel"))
        drive.wait_until(lambda: drive.controller.phase == "signed-in", "the session")
        before = drive.count(refreshed)
        drive.click("refreshNowButton")
        drive.wait_until(lambda: drive.count(refreshed) > before, "a refresh on demand")
        drive.pause(2.5)
        shots.append(save(window, out / "sequence.png"))
        window.resize(*WINDOW_SIZE)
        demo = drive.find(QWidget, "demoPanel")
        drive.show_tab(demo)
        drive.click("simulateTheftButton")
        drive.wait_until(lambda: drive.count(session_over), "the session to end after the theft")
        drive.pause(1.0)
        shots.append(save(window, out / "theft.png"))
        drive.show_tab(drive.find(QWidget, "timelinePanel"))
        shots.append(save(window, out / "timeline.png"))
    finally:
        window.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ASSETS, help="where to write the PNGs")
    args = parser.parse_args(argv)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    with tempfile.TemporaryDirectory(prefix="jwt-refresh-shots-") as data_dir:
        for path in make_screenshots(args.out, Path(data_dir)):
            sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
