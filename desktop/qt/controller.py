"""The session on worker threads, its timers, and signals for the widgets; the app's one brain."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict
from enum import StrEnum
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from backend import EmbeddedServer
from desktop.core.client import ApiClient, SessionInfo
from desktop.core.clock import Clock, SystemClock
from desktop.core.errors import (
    ApiError,
    DesktopError,
    NotSignedIn,
    SessionLost,
    StorageError,
    StoreUnavailable,
    TransientError,
)
from desktop.core.events import ApiCalled, EndReason, SessionEnded, SessionEvent, TokensIssued
from desktop.core.policy import Lifetime
from desktop.core.session import Ending, Session, Tokens
from desktop.options import AppOptions
from desktop.qt.scheduler import RefreshScheduler
from desktop.qt.worker import TaskRunner
from desktop.storage.kinds import make_store
from desktop.storage.store_choice import StoreChoice


class Phase(StrEnum):
    """Where the app is: which page the window shows."""

    STARTING = "starting"
    CHOOSE_STORE = "choose-store"
    SIGNED_OUT = "signed-out"
    SIGNED_IN = "signed-in"


class Controller(QObject):
    """Runs every network and store call off the UI thread and reports back by signals.

    `event` carries the records of desktop.core.events (every HTTP exchange, tokens issued, API
    calls, the end of a session), always emitted on the UI thread.
    """

    event = Signal(object)
    phase_changed = Signal(str)
    status = Signal(str)
    busy_changed = Signal(str, bool)
    notice = Signal(str)
    store_problem = Signal(str)
    persist_warning = Signal(str)
    connectivity = Signal(str, float)
    tokens_changed = Signal()
    account_loaded = Signal(dict)
    sessions_loaded = Signal(list)
    signed_out = Signal(str)
    _relay = Signal(object)

    def __init__(
        self,
        options: AppOptions,
        server_url: str,
        embedded: EmbeddedServer | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.options = options
        self._server_url = server_url.rstrip("/")
        self._embedded = embedded
        self._clock = clock or SystemClock()
        self._runner = TaskRunner(self)
        self._client = ApiClient(self._server_url, self._clock, self._relay.emit)
        self._session = Session(
            self._client,
            make_store(options.token_store or "keyring", self._server_url, options.data_dir),
            self._clock,
            rng,
            self._relay.emit,
        )
        self._relay.connect(self._publish, Qt.ConnectionType.QueuedConnection)
        self._phase = Phase.STARTING
        self._running: dict[str, str] = {}
        self._offline = ""
        self._closed = False
        self._scheduler = RefreshScheduler(self._clock, self)
        self._scheduler.due.connect(self._on_due)
        self._store_choice = StoreChoice(options.data_dir)
        self._fallback = self._store_choice.load() if options.token_store is None else None
        self._settled_notice = ""

    # Read-only state for the widgets and the teaching panels.

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def server_url(self) -> str:
        return self._server_url

    @property
    def embedded(self) -> bool:
        return self._embedded is not None

    @property
    def embedded_server(self) -> EmbeddedServer | None:
        return self._embedded

    @property
    def store_kind(self) -> str:
        return self._session.store.kind

    @property
    def store_description(self) -> str:
        return self._session.store.describe()

    @property
    def tokens(self) -> Tokens | None:
        return self._session.tokens

    @property
    def access_token(self) -> str | None:
        tokens = self._session.tokens
        return None if tokens is None else tokens.access_token

    @property
    def lifetime(self) -> Lifetime | None:
        tokens = self._session.tokens
        return None if tokens is None else tokens.lifetime

    @property
    def username(self) -> str | None:
        tokens = self._session.tokens
        return None if tokens is None else tokens.username

    @property
    def stored_entry(self) -> dict[str, str] | None:
        """The entry as this app last read or wrote it (the whole value, to be shown masked)."""
        entry = self._session.stored_entry
        return None if entry is None else asdict(entry)

    @property
    def offline_message(self) -> str:
        return self._offline

    @property
    def retry_at(self) -> float | None:
        return self._session.retry_at

    def is_running(self, action: str) -> bool:
        return action in self._running

    # Plumbing.

    @Slot(object)
    def _publish(self, record: SessionEvent) -> None:
        if self._closed:
            return
        self.event.emit(record)
        if isinstance(record, TokensIssued):
            self._schedule_refresh()
            self.tokens_changed.emit()

    def _set_phase(self, phase: Phase) -> None:
        if phase != self._phase:
            self._phase = phase
            self.phase_changed.emit(phase.value)
        if self._settled_notice and phase in {Phase.SIGNED_IN, Phase.SIGNED_OUT}:
            self.notice.emit(self._settled_notice)
            self._settled_notice = ""

    def _run(
        self,
        action: str,
        status: str,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> bool:
        """Run `work` on a worker unless `action` is already in flight; True if started."""
        if self._closed or action in self._running:
            return False
        self._running[action] = status
        self.busy_changed.emit(action, True)
        if status:
            self.status.emit(status)

        def finish() -> None:
            del self._running[action]
            self.busy_changed.emit(action, False)
            if status:
                waiting = [text for text in self._running.values() if text]
                self.status.emit(waiting[-1] if waiting else "")

        def on_result(value: Any) -> None:
            finish()
            done(value)

        def on_error(error: Exception) -> None:
            finish()
            if failed is not None:
                failed(error)
            else:
                self._failed(error, action)

        self._runner.run(work, on_result, on_error)
        return True

    def _failed(self, error: Exception, action: str = "") -> None:
        """The one place errors become words on screen (or the end of a session).

        A failed refresh turns into the offline state with its retry countdown; a failed
        action the user asked for is also reported on its own, saying what did not happen.
        """
        self._check_persistence()
        if isinstance(error, SessionLost):
            self._end(EndReason.INVALID_GRANT, str(error))
            return
        if isinstance(error, NotSignedIn) and self._phase != Phase.SIGNED_IN:
            return
        if isinstance(error, DesktopError):
            text = str(error)
        else:
            text = f"Unexpected error: {type(error).__name__}."
        offline = isinstance(error, TransientError | StorageError) and self._session.retry_at
        if offline:
            self._go_offline(text)
        if action in FAILED_ACTION:
            self.notice.emit(f"{FAILED_ACTION[action]} {text}".strip())
        elif not offline:
            self.notice.emit(text)

    def _check_persistence(self) -> None:
        self.persist_warning.emit(self._session.persist_problem or "")

    # Start-up: open the store, then resume a stored session or ask for a sign-in.

    @Slot()
    def start(self) -> None:
        self._set_phase(Phase.STARTING)
        self._scheduler.start()
        self._run(
            "store",
            "Opening the token store…",
            self._session.store.check,
            lambda _: self._restore(),
            self._store_failed,
        )

    def _store_failed(self, error: Exception) -> None:
        if not isinstance(error, StoreUnavailable | StorageError):
            self._failed(error, "store")
        elif self._fallback is not None and self.store_kind == "keyring":
            self._use_store(self._fallback)
            self._settled_notice = (
                f"{error} The refresh token is kept in {self.store_description} instead, as "
                "you chose before. Start with --token-store keyring to choose again."
            )
        else:
            self._set_phase(Phase.CHOOSE_STORE)
            self.store_problem.emit(str(error))

    @Slot(str)
    def choose_store(self, kind: str) -> None:
        """Use another store after the keyring turned out unusable, remember it, start over."""
        if self._session.tokens is not None:
            return
        remember = partial(self._store_choice.save, kind)
        self._run("remember", "", remember, lambda _: None, self._not_remembered)
        self._use_store(kind)

    def _not_remembered(self, error: Exception) -> None:
        self.notice.emit(f"{error} The app will ask again at its next start.")

    def _use_store(self, kind: str) -> None:
        self._session.store = make_store(kind, self._server_url, self.options.data_dir)
        self.store_problem.emit("")
        self.tokens_changed.emit()
        self.start()

    def _restore(self) -> None:
        self.tokens_changed.emit()
        self._run(
            "restore",
            "Resuming your session…",
            self._session.restore,
            self._restored,
            self._restore_failed,
        )

    def _restored(self, tokens: Tokens | None) -> None:
        self._check_persistence()
        if tokens is None:
            self._set_phase(Phase.SIGNED_OUT)
            return
        self._signed_in()

    def _restore_failed(self, error: Exception) -> None:
        if isinstance(error, SessionLost):
            self._end(EndReason.INVALID_GRANT, str(error))
        elif self._session.tokens is not None:
            self._signed_in()
            self._failed(error, "restore")
        else:
            self._set_phase(Phase.SIGNED_OUT)
            self.notice.emit(f"The stored session could not be read: {error}")

    def _signed_in(self) -> None:
        self._set_phase(Phase.SIGNED_IN)
        self._schedule_refresh()
        self.tokens_changed.emit()
        self.load_sessions()

    # Sign-in and sign-up.

    @Slot(str, str)
    def sign_in(self, username: str, password: str) -> None:
        if self._phase != Phase.SIGNED_OUT:
            return
        username = username.strip()
        self._run(
            "sign-in",
            "Signing in…",
            lambda: self._session.sign_in(username, password),
            lambda _: self._after_sign_in(),
        )

    @Slot(str, str)
    def sign_up(self, username: str, password: str) -> None:
        if self._phase != Phase.SIGNED_OUT:
            return
        username = username.strip()

        def create_and_sign_in() -> Tokens:
            self._session.sign_up(username, password)
            return self._session.sign_in(username, password)

        self._run(
            "sign-in",
            "Creating your account…",
            create_and_sign_in,
            lambda _: self._after_sign_in(),
        )

    def _after_sign_in(self) -> None:
        self._check_persistence()
        self._go_online()
        self._signed_in()

    # The protected API and the session list.

    @Slot()
    def call_api(self) -> None:
        def done(body: dict) -> None:
            self._go_online()
            self.event.emit(ApiCalled(self._clock.wall(), True, 200))
            self.account_loaded.emit(body)

        def failed(error: Exception) -> None:
            status = error.status if isinstance(error, ApiError) else None
            self.event.emit(ApiCalled(self._clock.wall(), False, status))
            self._failed(error, "call-api")

        self._run("call-api", "Calling the API…", self._session.account, done, failed)

    @Slot()
    def load_sessions(self) -> None:
        def done(sessions: list[SessionInfo]) -> None:
            self.sessions_loaded.emit(sessions)

        self._run("sessions", "Loading sessions…", self._session.sessions, done)

    @Slot(str)
    def revoke_session(self, session_id: str) -> None:
        def done(ending: Ending | None) -> None:
            if ending is not None:
                self._ended(EndReason.REVOKED, ending)
            else:
                self.load_sessions()

        self._run(
            "revoke-session",
            "Ending the session…",
            lambda: self._session.end_session(session_id),
            done,
        )

    # Refreshing: on schedule, on demand, after a failure, after the clock jumped.

    def _schedule_refresh(self) -> None:
        lifetime = self.lifetime
        signed_in = lifetime is not None and self._phase == Phase.SIGNED_IN
        self._scheduler.plan(lifetime.refresh_at if signed_in else None)

    def _refresh(self, only_if_due: bool, status: str = "") -> None:
        self._scheduler.retry_at(None)
        self._run(
            "refresh",
            status,
            lambda: self._session.refresh(only_if_due=only_if_due),
            self._refreshed,
        )

    def _refreshed(self, tokens: Tokens) -> None:
        self._check_persistence()
        self._go_online()
        self._schedule_refresh()
        self.tokens_changed.emit()

    @Slot()
    def refresh_now(self) -> None:
        if self._phase == Phase.SIGNED_IN:
            self._refresh(only_if_due=False, status="Refreshing the access token…")

    @Slot()
    def retry_now(self) -> None:
        if self._phase == Phase.SIGNED_IN:
            self._refresh(only_if_due=False, status="Trying to reach the server…")

    @Slot(bool)
    def _on_due(self, force: bool) -> None:
        """Refresh if the wall clock says so (or when forced), unless one is running."""
        if self._phase != Phase.SIGNED_IN or self.is_running("refresh"):
            return
        if force:
            self._refresh(only_if_due=False)
        elif not self._session.in_backoff() and self._session.is_due():
            self._refresh(only_if_due=True)

    def _go_offline(self, message: str) -> None:
        self._offline = message
        retry_at = self._session.retry_at or self._clock.wall()
        self._scheduler.retry_at(retry_at)
        self.connectivity.emit(message, retry_at)

    def _go_online(self) -> None:
        if self._offline:
            self._offline = ""
            self._scheduler.retry_at(None)
            self.connectivity.emit("", 0.0)

    # Ending the session.

    @Slot()
    def revoke(self) -> None:
        self._run(
            "revoke",
            "Revoking the refresh token…",
            self._session.revoke,
            lambda ending: self._ended(EndReason.REVOKED, ending),
        )

    @Slot()
    def sign_out(self) -> None:
        self._run(
            "sign-out",
            "Signing out…",
            self._session.revoke,
            lambda ending: self._ended(EndReason.SIGNED_OUT, ending),
        )

    @Slot()
    def sign_out_everywhere(self) -> None:
        self._run(
            "sign-out-everywhere",
            "Signing out everywhere…",
            self._session.sign_out_everywhere,
            lambda ending: self._ended(EndReason.SIGNED_OUT_EVERYWHERE, ending),
        )

    def _ended(self, reason: EndReason, ending: Ending) -> None:
        details = []
        if not ending.server_confirmed:
            details.append(
                "The server could not be reached: the token was deleted here, but the server "
                "accepts it until the session expires."
            )
        if ending.local_problem:
            details.append(ending.local_problem)
        self._end(reason, " ".join(details))

    def _end(self, reason: EndReason, detail: str) -> None:
        was_signed_in = self._phase == Phase.SIGNED_IN
        self._scheduler.plan(None)
        self._go_online()
        self._set_phase(Phase.SIGNED_OUT)
        self.tokens_changed.emit()
        self.persist_warning.emit("")
        if was_signed_in or reason == EndReason.INVALID_GRANT:
            self.event.emit(SessionEnded(self._clock.wall(), reason, detail))
        self.signed_out.emit(end_message(reason, detail))

    @Slot()
    def shutdown(self) -> None:
        """Stop timers, wait for workers, stop the embedded server; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._scheduler.stop()
        self._runner.close()
        if self._embedded is not None:
            self._embedded.stop()


FAILED_ACTION = {
    "sign-in": "",
    "call-api": "Could not call the API:",
    "sign-out-everywhere": "Could not sign out everywhere:",
    "revoke-session": "Could not end that session:",
}


def end_message(reason: EndReason, detail: str) -> str:
    """What the sign-in form says about the session that just ended."""
    headline = {
        EndReason.SIGNED_OUT: "You signed out.",
        EndReason.REVOKED: "The refresh token was revoked and deleted from this device.",
        EndReason.SIGNED_OUT_EVERYWHERE: "You signed out on every device.",
        EndReason.INVALID_GRANT: "Your session has ended.",
        EndReason.REUSE_DETECTED: "Your session was ended because a refresh token was reused.",
    }[reason]
    return f"{headline} {detail}".strip()
