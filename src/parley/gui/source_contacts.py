"""The contact list's contacts of every source: the local ones as before, those of the
other enabled sources (read-only) with the source's name on their row."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from parley.app import Application
from parley.contacts.model import filter_contacts, initials
from parley.contacts.registry import ListedContact
from parley.gui.i18n import tr
from parley.gui.widgets import EntryRow
from parley.settings.model import GuiSettings


def listed_contacts(application: Application, search: str, gui: GuiSettings) -> list[ListedContact]:
    """The contacts of every enabled source for the list (local first), each source's
    filters applied, and the list's own filters on the local ones."""
    out: list[ListedContact] = []
    for listed in application.contact_sources.list_contacts(search):
        if listed.local and not filter_contacts(
            [listed.contact],
            hide_without_name=gui.hide_contacts_without_name,
            hide_without_number=gui.hide_contacts_without_number,
        ):
            continue
        out.append(listed)
    return out


def remote_row(listed: ListedContact, show_avatar: bool) -> EntryRow:
    """A row for a contact of another source: its name, first number and the source."""
    contact = listed.contact
    number = contact.numbers[0].number if contact.numbers else ""
    if len(contact.numbers) > 1:
        number += "  " + tr("(+{count} more)", count=len(contact.numbers) - 1)
    row = EntryRow(contact.name, number, initials=initials(contact), show_avatar=show_avatar)
    label = QLabel(listed.source_name)
    label.setEnabled(False)  # secondary text, as the number
    label.setToolTip(tr("From the contact source {name}", name=listed.source_name))
    layout = row.layout()
    if layout is not None:
        layout.addWidget(label)
    row.source_label = label  # type: ignore[attr-defined]
    return row
