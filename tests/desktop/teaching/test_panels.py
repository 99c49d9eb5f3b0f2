"""The teaching panels in the real window, driven by clicks against the embedded server."""

from __future__ import annotations

import json

import jwt
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from desktop.core.events import EndReason
from desktop.core.redact import shorten
from desktop.teaching.install import enclosing_tabs
from desktop.teaching.kit.look import tones
from desktop.teaching.models.palette import DARK, LIGHT
from desktop.teaching.models.timeline import MarkKind, TimelineModel
from desktop.teaching.panels.demo import DemoPanel
from desktop.teaching.panels.inspector import InspectorPanel
from desktop.teaching.panels.sequence import SequencePanel
from desktop.teaching.panels.stored import StoredPanel
from desktop.teaching.panels.timeline import TimelineChart, TimelinePanel
from tests.desktop.conftest import Account
from tests.desktop.driver import Driver

MEMORY = ("--token-store", "memory")
TITLES = ["Token inspector", "What is stored", "Timeline", "How it works", "Demo"]
WAIT_MS = 20_000


def with_panels(app: Driver) -> Driver:
    """The window, whose teaching panels create_window has installed (once)."""
    assert len(app.window.findChildren(QWidget, "inspectorPanel")) == 1
    return app


def find(app: Driver, kind: type, name: str):
    widget = app.window.findChild(kind, name)
    assert widget is not None, name
    return widget


@pytest.fixture
def signed_in(open_window, make_account):
    """A window on an embedded server (60 s access tokens), its panels, and a signed-in user."""
    app = with_panels(open_window(*MEMORY, "--access-ttl", "60"))
    account: Account = make_account(app.controller.server_url)
    app.sign_in(account.username, account.password)
    return app, account


def refresh_now(app: Driver) -> None:
    before = len(app.issued("refresh"))
    app.qtbot.waitUntil(lambda: app.button("refreshNowButton").isEnabled(), timeout=WAIT_MS)
    app.button("refreshNowButton").click()
    app.wait_refreshes(before + 1, timeout=WAIT_MS)


def test_install_adds_five_tabs_with_icons_that_wait_for_a_sign_in(open_window) -> None:
    app = with_panels(open_window(*MEMORY))
    inspector = find(app, InspectorPanel, "inspectorPanel")
    tabs = enclosing_tabs(inspector)
    assert tabs is not None
    titles = [tabs.tabText(index) for index in range(tabs.count())]
    assert titles[-5:] == TITLES
    assert all(not tabs.tabIcon(index).isNull() for index in range(tabs.count() - 5, tabs.count()))
    assert inspector.encoded.toPlainText().startswith("No access token yet")
    stored = find(app, StoredPanel, "storedPanel")
    assert stored.value.toPlainText().startswith("No entry")
    assert stored.where.text() == app.controller.store_description


def test_inspector_decodes_like_pyjwt_verifies_and_hides_secrets(signed_in) -> None:
    app, _ = signed_in
    inspector = find(app, InspectorPanel, "inspectorPanel")
    app.qtbot.waitUntil(lambda: "Signature valid" in inspector.verdict.text(), timeout=WAIT_MS)
    token = app.controller.access_token
    claims = jwt.decode(token, options={"verify_signature": False})
    table = inspector.payload_table
    shown = {
        table.item(row, 0).text(): table.item(row, 1).text().split("\n")[0]
        for row in range(table.rowCount())
    }
    assert shown == {name: str(value) for name, value in claims.items()}
    header = inspector.header_table
    assert {header.item(row, 0).text() for row in range(header.rowCount())} == set(
        jwt.get_unverified_header(token)
    )
    assert "expires in" in table.item(list(claims).index("exp"), 1).text()
    refresh_token = app.controller.stored_entry["refresh_token"]
    assert token not in inspector.encoded.toPlainText()
    assert inspector.refresh_value.text() == shorten(refresh_token)
    assert inspector.reveal.text() == "Show whole tokens"
    inspector.reveal.click()
    assert inspector.reveal.text() == "Hide whole tokens"
    assert token in inspector.encoded.toPlainText()
    assert inspector.refresh_value.text() == refresh_token


def test_stored_panel_shows_the_masked_entry_and_its_deletion(signed_in) -> None:
    app, account = signed_in
    stored = find(app, StoredPanel, "storedPanel")
    entry = app.controller.stored_entry
    value = json.loads(stored.value.toPlainText())
    assert set(value) == {"server", "username", "refresh_token", "session_id"}
    assert value["refresh_token"] == shorten(entry["refresh_token"])
    assert value["username"] == account.username
    assert stored.key.text() == app.controller.server_url
    assert not stored.viewer_name.isVisibleTo(stored)  # the memory store has no viewer
    shown = " ".join(label.text() for label in stored.findChildren(QLabel))
    assert account.password not in shown + stored.value.toPlainText()
    assert "No password is stored anywhere" in stored.banner.text()
    assert stored.reveal.text() == "Show refresh token"
    stored.reveal.click()
    assert stored.reveal.text() == "Hide refresh token"
    assert json.loads(stored.value.toPlainText())["refresh_token"] == entry["refresh_token"]
    app.button("revokeButton").click()
    app.qtbot.waitUntil(lambda: bool(app.endings()), timeout=WAIT_MS)
    assert stored.value.toPlainText().startswith("No entry")
    assert "deleted" in stored.changed.text()


