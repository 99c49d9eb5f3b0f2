"""Demo controls: the embedded server's access-token lifetime, simulated activity and theft."""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from desktop.core.events import ApiCalled, SessionEnded, TokensIssued
from desktop.teaching.kit.background import in_background
from desktop.teaching.kit.hub import TeachingController, TeachingHub
from desktop.teaching.kit.icons import icon
from desktop.teaching.kit.look import note
from desktop.teaching.models.claims import span
from desktop.teaching.models.events import ServerRestarted, TheftAttempted
from desktop.teaching.models.http import ReplayResult, replay_refresh_token
from desktop.teaching.models.server_restart import (
    MAX_ACCESS_TTL,
    MIN_ACCESS_TTL,
    restart_with_access_ttl,
)
from desktop.teaching.models.theft import (
    DEFAULT_REUSE_GRACE,
    TheftPlan,
    TokenHistory,
    ending_story,
    theft_story,
)

ACTIVITY_INTERVAL_MS = 3000
TTL_STEP = 5
TTL_INTRO = (
    "How long each access token lives. Short lifetimes make refreshes frequent enough to "
    "watch; applying restarts the embedded server on the same port and data, so you stay "
    "signed in and the next access token gets the new lifetime."
)
THEFT_INTRO = (
    "Suppose malware copied the refresh token from this computer some time ago. The app has "
    "rotated it since, so the copy is an old token. An attacker replaying it is refused, and "
    "the server ends the whole session, because a used token coming back means someone holds "
    "a copy. One exception: for {grace} after a rotation the immediate predecessor is accepted "
    "once (the app's answer may have been lost); the grandparent never is."
)


