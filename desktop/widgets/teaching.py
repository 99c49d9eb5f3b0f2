"""What the teaching panels need from the app, their event hub, their look, and their install."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QByteArray, QObject, QRectF, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from backend import EmbeddedServer
from desktop.teaching_palette import Tones, tones_for

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


class TeachingController(Protocol):
    """The few things the panels use of the app's controller."""

    event: SignalInstance

    @property
    def access_token(self) -> str | None: ...

    @property
    def stored_entry(self) -> dict[str, str] | None: ...

    @property
    def store_description(self) -> str: ...

    @property
    def server_url(self) -> str: ...

    @property
    def embedded(self) -> bool: ...

    @property
    def embedded_server(self) -> EmbeddedServer | None: ...

    def call_api(self) -> None: ...

    def refresh_now(self) -> None: ...


class PanelHost(Protocol):
    """The main window, as far as the panels are concerned."""

    def add_panel(self, title: str, widget: QWidget) -> Any: ...


class TeachingHub(QObject):
    """One stream of records for the panels: the controller's events plus the demo's own."""

    event = Signal(object)

    def __init__(self, controller: TeachingController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        controller.event.connect(self.event.emit)

    def publish(self, record: object) -> None:
        """Add a record of the panels' own (the simulated attacker, a server restart)."""
        self.event.emit(record)


def ink(widget: QWidget) -> QColor:
    """The widget's text colour, as its palette (or a style sheet) sets it."""
    return widget.palette().color(QPalette.ColorRole.WindowText)


def tones(widget: QWidget) -> Tones:
    """The colour set for the widget's text colour: a light or a dark theme."""
    return tones_for(ink(widget).lightness())


def icon_pixmap(name: str, colour: QColor | str, size: int = 20) -> QPixmap:
    """One of the SVG icons, drawn in `colour` at `size` pixels (device-pixel-ratio 1)."""
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
    return (ICONS / f"{name}.svg").read_text()


def icon(name: str, widget: QWidget, colour: QColor | str | None = None) -> QIcon:
    """An icon in the widget's text colour (or `colour`), so it follows light and dark palettes."""
    return QIcon(icon_pixmap(name, colour if colour is not None else ink(widget), 32))


HEADING_STYLE = "font-size: 11.5pt; font-weight: 600;"


def heading(text: str, colour: str = "") -> QLabel:
    """A section title in the panels' calm style: semibold, a little larger than body text."""
    label = QLabel(text)
    colour_heading(label, colour)
    return label


def colour_heading(label: QLabel, colour: str) -> None:
    """Give a heading a colour of its own (the header and payload titles), or the text colour."""
    label.setStyleSheet(HEADING_STYLE + (f" color: {colour};" if colour else ""))


def note(text: str) -> QLabel:
    """A paragraph of explanation that wraps and can be selected."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _Relay(QObject):
    done = Signal(object)


def in_background(
    owner: QObject, work: Callable[[], object], on_done: Callable[[object], None]
) -> None:
    """Run `work` on a thread; `on_done` gets its result or exception on the owner's thread."""
    relay = _Relay(owner)
    relay.done.connect(on_done)
    relay.done.connect(relay.deleteLater)

    def run() -> None:
        try:
            result: object = work()
        except Exception as error:  # handed to on_done, which shows it
            result = error
        try:
            relay.done.emit(result)
        except RuntimeError:
            return

    threading.Thread(target=run, name="teaching-panel", daemon=True).start()


def install_teaching_panels(window: PanelHost, controller: TeachingController) -> None:
    """Add the inspector, stored entry, timeline, sequence diagram and demo tabs to the window."""
    from desktop.widgets.demo import DemoPanel
    from desktop.widgets.inspector import InspectorPanel
    from desktop.widgets.sequence import SequencePanel
    from desktop.widgets.stored import StoredPanel
    from desktop.widgets.timeline import TimelinePanel

    hub = TeachingHub(controller)
    panels = (
        ("Token inspector", "inspector", InspectorPanel(controller, hub)),
        ("What is stored", "stored", StoredPanel(controller, hub)),
        ("Timeline", "timeline", TimelinePanel(hub)),
        ("How it works", "sequence", SequencePanel(hub)),
        ("Demo", "demo", DemoPanel(controller, hub)),
    )
    for title, icon_name, panel in panels:
        index = window.add_panel(title, panel)
        tabs = enclosing_tabs(panel)
        if tabs is not None and isinstance(index, int):
            tabs.setTabIcon(index, icon(icon_name, panel))


def enclosing_tabs(widget: QWidget) -> QTabWidget | None:
    """The tab widget a panel was added to, if the window shows panels as tabs."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QTabWidget):
        parent = parent.parentWidget()
    return parent
