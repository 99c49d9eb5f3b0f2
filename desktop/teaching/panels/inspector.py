"""The token inspector: the access token's three parts, its claims explained, signature checked."""

from __future__ import annotations

import html
import json
import time
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QHideEvent,
    QResizeEvent,
    QShowEvent,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.events import BrowserStep, SessionEnded, TokensIssued
from desktop.core.redact import same_secret, shorten
from desktop.teaching.kit.background import in_background
from desktop.teaching.kit.hub import TeachingController, TeachingHub
from desktop.teaching.kit.icons import icon_pixmap
from desktop.teaching.kit.look import colour_heading, heading, note, tones
from desktop.teaching.kit.reveal import RevealButton
from desktop.teaching.models.claims import ClaimNote, claim_notes, header_notes
from desktop.teaching.models.events import ServerRestarted
from desktop.teaching.models.http import JWKS_PATH, fetch_jwks
from desktop.teaching.models.jwt_view import (
    JwtParts,
    MalformedToken,
    Verification,
    split_jwt,
    verify_signature,
)
from desktop.teaching.models.pkce import pkce_rows

REFRESH_NOTE = (
    "Opaque: 256 random bits, not a JWT, so it says nothing to anyone who sees it. The server "
    "keeps only its hash. Every refresh spends it and hands out a new one; this is the only "
    "secret the app keeps between runs."
)
WAITING_TEXT = "No access token yet: sign in, or wait for the first refresh."
PKCE_NOTE = (
    "How this session began: the app opened the server's page in the browser, and the browser"
    " came back with a one-time code. Only the app holds the verifier that makes the code work"
    " (PKCE, RFC 7636), and the app never saw the password."
)


