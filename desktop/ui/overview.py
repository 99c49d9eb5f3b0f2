"""The signed-in page: who, the access token's life, the refresh token, the API and the exits."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.redact import shorten
from desktop.qt.actions import ENDINGS, Action
from desktop.qt.api_calls import ApiCalls
from desktop.qt.engine import SessionEngine
from desktop.qt.jobs import Jobs
from desktop.qt.store_keeper import StoreKeeper
from desktop.ui.countdown import LiveText, OnScreenTicker, seconds_left, until_next_second
from desktop.ui.expiry_bar import ExpiryBar
from desktop.ui.formatting import clock_time

BUTTONS = {
    "callApiButton": ("Call the API", Action.CALL_API, "GET /account with the access token."),
    "refreshNowButton": (
        "Refresh now",
        Action.REFRESH,
        "Trade the refresh token for a new pair now instead of waiting for the mark.",
    ),
    "revokeButton": (
        "Revoke refresh token",
        Action.REVOKE,
        "Tell the server to revoke the refresh token, delete it here and return to sign-in.",
    ),
    "signOutButton": (
        "Sign out",
        Action.SIGN_OUT,
        "End this session (on the server too) and forget it.",
    ),
    "signOutEverywhereButton": (
        "Sign out everywhere",
        Action.SIGN_OUT_EVERYWHERE,
        "End every session of this account, on every device.",
    ),
}


def card(title: str) -> tuple[QFrame, QVBoxLayout, QLabel]:
    """A titled card: the frame, its layout, and its title."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 14)
    layout.setSpacing(8)
    heading = QLabel(title)
    heading.setObjectName("cardTitle")
    heading.setWordWrap(True)
    layout.addWidget(heading)
    return frame, layout, heading


def next_tick(to_expiry: float, to_refresh: float) -> float | None:
    """Seconds until the countdown shows its next number, or the bar turns to "due" first."""
    if to_expiry <= 0:
        return None
    wait = until_next_second(to_expiry)
    return min(wait, to_refresh) if to_refresh > 0 else wait


