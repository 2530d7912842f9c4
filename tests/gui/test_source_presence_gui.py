"""A source contact's presence mark in the contact list: the row of a contact from a
contact source (made by the list's own `remote_row`) is matched with the presence of
its watched address, also when the row says it has more numbers."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import ListedContact
from parley.contacts.source import SourceKind
from parley.gui.presence_view import presence_for
from parley.gui.source_contacts import remote_row
from parley.phone.events import PresenceChanged
from parley.sip.pidf import PresenceState


def listed(*numbers: str) -> ListedContact:
    contact = Contact(
        display_name="Bea", numbers=tuple(PhoneNumber(n, NumberType.BUSINESS) for n in numbers)
    )
    return ListedContact(contact, "book", "PBX book", SourceKind.XML_PHONEBOOK)


def test_a_source_contacts_row_finds_its_presence(qtbot: QtBot) -> None:
    busy = PresenceChanged("sip:3004@127.0.0.1:5060", PresenceState.BUSY, "", "b")
    watched = {busy.uri: busy}
    for entry in (listed("3004"), listed("3004", "0171 555"), listed("30 04")):
        row = remote_row(entry, show_avatar=False)
        qtbot.addWidget(row)
        assert presence_for(watched, [row.number_label.text()]) is busy, row.number_label.text()
    other = remote_row(listed("3005", "3004"), show_avatar=False)
    qtbot.addWidget(other)
    assert presence_for(watched, [other.number_label.text()]) is None
