"""The directory facade: the call history and the local contacts, read together (a
history entry shows the name of the contact that owns its number). The stores are safe
on any thread; nothing here runs on the engine."""

from __future__ import annotations

import logging
from dataclasses import replace

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.store import ContactStore
from parley.history.db import StoreError
from parley.history.model import CallType, HistoryEntry
from parley.history.store import HistoryStore

log = logging.getLogger(__name__)


class Directory:
    def __init__(self, history: HistoryStore, contacts: ContactStore) -> None:
        self.history = history
        self.contacts = contacts

    def contact_name(self, number: str) -> str | None:
        """The name of the local contact owning `number`, or None (also when the look-up
        fails: a broken contacts file must not stop a call)."""
        try:
            contact = self.contacts.lookup_number(number)
        except StoreError:
            log.exception("contact look-up failed")
            return None
        return contact.name if contact is not None else None

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
            for contact in self.contacts.list(search=search):
                if needle not in contact.name.casefold():
                    continue
                for n in contact.numbers:
                    for e in self.history.list(types=types, number=n.number):
                        if e.id not in seen:
                            seen.add(e.id)
                            out.append(replace(e, contact_name=contact.name))
            out.sort(key=lambda e: (e.start, e.id or 0), reverse=True)
        return out

    def contact_from_history(self, entry: HistoryEntry) -> Contact:
        """A new, unsaved contact prefilled from a history entry, for the user to complete
        (it only validates once a last name, display name or company is filled in)."""
        return Contact(
            display_name=entry.name or "",
            numbers=(PhoneNumber(entry.number, NumberType.OTHER),),
        )

    def contact_for_number(self, number: str) -> Contact | None:
        return self.contacts.lookup_number(number)

    def close(self) -> None:
        self.history.close()
        self.contacts.close()
