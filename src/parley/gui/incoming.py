"""An incoming call in the call window: who calls, on which account, and the three
answers — accept, reject, silence the ringing (for this call only, for good) — plus
forward it elsewhere ("→", deflection) and send it to voicemail."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from parley.app.snapshots import CallInfo
from parley.gui import icons
from parley.gui.i18n import tr
from parley.gui.icons import GREEN, GREY, RED
from parley.gui.widgets import Avatar, heading, round_button


class IncomingCallWidget(QFrame):
    """One ringing call. `waiting` marks a call that comes in during another call
    (call waiting: the far end hears ringing, we hear the call-waiting tone)."""

    accept_clicked = Signal(int)
    reject_clicked = Signal(int)
    silence_clicked = Signal(int)
    deflect_clicked = Signal(int)
    voicemail_clicked = Signal(int)

    def __init__(
        self,
        call: CallInfo,
        *,
        waiting: bool = False,
        picture: bytes | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.call_id = call.id
        self.setObjectName("incomingCall")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.title = QLabel(tr("Call waiting") if waiting else tr("Incoming call"))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.avatar = Avatar(64)
        self.avatar.set_person(call.shown_name, picture)
        layout.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignHCenter)
        self.name_label = heading(call.shown_name)
        self.name_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.name_label)
        number = call.number if call.number != call.shown_name else ""
        detail = tr("on account {account}", account=call.account)
        self.detail_label = QLabel(f"{number}  ·  {detail}" if number else detail)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label.setEnabled(False)
        layout.addWidget(self.detail_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.accept_button = round_button("call", tr("Accept"), GREEN, 52)
        self.silence_button = round_button("silence", tr("Silence ringing for this call"), GREY, 40)
        self.reject_button = round_button("hangup", tr("Reject"), RED, 52)
        for button in (self.accept_button, self.silence_button, self.reject_button):
            buttons.addWidget(button)
            buttons.addSpacing(10)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # The manual's "→" on a ringing call (deflect it elsewhere) and "send to voicemail".
        more = QHBoxLayout()
        more.addStretch(1)
        self.deflect_button = QPushButton("→  " + tr("Forward"))
        self.deflect_button.setToolTip(tr("Forward the call to another number"))
        self.voicemail_button = QPushButton(icons.icon("voicemail"), tr("To voicemail"))
        self.voicemail_button.setToolTip(tr("Send the call to your voicemail"))
        more.addWidget(self.deflect_button)
        more.addWidget(self.voicemail_button)
        more.addStretch(1)
        layout.addLayout(more)
        self.deflect_button.clicked.connect(lambda: self.deflect_clicked.emit(self.call_id))
        self.voicemail_button.clicked.connect(lambda: self.voicemail_clicked.emit(self.call_id))
        self.accept_button.clicked.connect(lambda: self.accept_clicked.emit(self.call_id))
        self.reject_button.clicked.connect(lambda: self.reject_clicked.emit(self.call_id))
        self.silence_button.clicked.connect(self._silence)

    def _silence(self) -> None:
        # The manual: once silenced, a call cannot ring again.
        self.silence_button.setEnabled(False)
        self.silence_button.setToolTip(tr("Ringing is off for this call"))
        self.silence_clicked.emit(self.call_id)

    @property
    def silenced(self) -> bool:
        return not self.silence_button.isEnabled()
