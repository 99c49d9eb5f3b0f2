"""Light and dark: the window follows the system palette, at start and when it changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from desktop.qt.theme import DARK_COLOURS, is_dark, stylesheet


def palette_with_window(colour: str) -> QPalette:
    palette = QPalette(QApplication.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor(colour))
    return palette


@pytest.fixture
def restore_palette(qapp: QApplication) -> Iterator[None]:
    original = QPalette(qapp.palette())
    yield
    qapp.setPalette(original)


def test_dark_style_sheet_has_no_light_colour_left() -> None:
    light, dark = stylesheet(dark=False), stylesheet(dark=True)
    assert "#ffffff" in light
    for light_colour, dark_colour in DARK_COLOURS.items():
        assert light_colour not in dark
        assert (light_colour in light) == (dark_colour.upper() in dark)
    assert dark.count("{") == light.count("{")


def test_window_follows_the_palette_at_start_and_on_change(
    qapp: QApplication, restore_palette: None, open_window
) -> None:
    qapp.setPalette(palette_with_window("#202020"))
    assert is_dark(qapp.palette())
    app = open_window("--token-store", "memory")
    assert app.window.styleSheet() == stylesheet(dark=True)
    title = app.window.findChild(QLabel, "appTitle")
    assert title.palette().color(QPalette.ColorRole.WindowText).lightness() > 128
    qapp.setPalette(palette_with_window("#f0f0f0"))
    app.qtbot.waitUntil(lambda: app.window.styleSheet() == stylesheet(dark=False), timeout=5000)
    assert title.palette().color(QPalette.ColorRole.WindowText).lightness() < 128
