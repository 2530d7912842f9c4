"""The contact list's contacts of every source: the local ones as before, those of the
other enabled sources (read-only) with the source's name on their row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from parley.app import Application
from parley.app.contact_sources import outgoing_account as source_account
from parley.contacts.model import Contact, filter_contacts, initials
from parley.contacts.registry import ListedContact, RemoteSource
from parley.gui.i18n import tr
from parley.gui.widgets import EntryRow
from parley.history.db import StoreError
from parley.settings.model import GuiSettings


def listed_contacts(application: Application, search: str, gui: GuiSettings) -> list[ListedContact]:
    """The contacts of every enabled source for the list (local first) but those the
    list's display choice hides, each source's filters applied, and the list's own
    filters on the local ones."""
    out: list[ListedContact] = []
    hidden = set(gui.hidden_sources)
    for listed in application.contact_sources.list_contacts(search):
        if listed.source_id in hidden:
            continue  # the list's display choice (gui/source_display.py)
        if listed.local and not filter_contacts(
            [listed.contact],
            hide_without_name=gui.hide_contacts_without_name,
            hide_without_number=gui.hide_contacts_without_number,
        ):
            continue
        out.append(listed)
    return out


def outgoing_account(application: Application, source_id: str) -> str:
    """The source's "Use this account for outgoing calls" when that account is there and
    enabled; "" (the usual account) otherwise."""
    return source_account(application.settings, source_id)


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


class Refiner(QObject):
    """Search-as-you-type on the servers of sources that search there (LDAP): what the
    cache answered at once is completed when the server answers. `found(source_id,
    text, contacts)` comes on the GUI thread."""

    found = Signal(str, str, object)
    MIN_TEXT = 2

    def ask(self, application: Application, text: str, limit: int = 50) -> list[str]:
        """Ask every enabled searching source for `text`; returns the ids asked."""
        if len(text.strip()) < self.MIN_TEXT:
            return []
        registry = application.contact_sources
        asked = []
        for source in registry.enabled():
            if source.kind not in registry.searchers:
                continue

            def done(contacts: list[Contact], sid: str = source.id) -> None:
                self.found.emit(sid, text, contacts)  # from the search's thread: queued

            if registry.refine(source.id, text, limit, done):
                asked.append(source.id)
        return asked

    @staticmethod
    def new_ones(
        application: Application,
        source_id: str,
        contacts: Sequence[Contact],
        shown: Iterable[ListedContact],
    ) -> list[ListedContact]:
        """The server's answers not shown yet, with the source's filters applied."""
        try:
            settings = application.settings.contacts.source(source_id)
        except KeyError:
            return []
        seen = {(c.contact.name, c.contact.numbers) for c in shown if c.source_id == source_id}
        out = []
        for contact in filter_contacts(
            contacts,
            hide_without_name=settings.hide_without_name,
            hide_without_number=settings.hide_without_number,
        ):
            key = (contact.name, contact.numbers)
            if key not in seen:
                seen.add(key)
                out.append(ListedContact(contact, source_id, settings.name, settings.kind))
        return out


def more_hints(
    application: Application, listed: Iterable[ListedContact], search: str, gui: GuiSettings
) -> list[str]:
    """A line per remote source that has more contacts than the list shows (it lists at
    most `list_contacts`' limit of each until one searches): how many more, and how to
    reach them. None while searching (a search reaches every contact)."""
    if search.strip():
        return []
    shown = Counter(item.source_id for item in listed)
    hidden = set(gui.hidden_sources)
    hints: list[str] = []
    for source in application.contact_sources.enabled():
        s = source.settings
        if not isinstance(source, RemoteSource) or s.id in hidden:
            continue
        try:
            total = source.cache.count_matching(
                hide_without_name=s.hide_without_name, hide_without_number=s.hide_without_number
            )
        except StoreError:
            continue
        more = total - shown[s.id]
        if more > 0:
            hints.append(
                tr(
                    "{count} more in {source}: type to search, or open the address book",
                    count=more,
                    source=s.name,
                )
            )
    return hints
