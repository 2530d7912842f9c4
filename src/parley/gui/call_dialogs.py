"""Small dialogs of the call controls: the legal notice before the first recording, the
question when the other side asks us to call somebody (transfer requests set to "ask"),
and the choice of a target for "→" (transfer, deflect) and "+" (add a participant).

All open with `open()` and answer through signals: a modal `exec()` would stop the event
loop that the engine's events arrive on.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app.application import Application
from parley.app.snapshots import CallInfo
from parley.contacts.numbers import is_dialable, is_sip_address
from parley.gui.call_states import row_icon, row_text
from parley.gui.i18n import N_, tr

# The manual's legal notice before recording, in our own words.
RECORDING_NOTICE = N_(
    "Before you record a conversation, tell everyone in it that it will be recorded and "
    "who will use the recording. The recording holds what both sides say; its file name "
    "may hold the number, the contact's name, the account and the date and time.\n\n"
    "Keep recordings safe and as the law requires. Hand a recording to anybody else — "
    "for example to your dealer or to the maker of your phone system to find a fault — "
    "only where the law allows it."
)


class RecordingNotice(QDialog):
    """The legal notice; `decided(True)` when the person records anyway, `decided(False)`
    when not (then nothing is recorded)."""

    decided = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Recording a call"))
        layout = QVBoxLayout(self)
        title = QLabel(tr("Important: please read before recording."))
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        layout.addWidget(title)
        self.text = QLabel(tr(RECORDING_NOTICE))
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(420)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox()
        self.record_button = QPushButton(tr("I have told everyone: record"))
        self.cancel_button = QPushButton(tr("Do not record"))
        buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.record_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.finished.connect(lambda code: self.decided.emit(code == QDialog.DialogCode.Accepted))


class TransferRequestDialog(QDialog):
    """The other side of `call` asks us to call `target`: `answered(call, accept)`."""

    answered = Signal(int, bool)

    def __init__(self, call: int, who: str, target: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call = call
        self.setWindowTitle(tr("Transfer request"))
        layout = QVBoxLayout(self)
        self.text = QLabel(
            tr(
                "{who} asks you to call {target}. Your call with {who} ends when the new one is answered.",
                who=who,
                target=target,
            )
        )
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox()
        self.accept_button = QPushButton(tr("Call {target}", target=target))
        self.refuse_button = QPushButton(tr("Refuse"))
        buttons.addButton(self.accept_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.refuse_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.accept_button.clicked.connect(self.accept)
        self.refuse_button.clicked.connect(self.reject)
        self.finished.connect(
            lambda code: self.answered.emit(self.call, code == QDialog.DialogCode.Accepted)
        )


_BRACKETED = re.compile(r"<([^<>]+)>\s*$")


def contact_choices(application: Application) -> list[str]:
    """ "Name <number>" for every number of every contact (the completer's list)."""
    out = []
    for contact in application.contacts.list():
        for number in contact.numbers:
            if number.number:
                out.append(f"{contact.name} <{number.number}>")
    return out


def target_from_text(application: Application, text: str) -> str:
    """What to call for the typed `text`: the number in "Name <number>", a number or
    SIP address as typed, or the first number of the only contact of that name."""
    text = text.strip()
    found = _BRACKETED.search(text)
    if found:
        return found.group(1).strip()
    if not text or is_dialable(text) or is_sip_address(text) or ":" in text:
        return text
    contacts = [c for c in application.contacts.list(search=text) if c.has_number]
    if len(contacts) == 1:
        return next(n.number for n in contacts[0].numbers if n.number)
    return text


class TargetDialog(QDialog):
    """A number or contact to transfer to, deflect to or add; optionally one of the
    other current calls instead (`calls`), for an attended transfer or a join.
    `chosen(target, announce)` or `call_chosen(call_id)`."""

    chosen = Signal(str, bool)
    call_chosen = Signal(int)

    def __init__(
        self,
        application: Application,
        title: str,
        prompt: str,
        *,
        calls: list[CallInfo] | None = None,
        offer_announce: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.application = application
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        self.target = QLineEdit()
        self.target.setPlaceholderText(tr("Number, SIP address or contact"))
        completer = QCompleter(contact_choices(application), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.target.setCompleter(completer)
        layout.addWidget(self.target)
        self.announce = QCheckBox(tr("Announce first: hold this call and call the number"))
        self.announce.setVisible(offer_announce)
        layout.addWidget(self.announce)
        self.calls = QListWidget()
        self.calls_label = QLabel(tr("Or connect with another call:"))
        for call in calls or []:
            # Muted, on hold, held by the other side: as the call list says it.
            item = QListWidgetItem(row_icon(call), row_text(call, number=True))
            item.setData(Qt.ItemDataRole.UserRole, call.id)
            self.calls.addItem(item)
        self.calls.setMaximumHeight(90)
        shown = bool(calls)
        self.calls.setVisible(shown)
        self.calls_label.setVisible(shown)
        layout.addWidget(self.calls_label)
        layout.addWidget(self.calls)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        self.calls.itemDoubleClicked.connect(lambda _item: self._ok())

    def _ok(self) -> None:
        picked = self.calls.selectedItems()
        if picked and not self.target.text().strip():
            self.accept()
            self.call_chosen.emit(int(picked[0].data(Qt.ItemDataRole.UserRole)))
            return
        target = target_from_text(self.application, self.target.text())
        if not target:
            self.target.setFocus()
            return
        self.accept()
        self.chosen.emit(target, self.announce.isChecked())