class Overview(QWidget):
    """Shows the session engine's read-only state; the countdown ticks once a second, on screen."""

    def __init__(
        self,
        engine: SessionEngine,
        api: ApiCalls,
        jobs: Jobs,
        stores: StoreKeeper,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("overview")
        self.engine = engine
        self.jobs = jobs
        self.stores = stores
        self.buttons: dict[str, QPushButton] = {}
        self.actions_of: dict[QPushButton, Action] = {}
        for name, (text, action, tip) in BUTTONS.items():
            button = QPushButton(text)
            button.setObjectName(name)
            button.setToolTip(tip)
            self.buttons[name] = button
            self.actions_of[button] = action
        self.buttons["callApiButton"].setProperty("role", "primary")
        for name in ("revokeButton", "signOutEverywhereButton"):
            self.buttons[name].setProperty("role", "danger")

        self.who = QLabel()
        self.who.setObjectName("pageTitle")
        self.where = QLabel()
        self.where.setObjectName("muted")
        self.where.setWordWrap(True)
        header = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.who)
        names.addWidget(self.where)
        header.addLayout(names, 1)
        header.addWidget(self.buttons["signOutButton"])
        header.addWidget(self.buttons["signOutEverywhereButton"])

        access_card, access, _ = card("Access token: short-lived, kept in memory only")
        self.bar = ExpiryBar()
        self.remaining = LiveText("remainingLabel", "59 min 59 s left")
        self.times = QLabel()
        self.times.setObjectName("muted")
        self.times.setWordWrap(True)
        self.plan = LiveText("planLabel", "next refresh ▼ at 00:00:00, in 59 min 59 s")
        bar_row = QHBoxLayout()
        bar_row.addWidget(self.remaining)
        bar_row.addWidget(self.bar, 1)
        access.addLayout(bar_row)
        access.addWidget(self.times)
        access.addWidget(self.plan)
        row = QHBoxLayout()
        row.addWidget(self.buttons["callApiButton"])
        row.addWidget(self.buttons["refreshNowButton"])
        row.addStretch(1)
        access.addLayout(row)

        refresh_card, refresh, _ = card("Refresh token: long-lived, the only thing stored")
        facts = QGridLayout()
        facts.setHorizontalSpacing(16)
        facts.setVerticalSpacing(4)
        self.refresh_value = QLabel()
        self.rotations = QLabel()
        self.stored_in = QLabel()
        self.stored_in.setWordWrap(True)
        for row_index, (label, value) in enumerate(
            (
                ("Token", self.refresh_value),
                ("Rotations", self.rotations),
                ("Stored in", self.stored_in),
            )
        ):
            caption = QLabel(label)
            caption.setObjectName("muted")
            facts.addWidget(caption, row_index, 0)
            facts.addWidget(value, row_index, 1)
        facts.setColumnStretch(1, 1)
        refresh.addLayout(facts)
        revoke_row = QHBoxLayout()
        revoke_row.addWidget(self.buttons["revokeButton"])
        revoke_row.addStretch(1)
        refresh.addLayout(revoke_row)

        answer_card, answer, self.answer_title = card("API answer")
        self.answer = QPlainTextEdit()
        self.answer.setObjectName("apiAnswer")
        self.answer.setReadOnly(True)
        self.answer.setPlaceholderText("Press “Call the API” to send GET /account.")
        self.answer.setMinimumHeight(80)
        self.answer.setMaximumHeight(200)
        answer.addWidget(self.answer)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.setSpacing(12)
        layout.addLayout(header)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(access_card, 3)
        top.addWidget(refresh_card, 2)
        layout.addLayout(top)
        layout.addWidget(answer_card)
        layout.addStretch(1)

        wire = {
            "callApiButton": api.call_api,
            "refreshNowButton": engine.refresh_now,
            "revokeButton": engine.revoke,
            "signOutButton": engine.sign_out,
            "signOutEverywhereButton": engine.sign_out_everywhere,
        }
        for name, slot in wire.items():
            self.buttons[name].clicked.connect(slot)
        jobs.busy_changed.connect(self._busy_changed)
        engine.tokens_changed.connect(self.update_view)
        api.account_loaded.connect(self.show_answer)
        engine.phase_changed.connect(lambda _: self._clear_answer_if_signed_out())
        self.ticker = OnScreenTicker(self, self.tick)
        self.update_view()

    def _busy_changed(self, action: Action, running: bool) -> None:
        for button, mine in self.actions_of.items():
            if mine == action or (action in ENDINGS and mine in ENDINGS):
                button.setEnabled(not running)
        if action == Action.REFRESH:
            self.tick()

    def _clear_answer_if_signed_out(self) -> None:
        if self.engine.tokens is None:
            self.answer.clear()
            self.answer_title.setText("API answer")

    def show_answer(self, body: dict[str, Any]) -> None:
        when = clock_time(self.engine.clock.wall())
        self.answer_title.setText(f"API answer: GET /account at {when}")
        self.answer.setPlainText(json.dumps(body, indent=2, sort_keys=True))

    def update_view(self) -> None:
        tokens = self.engine.tokens
        if tokens is None:
            return
        self.who.setText(f"Signed in as {tokens.username}")
        self.where.setText(
            f"Session {tokens.session_id[:8]}…: one chain of refresh tokens, started at sign-in"
        )
        self.refresh_value.setText(shorten(tokens.refresh_token))
        self.rotations.setText(
            f"{tokens.rotations} since this app started using it"
            if tokens.rotations
            else "not rotated yet by this app"
        )
        self.stored_in.setText(self.stores.description)
        lifetime = tokens.lifetime
        if lifetime is None:
            self.times.setText("Waiting for the first access token…")
        else:
            issued, expires = clock_time(lifetime.issued_at), clock_time(lifetime.expires_at)
            self.times.setText(f"Issued {issued} · expires {expires}")
        self.tick()

    def tick(self) -> None:
        """The access token's life now; the next tick comes when the next second shows."""
        if not self.ticker.on_screen:
            return
        lifetime = self.engine.lifetime
        now = self.engine.clock.wall()
        self.bar.show_lifetime(lifetime, now)
        self.remaining.setText(self.bar.format())
        if lifetime is None:
            self.plan.setText("")
            self.ticker.after(None)
            return
        retry_at = self.engine.retry_at
        if self.jobs.is_running(Action.REFRESH):
            plan = "refreshing now…"
        elif retry_at:
            plan = f"server unreachable, retrying in {seconds_left(retry_at - now)}"
        elif lifetime.is_due(now):
            plan = "refresh due now"
        else:
            wait = seconds_left(lifetime.refresh_at - now)
            plan = f"next refresh ▼ at {clock_time(lifetime.refresh_at)}, in {wait}"
        self.plan.setText(plan)
        self.ticker.after(next_tick(lifetime.expires_at - now, lifetime.refresh_at - now))
