"""The main window's own call controls: while a call is in progress, the left column
shows who is on the line with a hold and a hang-up button (the manual's main-window
hang-up), so a call can be ended without the call window, e.g. in compact mode. During a
conference the hang-up ends the whole conference (the manual's "Ending a conference call
completely: … or Main window > hang up")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from parley.gui.call_menu import CallPanel
from parley.gui.call_security import LockLabel
from parley.gui.call_states import HELD_TEXT, held, row_text, show_hold
from parley.gui.i18n import tr
from parley.gui.icons import RED
from parley.gui.widgets import round_button, tool_button


class ActiveCallBar(QFrame):
    """Follows `panel`'s current call (the one its buttons act on) and acts on it
    through the panel, so both places always mean the same call."""

    def __init__(self, panel: CallPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 4, 2)
        self.label = QLabel()
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        row.addWidget(self.label, 1)
        self.lock = LockLabel(16)  # issue #11: the call's encryption
        row.addWidget(self.lock)
        self.hold_button = tool_button("hold", tr("Hold"), checkable=True, size=20)
        self.hangup_button = round_button("hangup", tr("Hang up"), RED, 32)
        row.addWidget(self.hold_button)
        row.addWidget(self.hangup_button)
        # The panel's own button decides hold or resume; the bar follows the call's state
        # when the engine reports it (`refresh`), not before.
        self.hold_button.clicked.connect(lambda _checked=False: panel.hold_button.click())
        self.hangup_button.clicked.connect(self._hang_up)
        self.setVisible(False)

    def _hang_up(self) -> None:
        call, app = self.panel.current, self.panel.application
        if call is not None and call.id in app.conference.calls():
            self.panel.bridge.run(app.conference.end())
        else:
            self.panel.hang_up()

    def refresh(self) -> None:
        call = self.panel.current
        self.setVisible(call is not None)
        if call is None:
            return
        # "Anna — On hold · Muted", in red while muted, amber while held.
        self.label.setText(row_text(call))
        self.label.setAccessibleName(self.label.text())
        self.lock.show_call(call)
        colour = RED if call.muted else HELD_TEXT if held(call) else ""
        self.label.setStyleSheet(
            f"QLabel {{ color: {colour}; font-weight: bold; }}" if colour else ""
        )
        held_by_us = call.held in ("us", "both")
        self.hold_button.setChecked(held_by_us)
        show_hold(self.hold_button, held_by_us)
        self.hold_button.setEnabled(call.state in ("connected", "held"))
