"""The missed calls not seen yet, counted where a person looks: on the "Recent" view,
in the status bar (a button that opens the recent calls), in the tray (tooltip and a
badge on the icon) and in the window title (the task bar, where there is no tray).

Seen means: the recent calls are shown (the "Recent" view, no search) in the active,
visible window. Then the store's mark moves past the newest call, so the count stays
cleared after a restart; a missed call that was never seen is still counted then.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QBoxLayout, QToolButton

from parley.app.events import HistoryAdded
from parley.gui.i18n import N_, tr
from parley.gui.icons import RED
from parley.gui.tray import missed_calls_text
from parley.gui.widgets import tool_button
from parley.history.db import StoreError
from parley.history.model import CallType
from parley.phone.events import PhoneEvent

if TYPE_CHECKING:
    from parley.gui.main_window import MainWindow

log = logging.getLogger(__name__)

RECENT_WITH_COUNT = N_("Recent ({count})")


class MissedCalls(QObject):
    """Keeps the count of unseen missed calls on `window`'s Recent tab, status bar and
    tray, and marks them seen when the recent calls are looked at."""

    def __init__(self, window: MainWindow, recent_index: int, recent_label: str) -> None:
        super().__init__(window)
        self.window = window
        self.recent_index = recent_index
        self.recent_label = recent_label
        self.count = 0
        self.button: QToolButton = tool_button("missed", tr("Missed calls"), size=18)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setStyleSheet(f"QToolButton {{ color: {RED}; font-weight: bold; }}")
        self.button.setVisible(False)
        self.button.clicked.connect(self.show_recent)
        bar = window.status.layout()
        if isinstance(bar, QBoxLayout):  # beside the voicemail button
            bar.insertWidget(1, self.button)
        self._normal_colour = window.views.tabTextColor(recent_index)
        window.bridge.event.connect(self._on_event)
        window.views.currentChanged.connect(lambda _index: self.update())
        window.search.textChanged.connect(lambda _text: self.update())
        window.installEventFilter(self)
        self.update()

    # ------------------------------------------------------------------ seen

    def recent_shown(self) -> bool:
        """The recent calls are in front of the person: the Recent view without a
        search, in the window that is active and not minimised."""
        w = self.window
        return (
            w.isVisible()
            and not w.isMinimized()
            and w.isActiveWindow()
            and w.views.currentIndex() == self.recent_index
            and not w.search.text().strip()
        )

    def update(self) -> None:
        """Mark the missed calls seen if they are shown; show the count left."""
        history = self.window.application.history
        try:
            count = history.unseen_missed()
            if count and self.recent_shown():
                history.mark_missed_seen()
                count = history.unseen_missed()
        except StoreError as exc:
            log.warning("missed calls: %s", exc)
            return
        self._show(count)

    def _show(self, count: int) -> None:
        self.count = count
        views = self.window.views
        if count:
            views.setTabText(self.recent_index, tr(RECENT_WITH_COUNT, count=count))
            views.setTabTextColor(self.recent_index, QColor(RED))
        else:
            views.setTabText(self.recent_index, tr(self.recent_label))
            views.setTabTextColor(self.recent_index, self._normal_colour)
        text = missed_calls_text(count) if count else tr("Missed calls")
        views.setTabToolTip(self.recent_index, text if count else "")
        self.button.setText(str(count))
        self.button.setToolTip(tr("{missed} — show the recent calls", missed=text))
        self.button.setAccessibleName(text)
        self.button.setVisible(bool(count))
        self.window.tray.set_missed(count)
        # The task bar shows the title: the count is seen there also without a tray.
        self.window.setWindowTitle(f"Parley — {text}" if count else "Parley")

    def show_recent(self) -> None:
        """The status bar's button: the recent calls, in the window brought to the front."""
        self.window.search.clear()
        self.window.views.setCurrentIndex(self.recent_index)
        self.window.tray.show_window()
        self.update()

    # ------------------------------------------------------------------ triggers

    def _on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, HistoryAdded) and event.type == CallType.MISSED.value:
            self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (
            QEvent.Type.ActivationChange,
            QEvent.Type.WindowStateChange,
            QEvent.Type.Show,
        ):
            self.update()
        return False
