"""Call control in the call window: "→" (transfer the active call, deflect a ringing
one), "+" (add a participant), the record button, the transfer area and the
conference/query area that contacts, history entries and other calls can be dropped
on, the conference view, and what the engine reports about transfers, conferences,
recordings and call notes (forwarded, deflected, replaced, auto answered, intercom).

The commands go to the Application's call-control facades (app.transfers,
app.conference, app.recordings, app.calls); the state shown comes from the engine's
events, never from what a click hoped for.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from parley.app.context import CallRef
from parley.app.snapshots import CallInfo
from parley.gui import icons
from parley.gui.bridge import EngineBridge
from parley.gui.call_dialogs import RecordingNotice, TargetDialog, TransferRequestDialog
from parley.gui.conference_view import ConferenceView
from parley.gui.i18n import tr
from parley.gui.incoming import IncomingCallWidget
from parley.gui.texts import note_text, problem_detail, problem_text, short_target, transfer_text
from parley.gui.widgets import tool_button
from parley.phone.events import (
    CallNote,
    CallStateChanged,
    ConferenceChanged,
    PhoneEvent,
    RecordingChanged,
    RecordingState,
    TransferProgress,
    TransferRequested,
)

log = logging.getLogger(__name__)

PARTY_MIME = "application/x-parley-party"
LIVE = ("connected", "held")
_PLAIN_NUMBER = re.compile(r"[+0-9*#]+")


@dataclass(frozen=True)
class Party:
    """What was dropped: a contact, a history entry or one of our calls (by id), or a
    typed number / SIP address."""

    kind: str  # "contact", "entry", "call" or "number"
    id: int | None = None
    number: str = ""


def party_mime(kind: str, item_id: int | None = None, number: str = "") -> QMimeData:
    mime = QMimeData()
    mime.setData(PARTY_MIME, json.dumps({"kind": kind, "id": item_id}).encode())
    if number:
        mime.setText(number)
    return mime


def parse_party(mime: QMimeData) -> Party | None:
    if mime.hasFormat(PARTY_MIME):
        try:
            data = json.loads(bytes(mime.data(PARTY_MIME).data()).decode())
            kind, item_id = str(data["kind"]), data.get("id")
        except (ValueError, KeyError, TypeError):
            return None
        if kind in ("contact", "entry", "call") and isinstance(item_id, int):
            return Party(kind, item_id, mime.text() if mime.hasText() else "")
        return None
    if mime.hasText() and mime.text().strip() and "\n" not in mime.text().strip():
        return Party("number", None, mime.text().strip())
    return None


class PartyList(QListWidget):
    """A list whose entries can be dragged onto the call window's areas: an item's
    UserRole is ("contact" | "entry", id) or a call id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)

    def mimeTypes(self) -> list[str]:
        return [PARTY_MIME, "text/plain"]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        for item in items:
            key = item.data(Qt.ItemDataRole.UserRole)
            if isinstance(key, int):
                return party_mime("call", key)
            if key:
                return party_mime(str(key[0]), int(key[1]))
        return QMimeData()