class ClaimTable(QTableWidget):
    """Name, value and meaning of each field, sized to show every row without scrolling."""

    def __init__(self, name_header: str) -> None:
        super().__init__(0, 3)
        self.setHorizontalHeaderLabels([name_header, "Value", "What it means"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # shown whole, nothing in it to choose
        self.setWordWrap(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(1, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.name_colour = ""

    def show_notes(self, notes: list[ClaimNote]) -> None:
        self.setRowCount(len(notes))
        for row, claim in enumerate(notes):
            value = f"{claim.value}\n{claim.comment}" if claim.comment else claim.value
            for column, text in enumerate((claim.name, value, claim.meaning)):
                item = QTableWidgetItem(text)
                item.setToolTip(f"<b>{html.escape(claim.name)}</b>: {html.escape(claim.meaning)}")
                if column == 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    if self.name_colour:
                        item.setForeground(QColor(self.name_colour))
                self.setItem(row, column, item)
        self.fit()

    def fit(self) -> None:
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(row) for row in range(self.rowCount()))
        self.setFixedHeight(rows + self.horizontalHeader().height() + 2 * self.frameWidth() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.fit)


class InspectorPanel(QWidget):
    """Shows the current access token decoded and verified, and the refresh token shortened."""

    def __init__(self, controller: TeachingController, hub: TeachingHub) -> None:
        super().__init__()
        self.setObjectName("inspectorPanel")
        self.controller = controller
        self.hub = hub
        self.parts: JwtParts | None = None
        self.token = ""
        self.jwks: dict[str, Any] | None = None
        self.verification: Verification | None = None
        self.fetching = False
        self.browser_step: BrowserStep | None = None
        self._build()
        hub.happened.connect(self.on_event)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """The claims' "in N s" count down while the inspector is on screen, and only then."""
        super().showEvent(event)
        self.tick()
        self.clock.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.clock.stop()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(8)

        top = QHBoxLayout()
        top.addWidget(heading("Access token"))
        top.addStretch()
        self.reveal = RevealButton(
            "revealTokensButton",
            "whole tokens",
            "Tokens are secrets: anyone holding one can use it. They are shortened unless you "
            "choose to see them whole.",
        )
        self.reveal.toggled.connect(self.redraw)
        top.addWidget(self.reveal)
        layout.addLayout(top)
        layout.addWidget(
            note(
                "A JWT is three base64url parts joined by dots. The header and payload are "
                "only encoded, not encrypted: anyone holding the token can read them. The "
                "signature proves the server wrote them."
            )
        )

        self.encoded = QTextBrowser()
        self.encoded.setObjectName("encodedToken")
        self.encoded.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.encoded.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.encoded.setFixedHeight(self.encoded.fontMetrics().lineSpacing() * 6 + 12)
        layout.addWidget(self.encoded)
        self.legend = QLabel()
        layout.addWidget(self.legend)

        check = QHBoxLayout()
        self.verdict_icon = QLabel()
        self.verdict = QLabel()
        self.verdict.setObjectName("signatureVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recheck = QPushButton("Check again")
        self.recheck.setObjectName("verifySignatureButton")
        self.recheck.setToolTip(f"Fetch {JWKS_PATH} again and re-check the signature")
        self.recheck.clicked.connect(self.refetch)
        check.addWidget(self.verdict_icon, 0, Qt.AlignmentFlag.AlignTop)
        check.addWidget(self.verdict, 1)
        check.addWidget(self.recheck, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(check)

        refresh = QHBoxLayout()
        refresh.addWidget(heading("Refresh token:"), 0, Qt.AlignmentFlag.AlignTop)
        self.refresh_value = QLabel()
        self.refresh_value.setObjectName("refreshTokenValue")
        self.refresh_value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.refresh_value.setWordWrap(True)
        self.refresh_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        refresh.addWidget(self.refresh_value, 1, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(refresh)
        layout.addWidget(note(REFRESH_NOTE))

        self.header_title = heading("Header")
        layout.addWidget(self.header_title)
        self.header_table = ClaimTable("Field")
        self.header_table.setObjectName("headerTable")
        layout.addWidget(self.header_table)
        self.payload_title = heading("Payload (claims)")
        layout.addWidget(self.payload_title)
        self.payload_table = ClaimTable("Claim")
        self.payload_table.setObjectName("payloadTable")
        layout.addWidget(self.payload_table)

        self.pkce_title = heading("Browser sign-in (PKCE)")
        self.pkce_note = note(PKCE_NOTE)
        self.pkce_table = ClaimTable("Part")
        self.pkce_table.setObjectName("pkceTable")
        for widget in (self.pkce_title, self.pkce_note, self.pkce_table):
            layout.addWidget(widget)
            widget.setVisible(False)

        layout.addStretch()

    def on_event(self, record: object) -> None:
        if isinstance(record, BrowserStep):
            self.browser_step = record
            self.redraw()
        elif isinstance(record, TokensIssued) and record.via == "sign-in":
            self.browser_step = None
            self.reload()
        elif isinstance(record, TokensIssued | SessionEnded):
            self.reload()
        elif isinstance(record, ServerRestarted):
            self.jwks = None
            self.reload()

    def reload(self) -> None:
        """Read the current tokens from the controller and show them."""
        token = self.controller.access_token or ""
        if not same_secret(token, self.token):
            self.token = token
            self.verification = None
            try:
                self.parts = split_jwt(token) if token else None
            except MalformedToken as error:
                self.parts = None
                self.verification = Verification(False, f"Not a JWT: {error}.")
            self.check_signature()
        self.redraw()

    def check_signature(self) -> None:
        if self.parts is None:
            return
        if self.jwks is not None:
            self.verification = verify_signature(self.parts, self.jwks)
            if self.verification.valid:
                return
        self.refetch()

    def refetch(self) -> None:
        """Fetch the server's key set in the background, then verify."""
        if self.fetching or self.parts is None:
            return
        self.fetching = True
        self.redraw()
        server = self.controller.server_url
        in_background(self, lambda: fetch_jwks(server), self.on_keys)

    def on_keys(self, result: object) -> None:
        self.fetching = False
        if isinstance(result, Exception):
            self.verification = Verification(False, str(result))
        elif isinstance(result, dict):
            self.jwks = result
            if self.parts is not None:
                self.verification = verify_signature(self.parts, result)
        self.redraw()

    def tick(self) -> None:
        if self.parts is not None and self.isVisible():
            self.payload_table.show_notes(claim_notes(self.parts.payload, time.time()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.redraw()

    def redraw(self) -> None:
        """Redraw everything from the current state (token, reveal toggle, verification)."""
        colours = tones(self)
        revealed = self.reveal.isChecked()
        colour_heading(self.header_title, colours.header)
        colour_heading(self.payload_title, colours.payload)
        self.header_table.name_colour = colours.header
        self.payload_table.name_colour = colours.payload
        self.legend.setText(
            f"<span style='color:{colours.header}'>■ header</span> &nbsp; "
            f"<span style='color:{colours.payload}'>■ payload</span> &nbsp; "
            f"<span style='color:{colours.signature}'>■ signature</span>"
            + ("" if revealed else " &nbsp; (signature shortened: the token cannot be copied)")
        )
        self._render_token(revealed)
        self._render_verdict()
        self._render_refresh(revealed)
        self._render_pkce(revealed)

    def _render_pkce(self, revealed: bool) -> None:
        """The last browser sign-in's code, verifier and challenge, shortened as every secret."""
        step = self.browser_step
        for widget in (self.pkce_title, self.pkce_note, self.pkce_table):
            widget.setVisible(step is not None)
        if step is None:
            return
        notes = [
            ClaimNote(
                row.name,
                shorten(row.value) if row.secret and not revealed else row.value,
                "",
                row.meaning,
            )
            for row in pkce_rows(step)
        ]
        self.pkce_table.show_notes(notes)

    def _render_token(self, revealed: bool) -> None:
        colours = tones(self)
        parts = self.parts
        if parts is None:
            self.encoded.setPlainText(WAITING_TEXT)
            self.header_table.show_notes([])
            self.payload_table.show_notes([])
            return
        signature = parts.signature_b64 if revealed else shorten(parts.signature_b64)
        dot = "<span>.</span>"
        self.encoded.setHtml(
            f"<span style='color:{colours.header}'>{html.escape(parts.header_b64)}</span>{dot}"
            f"<span style='color:{colours.payload}'>{html.escape(parts.payload_b64)}</span>{dot}"
            f"<span style='color:{colours.signature}'>{html.escape(signature)}</span>"
        )
        self.header_table.show_notes(header_notes(parts.header))
        self.payload_table.show_notes(claim_notes(parts.payload, time.time()))
        self.encoded.setToolTip(json.dumps(parts.header))

    def _render_verdict(self) -> None:
        colours = tones(self)
        self.recheck.setEnabled(self.parts is not None and not self.fetching)
        if self.parts is None:
            self.verdict_icon.clear()
            self.verdict.setText("")
            return
        if self.fetching:
            self.verdict_icon.setPixmap(icon_pixmap("clock", colours.neutral))
            self.verdict.setText(f"Checking the signature against {JWKS_PATH}…")
            return
        result = self.verification
        if result is None:
            return
        colour = colours.good if result.valid else colours.bad
        self.verdict_icon.setPixmap(icon_pixmap("check" if result.valid else "cross", colour))
        where = f" Key <code>{html.escape(result.kid)}</code>" if result.kid else ""
        source = f" from {self.controller.server_url}{JWKS_PATH}." if result.kid else ""
        self.verdict.setText(
            f"<b style='color:{colour}'>{html.escape(result.summary)}</b><br>{where}{source}"
            " Any API can check this with the public key alone, without asking the server."
        )

    def _render_refresh(self, revealed: bool) -> None:
        entry = self.controller.stored_entry
        token = entry.get("refresh_token", "") if entry else ""
        if not token:
            self.refresh_value.setText("None held: not signed in.")
        else:
            self.refresh_value.setText(token if revealed else shorten(token))
