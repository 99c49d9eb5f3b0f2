"""A checkable "Show …/Hide …" button with an eye icon, for panels that shorten secrets."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QToolButton

from desktop.teaching.kit.icons import icon


class RevealButton(QToolButton):
    """Toggles between shortened and whole secrets; its words and icon follow its state."""

    def __init__(self, object_name: str, what: str, tool_tip: str = "") -> None:
        super().__init__()
        self.what = what
        self.setObjectName(object_name)
        self.setCheckable(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setToolTip(tool_tip)
        self.toggled.connect(self.restyle)
        self.restyle()

    def restyle(self) -> None:
        """Words and icon for the current state, drawn in the current text colour."""
        revealed = self.isChecked()
        self.setText(f"Hide {self.what}" if revealed else f"Show {self.what}")
        self.setIcon(icon("eye-off" if revealed else "eye", self))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
