"""Which addresses of the contact sources are watched, and through which account (the
manual's "Use this account for presence", per source in Settings › Contacts).

A source with a presence account has its contacts' presence watched through that
account only (its registrar or proxy, its credentials); a source without one is not
watched — except the built-in local source, whose contacts' presence addresses are
watched through every account that subscribes presence, as before this choice existed.
A contact may choose its own presence account (the manual's "Presence account" when
adding a contact): it then is watched through that account only, whatever its source
chose; a contact whose chosen account is gone or disabled falls back to its source's.

The address watched for a source contact, the first of:

1. its presence address (the local contacts' field; LDAP's "Work IP Phone");
2. its first number that is a SIP address (``sip:``/``sips:`` or ``user@host``);
3. its first business number, which the phone subscribes as ``sip:NUMBER@domain`` on
   the presence account's domain (after the account's number modification).

Mobile, home, fax and other numbers are never watched: nobody publishes presence for
them. Contacts the source's filters hide are not watched either.

A remote source may hold a 100,000-entry directory: at most `MAX_WATCHED_PER_SOURCE`
of its contacts are watched (one SUBSCRIBE dialog each), the first ones with an address
in the source's order (by name), looked for among its first `SCAN_PER_SOURCE`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from parley.contacts.model import Contact, NumberType, filter_contacts
from parley.contacts.numbers import clean_number, is_dialable, is_sip_address
from parley.contacts.source import SourceKind
from parley.settings.contact_sources import ContactSourceSettings
from parley.settings.model import Settings

log = logging.getLogger(__name__)

__all__ = [
    "MAX_WATCHED_PER_SOURCE",
    "SCAN_PER_SOURCE",
    "SourceWatch",
    "WatchPlan",
    "plan_watches",
    "presence_address",
]

MAX_WATCHED_PER_SOURCE = 200
SCAN_PER_SOURCE = 2000


def presence_address(contact: Contact) -> str:
    """The address whose presence is watched for `contact` ("" for none)."""
    explicit = contact.presence.strip()
    if explicit:
        return explicit
    for number in contact.numbers:
        text = number.number.strip()
        if not text.lower().startswith("tel:") and is_sip_address(text):
            return text
    for number in contact.numbers:
        if number.type is NumberType.BUSINESS and is_dialable(number.number):
            return clean_number(number.number)
    return ""


@dataclass(frozen=True)
class SourceWatch:
    """One source's contacts as read for watching."""

    settings: ContactSourceSettings
    contacts: Sequence[Contact]


@dataclass
class WatchPlan:
    """What to watch: `everywhere` through every account that subscribes presence (the
    local contacts without a chosen account), `by_account` through one account each.
    `capped`: the sources that had more addresses than are watched."""

    everywhere: set[str] = field(default_factory=set)
    by_account: dict[str, set[str]] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)


def _account_name(settings: Settings, chosen: str | None) -> str | None:
    """The account's name as the settings spell it (the choice is matched without
    case, as the settings validate it); None when none is chosen or it is gone."""
    if not chosen:
        return None
    for account in settings.accounts:
        if account.name.casefold() == chosen.casefold():
            return account.name if account.enabled else None
    return None


def plan_watches(
    settings: Settings, sources: Iterable[SourceWatch], *, cap: int = MAX_WATCHED_PER_SOURCE
) -> WatchPlan:
    """Which address is watched through which account, for these sources' contacts."""
    plan = WatchPlan()
    for source in sources:
        s = source.settings
        if not s.enabled:
            continue
        local = s.kind is SourceKind.LOCAL
        default = _account_name(settings, s.presence_account)
        shown = filter_contacts(
            source.contacts,
            hide_without_name=s.hide_without_name,
            hide_without_number=s.hide_without_number,
        )
        # (address, account): None for every account that subscribes presence.
        wanted: list[tuple[str, str | None]] = []
        for contact in shown:
            account = _account_name(settings, contact.presence_account) or default
            if account is None and not local:
                continue
            # Local contacts are watched only where the person filled in the field.
            address = contact.presence.strip() if local else presence_address(contact)
            if address and (address, account) not in wanted:
                wanted.append((address, account))
        if not local and len(wanted) > cap:
            log.info(
                "contact source %r: the presence of %d of its contacts is watched, not all %d",
                s.id,
                cap,
                len(wanted),
            )
            plan.capped.append(s.id)
            wanted = wanted[:cap]
        for address, account in wanted:
            if account is None:
                plan.everywhere.add(address)
            else:
                plan.by_account.setdefault(account, set()).add(address)
    return plan
