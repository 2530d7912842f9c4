"""The tray icon and the window behaviour settings: minimise to tray, minimise on close,
start minimised, always on top, and what an incoming call does to the window (bring
it to the front, flash it, pop up a notification).

The tray's tooltip and a red badge on its icon count the missed calls not seen yet.

Where the desktop has no tray (some Wayland and minimal X sessions), the app says so
once, in the status bar, and behaves as if the tray options were off.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QSystemTrayIcon

from parley.gui import icons
from parley.gui.i18n import tr
from parley.gui.icons import RED
from parley.settings.model import GuiSettings


class Tray(QObject):
    """Owns the tray icon (when there is a tray) for `window`. `quit_requested` is
    emitted by the tray menu's Quit."""

    quit_requested = Signal()
    notice = Signal(str)

    def __init__(self, window: QMainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self._said_unavailable = False
        self.icon: QSystemTrayIcon | None = None
        self.missed = 0
        if self.available:
            self.icon = QSystemTrayIcon(icons.icon("app"), self)
            self.icon.setToolTip("Parley")
            menu = QMenu()
            self._menu = menu
            menu.addAction(tr("Show Parley"), self.show_window)
            menu.addSeparator()
            menu.addAction(tr("Quit"), self.quit_requested.emit)
            self.icon.setContextMenu(menu)
            self.icon.activated.connect(self._activated)
            self.icon.show()

    def set_missed(self, count: int) -> None:
        """Count `count` missed calls in the tooltip and as a badge on the icon."""
        self.missed = count
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip())
            self.icon.setIcon(badged_icon(count))

    def tooltip(self) -> str:
        """The tray icon's tooltip: Parley, and the missed calls not seen yet."""
        if not self.missed:
            return "Parley"
        return f"Parley — {missed_calls_text(self.missed)}"

    def apply(self, gui: GuiSettings) -> None:
        """Take the behaviour settings into account (at start and after a change)."""
        wants_tray = gui.minimise_to_tray or gui.minimise_on_close or gui.notify_incoming_calls
        if not self.available and wants_tray and not self._said_unavailable:
            self._said_unavailable = True
            self.notice.emit(
                tr(
                    "This desktop has no notification area (tray): Parley minimises to the "
                    "task bar and shows incoming calls in its window instead."
                )
            )
        on_top = bool(self.window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)
        if on_top != gui.always_on_top:
            visible = self.window.isVisible()
            self.window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, gui.always_on_top)
            if visible:  # changing a window flag hides the window
                self.window.show()

    @property
    def said_unavailable(self) -> bool:
        return self._said_unavailable

    def can_hide_to_tray(self, gui: GuiSettings) -> bool:
        return self.available and gui.minimise_to_tray

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            if self.window.isVisible() and not self.window.isMinimized():
                self.window.hide()
            else:
                self.show_window()

    def incoming_call(self, gui: GuiSettings, name: str, number: str) -> list[str]:
        """Do what the settings say for a new incoming call; returns what was done
        ("activate", "flash", "notify") for the caller (and tests) to know."""
        done = []
        if gui.activate_on_incoming_call:
            self.show_window()
            done.append("activate")
        if gui.flash_on_incoming_call:
            QApplication.alert(self.window, 0)
            done.append("flash")
        if gui.notify_incoming_calls and self.icon is not None:
            text = f"{name} ({number})" if number and number != name else name
            self.icon.showMessage(
                tr("Incoming call"), text, QSystemTrayIcon.MessageIcon.Information, 10000
            )
            done.append("notify")
        return done


def missed_calls_text(count: int) -> str:
    return tr("1 missed call") if count == 1 else tr("{count} missed calls", count=count)


def badged_icon(count: int, size: int = 64) -> QIcon:
    """Parley's icon with a red disc counting `count` in its corner (none for 0)."""
    if not count:
        return icons.icon("app")
    picture = QPixmap(icons.pixmap("app", size))
    p = QPainter(picture)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    disc = QRectF(size * 0.45, 0, size * 0.55, size * 0.55)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(RED))
    p.drawEllipse(disc)
    font = QFont()
    font.setPixelSize(int(size * (0.36 if count < 10 else 0.26)))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(disc, Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99+")
    p.end()
    return QIcon(picture)
