"""What is stored: the exact keyring entry with its values masked, and where it lives."""

from __future__ import annotations

import html
import json
from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.events import SessionEnded, TokensIssued
from desktop.core.token_store import SERVICE, StoredEntry
from desktop.teaching.kit.hub import TeachingController, TeachingHub
from desktop.teaching.kit.icons import icon_pixmap
from desktop.teaching.kit.look import heading, note, tones
from desktop.teaching.kit.reveal import RevealButton

WRITTEN_BY = {
    "sign-in": "at sign-in",
    "startup": "at start-up: the stored token was traded for a new one",
    "refresh": "at a refresh: the previous refresh token is now spent",
}
NOTHING_ELSE_KEPT = (
    "No password is stored anywhere: not in the keyring, not in a file, not in memory. The "
    "app sends it once to sign in and forgets it. The access token lives only in memory and "
    "dies with the app. The app keeps only the entry below; kept in the keyring or a file, it "
    "survives a restart, and the app trades its refresh token for a new access token then."
)
IN_THE_VIEWER = (
    "Your keyring viewer (Passwords and Keys, KWalletManager) lists this entry under the "
    "name above. It holds the refresh token, not a password: deleting it there signs this "
    "app out, as the Sign out button would, but leaves the session alive on the server "
    "until it expires."
)
SERVER_SIDE = (
    "The server keeps only a SHA-256 hash of each refresh token, so its database is no "
    "use to a thief. Every refresh replaces the token, so a copy of this entry goes stale "
    "at the next refresh, and replaying the stale copy ends the session."
)


def masked_value(entry: dict[str, str], revealed: bool) -> str:
    """The entry's JSON value as stored, with the refresh token shortened unless revealed."""
    shown = entry if revealed else StoredEntry.from_mapping(entry).masked()
    return json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False)


class StoredPanel(QWidget):
    """Shows the stored entry as the token store holds it, and says plainly what is not stored."""

    def __init__(self, controller: TeachingController, hub: TeachingHub) -> None:
        super().__init__()
        self.setObjectName("storedPanel")
        self.controller = controller
        self.hub = hub
        self.changed_at: float | None = None
        self.change = ""
        self._build()
        hub.happened.connect(self.on_event)
        self.redraw()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        banner = QHBoxLayout()
        self.banner_icon = QLabel()
        banner.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        self.banner = note(NOTHING_ELSE_KEPT)
        self.banner.setObjectName("noPasswordStatement")
        banner.addWidget(self.banner, 1)
        layout.addLayout(banner)

        glance = QGridLayout()
        glance.setHorizontalSpacing(10)
        glance.setColumnStretch(2, 1)
        self.password_row = QLabel("never stored: sent once to sign in, then forgotten")
        self.access_row = QLabel("memory only: gone when the app quits")
        self.refresh_row = QLabel()
        self.glance_icons: list[tuple[QLabel, str, bool]] = []
        for row, (title, label, kept) in enumerate(
            (
                ("Password", self.password_row, False),
                ("Access token", self.access_row, False),
                ("Refresh token", self.refresh_row, True),
            )
        ):
            mark = QLabel()
            self.glance_icons.append((mark, "check" if kept else "cross", kept))
            glance.addWidget(mark, row, 0)
            glance.addWidget(QLabel(f"<b>{title}</b>"), row, 1)
            glance.addWidget(label, row, 2)
        layout.addLayout(glance)

        top = QHBoxLayout()
        top.addWidget(heading("The stored entry"))
        top.addStretch()
        self.reveal = RevealButton("revealStoredButton", "refresh token")
        self.reveal.toggled.connect(self.redraw)
        top.addWidget(self.reveal)
        layout.addLayout(top)

        form = QFormLayout()
        self.where = QLabel()
        self.where.setObjectName("storeLocation")
        self.where.setWordWrap(True)
        self.service = QLabel(SERVICE)
        self.key = QLabel()
        self.changed = QLabel()
        self.viewer_name = QLabel()
        self.viewer_name.setObjectName("keyringItemName")
        for label in (self.where, self.service, self.key, self.changed, self.viewer_name):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Where:", self.where)
        form.addRow("Service:", self.service)
        form.addRow("Key (server URL):", self.key)
        form.addRow("Last written:", self.changed)
        form.addRow("Name in the keyring:", self.viewer_name)
        self.viewer_note = note(IN_THE_VIEWER)
        self.viewer_note.setObjectName("keyringViewerNote")
        form.addRow(self.viewer_note)
        self.form = form
        layout.addLayout(form)

        layout.addWidget(QLabel("Value (JSON):"))
        self.value = QPlainTextEdit()
        self.value.setObjectName("storedValue")
        self.value.setReadOnly(True)
        self.value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.value.setFixedHeight(self.value.fontMetrics().lineSpacing() * 7 + 14)
        layout.addWidget(self.value)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        layout.addWidget(heading("And on the server?"))
        layout.addWidget(note(SERVER_SIDE))
        layout.addStretch()

    def on_event(self, record: object) -> None:
        if isinstance(record, TokensIssued) and record.refresh_token_changed:
            self.changed_at = record.at
            self.change = WRITTEN_BY.get(record.via, WRITTEN_BY["refresh"])
            self.redraw()
        elif isinstance(record, SessionEnded):
            self.changed_at = record.at
            self.change = f"deleted: {record.reason}"
            self.redraw()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.redraw()

    def redraw(self) -> None:
        colours = tones(self)
        revealed = self.reveal.isChecked()
        self.banner_icon.setPixmap(icon_pixmap("shield", colours.good, 28))
        for mark, name, kept in self.glance_icons:
            mark.setPixmap(icon_pixmap(name, colours.good if kept else colours.neutral, 18))
        where = self.controller.store_description
        self.refresh_row.setText(f"stored, in {where}")
        self.where.setText(html.escape(where))
        entry = self.controller.stored_entry
        self.key.setText(entry.get("server", "") if entry else self.controller.server_url)
        if self.changed_at is None:
            self.changed.setText("not since this app started")
        else:
            when = datetime.fromtimestamp(self.changed_at).strftime("%H:%M:%S")
            self.changed.setText(f"{when}, {self.change}")
        in_keyring = self.controller.store_kind == "keyring"
        self.form.setRowVisible(self.viewer_name, in_keyring)
        self.form.setRowVisible(self.viewer_note, in_keyring)
        self.viewer_name.setText(StoredEntry.from_mapping(entry).label if entry else "no entry")
        if entry:
            self.value.setPlainText(masked_value(entry, revealed))
        else:
            self.value.setPlainText("No entry: not signed in. Nothing about you is stored.")
