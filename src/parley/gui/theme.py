"""Light and dark themes (QPalette on the Fusion style) and "follow the system".

The Fusion style draws every widget from the palette, so one palette gives the same
look on Linux, Windows and macOS. "system" asks Qt for the desktop's colour scheme
(Qt ≥ 6.5) and picks light when the desktop does not say.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

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


# The edge of an unticked checkbox or radio button. Fusion draws it a shade darker than
# the window, which on the dark window is nearly black on nearly black: these colours
# keep at least a 3:1 contrast with the window (WCAG's rule for controls) in both themes.
INDICATOR_EDGE = {"dark": "#9aa0aa", "light": "#6b7079"}


class ParleyStyle(QProxyStyle):
    """Fusion, with checkbox and radio-button edges that stand out from the window."""

    def __init__(self, theme: str) -> None:
        super().__init__(QStyleFactory.create("Fusion"))
        self.edge = QColor(INDICATOR_EDGE[theme])

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        checkbox = element == QStyle.PrimitiveElement.PE_IndicatorCheckBox
        radio = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not (checkbox or radio):
            return
        edge = QColor(self.edge)
        if not option.state & QStyle.StateFlag.State_Enabled:
            edge.setAlpha(110)  # greyed out like the text beside it
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, radio)
        painter.setPen(edge)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        box = option.rect.adjusted(0, 0, -1, -1)
        if radio:
            painter.drawEllipse(box.adjusted(1, 1, -1, -1))
        else:
            painter.drawRect(box)
        painter.restore()


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
    resolved = resolve(theme)
    app.setStyle(ParleyStyle(resolved))  # the application owns the style from now on
    app.setPalette(palette(theme))
    return resolved
