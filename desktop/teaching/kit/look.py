"""The teaching panels' look: their text colour, colour set, headings and paragraphs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from desktop.teaching.models.palette import Tones, tones_for

HEADING_STYLE = "font-size: 11.5pt; font-weight: 600;"


def ink(widget: QWidget) -> QColor:
    """The widget's text colour, as its palette (or a style sheet) sets it."""
    return widget.palette().color(QPalette.ColorRole.WindowText)


def tones(widget: QWidget) -> Tones:
    """The colour set for the widget's text colour: a light or a dark theme."""
    return tones_for(ink(widget).lightness())


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
