"""At 900 × 650 and at the smallest size the window allows, every tab shows all it holds."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QScrollArea

from desktop.qt.engine import Phase
from desktop.ui.main_window import MINIMUM_SIZE
from tests.desktop.conftest import Account
from tests.desktop.driver import Driver

SIZES = [(900, 650), MINIMUM_SIZE]


def cut_off(page: QScrollArea) -> list[str]:
    """What on this tab's page is squeezed below its needs or cannot be scrolled to."""
    content = page.widget()
    assert content is not None, "a tab's scroll area holds its page"
    problems = []
    needs = content.minimumSizeHint()
    if content.width() < needs.width() or content.height() < needs.height():
        problems.append(f"{content.objectName()} squeezed to {content.size()} below {needs}")
    viewport = page.viewport()
    reach_x = viewport.width() + page.horizontalScrollBar().maximum()
    reach_y = viewport.height() + page.verticalScrollBar().maximum()
    if content.width() > reach_x or content.height() > reach_y:
        problems.append(f"{content.objectName()} {content.size()} beyond the scroll range")
    for label in content.findChildren(QLabel):
        if label.isVisibleTo(content) and label.wordWrap() and label.text():
            wanted = label.heightForWidth(label.width())
            if label.height() < wanted:
                problems.append(f"label {label.text()[:40]!r}: {label.height()} px of {wanted}")
    return problems


def every_tab_shown_whole(app: Driver, width: int, height: int) -> list[str]:
    app.window.resize(width, height)
    app.qtbot.waitUntil(lambda: app.window.size().toTuple() == (width, height), timeout=5000)
    problems = []
    tabs = app.window.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        app.qtbot.wait(50)  # the layout settles on the event loop
        page = tabs.currentWidget()
        assert isinstance(page, QScrollArea), tabs.tabText(index)
        problems += [f"{tabs.tabText(index)}: {p}" for p in cut_off(page)]
    return problems


def test_the_window_allows_its_minimum_and_no_less(open_window) -> None:
    app = open_window("--token-store", "memory")
    app.window.resize(400, 300)
    app.qtbot.wait(50)
    assert app.window.size().toTuple() == MINIMUM_SIZE


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_signed_out_every_tab_scrolls_rather_than_clips(open_window, width, height) -> None:
    app = open_window("--token-store", "memory")
    app.wait_phase(Phase.SIGNED_OUT)
    assert every_tab_shown_whole(app, width, height) == []


def test_signed_in_every_tab_scrolls_rather_than_clips(open_window, make_account) -> None:
    app = open_window("--token-store", "memory")
    account: Account = make_account(app.controller.server_url)
    app.sign_in(account.username, account.password)
    assert app.call_api().ok
    for width, height in SIZES:
        assert every_tab_shown_whole(app, width, height) == []
