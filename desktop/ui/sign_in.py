"""The ways to sign in: through the browser first, then the password form with the server's own
password-strength rule as a meter.

The strength estimate (zxcvbn, tens of milliseconds for a long password) runs on a thread of
its own, so typing never waits for it: the newest text is estimated once the estimate in
progress ends, and a verdict counts only for the text it was made for.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import backend
from backend import InvalidRequest, normalise_username
from desktop.qt.worker import TaskRunner


class Strength(Protocol):
    """The server's strength verdict, as the form reads it."""

    @property
    def score(self) -> int: ...
    @property
    def acceptable(self) -> bool: ...
    @property
    def feedback(self) -> str: ...


STRENGTH_WORDS = ("very weak", "weak", "fair", "good", "strong")


Typed = tuple[str, str]  # (password, username)


def estimate(typed: Typed) -> tuple[Typed, Strength]:
    """The strength verdict for `typed`, with what it was made for; run off the UI thread."""
    password, username = typed
    return typed, backend.password_strength(password, username)


def username_problem(username: str) -> str:
    """Why a username would be refused at sign-up, or '' if it is fine."""
    try:
        normalise_username(username)
    except InvalidRequest as error:
        return str(error).capitalize()
    return ""


class SignInForm(QWidget):
    """Asks for a browser sign-in, or emits typed credentials and clears the password at once."""

    sign_in_requested = Signal(str, str)
    sign_up_requested = Signal(str, str)
    browser_requested = Signal()
    browser_cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInForm")
        self.title = QLabel("Sign in")
        self.title.setObjectName("pageTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("muted")
        self.subtitle.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setObjectName("reasonLabel")
        self.reason.setWordWrap(True)
        self.reason.setVisible(False)

        self.browser_button = QPushButton("Sign in with the browser")
        self.browser_button.setObjectName("signInBrowserButton")
        self.browser_button.setProperty("role", "primary")
        self.browser_button.setToolTip(
            "Open this server's sign-in page in your web browser; the app gets a one-time code."
        )
        browser_note = QLabel(
            "Opens the server's own sign-in page in your web browser. You type your password"
            " there, and the app receives only a one-time code: it never sees the password"
            " (RFC 8252)."
        )
        browser_note.setObjectName("muted")
        browser_note.setWordWrap(True)
        self.waiting = QLabel(
            "Waiting for you to sign in in the browser… If no browser window opened, copy"
            " the page's address into one."
        )
        self.waiting.setObjectName("waitingLabel")
        self.waiting.setWordWrap(True)
        self.browser_address = ""
        self.copy_address = QPushButton("Copy address")
        self.copy_address.setObjectName("copyBrowserAddressButton")
        self.copy_address.clicked.connect(self._copy_address)
        self.cancel_browser = QPushButton("Cancel")
        self.cancel_browser.setObjectName("cancelBrowserSignInButton")
        self.cancel_browser.setToolTip("Stop waiting for the browser.")
        self.waiting_row = QFrame()
        self.waiting_row.setObjectName("waitingRow")
        waiting_layout = QHBoxLayout(self.waiting_row)
        waiting_layout.setContentsMargins(0, 0, 0, 0)
        waiting_layout.addWidget(self.waiting, 1)
        waiting_layout.addWidget(self.copy_address, 0, Qt.AlignmentFlag.AlignTop)
        waiting_layout.addWidget(self.cancel_browser, 0, Qt.AlignmentFlag.AlignTop)
        self.waiting_row.setVisible(False)
        divider = QLabel("Or type your password into the app: the 2017 article's way")
        divider.setObjectName("cardTitle")
        divider_note = QLabel(
            "Simpler, but then the app handles your password, and a password typed into an"
            " app could be kept or sent elsewhere. Through the browser, it never reaches the app."
        )
        divider_note.setObjectName("muted")
        divider_note.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("usernameEdit")
        self.username.setPlaceholderText("for example alice")
        self.password = QLineEdit()
        self.password.setObjectName("passwordEdit")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("your password")
        self.strength = QProgressBar()
        self.strength.setObjectName("strengthMeter")
        self.strength.setRange(0, 4)
        self.strength.setTextVisible(False)
        self.strength.setFixedHeight(6)
        self.strength_text = QLabel()
        self.strength_text.setObjectName("strengthLabel")
        self.strength_text.setWordWrap(True)

        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_up_button = QPushButton("Create account")
        self.sign_up_button.setObjectName("signUpButton")
        self.sign_up_button.setToolTip("Create this account on the server, then sign in.")
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.store_note = QLabel()
        self.store_note.setObjectName("muted")
        self.store_note.setWordWrap(True)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        meter = QVBoxLayout()
        meter.setSpacing(4)
        meter.addWidget(self.strength)
        meter.addWidget(self.strength_text)
        form.addRow("", meter)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.sign_up_button)
        buttons.addStretch(1)
        form.addRow("", buttons)

        card = QFrame()
        card.setObjectName("card")
        card.setMaximumWidth(520)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(10)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addWidget(self.reason)
        inner.addWidget(self.browser_button, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(browser_note)
        inner.addWidget(self.waiting_row)
        inner.addSpacing(8)
        inner.addWidget(divider)
        inner.addWidget(divider_note)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(self.store_note)
        centred = QHBoxLayout(self)  # the window's tab scrolls it in a small window
        centred.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(card)
        column.addStretch(2)
        centred.addLayout(column, 4)
        centred.addStretch(1)

        self.browser_button.clicked.connect(self._ask_browser)
        self.cancel_browser.clicked.connect(self.browser_cancel_requested)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.sign_up_button.clicked.connect(self._sign_up)
        self.password.returnPressed.connect(self._sign_in)
        self.username.returnPressed.connect(self.password.setFocus)
        self.username.textChanged.connect(self._update)
        self.password.textChanged.connect(self._update)
        self._busy = False
        self._waiting = False
        self._estimates = TaskRunner(self, max_threads=1)
        self._estimating = False
        self._verdict: tuple[Typed, Strength] | None = None
        self._update()

    def set_server(self, text: str) -> None:
        self.subtitle.setText(text)

    def set_store_note(self, text: str) -> None:
        self.store_note.setText(text)

    def show_reason(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self._update()

    def set_browser_waiting(self, waiting: bool) -> None:
        """Show that the app waits for the browser, with Cancel; or hide it."""
        self._waiting = waiting
        self.waiting_row.setVisible(waiting)
        if waiting:
            self.cancel_browser.setFocus()
        self._update()

    def show_browser_address(self, url: str) -> None:
        self.browser_address = url
        self.copy_address.setToolTip(url)

    def _copy_address(self) -> None:
        QGuiApplication.clipboard().setText(self.browser_address)

    def _ask_browser(self) -> None:
        if self._busy or self._waiting:
            return
        self.show_error("")
        self.show_reason("")
        self.browser_requested.emit()

    def typed(self) -> Typed:
        return self.password.text(), self.username.text().strip()

    def _update(self) -> None:
        password, username = self.typed()
        self.sign_in_button.setEnabled(bool(username and password) and not self._busy)
        verdict = self._verdict[1] if self._verdict and self._verdict[0] == self.typed() else None
        self.browser_button.setEnabled(not self._busy and not self._waiting)
        if not password:
            self.strength.setValue(0)
            self.strength.setProperty("level", "none")
            self.strength_text.setText(
                "For a new account, choose a password of 8 or more characters."
            )
            self.sign_up_button.setEnabled(False)
        elif verdict is None:
            self.sign_up_button.setEnabled(False)
            self._estimate()
        else:
            self.strength.setValue(verdict.score)
            self.strength.setProperty("level", "ok" if verdict.acceptable else "weak")
            name_problem = username_problem(username) if username else "Choose a username."
            advice = name_problem or ("" if verdict.acceptable else verdict.feedback)
            word = STRENGTH_WORDS[verdict.score]
            verdict_text = "good enough" if verdict.acceptable else "too weak"
            self.strength_text.setText(
                f"As a new password: {word}, {verdict_text} for an account. {advice}".strip()
            )
            self.sign_up_button.setEnabled(
                verdict.acceptable and not name_problem and not self._busy
            )
        self.strength.style().unpolish(self.strength)
        self.strength.style().polish(self.strength)

    def _estimate(self) -> None:
        """Estimate the text as it is now, unless an estimate is under way (it calls back)."""
        if not self._estimating:
            self._estimating = True
            self._estimates.run(partial(estimate, self.typed()), self._estimated, self._failed)

    def _estimated(self, result: tuple[Typed, Strength]) -> None:
        self._estimating = False
        self._verdict = result
        self._update()

    def _failed(self, error: Exception) -> None:
        self._estimating = False
        self.strength_text.setText(
            f"The strength of this password could not be estimated ({error})."
        )

    def close_estimates(self) -> None:
        """Wait for an estimate in progress and start no more (the window is closing)."""
        self._estimates.close()
        self._verdict = None

    def _take_credentials(self) -> tuple[str, str] | None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            return None
        self.password.clear()
        self.show_error("")
        self.show_reason("")
        return username, password

    def _sign_in(self) -> None:
        if self._busy or not self.sign_in_button.isEnabled():
            return
        credentials = self._take_credentials()
        if credentials is not None:
            self.sign_in_requested.emit(*credentials)

    def _sign_up(self) -> None:
        if self._busy or not self.sign_up_button.isEnabled():
            return
        credentials = self._take_credentials()
        if credentials is not None:
            self.sign_up_requested.emit(*credentials)
