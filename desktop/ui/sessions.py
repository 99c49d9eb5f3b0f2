"""The account's sessions as the server lists them, each with its own revoke button."""

from __future__ import annotations

from time import localtime, strftime

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.client import SessionInfo
from desktop.qt.actions import Action
from desktop.qt.api_calls import ApiCalls
from desktop.qt.engine import Phase, SessionEngine
from desktop.qt.jobs import Jobs
from desktop.ui.banner import Banner
from desktop.ui.formatting import clock_time

COLUMNS = ("Session", "Signed in", "Last refresh", "Refreshes", "Expires", "")


def date_time(timestamp: int | None) -> str:
    if timestamp is None:
        return "—"
    return strftime("%d %b %H:%M", localtime(timestamp))


class SessionsPanel(QWidget):
    """Loaded on sign-in and on demand; a session can be ended from here."""

    def __init__(
        self, engine: SessionEngine, api: ApiCalls, jobs: Jobs, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.api = api
        self.setObjectName("sessionsPanel")
        intro = QLabel(
            "Every sign-in starts a session: a chain of refresh tokens, one rotated into the "
            "next. Ending a session revokes its refresh token, wherever it is."
        )
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.reload = QPushButton("Reload")
        self.reload.setObjectName("reloadSessionsButton")
        self.updated = QLabel()
        self.updated.setObjectName("muted")
        self.problem = Banner("warning", "sessionsProblemBanner")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("sessionsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the rows' buttons
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        top = QHBoxLayout()
        top.addWidget(intro, 1)
        top.addWidget(self.updated)
        top.addWidget(self.reload)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)

        self.reload.clicked.connect(api.load_sessions)
        api.sessions_loaded.connect(self.show_sessions)
        api.sessions_failed.connect(self.problem.set_text)
        jobs.busy_changed.connect(self._busy_changed)
        engine.phase_changed.connect(self._phase_changed)
        self._phase_changed(engine.phase)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.engine.phase == Phase.SIGNED_IN:
            self.api.load_sessions()

    def _phase_changed(self, phase: Phase) -> None:
        signed_in = phase == Phase.SIGNED_IN
        self.reload.setEnabled(signed_in)
        if not signed_in:
            self.problem.set_text("")
            self.table.setRowCount(0)
            self.updated.setText("Sign in to see your sessions.")

    def _busy_changed(self, action: Action, running: bool) -> None:
        if action == Action.LOAD_SESSIONS:
            self.reload.setEnabled(not running and self.engine.phase == Phase.SIGNED_IN)
        if action == Action.END_SESSION:
            for button in self.table.findChildren(QPushButton, "revokeSessionButton"):
                button.setEnabled(not running)

    def show_sessions(self, sessions: list[SessionInfo]) -> None:
        self.problem.set_text("")
        self.table.setRowCount(len(sessions))
        before: QWidget = self.table
        for row, info in enumerate(sessions):
            name = f"{info.id[:8]}…" + ("  (this app)" if info.current else "")
            values = (
                name,
                date_time(info.created_at),
                date_time(info.last_refreshed_at),
                str(info.refresh_count),
                date_time(info.expires_at),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
            button = QPushButton("End session")
            button.setObjectName("revokeSessionButton")
            button.setProperty("sessionId", info.id)
            button.setProperty("role", "danger")
            button.clicked.connect(lambda _=False, sid=info.id: self.api.end_session(sid))
            self.table.setCellWidget(row, len(COLUMNS) - 1, button)
            QWidget.setTabOrder(before, button)  # row by row, before what follows the table
            before = button
        self.updated.setText(
            f"{len(sessions)} active · updated {clock_time(self.engine.clock.wall())}"
        )