class DropArea(QFrame):
    """A labelled area that takes a dropped party: `dropped(Party)`."""

    dropped = Signal(object)

    def __init__(self, title: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFrameShadow(QFrame.Shadow.Sunken)
        self.setMinimumHeight(54)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.title = QLabel(title)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(hint)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        self._highlight(False)

    def _highlight(self, on: bool) -> None:
        self.setStyleSheet(
            "DropArea { border: 2px dashed #2e86de; background: rgba(46,134,222,40); }"
            if on
            else "DropArea { border: 2px dashed #9aa0a6; }"
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.isEnabled() and parse_party(event.mimeData()) is not None:
            event.acceptProposedAction()
            self._highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.isEnabled() and parse_party(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._highlight(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._highlight(False)
        if self.drop_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop_mime(self, mime: QMimeData) -> bool:
        """What a drop does (also for tests that hand over real mime data)."""
        party = parse_party(mime)
        if party is None or not self.isEnabled():
            return False
        self.dropped.emit(party)
        return True


def _text_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    font = button.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setBold(True)
    button.setFont(font)
    button.setMinimumSize(34, 34)
    return button


class CallControls(QWidget):
    """Owned by the call panel, which calls `refresh(calls, current)` after every
    snapshot; `refresh_requested` asks it for a new snapshot (mute sends no event)."""

    refresh_requested = Signal()

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.application = bridge.application
        self.calls: list[CallInfo] = []
        self.current: CallInfo | None = None
        self.notes: dict[int, CallNote] = {}
        self.recording: dict[int, str] = {}
        self.dialog: Any = None  # the last dialog opened (tests answer it)
        self.request_dialogs: dict[int, TransferRequestDialog] = {}
        self._notice_accepted = False

        # The call menu's new buttons (the panel puts them into its row).
        self.transfer_button = _text_button("→", tr("Transfer the call"))
        self.add_button = _text_button("+", tr("Add a participant"))
        self.record_button = tool_button("record", tr("Record the call"), checkable=True, size=26)
        self.menu_buttons = (self.transfer_button, self.add_button, self.record_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.note_label = QLabel()
        self.note_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note_label.setVisible(False)
        layout.addWidget(self.note_label)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        areas = QHBoxLayout()
        self.transfer_area = DropArea(
            tr("Transfer"), tr("Drop a contact here to transfer the call to it")
        )
        self.conference_area = DropArea(
            tr("Conference / query call"), tr("Drop a contact here to add it to the call")
        )
        areas.addWidget(self.transfer_area)
        areas.addWidget(self.conference_area)
        layout.addLayout(areas)
        self.conference = ConferenceView()
        layout.addWidget(self.conference)

        self.transfer_button.clicked.connect(self.transfer_clicked)
        self.add_button.clicked.connect(self.add_clicked)
        self.record_button.clicked.connect(self.record_clicked)
        self.transfer_area.dropped.connect(self.drop_on_transfer)
        self.conference_area.dropped.connect(self.drop_on_conference)
        view = self.conference
        view.mute_all.connect(self._mute_all)
        view.hold_all.connect(lambda on: self._run(lambda: self.application.conference.hold(on)))
        view.mute_participant.connect(
            lambda call, on: self._run(
                lambda: self.application.conference.mute_participant(call, on)
            )
        )
        view.hold_participant.connect(
            lambda call, on: self._run(
                lambda: self.application.hold(call) if on else self.application.resume(call)
            )
        )
        view.split.connect(lambda call: self._run(lambda: self.application.conference.split(call)))
        view.end_participant.connect(lambda call: self._run(lambda: self.application.hangup(call)))
        view.end_conference.connect(lambda: self._run(lambda: self.application.conference.end()))
        view.leave_conference.connect(self.leave_conference)
        bridge.event.connect(self.on_event)
        self.setVisible(False)

    # ------------------------------------------------------------------ state

    def refresh(self, calls: list[CallInfo], current: CallInfo | None) -> None:
        self.calls, self.current = list(calls), current
        ids = {c.id for c in calls}
        for gone in [c for c in self.recording if c not in ids]:
            self.recording.pop(gone)
        self.setVisible(bool(calls))
        live = current is not None and current.state in LIVE
        ringing = self.ringing() is not None
        self.transfer_button.setEnabled(live)
        self.add_button.setEnabled(live)
        self.record_button.setEnabled(live)
        self.transfer_area.setEnabled(live or ringing)
        # Our own call still ringing at the far end: a conference can be started already.
        calling = (
            current is not None
            and current.direction == "outgoing"
            and current.state
            in (
                "dialing",
                "ringing",
                "early media",
            )
        )
        self.conference_area.setEnabled(live or ringing or calling)
        recording = current is not None and current.id in self.recording
        self.record_button.setChecked(recording)
        self.record_button.setToolTip(tr("Stop recording") if recording else tr("Record the call"))
        note = self.notes.get(current.id) if current is not None else None
        self.note_label.setText(note_text(note) if note is not None else "")
        self.note_label.setVisible(note is not None)
        self.conference.update_calls(calls)

    def ringing(self) -> CallInfo | None:
        found = [c for c in self.calls if c.direction == "incoming" and c.state == "incoming"]
        return found[-1] if found else None

    def show_message(self, text: str, detail: str = "") -> None:
        self.message.setText(text)
        self.message.setToolTip(detail)
        self.message.setVisible(bool(text))

    def attach_incoming(self, widget: IncomingCallWidget, call: CallInfo) -> None:
        """The ringing call's own "→" (deflect) and voicemail buttons."""
        widget.deflect_clicked.connect(self.deflect_clicked)
        widget.voicemail_clicked.connect(self.send_to_voicemail)
        try:
            extension = self.application.settings.account(call.account).voicemail_extension
        except (KeyError, ValueError):
            extension = None
        widget.voicemail_button.setEnabled(bool(extension))
        if not extension:
            widget.voicemail_button.setToolTip(tr("The account has no voicemail extension"))

    # ------------------------------------------------------------------ running commands

    def _run(
        self,
        make: Callable[[], Any],
        on_result: Callable[[Any], None] | None = None,
    ) -> None:
        """Send a command; a refusal is said here."""
        try:
            future = make()
        except Exception as exc:  # AppError and the like: say it, never raise into Qt
            self.show_message(problem_text(exc), problem_detail(exc))
            return
        self.bridge.run(
            future,
            on_result,
            lambda exc: self.show_message(problem_text(exc), problem_detail(exc)),
        )

    def _open(self, dialog: Any) -> None:
        self.dialog = dialog
        dialog.open()

    def _resolve(self, party: Party) -> str:
        """The number to call for a dropped contact or history entry."""
        if party.kind == "contact" and party.id is not None:
            contact = self.application.contacts.get(party.id)
            if contact is not None:
                return next((n.number for n in contact.numbers if n.number), "")
        if party.kind == "entry" and party.id is not None:
            entry = self.application.history.get(party.id)
            if entry is not None:
                plain = bool(_PLAIN_NUMBER.fullmatch(entry.number or ""))
                return entry.number if plain or not entry.uri else entry.uri
        return party.number

    def _others(self, call: CallInfo | None) -> list[CallInfo]:
        return [c for c in self.calls if c.state in LIVE and (call is None or c.id != call.id)]

    # ------------------------------------------------------------------ transfer

    def transfer_clicked(self) -> None:
        """ "→" in the call menu: a number or contact (blind transfer; "announce first"
        holds the call and calls the target), or another call (attended transfer)."""
        call = self.current
        if call is None or call.state not in LIVE:
            return
        dialog = TargetDialog(
            self.application,
            tr("Transfer the call"),
            tr("Transfer {name} to:", name=call.shown_name),
            calls=self._others(call),
            offer_announce=True,
            parent=self,
        )
        dialog.chosen.connect(lambda target, announce: self._transfer_to(call, target, announce))
        dialog.call_chosen.connect(lambda other: self.attended(call.id, other))
        self._open(dialog)

    def _transfer_to(self, call: CallInfo, target: str, announce: bool) -> None:
        if announce:
            # The manual's transfer with announcement: the partner waits on hold while
            # we talk to the target; "→" then connects the two calls.
            self._run(lambda: self.application.hold(call.id))
            self._run(lambda: self.application.dial(target, call.account))
            self.show_message(tr("Announce the call, then connect the two calls with →."))
            return
        self.blind(call.id, target)

    def blind(self, call_id: int, target: str) -> None:
        self.show_message(tr("Transferring to {target}…", target=target))
        self._run(lambda: self.application.transfers.blind(call_id, target))

    def attended(self, call_a: int, call_b: int) -> None:
        self.show_message(tr("Connecting the two calls…"))
        self._run(lambda: self.application.transfers.attended(call_a, call_b))

    def deflect_clicked(self, call_id: int) -> None:
        """ "→" on a ringing call: send it elsewhere before answering."""
        call = next((c for c in self.calls if c.id == call_id), None)
        name = call.shown_name if call is not None else ""
        dialog = TargetDialog(
            self.application,
            tr("Forward the call"),
            tr("Forward the call from {name} to:", name=name),
            parent=self,
        )
        dialog.chosen.connect(lambda target, _announce: self.deflect(call_id, target))
        self._open(dialog)

    def deflect(self, call_id: int, target: str) -> None:
        self.show_message(tr("Forwarding the call to {target}…", target=target))
        self._run(lambda: self.application.calls.deflect(call_id, target))

    def send_to_voicemail(self, call_id: int) -> None:
        self.show_message(tr("Sending the call to voicemail…"))
        self._run(lambda: self.application.calls.send_to_voicemail(call_id))

    def drop_on_transfer(self, party: Party) -> None:
        """A drop on the transfer area: another call → attended transfer; a contact or
        number → blind transfer of the active call, or deflection of a ringing one."""
        call = self.current if self.current is not None and self.current.state in LIVE else None
        if party.kind == "call":
            if call is not None and party.id is not None and party.id != call.id:
                self.attended(call.id, party.id)
            return
        target = self._resolve(party)
        if not target:
            self.show_message(tr("This contact has no number."))
            return
        if call is not None:
            self.blind(call.id, target)
            return
        ringing = self.ringing()
        if ringing is not None:
            self.deflect(ringing.id, target)

    def party_actions(self, menu: QMenu, kind: str, item_id: int) -> None:
        """The contact list's right-click menu during calls: transfer the active call to
        the contact (or history entry), or forward (deflect) a ringing or waiting call
        to it — the manual's "picked from the contact list"."""
        target = self._resolve(Party(kind, item_id))
        if not target:
            return
        call = self.current if self.current is not None and self.current.state in LIVE else None
        if call is not None:
            action = menu.addAction(
                icons.icon("transferred"), tr("Transfer the call to {target}", target=target)
            )
            call_id = call.id
            action.triggered.connect(lambda: self.blind(call_id, target))
        ringing = self.ringing()
        if ringing is not None:
            text = (
                tr("Forward the waiting call to {target}", target=target)
                if call is not None
                else tr("Forward the ringing call to {target}", target=target)
            )
            action = menu.addAction(icons.icon("deflected"), text)
            ringing_id = ringing.id
            action.triggered.connect(lambda: self.deflect(ringing_id, target))

    # ------------------------------------------------------------------ conference

    def add_clicked(self) -> None:
        """ "+": dial a participant and join it when it answers, or join another call."""
        call = self.current
        if call is None or call.state not in LIVE:
            return
        joined = set(self.conference.participants)
        dialog = TargetDialog(
            self.application,
            tr("Add a participant"),
            tr("Call and add to the conference:"),
            calls=[c for c in self._others(call) if c.id not in joined],
            parent=self,
        )
        dialog.chosen.connect(lambda target, _announce: self.add(target, call.account))
        dialog.call_chosen.connect(lambda other: self.join(call.id, other))
        self._open(dialog)

    def add(self, target: str, account: str | None) -> None:
        self.show_message(tr("Calling {target} for the conference…", target=target))
        self._run(lambda: self.application.conference.add(target, account))

    def join(self, *calls: int) -> None:
        wanted = list(dict.fromkeys([*self.conference.participants, *calls]))
        refs: list[CallRef] = list(wanted)
        self._run(lambda: self.application.conference.join(refs))

    def drop_on_conference(self, party: Party) -> None:
        """A drop on the conference/query area: another call joins the conference with
        the active one; a contact or number is called and added."""
        call = self.current if self.current is not None and self.current.state in LIVE else None
        if party.kind == "call":
            if party.id is not None and call is not None and party.id != call.id:
                self.join(call.id, party.id)
            return
        target = self._resolve(party)
        if not target:
            self.show_message(tr("This contact has no number."))
            return
        if call is None and self.current is not None and self.current.direction == "outgoing":
            # Still ringing: both are called; the conference is set up once both answered.
            self.show_message(
                tr(
                    "Calling {target}: the conference starts when everyone has answered.",
                    target=target,
                )
            )
            account = self.current.account
            self._run(lambda: self.application.conference.add(target, account))
            return
        self.add(target, call.account if call is not None else None)

    def leave_conference(self) -> None:
        """Leave the conference to the two others: they are connected to each other."""
        self.show_message(tr("Leaving the conference: connecting the others…"))
        self._run(lambda: self.application.conference.leave())

    def _mute_all(self, on: bool) -> None:
        """The whole conference's mute: our microphone leaves every participant's call."""
        for call_id in self.conference.participants:
            self._mute_one(call_id, on)

    def _mute_one(self, call_id: int, on: bool) -> None:
        self._run(
            lambda: self.application.mute(on, call_id), lambda _r: self.refresh_requested.emit()
        )

    # ------------------------------------------------------------------ recording

    def record_clicked(self) -> None:
        call = self.current
        # The button follows the engine's events, not the click.
        on = call is not None and call.id not in self.recording
        self.record_button.setChecked(call is not None and call.id in self.recording)
        if call is None:
            return
        if not on:
            self._record(call.id, False)
            return
        if self._notice_accepted or self.application.settings.functions.recording_notice_accepted:
            self._record(call.id, True)
            return
        notice = RecordingNotice(self)
        notice.decided.connect(lambda yes: self._notice_decided(call.id, yes))
        self._open(notice)

    def _notice_decided(self, call_id: int, accepted: bool) -> None:
        if not accepted:
            self.show_message(tr("The call is not recorded."))
            return
        self._notice_accepted = True
        new = self.application.settings.model_copy(deep=True)
        new.functions.recording_notice_accepted = True
        try:
            self.bridge.run(self.application.update_settings(new))
        except Exception as exc:  # cannot be saved: record anyway, say why it is not kept
            self.show_message(problem_text(exc), problem_detail(exc))
        self._record(call_id, True)

    def _record(self, call_id: int, on: bool) -> None:
        self._run(lambda: self.application.recordings.set(call_id, on))

    # ------------------------------------------------------------------ events

    def on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, CallStateChanged) and event.note is not None:
            self.notes[event.call] = event.note
        elif isinstance(event, TransferProgress):
            self.show_message(transfer_text(event))
        elif isinstance(event, TransferRequested):
            self._transfer_requested(event)
        elif isinstance(event, ConferenceChanged):
            self.conference.on_conference(event)
        elif isinstance(event, RecordingChanged):
            if event.state is RecordingState.STARTED:
                self.recording[event.call] = event.file
                self.show_message(tr("Recording to {file}", file=event.file))
            else:
                self.recording.pop(event.call, None)
                self.show_message(tr("Recording stopped: {file}", file=event.file))
        else:
            return
        self.refresh(self.calls, self.current)

    def _transfer_requested(self, event: TransferRequested) -> None:
        call = next((c for c in self.calls if c.id == event.call), None)
        call = call or self.application.get_call(event.call)
        who = call.shown_name if call is not None else (event.referred_by or tr("The other side"))
        domain = ""  # shortened only on the account's own server: elsewhere the person sees where
        if call is not None:
            try:
                domain = self.application.settings.account(call.account).domain
            except (KeyError, ValueError):
                pass
        target = short_target(event.target, domain)
        dialog = TransferRequestDialog(event.call, who, target, self)
        self.request_dialogs[event.call] = dialog
        dialog.answered.connect(self._answer_request)
        self._open(dialog)

    def _answer_request(self, call_id: int, accept: bool) -> None:
        self.request_dialogs.pop(call_id, None)
        self._run(lambda: self.application.transfers.answer_request(call_id, accept))
