"""Adding the teaching tabs to the window: above the panels, which never import it."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QTabWidget, QWidget

from desktop.teaching.kit.hub import TeachingController, TeachingHub
from desktop.teaching.kit.icons import icon
from desktop.teaching.panels.demo import DemoPanel
from desktop.teaching.panels.inspector import InspectorPanel
from desktop.teaching.panels.sequence import SequencePanel
from desktop.teaching.panels.stored import StoredPanel
from desktop.teaching.panels.timeline import TimelinePanel


class PanelHost(Protocol):
    """The main window, as far as the panels are concerned."""

    def add_panel(self, title: str, widget: QWidget) -> Any: ...


def install_teaching_panels(window: PanelHost, controller: TeachingController) -> None:
    """Add the inspector, stored entry, timeline, sequence diagram and demo tabs to the window."""
    hub = TeachingHub(controller)
    panels: tuple[tuple[str, str, QWidget], ...] = (
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
