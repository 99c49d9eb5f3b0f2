"""The protected API, the account's session list and ending one of its sessions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core.client import SessionInfo
from desktop.core.errors import ApiError
from desktop.core.events import ApiCalled, EndReason
from desktop.core.session import Ending
from desktop.qt.actions import Action
from desktop.qt.connectivity import Connectivity
from desktop.qt.engine import SessionEngine


class ApiCalls(QObject):
    """Calls with the session's access token; `account_loaded(dict)`, `sessions_loaded(list)`.

    The session list loads again whenever a session starts. A list that could not be loaded
    is said by `sessions_failed(str)`, next to the list, so that it never takes the place of
    what the banner says about an action the user asked for.
    """

    account_loaded = Signal(dict)
    sessions_loaded = Signal(list)
    sessions_failed = Signal(str)

    def __init__(
        self, engine: SessionEngine, connectivity: Connectivity, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._connectivity = connectivity
        engine.signed_in.connect(self.load_sessions)

    @Slot()
    def call_api(self) -> None:
        engine = self._engine

        def done(body: dict[str, Any]) -> None:
            self._connectivity.go_online()
            engine.record(ApiCalled(engine.clock.wall(), True, 200))
            self.account_loaded.emit(body)

        def failed(error: Exception) -> None:
            status = error.status if isinstance(error, ApiError) else None
            engine.record(ApiCalled(engine.clock.wall(), False, status))
            engine.failed(error, Action.CALL_API)

        engine.jobs.run(Action.CALL_API, "Calling the API…", engine.session.account, done, failed)

    @Slot()
    def load_sessions(self) -> None:
        engine = self._engine

        def done(sessions: list[SessionInfo]) -> None:
            self.sessions_loaded.emit(sessions)

        def failed(error: Exception) -> None:
            if isinstance(error, ApiError):
                self.sessions_failed.emit(f"Could not load the sessions: {error}")
            else:
                engine.failed(error, Action.LOAD_SESSIONS)

        engine.jobs.run(
            Action.LOAD_SESSIONS, "Loading sessions…", engine.session.sessions, done, failed
        )

    @Slot(str)
    def end_session(self, session_id: str) -> None:
        def done(ending: Ending | None) -> None:
            if ending is not None:
                self._engine.ended(EndReason.REVOKED, ending)
            else:
                self.load_sessions()

        self._engine.jobs.run(
            Action.END_SESSION,
            "Ending the session…",
            lambda: self._engine.session.end_session(session_id),
            done,
        )
