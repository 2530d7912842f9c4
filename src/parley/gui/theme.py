"""Light and dark themes (QPalette on the Fusion style) and "follow the system".

The Fusion style draws every widget from the palette, so one palette gives the same
look on Linux, Windows and macOS. "system" asks Qt for the desktop's colour scheme
(Qt ≥ 6.5) and picks light when the desktop does not say.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark", "system")

_DARK = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#2f3136",
    QPalette.ColorRole.ToolTipBase: "#3a3d43",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#8a8f98",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#35373c",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4d54",
    QPalette.ColorRole.Midlight: "#3f4248",
    QPalette.ColorRole.Mid: "#2a2c30",
    QPalette.ColorRole.Dark: "#1a1b1e",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#3d7be0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea8ff",
}

_LIGHT = {
    QPalette.ColorRole.Window: "#f3f4f6",
    QPalette.ColorRole.WindowText: "#1d1f23",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f0f1f4",
    QPalette.ColorRole.ToolTipBase: "#ffffe1",
    QPalette.ColorRole.ToolTipText: "#1d1f23",
    QPalette.ColorRole.PlaceholderText: "#80858d",
    QPalette.ColorRole.Text: "#1d1f23",
    QPalette.ColorRole.Button: "#e9ebef",
    QPalette.ColorRole.ButtonText: "#1d1f23",
    QPalette.ColorRole.BrightText: "#d23b3b",
    QPalette.ColorRole.Light: "#ffffff",
    QPalette.ColorRole.Midlight: "#e3e5e9",
    QPalette.ColorRole.Mid: "#b9bdc4",
    QPalette.ColorRole.Dark: "#9ea3ab",
    QPalette.ColorRole.Shadow: "#5a5e66",
    QPalette.ColorRole.Highlight: "#2f6fd6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#2f6fd6",
}


def system_is_dark() -> bool:
    """True when the desktop says it prefers dark colours."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def resolve(theme: str) -> str:
    """ "light" or "dark" for a theme setting (unknown values count as "system")."""
    if theme in ("light", "dark"):
        return theme
    return "dark" if system_is_dark() else "light"


def palette(theme: str) -> QPalette:
    colours = _DARK if resolve(theme) == "dark" else _LIGHT
    pal = QPalette()
    for role, value in colours.items():
        pal.setColor(role, QColor(value))
    # Disabled widgets: the text fades in both themes.
    faded = QColor(colours[QPalette.ColorRole.Text])
    faded.setAlpha(110)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, faded)
    return pal


def apply_theme(app: QApplication, theme: str) -> str:
    """Give `app` the theme's palette on the Fusion style; returns "light" or "dark"."""
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    return resolve(theme)
