"""The look in light and dark: one style sheet, its colours swapped when the system is dark."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget

DARK_COLOURS = {
    "#ffffff": "#1f2430",
    "#f4f6f9": "#151922",
    "#f7f8fa": "#1a1f29",
    "#f1f3f6": "#232a36",
    "#eef1f5": "#222833",
    "#f1f5fb": "#1e2633",
    "#e5ebf5": "#26324a",
    "#e5e9ef": "#2a3140",
    "#eef4ff": "#1e2a44",
    "#e2e6ec": "#343b48",
    "#cfd6df": "#3d4554",
    "#d8dee6": "#394150",
    "#1f2937": "#e5e7eb",
    "#374151": "#d1d5db",
    "#6b7280": "#9ca3af",
    "#9aa3af": "#7c8594",
    "#a0a8b4": "#6b7483",
    "#2563eb": "#3b82f6",
    "#1d4fd8": "#2563eb",
    "#a9bff5": "#2c4a85",
    "#1e3a8a": "#bfdbfe",
    "#bcd0f7": "#30508f",
    "#fff7e6": "#3a2f14",
    "#f5d08a": "#7a5a1a",
    "#7a4b00": "#fcd34d",
    "#fdf0ef": "#3b1f1f",
    "#f0b4ae": "#7f3a34",
    "#d9a29c": "#8f4a44",
    "#b42318": "#f87171",
    "#f87171": "#fca5a5",
}


def is_dark(palette: QPalette) -> bool:
    """True when the system's window colour is dark (a dark desktop theme)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def apply_theme(widget: QWidget) -> None:
    """Style `widget` to match the application's palette, light or dark."""
    widget.setStyleSheet(stylesheet(is_dark(QApplication.palette())))


def stylesheet(dark: bool) -> str:
    """The app's style sheet, in dark colours when `dark`."""
    text = (resources.files("desktop") / "resources" / "style.qss").read_text(encoding="utf-8")
    if not dark:
        return text
    for light, swapped in DARK_COLOURS.items():
        text = text.replace(light, swapped.upper())
    return text
