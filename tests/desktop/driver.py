"""Driving the real window the way a person would: type, click, wait for what shows."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from desktop.core.events import ApiCalled, HttpExchange, SessionEnded, SessionEvent, TokensIssued
from desktop.qt.engine import Phase
from desktop.ui.main_window import MainWindow

SIGN_IN_TIMEOUT_MS = 20_000


class Driver:
    """A window, the records its controller emitted, and the controls by contract name."""

    def __init__(self, qtbot, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window
        self.controller = window.controller
        self.events: list[SessionEvent] = []
        self.controller.happened.connect(self.events.append)

    def button(self, name: str) -> QPushButton:
        button = self.window.findChild(QPushButton, name)
        assert button is not None, name
        return button

    def edit(self, name: str) -> QLineEdit:
        edit = self.window.findChild(QLineEdit, name)
        assert edit is not None, name
        return edit

    def show_tab(self, object_name: str) -> QWidget:
        """Bring the tab holding the widget of this name to the front; returns the widget."""
        widget = self.window.findChild(QWidget, object_name)
        assert widget is not None, object_name
        self.window.show_tab_holding(widget)
        return widget

    def wait_phase(self, phase: Phase, timeout: int = SIGN_IN_TIMEOUT_MS) -> None:
        self.qtbot.waitUntil(lambda: self.controller.phase == phase, timeout=timeout)

    def sign_in(self, username: str, password: str) -> None:
        self.submit_sign_in(username, password)
        self.wait_phase(Phase.SIGNED_IN)

    def fail_sign_in(self, username: str, password: str) -> str:
        """Sign in with a wrong password; the error the form shows."""
        self.submit_sign_in(username, password)
        error = self.window.sign_in.error
        self.qtbot.waitUntil(error.isVisible, timeout=SIGN_IN_TIMEOUT_MS)
        return error.text()

    def submit_sign_in(self, username: str, password: str) -> None:
        self.wait_phase(Phase.SIGNED_OUT)
        self.edit("usernameEdit").setText(username)
        self.edit("passwordEdit").setText(password)
        self.button("signInButton").click()

    def exchanges(self, path: str | None = None) -> list[HttpExchange]:
        return [
            e
            for e in self.events
            if isinstance(e, HttpExchange) and (path is None or e.path == path)
        ]

    def issued(self, via: str | None = None) -> list[TokensIssued]:
        return [e for e in self.events if isinstance(e, TokensIssued) and via in (None, e.via)]

    def endings(self) -> list[SessionEnded]:
        return [e for e in self.events if isinstance(e, SessionEnded)]

    def api_calls(self) -> list[ApiCalled]:
        return [e for e in self.events if isinstance(e, ApiCalled)]

    def call_api(self, timeout: int = 10_000) -> ApiCalled:
        before = len(self.api_calls())
        self.qtbot.waitUntil(lambda: self.button("callApiButton").isEnabled(), timeout=timeout)
        self.button("callApiButton").click()
        self.qtbot.waitUntil(lambda: len(self.api_calls()) > before, timeout=timeout)
        return self.api_calls()[-1]

    def wait_refreshes(self, count: int, timeout: int = 20_000) -> None:
        self.qtbot.waitUntil(lambda: len(self.issued("refresh")) >= count, timeout=timeout)

    def log_text(self) -> str:
        return self.window.event_log.toPlainText()
