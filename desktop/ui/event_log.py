"""The event log: every HTTP exchange with method, path, status and latency, tokens shortened."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from desktop.core.events import SessionEvent
from desktop.ui.formatting import log_line

MAX_LINES = 500


class EventLog(QPlainTextEdit):
    """Read-only, newest line at the bottom, kept to the last MAX_LINES lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventLog")
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText("Every request the app sends appears here, with its answer.")

    def append_event(self, record: SessionEvent) -> None:
        line = log_line(record)
        if line is not None:
            self.appendPlainText(line)
