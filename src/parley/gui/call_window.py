"""The call window for a contact or a history entry (no call running): the far party's
name, avatar and number, the call button (a choice when there are several numbers),
the call information (type icon, error code, date, time, account, number, duration),
earlier calls with the same party, and the actions: favourite, delete, edit."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from parley.app.application import Application
from parley.contacts.model import Contact, PhoneNumber
from parley.gui import icons
from parley.gui.contact_editor import NUMBER_TYPES
from parley.gui.history_texts import far_end_words, result_text
from parley.gui.i18n import tr
from parley.gui.icons import GREEN
from parley.gui.texts import note_text
from parley.gui.widgets import (
    Avatar,
    call_type_label,
    format_date,
    format_duration,
    format_time,
    heading,
    round_button,
    tool_button,
)
from parley.history.model import HistoryEntry
from parley.phone.events import CallNote


class CallWindow(QWidget):
    """Details of one party. Signals ask the main window to act: `dial_requested(number,
    account)` ("" = any account), `edit_requested(contact)` (a contact without id is a
    new one prefilled), `delete_entry_requested(entry_id)`,
    `delete_contact_requested(contact_id)`, `favourite_toggled(contact_id, on)`."""

    dial_requested = Signal(str, str)
    edit_requested = Signal(object)
    delete_entry_requested = Signal(int)
    delete_contact_requested = Signal(int)
    favourite_toggled = Signal(int, bool)
    chat_requested = Signal()  # Instant Messaging with the party shown
    shown = Signal()  # another party (or the same anew) is shown

    def __init__(self, application: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.application = application
        self.contact: Contact | None = None
        self.entry: HistoryEntry | None = None
        self.source_name = ""  # the contact source of a contact that is not ours
        # The account that calls the contact shown ("Use this account for outgoing calls"
        # of its source); "" = the usual one.
        self.contact_account = ""
        # What happened to a call (forwarded, auto answered…), by history entry id,
        # as the call's events said while it ran.
        self.notes: dict[int, CallNote] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.favourite_button = tool_button("star", tr("Add to favourites"), checkable=True)
        self.delete_button = tool_button("delete", tr("Delete"))
        self.edit_button = tool_button("edit", tr("Edit contact"))
        # The manual's Instant Messaging (G); shown when messages can be sent.
        self.chat_button = tool_button("chat", tr("Instant Messaging"))
        self.chat_button.setVisible(False)
        actions.insertWidget(0, self.chat_button)
        for button in (self.favourite_button, self.delete_button, self.edit_button):
            actions.addWidget(button)
        layout.addLayout(actions)

        self.avatar = Avatar(96)
        layout.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignHCenter)
        self.name_label = heading("", 1.6)
        self.name_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.name_label)
        # The contact's company (when the shown name is not already it).
        self.company_label = QLabel()
        self.company_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.company_label.setTextFormat(Qt.TextFormat.PlainText)
        self.company_label.setVisible(False)
        layout.addWidget(self.company_label)
        self.source_label = QLabel()  # "From PBX book": another source's contact
        self.source_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.source_label.setTextFormat(Qt.TextFormat.PlainText)
        self.source_label.setEnabled(False)
        self.source_label.setVisible(False)
        layout.addWidget(self.source_label)
        # The party's presence (dot and state), when it is known.
        self.presence_row = QWidget()
        presence = QHBoxLayout(self.presence_row)
        presence.setContentsMargins(0, 0, 0, 0)
        presence.addStretch(1)
        self.presence_dot = QLabel()
        self.presence_label = QLabel()
        self.presence_label.setTextFormat(Qt.TextFormat.PlainText)  # the note is theirs
        presence.addWidget(self.presence_dot)
        presence.addWidget(self.presence_label)
        presence.addStretch(1)
        self.presence_row.setVisible(False)
        layout.addWidget(self.presence_row)
        self.number_label = QLabel()
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.number_label)
        call_row = QHBoxLayout()
        call_row.addStretch(1)
        self.call_button = round_button("call", tr("Call"), GREEN, 56)
        call_row.addWidget(self.call_button)
        call_row.addStretch(1)
        layout.addLayout(call_row)

        self.info = QFrame()
        self.info.setFrameShape(QFrame.Shape.StyledPanel)
        info = QVBoxLayout(self.info)
        kind_row = QHBoxLayout()
        self.type_icon = QLabel()
        self.type_label = QLabel()
        bold = self.type_label.font()
        bold.setBold(True)
        self.type_label.setFont(bold)
        kind_row.addWidget(self.type_icon)
        kind_row.addWidget(self.type_label, 1)
        info.addLayout(kind_row)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("error", tr("Error code")),
            ("note", tr("Note")),
            ("date", tr("Date")),
            ("time", tr("Time")),
            ("account", tr("Account")),
            ("number", tr("Number")),
            ("duration", tr("Duration")),
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(label, value)
        self._form = form
        info.addLayout(form)
        layout.addWidget(self.info)

        self.earlier_title = QLabel(tr("Calls with this party"))
        layout.addWidget(self.earlier_title)
        self.earlier = QListWidget()
        self.earlier.setMaximumHeight(160)
        layout.addWidget(self.earlier)
        layout.addStretch(1)

        self.call_button.clicked.connect(self._call_clicked)
        self.favourite_button.toggled.connect(self._favourite)
        self.delete_button.clicked.connect(self._delete)
        self.edit_button.clicked.connect(self._edit)
        self.earlier.itemClicked.connect(self._earlier_clicked)
        self.chat_button.clicked.connect(self.chat_requested.emit)

    # ------------------------------------------------------------------ what to show

    def numbers(self) -> list[PhoneNumber]:
        if self.contact is not None and self.contact.numbers:
            return [n for n in self.contact.numbers if n.number]
        if self.entry is not None:
            # A caller known only by a SIP address (not a number) is called back on that
            # address, not as a "number" on our own domain.
            entry = self.entry
            plain = bool(re.fullmatch(r"[+0-9*#]+", entry.number or ""))
            return [PhoneNumber(entry.number if plain or not entry.uri else entry.uri)]
        return []

    def show_contact(self, contact: Contact, source: str = "", account: str = "") -> None:
        """Show a contact; `source` names the contact source of one that is not ours
        (shown read-only: no edit, delete or favourite); `account` calls it."""
        self.contact, self.entry = contact, None
        self.source_name = source
        self.contact_account = account
        self._show_party(contact.name, contact.avatar)
        self.number_label.setText(
            "\n".join(
                f"{n.number}  ({tr(NUMBER_TYPES[n.type])})"
                if len(contact.numbers) > 1
                else n.number
                for n in contact.numbers
            )
        )
        self.info.setVisible(False)
        self._show_earlier([n.number for n in contact.numbers])
        self._update_actions()

    def show_entry(self, entry: HistoryEntry) -> None:
        self.entry = entry
        self.source_name = ""
        self.contact = self.application.contact_for_number(entry.number)
        name = self.contact.name if self.contact else entry.shown_name
        self._show_party(name, self.contact.avatar if self.contact else None)
        self.number_label.setText(entry.number if entry.number != name else "")
        self.info.setVisible(True)
        self.type_icon.setPixmap(icons.pixmap(entry.type.value, 20))
        self.type_label.setText(call_type_label(entry.type))
        self.fields["error"].setText(result_text(entry) or "–")
        self.fields["error"].setToolTip(far_end_words(entry))
        note = getattr(entry, "note", None) or (
            self.notes.get(entry.id) if entry.id is not None else None
        )
        self.fields["note"].setText(note_text(CallNote(note)) if note else "–")
        self.fields["date"].setText(format_date(entry.start))
        self.fields["time"].setText(format_time(entry.start))
        self.fields["account"].setText(entry.account)
        self.fields["number"].setText(entry.number)
        self.fields["duration"].setText(format_duration(entry.duration))
        # A call that went well has no error code and most have no note: no empty rows.
        for key in ("error", "note"):
            self._form.setRowVisible(self.fields[key], self.fields[key].text() != "–")
        numbers = [n.number for n in self.contact.numbers] if self.contact else [entry.number]
        self._show_earlier(numbers, skip=entry.id)
        self._update_actions()

    def _show_party(self, name: str, picture: bytes | None) -> None:
        self.avatar.set_person(name, picture)
        self.name_label.setText(name)
        company = self.contact.company.strip() if self.contact is not None else ""
        self.company_label.setText(company)
        self.company_label.setVisible(bool(company) and company != name)

    def clear(self) -> None:
        """Show nobody (a search found nothing): the main window shows its welcome."""
        self.contact, self.entry = None, None
        self.source_name = ""
        self._show_party("", None)
        self.number_label.setText("")
        self.info.setVisible(False)
        self._show_earlier([])

    def _show_earlier(self, numbers: list[str], skip: int | None = None) -> None:
        self.earlier.clear()
        entries: list[HistoryEntry] = []
        for number in numbers:
            if number:
                entries += self.application.history.list(number=number, limit=20)
        entries.sort(key=lambda e: e.start, reverse=True)
        for e in entries[:20]:
            if e.id == skip:
                continue
            text = f"{format_date(e.start)} {format_time(e.start)}  {format_duration(e.duration)}"
            item = QListWidgetItem(icons.icon(e.type.value), text)
            item.setToolTip(call_type_label(e.type))
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            self.earlier.addItem(item)
        self.earlier.setVisible(self.earlier.count() > 0)
        self.earlier_title.setVisible(self.earlier.count() > 0)

    def _update_actions(self) -> None:
        known = self.contact is not None and self.contact.id is not None
        self.favourite_button.setEnabled(known)
        self.favourite_button.blockSignals(True)
        on = bool(self.contact and self.contact.favourite)
        self.favourite_button.setChecked(on)
        self.favourite_button.setIcon(icons.icon("star_filled" if on else "star"))
        self.favourite_button.setToolTip(
            tr("Remove from favourites") if on else tr("Add to favourites")
        )
        self.favourite_button.blockSignals(False)
        self.edit_button.setToolTip(tr("Edit contact") if known else tr("Add to contacts"))
        self.delete_button.setToolTip(
            tr("Delete from the history") if self.entry is not None else tr("Delete contact")
        )
        self.call_button.setEnabled(bool(self.numbers()))
        remote = self.entry is None and bool(self.source_name)
        for button in (self.favourite_button, self.delete_button, self.edit_button):
            button.setVisible(not remote)
        self.source_label.setText(tr("From {source}", source=self.source_name) if remote else "")
        self.source_label.setVisible(remote)
        self.shown.emit()

    # ------------------------------------------------------------------ actions

    def _call_clicked(self) -> None:
        numbers = self.numbers()
        account = self.entry.account if self.entry is not None else self.contact_account
        if len(numbers) == 1:
            self.dial_requested.emit(numbers[0].number, account)
            return
        menu = self.number_menu(numbers, account)
        menu.popup(self.call_button.mapToGlobal(QPoint(0, self.call_button.height())))

    def number_menu(self, numbers: list[PhoneNumber], account: str = "") -> QMenu:
        """The choice of numbers for the call button."""
        menu = QMenu(self)
        for n in numbers:
            action = menu.addAction(f"{tr(NUMBER_TYPES[n.type])}: {n.number}")
            action.triggered.connect(
                lambda _=False, num=n.number: self.dial_requested.emit(num, account)
            )
        return menu

    def _favourite(self, on: bool) -> None:
        if self.contact is not None and self.contact.id is not None:
            self.favourite_toggled.emit(self.contact.id, on)

    def _delete(self) -> None:
        if self.entry is not None and self.entry.id is not None:
            self.delete_entry_requested.emit(self.entry.id)
        elif self.contact is not None and self.contact.id is not None:
            self.delete_contact_requested.emit(self.contact.id)

    def _edit(self) -> None:
        if self.entry is None and self.source_name:
            return  # another source's contact is read-only here
        if self.contact is not None:
            self.edit_requested.emit(self.contact)
        elif self.entry is not None:
            self.edit_requested.emit(self.application.contact_from_history(self.entry))

    def _earlier_clicked(self, item: QListWidgetItem) -> None:
        entry = self.application.history.get(int(item.data(Qt.ItemDataRole.UserRole)))
        if entry is not None:
            self.show_entry(entry)