def test_timeline_and_diagram_follow_a_call_a_refresh_and_a_revocation(signed_in) -> None:
    app, _ = signed_in
    timeline = find(app, TimelinePanel, "timelinePanel")
    sequence = find(app, SequencePanel, "sequencePanel")
    assert app.call_api().ok
    refresh_now(app)
    assert sequence.glow.lit.keys() >= {"refresh.request", "refresh.issued", "refresh.save"}
    assert app.call_api().ok
    app.button("revokeButton").click()
    app.qtbot.waitUntil(lambda: bool(app.endings()), timeout=WAIT_MS)
    model: TimelineModel = timeline.model
    assert model.count(MarkKind.SIGN_IN) == 1
    assert model.count(MarkKind.REFRESH) == 1
    assert model.count(MarkKind.API_OK) == 2
    assert model.count(MarkKind.REVOKED) == 1
    assert [bar.cut_at is not None for bar in model.bars] == [True, True]
    assert [span.ending for span in model.refresh_spans] == ["rotated", "revoked"]
    assert timeline.counts.text().startswith("2 access tokens · 1 refresh · 2 refresh tokens")
    assert {"revoke.request", "revoke.delete"} <= sequence.glow.lit.keys()
    assert sequence.caption.text().endswith("revoked")


def test_theft_of_an_old_refresh_token_ends_the_session_and_says_why(signed_in) -> None:
    app, _ = signed_in
    refresh_now(app)
    refresh_now(app)
    demo = find(app, DemoPanel, "demoPanel")
    demo.theft_button.click()
    app.qtbot.waitUntil(lambda: bool(app.endings()), timeout=WAIT_MS)
    assert [ending.reason for ending in app.endings()] == [EndReason.INVALID_GRANT]
    app.qtbot.waitUntil(lambda: "Result:" in demo.story.text(), timeout=WAIT_MS)
    story = demo.story.text()
    assert "2 rotations ago" in story
    assert "ended the whole session" in story
    assert "refused as well" in story
    assert app.controller.stored_entry is None
    timeline = find(app, TimelinePanel, "timelinePanel")
    theft = [mark for mark in timeline.model.marks if mark.kind == MarkKind.THEFT]
    assert [mark.label for mark in theft] == ["invalid_grant"]
    assert timeline.model.count(MarkKind.REFUSED) == 1
    assert [e.status for e in app.exchanges("/tokens/refresh")][-1] == 400
    assert demo.theft_button.isEnabled()


def test_theft_right_after_sign_in_waits_for_a_rotation_then_for_the_grace(signed_in) -> None:
    app, _ = signed_in
    demo = find(app, DemoPanel, "demoPanel")
    demo.theft_button.click()
    app.wait_refreshes(1, timeout=WAIT_MS)
    app.qtbot.waitUntil(lambda: demo.theft_timer.isActive(), timeout=WAIT_MS)
    assert "grace" in demo.story.text()
    assert "Replaying in" in demo.story.text()
    assert app.endings() == []


def test_applying_a_lifetime_restarts_the_server_and_the_next_token_has_it(signed_in) -> None:
    app, _ = signed_in
    demo = find(app, DemoPanel, "demoPanel")
    url = app.controller.server_url
    demo.ttl.setValue(4)
    assert demo.ttl_label.text() == "20 s"
    demo.apply.click()
    app.qtbot.waitUntil(lambda: "Done" in demo.ttl_status.text(), timeout=WAIT_MS)
    app.wait_refreshes(1, timeout=WAIT_MS)
    claims = jwt.decode(app.controller.access_token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] in {20, 21}
    assert app.controller.embedded_server.settings.access_ttl == 20
    assert app.controller.embedded_server.url == url
    timeline = find(app, TimelinePanel, "timelinePanel")
    assert [m.label for m in timeline.model.marks if m.kind == MarkKind.RESTART] == [
        "access tokens now 20 s"
    ]
    assert app.call_api().ok


def test_an_external_server_keeps_its_own_lifetime(start_server, open_window) -> None:
    server = start_server()
    app = with_panels(open_window("--server", server.url, *MEMORY))
    demo = find(app, DemoPanel, "demoPanel")
    assert not demo.apply.isEnabled()
    assert not demo.ttl.isEnabled()
    assert "external server" in demo.ttl_status.text()


def test_simulated_activity_calls_the_api_until_switched_off(signed_in) -> None:
    app, _ = signed_in
    demo = find(app, DemoPanel, "demoPanel")
    demo.activity_button.click()
    app.qtbot.waitUntil(lambda: len(app.api_calls()) >= 2, timeout=WAIT_MS)
    assert all(call.ok for call in app.api_calls())
    assert demo.activity_status.text().startswith(f"{len(app.api_calls())} calls; the last")
    demo.activity_button.click()
    assert not demo.activity.isActive()
    assert demo.activity_status.text() == "Off."


def test_colours_follow_a_dark_palette(qtbot) -> None:
    chart = TimelineChart(TimelineModel(), now=lambda: 1_800_000_000.0)
    qtbot.addWidget(chart)
    chart.resize(800, 320)
    assert tones(chart) == LIGHT
    assert chart.grab().toImage().pixelColor(5, 5) == QColor(LIGHT.surface)
    palette = chart.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e8e8e8"))
    chart.setPalette(palette)
    assert tones(chart) == DARK
    assert chart.grab().toImage().pixelColor(5, 5) == QColor(DARK.surface)


def test_signing_out_while_the_attacker_waits_calls_the_theft_off(signed_in) -> None:
    app, _ = signed_in
    demo = find(app, DemoPanel, "demoPanel")
    demo.theft_button.click()
    app.qtbot.waitUntil(lambda: demo.theft_timer.isActive(), timeout=WAIT_MS)
    app.button("signOutButton").click()
    app.qtbot.waitUntil(lambda: bool(app.endings()), timeout=WAIT_MS)
    assert not demo.theft_timer.isActive()
    assert demo.theft_button.isEnabled()
    assert "before the attacker acted" in demo.story.text()
