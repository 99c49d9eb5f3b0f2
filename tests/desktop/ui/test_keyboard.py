"""Without a mouse: Tab follows reading order, reaches every control, and shows where it is."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QApplication,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.qt.engine import Phase
from tests.desktop.conftest import Account, new_password
from tests.desktop.driver import Driver

SAME_ROW_PX = 16  # controls side by side in one row may sit a few pixels apart vertically
CONTROLS = (QAbstractButton, QLineEdit, QAbstractSlider)
ACCENT = QColor("#2563eb")


def tab_through(app: Driver) -> list[QWidget]:
    """Every widget Tab visits from the tab bar until it comes back round, in order."""
    start = app.window.tabs.tabBar()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    visited: list[QWidget] = []
    focused: QWidget | None = start
    for _ in range(60):
        assert focused is not None, "the focus left the window"
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused is None or focused is start or focused in visited:
            break
        visited.append(focused)
    return visited


def position(app: Driver, widget: QWidget) -> QPoint:
    return widget.mapTo(app.window, QPoint(0, 0))


def out_of_reading_order(app: Driver, visited: list[QWidget]) -> list[str]:
    """Pairs of controls on the page where Tab goes up, or leftwards within a row."""
    controls = [w for w in visited if isinstance(w, CONTROLS)]
    problems = []
    for before, after in itertools.pairwise(controls):
        a, b = position(app, before), position(app, after)
        same_row = abs(b.y() - a.y()) <= SAME_ROW_PX
        if (same_row and b.x() < a.x()) or (not same_row and b.y() < a.y()):
            problems.append(
                f"{before.objectName()} {a.toTuple()} → {after.objectName()} {b.toTuple()}"
            )
    return problems


def controls_on(page: QWidget) -> list[QWidget]:
    return [
        widget
        for kind in CONTROLS
        for widget in page.findChildren(kind)
        if widget.isVisibleTo(page)
        and widget.isEnabled()
        and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]


def check_every_tab(app: Driver) -> None:
    tabs = app.window.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        app.qtbot.wait(50)
        visited = tab_through(app)
        name = tabs.tabText(index)
        assert out_of_reading_order(app, visited) == [], name
        missed = [w.objectName() for w in controls_on(tabs.currentWidget()) if w not in visited]
        assert missed == [], f"{name}: Tab never reaches {missed}"
        assert visited[-1] is app.window.event_log, f"{name}: the event log is not last"


def test_signed_out_the_form_is_used_by_keys_alone(open_window, make_account) -> None:
    app = open_window("--token-store", "memory")
    account: Account = make_account(app.controller.server_url)
    app.wait_phase(Phase.SIGNED_OUT)
    check_every_tab(app)
    app.window.tabs.setCurrentIndex(0)
    visited = tab_through(app)
    username = next(w for w in visited if w.objectName() == "usernameEdit")
    username.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClicks(username, account.username)
    QTest.keyClick(username, Qt.Key.Key_Return)  # on to the password
    password = QApplication.focusWidget()
    assert password is app.edit("passwordEdit")
    QTest.keyClicks(password, account.password)
    QTest.keyClick(password, Qt.Key.Key_Return)
    app.wait_phase(Phase.SIGNED_IN)


def test_signed_in_every_tab_in_reading_order_and_actions_by_keys(
    open_window, make_account
) -> None:
    app = open_window("--token-store", "memory")
    account: Account = make_account(app.controller.server_url)
    app.sign_in(account.username, account.password)
    app.window.tabs.setCurrentIndex(1)  # the sessions list loads, with a button per row
    app.qtbot.waitUntil(lambda: bool(app.window.findChildren(QPushButton, "revokeSessionButton")))
    check_every_tab(app)
    app.window.tabs.setCurrentIndex(0)
    call = app.button("callApiButton")
    before = len(app.api_calls())
    call.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(call, Qt.Key.Key_Space)
    app.qtbot.waitUntil(lambda: len(app.api_calls()) > before, timeout=10_000)
    QTest.keyClick(app.window.tabs.tabBar(), Qt.Key.Key_Right)
    assert app.window.tabs.currentIndex() == 1


def accent_pixels(widget: QWidget) -> int:
    image = widget.grab().toImage()
    return sum(
        1
        for x in range(image.width())
        for y in (0, 1, image.height() // 2)
        if image.pixelColor(x, y) == ACCENT
    )


def test_the_focused_control_has_a_ring_in_the_accent_colour(open_window) -> None:
    """Two pixels of the accent colour all along the top edge, which it lacks unfocused."""
    app = open_window("--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    app.window.activateWindow()
    app.edit("usernameEdit").setText("newcomer")
    app.edit("passwordEdit").setText(new_password())
    sign_up = app.button("signUpButton")
    app.qtbot.waitUntil(sign_up.isEnabled, timeout=10_000)
    elsewhere = app.button("signInButton")
    for control in (app.edit("usernameEdit"), app.edit("passwordEdit"), sign_up):
        elsewhere.setFocus(Qt.FocusReason.TabFocusReason)
        app.qtbot.waitUntil(elsewhere.hasFocus)
        unfocused = accent_pixels(control)
        control.setFocus(Qt.FocusReason.TabFocusReason)
        app.qtbot.waitUntil(control.hasFocus)
        assert accent_pixels(control) > unfocused + 1.5 * control.width(), control.objectName()
