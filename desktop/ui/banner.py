"""An in-window message with optional buttons: problems are said here, never in a modal dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    """A coloured strip (kind: info, warning, error) that hides itself when its text is empty."""

    def __init__(self, kind: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("kind", kind)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setObjectName(f"{object_name}Text")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.setSpacing(8)
        self._layout.addWidget(self.label, 1)
        self.setVisible(False)

    def add_button(self, text: str, object_name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(object_name)
        self._layout.addWidget(button)
        return button

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(bool(text))
