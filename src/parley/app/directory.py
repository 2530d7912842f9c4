"""The directory facade: the call history and the contacts of every source, read
together (a history entry shows the name of the contact that owns its number, in
whichever source knows it). The stores are safe on any thread; nothing here runs on
the engine."""

from __future__ import annotations

import logging
from dataclasses import replace

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import ContactSources, SourceMatch
from parley.contacts.source import SourceKind
from parley.contacts.store import ContactStore
from parley.history.db import StoreError
from parley.history.model import CallType, HistoryEntry
from parley.history.store import HistoryStore

log = logging.getLogger(__name__)


class Directory:
    def __init__(
        self,
        history: HistoryStore,
        contacts: ContactStore,
        sources: ContactSources | None = None,
    ) -> None:
        self.history = history
        self.contacts = contacts
        self.sources = sources

    def caller(self, number: str) -> SourceMatch | None:
        """Who owns `number`: the local contacts first, then every enabled source in the
        settings' order (None also when the look-up fails: a broken contacts file must
        not stop a call)."""
        try:
            if self.sources is not None:
                return self.sources.lookup(number)
            contact = self.contacts.lookup_number(number)
        except StoreError:
            log.exception("contact look-up failed")
            return None
        if contact is None:
            return None
        return SourceMatch(contact, "local", "", SourceKind.LOCAL)

    def contact_name(self, number: str) -> str | None:
        """The name of the contact owning `number` in any source, or None."""
        match = self.caller(number)
        return match.contact.name if match is not None else None

    def history_entries(
        self,
        *,
        types: CallType | list[CallType] | None = None,
        search: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[HistoryEntry]:
        """History entries newest first, with `contact_name` filled for known numbers.
        `search` also finds entries whose number belongs to a matching contact."""
        entries = self.history.list(types=types, search=search, limit=limit, offset=offset)
        names: dict[str, str | None] = {}
        for entry in entries:
            if entry.number not in names:
                names[entry.number] = self.contact_name(entry.number)
        out = [replace(e, contact_name=names[e.number]) for e in entries]
        if search.strip():
            # Entries whose contact's name matches (the stored name may be another one).
            seen = {e.id for e in out}
            needle = search.strip().casefold()
            for contact in self._matching_contacts(search):
                if needle not in contact.name.casefold():
                    continue
                for n in contact.numbers:
                    for e in self.history.list(types=types, number=n.number):
                        if e.id not in seen:
                            seen.add(e.id)
                            out.append(replace(e, contact_name=contact.name))
            out.sort(key=lambda e: (e.start, e.id or 0), reverse=True)
        return out

    def _matching_contacts(self, search: str) -> list[Contact]:
        if self.sources is None:
            return self.contacts.list(search=search)
        return [c.contact for c in self.sources.list_contacts(search)]

    def contact_from_history(self, entry: HistoryEntry) -> Contact:
        """A new, unsaved contact prefilled from a history entry, for the user to complete
        (it only validates once a last name, display name or company is filled in)."""
        return Contact(
            display_name=entry.name or "",
            numbers=(PhoneNumber(entry.number, NumberType.OTHER),),
        )

    def contact_for_number(self, number: str) -> Contact | None:
        """The contact owning `number` in any source (a remote one has no id: it is not
        the local store's to edit)."""
        match = self.caller(number)
        return match.contact if match is not None else None

    def close(self) -> None:
        self.history.close()
        self.contacts.close()
