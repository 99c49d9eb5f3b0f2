"""The session on worker threads: start-up, sign-in, refreshes on time, failures, the end."""

from __future__ import annotations

import random
from dataclasses import asdict
from enum import StrEnum

from PySide6.QtCore import QObject, Qt, Signal, Slot

from desktop.core import browser_sign_in
from desktop.core.client import ApiClient
from desktop.core.clock import Clock
from desktop.core.errors import (
    DesktopError,
    NotSignedIn,
    SessionLost,
    StorageError,
    TransientError,
)
from desktop.core.events import EndReason, SessionEnded, SessionEvent, TokensIssued
from desktop.core.policy import Lifetime
from desktop.core.session import Ending, Session, Tokens
from desktop.core.token_store import TokenStore
from desktop.qt.actions import SAID_ON_FAILURE, Action
from desktop.qt.connectivity import Connectivity
from desktop.qt.jobs import Jobs
from desktop.qt.scheduler import RefreshScheduler


class Phase(StrEnum):
    """Where the app is: which page the window shows."""

    STARTING = "starting"
    CHOOSE_STORE = "choose-store"
    SIGNED_OUT = "signed-out"
    SIGNED_IN = "signed-in"


class SessionEngine(QObject):
    """Runs the session's calls off the UI thread and reports back by signals.

    `happened` carries the records of desktop.core.events (every HTTP exchange, tokens issued,
    API calls, the end of a session), always emitted on the UI thread. `phase_changed`
    carries a Phase; `signed_in` follows every start of a usable session.
    """

    happened = Signal(object)
    phase_changed = Signal(object)
    tokens_changed = Signal()
    signed_in = Signal()
    notice = Signal(str)
    persist_warning = Signal(str)
    signed_out = Signal(str)
    browser_waiting = Signal(str)
    came_back = Signal()
    _relay = Signal(object)

    def __init__(
        self,
        server_url: str,
        store: TokenStore,
        clock: Clock,
        rng: random.Random | None,
        scheduler: RefreshScheduler,
        connectivity: Connectivity,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.jobs = Jobs(self.failed, self)
        self._scheduler = scheduler
        self._connectivity = connectivity
        client = ApiClient(server_url, clock, self._relay.emit)
        self.session = Session(client, store, clock, rng, self._relay.emit)
        self._relay.connect(self._publish, Qt.ConnectionType.QueuedConnection)
        self._phase = Phase.STARTING
        self._closed = False
        self._settled_notice = ""
        self._attempt: browser_sign_in.Attempt | None = None
        self.browser_timeout = browser_sign_in.WAIT_SECONDS
        scheduler.due.connect(self._on_due)

    # Read-only state for the pages and the teaching panels.

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def tokens(self) -> Tokens | None:
        return self.session.tokens

    @property
    def access_token(self) -> str | None:
        tokens = self.session.tokens
        return None if tokens is None else tokens.access_token

    @property
    def lifetime(self) -> Lifetime | None:
        tokens = self.session.tokens
        return None if tokens is None else tokens.lifetime

    @property
    def username(self) -> str | None:
        tokens = self.session.tokens
        return None if tokens is None else tokens.username

    @property
    def stored_entry(self) -> dict[str, str] | None:
        """The entry as this app last read or wrote it (the whole value, to be shown masked)."""
        entry = self.session.stored_entry
        return None if entry is None else asdict(entry)

    @property
    def retry_at(self) -> float | None:
        return self.session.retry_at

    # Plumbing.

    @Slot(object)
    def _publish(self, record: SessionEvent) -> None:
        if self._closed:
            return
        self.happened.emit(record)
        if isinstance(record, TokensIssued):
            self._schedule_refresh()
            self.tokens_changed.emit()

    def record(self, record: SessionEvent) -> None:
        """Add a record of the UI thread's own (an API call's outcome) to the events."""
        self.happened.emit(record)

    def tell(self, text: str) -> None:
        """Say something to the user, on the page that is showing."""
        self.notice.emit(text)

    def settle_notice(self, text: str) -> None:
        """Say `text` once the app has settled on signed in or signed out."""
        self._settled_notice = text

    def set_phase(self, phase: Phase) -> None:
        if phase != self._phase:
            self._phase = phase
            self.phase_changed.emit(phase)
        if self._settled_notice and phase in {Phase.SIGNED_IN, Phase.SIGNED_OUT}:
            self.notice.emit(self._settled_notice)
            self._settled_notice = ""

    def failed(self, error: Exception, action: Action) -> None:
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
        offline = isinstance(error, TransientError | StorageError) and self.session.retry_at
        if offline:
            self._go_offline(text)
        if action in SAID_ON_FAILURE:
            self.notice.emit(f"{SAID_ON_FAILURE[action]} {text}".strip())
        elif not offline:
            self.notice.emit(text)

    def _check_persistence(self) -> None:
        self.persist_warning.emit(self.session.persist_problem or "")

    # Start-up: once the store is open, resume a stored session or ask for a sign-in.

    def starting(self) -> None:
        """Show the start page and run the refresh clockwork."""
        self.set_phase(Phase.STARTING)
        self._scheduler.start()

    def restore(self) -> None:
        self.tokens_changed.emit()
        self.jobs.run(
            Action.RESTORE,
            "Resuming your session…",
            self.session.restore,
            self._restored,
            self._restore_failed,
        )

    def _restored(self, tokens: Tokens | None) -> None:
        self._check_persistence()
        if tokens is None:
            self.set_phase(Phase.SIGNED_OUT)
            return
        self._signed_in()

    def _restore_failed(self, error: Exception) -> None:
        if isinstance(error, SessionLost):
            self._end(EndReason.INVALID_GRANT, str(error))
        elif self.session.tokens is not None:
            self._signed_in()
            self.failed(error, Action.RESTORE)
        else:
            self.set_phase(Phase.SIGNED_OUT)
            self.notice.emit(f"The stored session could not be read: {error}")

    def _signed_in(self) -> None:
        self.set_phase(Phase.SIGNED_IN)
        self._schedule_refresh()
        self.tokens_changed.emit()
        self.signed_in.emit()

    # Sign-in and sign-up.

    @Slot(str, str)
    def sign_in(self, username: str, password: str) -> None:
        if self._phase != Phase.SIGNED_OUT:
            return
        username = username.strip()
        self.jobs.run(
            Action.SIGN_IN,
            "Signing in…",
            lambda: self.session.sign_in(username, password),
            lambda _: self._after_sign_in(),
        )

    @Slot(str, str)
    def sign_up(self, username: str, password: str) -> None:
        if self._phase != Phase.SIGNED_OUT:
            return
        username = username.strip()

        def create_and_sign_in() -> Tokens:
            self.session.sign_up(username, password)
            return self.session.sign_in(username, password)

        self.jobs.run(
            Action.SIGN_IN,
            "Creating your account…",
            create_and_sign_in,
            lambda _: self._after_sign_in(),
        )

    @Slot()
    def sign_in_with_browser(self) -> None:
        """Open the server's sign-in page in the browser and wait for it to come back.

        One attempt at a time: a second click while one waits opens no second listener.
        `browser_waiting` carries the page's address, in case no browser opened.
        """
        if self._phase != Phase.SIGNED_OUT or self.jobs.is_running(Action.BROWSER_SIGN_IN):
            return
        attempt, listener = browser_sign_in.start(self.session.server)
        clock, relay, timeout = self._clock, self._relay, self.browser_timeout

        def sign_in() -> Tokens:
            try:
                relay.emit(browser_sign_in.step(attempt, "opened", clock.wall()))
                browser_sign_in.open_in_browser(attempt)
                code = browser_sign_in.wait_for_code(attempt, timeout)
                relay.emit(browser_sign_in.step(attempt, "came back", clock.wall()))
            finally:
                listener.close()
            return self.session.sign_in_with_code(code, attempt.redirect_uri, attempt.verifier)

        self._attempt = attempt
        self.jobs.run(
            Action.BROWSER_SIGN_IN,
            "Waiting for you to sign in in the browser…",
            sign_in,
            lambda _: self._after_browser_sign_in(),
            self._browser_sign_in_failed,
        )
        self.browser_waiting.emit(attempt.authorize_url)

    @Slot()
    def cancel_browser_sign_in(self) -> None:
        if self._attempt is not None:
            self._attempt.cancel()

    def _after_browser_sign_in(self) -> None:
        self._attempt = None
        self._after_sign_in()
        self.came_back.emit()

    def _browser_sign_in_failed(self, error: Exception) -> None:
        self._attempt = None
        self.came_back.emit()
        self.failed(error, Action.BROWSER_SIGN_IN)

    def _after_sign_in(self) -> None:
        self._check_persistence()
        self._connectivity.go_online()
        self._signed_in()

    # Refreshing: on schedule, on demand, after a failure, after the clock jumped.

    def _schedule_refresh(self) -> None:
        lifetime = self.lifetime
        signed_in = self._phase == Phase.SIGNED_IN
        self._scheduler.plan(lifetime.refresh_at if lifetime is not None and signed_in else None)

    def _refresh(self, only_if_due: bool, status: str = "") -> None:
        self._scheduler.retry_at(None)
        self.jobs.run(
            Action.REFRESH,
            status,
            lambda: self.session.refresh(only_if_due=only_if_due),
            self._refreshed,
        )

    def _refreshed(self, tokens: Tokens) -> None:
        self._check_persistence()
        self._connectivity.go_online()
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
        if self._phase != Phase.SIGNED_IN or self.jobs.is_running(Action.REFRESH):
            return
        if force:
            self._refresh(only_if_due=False)
        elif not self.session.in_backoff() and self.session.is_due():
            self._refresh(only_if_due=True)

    def _go_offline(self, message: str) -> None:
        self._connectivity.go_offline(message, self.session.retry_at or self._clock.wall())

    # Ending the session.

    @Slot()
    def revoke(self) -> None:
        self.jobs.run(
            Action.REVOKE,
            "Revoking the refresh token…",
            self.session.revoke,
            lambda ending: self.ended(EndReason.REVOKED, ending),
        )

    @Slot()
    def sign_out(self) -> None:
        self.jobs.run(
            Action.SIGN_OUT,
            "Signing out…",
            self.session.revoke,
            lambda ending: self.ended(EndReason.SIGNED_OUT, ending),
        )

    @Slot()
    def sign_out_everywhere(self) -> None:
        self.jobs.run(
            Action.SIGN_OUT_EVERYWHERE,
            "Signing out everywhere…",
            self.session.sign_out_everywhere,
            lambda ending: self.ended(EndReason.SIGNED_OUT_EVERYWHERE, ending),
        )

    def ended(self, reason: EndReason, ending: Ending) -> None:
        """This app's session is over: say how far the server and the store went along."""
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
        self._connectivity.go_online()
        self.set_phase(Phase.SIGNED_OUT)
        self.tokens_changed.emit()
        self.persist_warning.emit("")
        if was_signed_in or reason == EndReason.INVALID_GRANT:
            self.happened.emit(SessionEnded(self._clock.wall(), reason, detail))
        self.signed_out.emit(end_message(reason, detail))

    def close(self) -> None:
        """Publish nothing more, stop waiting for the browser and stop the timers."""
        self._closed = True
        self.cancel_browser_sign_in()
        self._scheduler.stop()


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
