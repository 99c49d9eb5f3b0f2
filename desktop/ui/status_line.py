"""The bottom line: what the app is doing while you wait, with a busy indicator."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget


class StatusLine(QWidget):
    """'Signing in…' with a moving bar while work is in flight; 'Ready' otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusLine")
        self.spinner = QProgressBar()
        self.spinner.setObjectName("busyIndicator")
        self.spinner.setRange(0, 0)
        self.spinner.setFixedSize(72, 8)
        self.spinner.setTextVisible(False)
        self.label = QLabel("Ready")
        self.label.setObjectName("statusText")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.spinner)
        layout.addWidget(self.label, 1)
        self.show_status("")

    def show_status(self, text: str) -> None:
        self.label.setText(text or "Ready")
        self.spinner.setVisible(bool(text))
