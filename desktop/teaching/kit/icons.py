"""The teaching panels' SVG icons, drawn in the colour of the text around them."""

from __future__ import annotations

import functools
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

from desktop.teaching.kit.look import ink

ICONS_KEPT = 256


def icon_pixmap(name: str, colour: QColor | str, size: int = 20) -> QPixmap:
    """One of the SVG icons, drawn in `colour` at `size` pixels (device-pixel-ratio 1).

    Each icon is drawn once per colour and size and then handed out again: a label given
    a new pixmap at every event (or a diagram drawing one every frame) costs nothing more.
    """
    return drawn_icon(name, QColor(colour).name(QColor.NameFormat.HexArgb), size)


@functools.lru_cache(maxsize=ICONS_KEPT)
def drawn_icon(name: str, colour: str, size: int) -> QPixmap:
    svg = icon_source(name).replace("currentColor", QColor(colour).name())
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@functools.cache
def icon_source(name: str) -> str:
    """An icon's SVG text, read from disk once (the sequence diagram draws icons every frame)."""
    return (resources.files("desktop") / "resources" / "icons" / f"{name}.svg").read_text()


def icon(name: str, widget: QWidget, colour: QColor | str | None = None) -> QIcon:
    """An icon in the widget's text colour (or `colour`), so it follows light and dark palettes."""
    return QIcon(icon_pixmap(name, colour if colour is not None else ink(widget), 32))