class DemoPanel(QWidget):
    """Buttons that make the mechanism happen on demand, each explaining what it did."""

    def __init__(
        self,
        controller: TeachingController,
        hub: TeachingHub,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.setObjectName("demoPanel")
        self.controller = controller
        self.hub = hub
        self.now = now
        self.history = TokenHistory()
        self.plan = TheftPlan()
        self.story_so_far: list[tuple[str, str]] = []
        self.theft_running = False
        self.awaiting_rotation = False
        self.awaiting_end = False
        self.calls = 0
        layout = QVBoxLayout(self)
        layout.addWidget(self._lifetime_box())
        layout.addWidget(self._activity_box())
        layout.addWidget(self._theft_box())
        layout.addStretch()
        hub.happened.connect(self.on_event)
        self.activity = QTimer(self)
        self.activity.setInterval(ACTIVITY_INTERVAL_MS)
        self.activity.timeout.connect(self.call_once)
        self.theft_timer = QTimer(self)
        self.theft_timer.setSingleShot(True)
        self.theft_timer.timeout.connect(self.try_theft)

    @property
    def grace(self) -> float:
        server = self.controller.embedded_server
        return float(server.settings.reuse_grace) if server is not None else DEFAULT_REUSE_GRACE

    def _lifetime_box(self) -> QGroupBox:
        box = QGroupBox("Access-token lifetime")
        layout = QVBoxLayout(box)
        layout.addWidget(note(TTL_INTRO))
        row = QHBoxLayout()
        self.ttl = QSlider(Qt.Orientation.Horizontal)
        self.ttl.setObjectName("accessTtlSlider")
        self.ttl.setRange(MIN_ACCESS_TTL // TTL_STEP, MAX_ACCESS_TTL // TTL_STEP)
        self.ttl.setPageStep(3)
        self.ttl_label = QLabel()
        self.ttl_label.setMinimumWidth(80)
        self.ttl.valueChanged.connect(self.show_ttl)
        self.apply = QPushButton("Apply (restarts the server)")
        self.apply.setObjectName("applyAccessTtlButton")
        self.apply.setIcon(icon("server", self))
        self.apply.clicked.connect(self.apply_ttl)
        row.addWidget(self.ttl, 1)
        row.addWidget(self.ttl_label)
        row.addWidget(self.apply)
        layout.addLayout(row)
        self.ttl_status = note("")
        self.ttl_status.setObjectName("accessTtlStatus")
        layout.addWidget(self.ttl_status)
        server = self.controller.embedded_server
        current = server.settings.access_ttl if server is not None else MAX_ACCESS_TTL
        self.ttl.setValue(max(MIN_ACCESS_TTL, min(MAX_ACCESS_TTL, current)) // TTL_STEP)
        self.show_ttl()
        if server is None:
            self.ttl.setEnabled(False)
            self.apply.setEnabled(False)
            self.ttl_status.setText(
                f"The app talks to an external server ({self.controller.server_url}), which "
                "sets its own lifetime. Start the app without --server to use this control."
            )
        return box

    def show_ttl(self) -> None:
        self.ttl_label.setText(span(self.ttl.value() * TTL_STEP))

    def apply_ttl(self) -> None:
        server = self.controller.embedded_server
        if server is None:
            return
        ttl = self.ttl.value() * TTL_STEP
        self.apply.setEnabled(False)
        self.ttl_status.setText(f"Restarting the server with {span(ttl)} access tokens…")
        in_background(self, lambda: restart_with_access_ttl(server, ttl), self.ttl_applied)

    def ttl_applied(self, result: object) -> None:
        self.apply.setEnabled(True)
        if isinstance(result, Exception):
            self.ttl_status.setText(f"The server could not be restarted: {result}")
            return
        server = self.controller.embedded_server
        ttl = server.settings.access_ttl if server is not None else 0
        self.hub.publish(ServerRestarted(self.now(), ttl))
        if self.controller.access_token:
            self.ttl_status.setText(
                f"Done: new access tokens live {span(ttl)}. The current one keeps its old "
                "expiry, so the app refreshes now to show the new lifetime at once."
            )
            self.controller.refresh_now()
        else:
            self.ttl_status.setText(f"Done: access tokens issued from now on live {span(ttl)}.")

    def _activity_box(self) -> QGroupBox:
        box = QGroupBox("Simulate activity")
        layout = QHBoxLayout(box)
        self.activity_button = QPushButton(f"Call the API every {ACTIVITY_INTERVAL_MS // 1000} s")
        self.activity_button.setObjectName("simulateActivityButton")
        self.activity_button.setCheckable(True)
        self.activity_button.setIcon(icon("api", self))
        self.activity_button.toggled.connect(self.toggle_activity)
        self.activity_status = QLabel("Off.")
        self.activity_status.setWordWrap(True)
        layout.addWidget(self.activity_button)
        layout.addWidget(self.activity_status, 1)
        return box

    def toggle_activity(self, on: bool) -> None:
        if on:
            self.activity.start()
            self.call_once()
        else:
            self.activity.stop()
            self.activity_status.setText("Off.")

    def call_once(self) -> None:
        if not self.controller.access_token:
            self.activity_status.setText("Waiting for a sign-in before calling.")
            return
        self.controller.call_api()

    def _theft_box(self) -> QGroupBox:
        box = QGroupBox("Simulate theft")
        layout = QVBoxLayout(box)
        layout.addWidget(note(THEFT_INTRO.format(grace=span(self.grace))))
        self.theft_button = QPushButton("Replay an old refresh token, as an attacker")
        self.theft_button.setObjectName("simulateTheftButton")
        self.theft_button.setIcon(icon("attacker", self))
        self.theft_button.clicked.connect(self.start_theft)
        row = QHBoxLayout()
        row.addWidget(self.theft_button)
        row.addStretch()
        layout.addLayout(row)
        self.story = note("")
        self.story.setObjectName("theftStory")
        self.story.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.story)
        return box

    def say(self, lines: list[tuple[str, str]], status: str = "") -> None:
        """Show the story so far: '<b>Who:</b> what' lines, then what is going on now."""
        paragraphs = [f"<b>{html.escape(who)}:</b> {html.escape(what)}" for who, what in lines]
        if status:
            paragraphs.append(f"<i>{html.escape(status)}</i>")
        self.story.setText("".join(f"<p>{text}</p>" for text in paragraphs))

    def on_event(self, record: object) -> None:
        if isinstance(record, TokensIssued):
            entry = self.controller.stored_entry
            if entry and entry.get("refresh_token"):
                self.history.observe(entry["refresh_token"], record.session_id, record.at)
            if self.awaiting_rotation and len(self.history.held) > 1:
                self.awaiting_rotation = False
                self.try_theft()
        elif isinstance(record, ApiCalled):
            self.calls += 1
            verdict = "accepted" if record.ok else "refused"
            if self.activity_button.isChecked():
                calls = f"{self.calls} call" if self.calls == 1 else f"{self.calls} calls"
                self.activity_status.setText(f"{calls}; the last one was {verdict}.")
        elif isinstance(record, SessionEnded):
            self.history.clear()
            self.session_ended(record)

    def start_theft(self) -> None:
        if not self.controller.access_token or not self.history.held:
            self.say([], "Sign in first: there is no session to steal from.")
            return
        self.theft_running = True
        self.theft_button.setEnabled(False)
        self.try_theft()

    def try_theft(self) -> None:
        if not self.theft_running:
            return
        self.plan = self.history.plan(self.now(), self.grace)
        plan = [("Attacker", self.plan.explanation)]
        if self.plan.ready:
            self.say(plan, "Sending it to the server…")
            server, token = self.controller.server_url, self.plan.token or ""
            in_background(self, lambda: replay_refresh_token(server, token), self.replayed)
        elif self.plan.wait > 0:
            self.say(plan, f"Replaying in {span(self.plan.wait + 0.5)}…")
            self.theft_timer.start(int(self.plan.wait * 1000))
        else:
            self.awaiting_rotation = True
            self.say(plan, "Asking the app to refresh now…")
            self.controller.refresh_now()

    def replayed(self, result: object) -> None:
        if not isinstance(result, ReplayResult):
            result = ReplayResult(None, type(result).__name__, str(result))
        self.hub.publish(
            TheftAttempted(self.now(), self.plan.rotations_ago, result.status, result.error)
        )
        self.story_so_far = theft_story(self.plan, result.status, result.error, result.description)
        if result.status == 400:
            self.awaiting_end = True
            self.say(self.story_so_far, "The app makes its next refresh now, early, so you see it…")
            self.controller.refresh_now()
        else:
            self.finish_theft()
            self.say(self.story_so_far)

    def session_ended(self, record: SessionEnded) -> None:
        if self.theft_running and not self.awaiting_end:
            self.theft_timer.stop()
            self.finish_theft()
            self.say([], f"The session ended ({record.reason}) before the attacker acted.")
            return
        if not self.awaiting_end:
            return
        self.awaiting_end = False
        self.finish_theft()
        self.say(self.story_so_far + ending_story(str(record.reason)))

    def finish_theft(self) -> None:
        self.theft_running = False
        self.awaiting_rotation = False
        self.theft_button.setEnabled(True)
