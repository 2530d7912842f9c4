"""The call window during calls: the far party, the running time, the call menu (mute,
loudspeaker, DTMF keypad, live statistics, hold/resume, transfer, add participant,
record, hang up), ringing calls with their answers, the transfer and conference areas
with the conference view (`CallControls`), and the list of all calls to switch between.

Switching (the manual): picking another call holds the active one and resumes (or
answers) the picked one — `Application.switch_to` does both on the engine.

Each call starts clean: the keypad and statistics close, the digits sent belong to
their call, and the window shrinks back to the height it had before they opened. When
the last call ends, the view says how and why for a few seconds (`END_NOTICE_MS`,
gui/call_end.py) before it gives way. Muted and on hold are shown in words, colour and
icons (gui/call_states.py); an emergency number gets the manual's warning
(gui/emergency.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app.application import DTMF_KEYS
from parley.app.snapshots import CallInfo
from parley.gui.bridge import EngineBridge
from parley.gui.call_control import CallControls, PartyList
from parley.gui.call_end import EndedCall, EndedNotice, dial_failed, ended_call
from parley.gui.call_security import CallSecurity, list_row_security
from parley.gui.call_states import StateBadges, row_icon, row_text, show_hold, show_mute
from parley.gui.emergency import EmergencyWarning
from parley.gui.i18n import N_, tr
from parley.gui.icons import RED
from parley.gui.incoming import IncomingCallWidget
from parley.gui.widgets import (
    Avatar,
    format_duration,
    heading,
    round_button,
    state_label,
    tool_button,
)
from parley.history.model import number_of
from parley.phone.events import CallStateChanged, PhoneEvent

KEYPAD = ("123", "456", "789", "*0#")
# How long an ended call stays in the call view, saying how it ended.
END_NOTICE_MS = 4000

STAT_ROWS: tuple[tuple[str, str], ...] = (
    ("codec", N_("Codec")),
    ("loss", N_("Packet loss")),
    ("jitter", N_("Jitter")),
    ("rtt", N_("Round-trip time")),
    ("buffer", N_("Jitter buffer delay")),
    ("packets", N_("Packets sent / received")),
    ("mos", N_("Quality (MOS estimate)")),
)


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def format_stats(stats: dict[str, object]) -> dict[str, str]:
    """The statistics rows as text, from `Application.call_stats`."""
    dash = "–"
    loss, jitter = _num(stats.get("loss_percent")), _num(stats.get("jitter_ms"))
    rtt, buffer = _num(stats.get("rtt_ms")), _num(stats.get("jitter_buffer_ms"))
    lost = stats.get("packets_lost", 0)
    return {
        "codec": str(stats.get("codec") or dash),
        "loss": f"{loss:.1f} % ({lost})" if loss is not None else dash,
        "jitter": f"{jitter:.1f} ms" if jitter is not None else dash,
        "rtt": f"{rtt:.0f} ms" if rtt is not None else dash,
        "buffer": f"{buffer:.0f} ms" if buffer is not None else dash,
        "packets": f"{stats.get('packets_sent', 0)} / {stats.get('packets_received', 0)}",
        "mos": f"{mos:.1f}" if (mos := _num(stats.get("mos"))) is not None else dash,
    }


class DtmfKeypad(QWidget):
    """Twelve keys that send DTMF into the current call."""

    pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        for row, keys in enumerate(KEYPAD):
            for col, key in enumerate(keys):
                button = QPushButton(key)
                button.setMinimumHeight(34)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.clicked.connect(lambda _=False, k=key: self.pressed.emit(k))
                grid.addWidget(button, row, col)
                self.buttons[key] = button


class CallPanel(QWidget):
    """Everything about the current calls. `update_calls` is fed the Application's
    snapshot after every call event; buttons act on the call shown (`current`)."""

    calls_ended = Signal()
    calls_shown = Signal()  # after every update_calls: the current call may have changed

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.application = bridge.application
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._calls: list[CallInfo] = []
        self._current: int | None = None
        self._incoming: dict[int, IncomingCallWidget] = {}
        self._silenced: set[int] = set()
        self._digits: dict[int, str] = {}  # DTMF sent, per call
        self._shown_calls: set[int] = set()  # calls that have been the current one
        # Each call as last shown: its end may come after a snapshot that lacks it.
        self._last_seen: dict[int, CallInfo] = {}
        self._height_before: int | None = None  # the window's height before a panel opened
        self.ended: EndedCall | None = None  # the ended call the view says goodbye to
        self._end_timer = QTimer(self)
        self._end_timer.setSingleShot(True)
        self._end_timer.timeout.connect(self._end_notice_over)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        self.incoming_box = QVBoxLayout()
        layout.addLayout(self.incoming_box)

        self.active = QWidget()
        active = QVBoxLayout(self.active)
        active.setContentsMargins(0, 0, 0, 0)
        self.emergency = EmergencyWarning()
        active.addWidget(self.emergency)
        # A call that ended while others go on: said above the call still shown.
        self.other_ended = EndedNotice(END_NOTICE_MS)
        active.addWidget(self.other_ended, 0, Qt.AlignmentFlag.AlignHCenter)
        self.avatar = Avatar(88)
        active.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignHCenter)
        self.name_label = heading("")
        self.name_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        active.addWidget(self.name_label)
        self.number_label = QLabel()
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        active.addWidget(self.number_label)
        self.badges = StateBadges()  # the state, "On hold" in amber, "Muted" in red
        self.state_label = self.badges.state
        active.addWidget(self.badges)
        # Issue #11: the lock, ZRTP's code with verify/unverify, why SRTP did not happen.
        self.security = CallSecurity(self.application, bridge.run)
        active.addWidget(self.security)
        self.end_detail = QLabel()  # an ended call: the server's answer or the error
        self.end_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.end_detail.setWordWrap(True)
        self.end_detail.setVisible(False)
        active.addWidget(self.end_detail)
        self.duration_label = heading("", 1.2)
        self.duration_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        active.addWidget(self.duration_label)
        self.account_label = QLabel()
        self.account_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.account_label.setEnabled(False)
        active.addWidget(self.account_label)

        self.menu_row = QWidget()  # hidden while an ended call is shown
        menu = QHBoxLayout(self.menu_row)
        menu.setContentsMargins(0, 0, 0, 0)
        menu.addStretch(1)
        self.mute_button = tool_button("mute", tr("Mute"), checkable=True, size=26)
        self.speaker_button = tool_button("speaker", tr("Loudspeaker"), checkable=True, size=26)
        self.keypad_button = tool_button("keypad", tr("Keypad (DTMF)"), checkable=True, size=26)
        self.stats_button = tool_button("stats", tr("Call statistics"), checkable=True, size=26)
        self.hold_button = tool_button("hold", tr("Hold"), checkable=True, size=26)
        # Transfer, add participant, record, the transfer and conference areas and
        # the conference view live in `CallControls` (gui/call_control.py).
        self.controls = CallControls(bridge)
        # Instant Messaging with the party (shown when messages can be sent: gui/features.py).
        self.chat_button = tool_button("chat", tr("Instant Messaging"), size=26)
        self.chat_button.setVisible(False)
        for button in (
            self.mute_button,
            self.speaker_button,
            self.keypad_button,
            self.stats_button,
            self.hold_button,
            *self.controls.menu_buttons,
            self.chat_button,
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            menu.addWidget(button)
        menu.addStretch(1)
        active.addWidget(self.menu_row)

        self.keypad = DtmfKeypad()
        self.keypad.setVisible(False)
        self.keypad.pressed.connect(self.send_digit)
        active.addWidget(self.keypad)
        self.sent_label = QLabel()
        self.sent_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sent_label.setVisible(False)
        active.addWidget(self.sent_label)

        self.stats_box = QGroupBox(tr("Call statistics"))
        form = QFormLayout(self.stats_box)
        self.stat_labels: dict[str, QLabel] = {}
        for key, label in STAT_ROWS:
            value = QLabel("–")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.stat_labels[key] = value
            form.addRow(tr(label), value)
        self.stats_box.setVisible(False)
        active.addWidget(self.stats_box)

        hang = QHBoxLayout()
        hang.addStretch(1)
        self.hangup_button = round_button("hangup", tr("Hang up"), RED, 56)
        hang.addWidget(self.hangup_button)
        hang.addStretch(1)
        active.addLayout(hang)
        layout.addWidget(self.active)
        layout.addWidget(self.controls)
        self.controls.refresh_requested.connect(self._refresh)

        self.list_title = QLabel(tr("Calls"))
        layout.addWidget(self.list_title)
        self.call_list = PartyList()  # drag a call onto the transfer / conference area
        self.call_list.setMaximumHeight(110)
        self.call_list.itemClicked.connect(self._picked)
        layout.addWidget(self.call_list)
        layout.addStretch(1)

        show_mute(self.mute_button, False)
        show_hold(self.hold_button, False)
        self.mute_button.toggled.connect(self._mute)
        self.speaker_button.toggled.connect(self._loudspeaker)
        self.keypad_button.toggled.connect(self._show_keypad)
        self.stats_button.toggled.connect(self._show_stats_box)
        # Before the main window's handler updates the calls: the ended call's name is
        # still in the last snapshot.
        bridge.event.connect(self._on_event)
        self.hold_button.clicked.connect(self._hold_clicked)
        self.hangup_button.clicked.connect(self.hang_up)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._every_second)
        self._stats_pending = False

    # ------------------------------------------------------------------ state

    @property
    def calls(self) -> list[CallInfo]:
        return list(self._calls)

    @property
    def current(self) -> CallInfo | None:
        return next((c for c in self._calls if c.id == self._current), None)

    def update_calls(self, calls: list[CallInfo]) -> None:
        """Show `calls` (the Application's snapshot, oldest first)."""
        had_calls = bool(self._calls)
        self._calls = list(calls)
        self._last_seen.update({c.id: c for c in calls})
        ids = {c.id for c in calls}
        self._silenced &= ids
        for gone in [c for c in self._digits if c not in ids]:
            self._digits.pop(gone)
        if calls and self.ended is not None:  # a new call: the old one's notice goes
            self.ended = None
            self._end_timer.stop()
        answered = [c for c in calls if c.state != "incoming"]
        if self._current not in {c.id for c in answered}:
            self._current = None
        # The call to show: the one talking now, else the one picked, else the newest.
        talking = [c for c in answered if c.state == "connected" and not c.held]
        if talking:
            self._current = talking[-1].id
        elif self._current is None and answered:
            self._current = answered[-1].id
        if self._current is not None and self._current not in self._shown_calls:
            # Another call is shown for the first time: it starts with a clean view.
            self._shown_calls.add(self._current)
            self._close_panels()
        if not calls:
            self._shown_calls.clear()
            self._close_panels()
        self._update_incoming(calls)
        self._update_active()
        self._update_list()
        self.controls.refresh(self._calls, self.current)
        if calls and not self._tick.isActive():
            self._tick.start()
        elif not calls:
            self._tick.stop()
            if self.ended is not None:
                self._end_timer.start(END_NOTICE_MS)  # calls_ended when it is over
            elif had_calls:
                self.calls_ended.emit()
        self.calls_shown.emit()

    @property
    def in_use(self) -> bool:
        """Calls are shown, or the last one's end still is."""
        return bool(self._calls) or self.ended is not None

    def _on_event(self, event: PhoneEvent) -> None:
        if not isinstance(event, CallStateChanged) or event.state != "ended":
            return
        info = self._last_seen.pop(event.call, None)
        if any(c.id != event.call for c in self.application.list_calls()):
            # Other calls go on: they stay in view, and a notice says how this one ended.
            if info is not None:
                note = self.controls.notes.get(event.call)
                self.other_ended.show_ended(ended_call(event, info.shown_name, info.number, note))
            return
        if info is not None:
            name, number = info.shown_name, info.number
        elif event.direction == "outgoing":
            # Our dial failed before any snapshot showed it: still say why.
            number = number_of(event.remote)
            contact = self.application.contact_for_number(number)
            name = contact.name if contact else (event.remote_name or number)
        else:
            return  # an incoming call refused before it was shown (e.g. do not disturb)
        note = self.controls.notes.get(event.call)
        connected_at = info.connected_at if info is not None else None
        duration = (
            format_duration((datetime.now(UTC) - connected_at).total_seconds())
            if connected_at is not None
            else ""
        )
        self.ended = ended_call(event, name, number, note, duration)

    def show_dial_failure(self, target: str, account: str, error: str) -> None:
        """A dial the phone refused before a call existed: said in the call view."""
        if self._calls:
            return
        self.ended = dial_failed(number_of(target) or target, account, error)
        self._update_active()
        self._end_timer.start(END_NOTICE_MS)
        self.calls_shown.emit()

    def dismiss_ended(self) -> None:
        """Stop showing the ended call now (the person picked something else)."""
        if self.ended is not None:
            self._end_timer.stop()
            self._end_notice_over()

    def _end_notice_over(self) -> None:
        self.ended = None
        self._update_active()
        self.calls_ended.emit()
        self.calls_shown.emit()

    def _update_incoming(self, calls: list[CallInfo]) -> None:
        ringing = [c for c in calls if c.direction == "incoming" and c.state == "incoming"]
        others = any(c.state in ("connected", "held") for c in calls)
        for call_id in list(self._incoming):
            if call_id not in {c.id for c in ringing}:
                widget = self._incoming.pop(call_id)
                widget.setParent(None)
                widget.deleteLater()
        for call in ringing:
            if call.id in self._incoming:
                continue
            contact = self.application.contact_for_number(call.number)
            widget = IncomingCallWidget(
                call, waiting=others, picture=contact.avatar if contact else None
            )
            widget.accept_clicked.connect(self.accept)
            widget.reject_clicked.connect(self.reject)
            widget.silence_clicked.connect(self.silence)
            self.controls.attach_incoming(widget, call)
            self._incoming[call.id] = widget
            self.incoming_box.addWidget(widget)

    def incoming_widget(self, call_id: int) -> IncomingCallWidget | None:
        return self._incoming.get(call_id)

    def _update_active(self) -> None:
        call = self.current
        self.active.setVisible(call is not None or self.ended is not None)
        if call is None:
            if self.ended is not None:
                self._show_ended(self.ended)
            return
        self.hangup_button.setVisible(True)
        self.menu_row.setVisible(True)
        self.duration_label.setVisible(True)
        self.end_detail.setVisible(False)
        contact = self.application.contact_for_number(call.number)
        self.avatar.set_person(call.shown_name, contact.avatar if contact else None)
        self.name_label.setText(call.shown_name)
        self.number_label.setText(call.number if call.number != call.shown_name else "")
        self.state_label.setText(state_label(call.state, call.held))
        self.badges.show_call(call)
        self.security.show_call(call)
        self.emergency.show_for(call.number)
        self.account_label.setText(tr("Account: {account}", account=call.account))
        live = call.state in ("connected", "held")
        for button in (self.mute_button, self.keypad_button, self.stats_button, self.hold_button):
            button.setEnabled(live)
        held_by_us = call.held in ("us", "both")
        self.hold_button.blockSignals(True)
        self.hold_button.setChecked(held_by_us)
        self.hold_button.blockSignals(False)
        show_hold(self.hold_button, held_by_us)
        self.mute_button.blockSignals(True)
        self.mute_button.setChecked(call.muted)
        self.mute_button.blockSignals(False)
        show_mute(self.mute_button, call.muted)
        digits = self._digits.get(call.id, "")
        self.sent_label.setText(digits)
        self.sent_label.setVisible(bool(digits))
        self.speaker_button.blockSignals(True)
        self.speaker_button.setChecked(self.application.loudspeaker)
        self.speaker_button.blockSignals(False)
        self._show_duration()

    def _show_ended(self, ended: EndedCall) -> None:
        """The call that just ended: who, and how it ended, with nothing to press."""
        contact = self.application.contact_for_number(ended.number) if ended.number else None
        self.avatar.set_person(ended.name, contact.avatar if contact else None)
        self.name_label.setText(ended.name)
        self.number_label.setText(ended.number if ended.number != ended.name else "")
        self.state_label.setText(ended.text)
        self.badges.show_end(ended.failed)
        self.security.show_call(None)
        self.duration_label.setText(ended.duration)  # how long it lasted, if it was answered
        self.duration_label.setVisible(bool(ended.duration))
        self.end_detail.setText(ended.detail)
        self.end_detail.setVisible(bool(ended.detail))
        # An emergency call that ended (or failed) keeps its warning: use another phone.
        self.emergency.show_for(ended.number or ended.name)
        self.account_label.setText(
            tr("Account: {account}", account=ended.account) if ended.account else ""
        )
        self.menu_row.setVisible(False)  # nothing to press for a call that is over
        self.hangup_button.setVisible(False)
        self.sent_label.setVisible(False)

    def _update_list(self) -> None:
        self.call_list.clear()
        several = len(self._calls) > 1
        self.call_list.setVisible(several)
        self.list_title.setVisible(several)
        for call in self._calls:
            item = QListWidgetItem(row_icon(call), row_text(call))
            item.setData(Qt.ItemDataRole.UserRole, call.id)
            list_row_security(self.call_list, item, call)  # issue #11: the lock
            if call.id == self._current:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.call_list.addItem(item)

    def _show_duration(self) -> None:
        call = self.current
        if call is None or call.connected_at is None:
            self.duration_label.setText("")
            return
        seconds = (datetime.now(UTC) - call.connected_at).total_seconds()
        self.duration_label.setText(format_duration(seconds))

    def _every_second(self) -> None:
        self._show_duration()
        if self.stats_box.isVisible():
            self.refresh_stats()

    # ------------------------------------------------------------------ commands

    def accept(self, call_id: int) -> None:
        # Answering while talking holds the other call first (call waiting).
        if any(c.state == "connected" and c.id != call_id for c in self._calls):
            self.bridge.run(self.application.switch_to(call_id))
        else:
            self.bridge.run(self.application.answer(call_id))
        self._current = call_id

    def reject(self, call_id: int) -> None:
        self.bridge.run(self.application.reject(call_id))

    def silence(self, call_id: int) -> None:
        self._silenced.add(call_id)
        self.bridge.run(self.application.silence_ringing(call_id))

    def is_silenced(self, call_id: int) -> bool:
        return call_id in self._silenced

    def hang_up(self) -> None:
        call = self.current
        if call is not None:
            self.bridge.run(self.application.hangup(call.id))

    def _hold_clicked(self) -> None:
        call = self.current
        if call is None:
            return
        if call.held in ("us", "both"):
            self.bridge.run(self.application.resume(call.id))
        else:
            self.bridge.run(self.application.hold(call.id))

    def hold(self) -> None:
        call = self.current
        if call is not None and call.held not in ("us", "both"):
            self.hold_button.click()

    def resume(self) -> None:
        call = self.current
        if call is not None and call.held in ("us", "both"):
            self.hold_button.click()

    def _mute(self, on: bool) -> None:
        call = self.current
        if call is not None:
            # Muting sends no event: show the new snapshot once it is done.
            self.bridge.run(self.application.mute(on, call.id), self._refresh)

    def _loudspeaker(self, on: bool) -> None:
        self.bridge.run(self.application.set_loudspeaker(on), self._refresh)

    def _refresh(self, _result: object = None) -> None:
        self.update_calls(self.application.list_calls())

    def send_digit(self, digit: str) -> None:
        call = self.current
        if call is None or call.state not in ("connected", "held"):
            return
        self.bridge.run(self.application.send_dtmf(call.id, digit))
        self._digits[call.id] = (self._digits.get(call.id, "") + digit)[-24:]
        self.sent_label.setVisible(True)
        self.sent_label.setText(self._digits[call.id])

    def _picked(self, item: QListWidgetItem) -> None:
        call_id = int(item.data(Qt.ItemDataRole.UserRole))
        call = next((c for c in self._calls if c.id == call_id), None)
        if call is None or (call_id == self._current and call.held is None):
            return
        self._current = call_id
        self.bridge.run(self.application.switch_to(call_id))
        self._update_active()
        self._update_list()
        self.controls.refresh(self._calls, self.current)

    def switch_to(self, call_id: int) -> None:
        for row in range(self.call_list.count()):
            item = self.call_list.item(row)
            if int(item.data(Qt.ItemDataRole.UserRole)) == call_id:
                self._picked(item)
                return

    # ------------------------------------------------------------------ statistics

    def _show_stats_box(self, on: bool) -> None:
        self._panel_toggled(on)
        self.stats_box.setVisible(on)
        if on:
            self.refresh_stats()
        else:
            for value in self.stat_labels.values():
                value.setText("–")  # the next call's figures start empty
            self._fit_height()

    def _show_keypad(self, on: bool) -> None:
        self._panel_toggled(on)
        self.keypad.setVisible(on)
        if not on:
            self._fit_height()

    def _close_panels(self) -> None:
        """A new call (or none): keypad and statistics closed, no digits shown."""
        for button in (self.keypad_button, self.stats_button):
            if button.isChecked():
                button.setChecked(False)  # hides its panel (toggled)
        self.sent_label.clear()
        self.sent_label.setVisible(False)

    def _panel_toggled(self, on: bool) -> None:
        if on and self._height_before is None and self.isVisible():
            # The window grows for the panel; remember how tall it was to go back.
            self._height_before = self.window().height()

    def _fit_height(self) -> None:
        if self.keypad.isHidden() and self.stats_box.isHidden():
            QTimer.singleShot(0, self, self._shrink)

    def _shrink(self) -> None:
        """Both panels closed: the window goes back to its height before they opened
        (never below what its contents need, never when maximised)."""
        before, self._height_before = self._height_before, None
        window = self.window()
        if before is None or window is self or window.isMaximized() or window.isFullScreen():
            return
        # Layouts recompute from the inside out (each on a posted event): bring the chain
        # from the panels up to the window up to date now, so its minimum is the new one.
        widget: QWidget | None = self.active
        while widget is not None:
            layout = widget.layout()
            if layout is not None:
                layout.activate()
            widget = None if widget is window else widget.parentWidget()
        target = max(before, window.minimumSizeHint().height(), window.minimumHeight())
        if window.height() > target:
            window.resize(window.width(), target)

    def refresh_stats(self) -> None:
        call = self.current
        if call is None or self._stats_pending:
            return
        self._stats_pending = True

        def done(stats: dict[str, object]) -> None:
            self._stats_pending = False
            for key, text in format_stats(stats).items():
                self.stat_labels[key].setText(text)

        def failed(_exc: BaseException) -> None:
            self._stats_pending = False

        self.bridge.run(self.application.call_stats(call.id), done, failed)

    # ------------------------------------------------------------------ keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits typed on the PC keyboard during a call are sent as DTMF."""
        text = event.text()
        if len(text) == 1 and text in DTMF_KEYS and self.current is not None:
            self.send_digit(text.upper())
            event.accept()
            return
        super().keyPressEvent(event)
