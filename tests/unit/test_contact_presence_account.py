"""A local contact's own presence account (the manual's "Presence account" when adding
a contact): which account watches it — the contact's choice over its source's over
every account that subscribes presence — and the contacts file that learns the field
without losing what it held."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from parley.app.source_presence import SourceWatch, plan_watches
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.source import SourceKind
from parley.contacts.store import MIGRATIONS, ContactStore
from parley.history.db import Database
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings
from parley.settings.model import AccountSettings, Settings


def local(presence_account: str | None = None) -> ContactSourceSettings:
    return ContactSourceSettings(
        id="local", name="Parley", kind=SourceKind.LOCAL, presence_account=presence_account
    )


def settings_with(source: ContactSourceSettings, *, disabled: tuple[str, ...] = ()) -> Settings:
    return Settings(
        accounts=[
            AccountSettings(
                name=n, domain="127.0.0.1:9", username=f"u{i}", enabled=n not in disabled
            )
            for i, n in enumerate(("a", "b", "c"))
        ],
        contacts=ContactsSettings(sources=[source]),
    )


def contact(address: str, account: str = "") -> Contact:
    return Contact(
        last_name=address,
        numbers=(PhoneNumber("1002", NumberType.BUSINESS),),
        presence=address,
        presence_account=account,
    )


CONTACTS = [contact("sip:own@pbx", "B"), contact("sip:plain@pbx")]  # "B": any case


def test_the_contacts_account_over_the_sources_over_every_account() -> None:
    # The source chose nothing: the plain contact everywhere, the chosen one through b.
    source = local()
    plan = plan_watches(settings_with(source), [SourceWatch(source, CONTACTS)])
    assert plan.everywhere == {"sip:plain@pbx"}
    assert plan.by_account == {"b": {"sip:own@pbx"}}
    # The source chose c: the plain contact through c, the chosen one still through b.
    source = local("c")
    plan = plan_watches(settings_with(source), [SourceWatch(source, CONTACTS)])
    assert plan.everywhere == set()
    assert plan.by_account == {"b": {"sip:own@pbx"}, "c": {"sip:plain@pbx"}}


def test_a_chosen_account_that_is_gone_or_off_falls_back_to_the_sources() -> None:
    gone = [contact("sip:own@pbx", "old")]
    source = local("c")
    plan = plan_watches(settings_with(source), [SourceWatch(source, gone)])
    assert plan.by_account == {"c": {"sip:own@pbx"}}
    off = [contact("sip:own@pbx", "b")]
    plan = plan_watches(settings_with(source, disabled=("b",)), [SourceWatch(source, off)])
    assert plan.by_account == {"c": {"sip:own@pbx"}}
    plan = plan_watches(settings_with(local(), disabled=("b",)), [SourceWatch(local(), off)])
    assert (plan.everywhere, plan.by_account) == ({"sip:own@pbx"}, {})


def test_a_remote_sources_contact_with_its_own_account_is_watched_without_the_sources() -> None:
    book = ContactSourceSettings(
        id="book", name="book", kind=SourceKind.XML_PHONEBOOK, location="/x.xml"
    )
    mine = Contact(
        display_name="Anna",
        numbers=(PhoneNumber("1002", NumberType.BUSINESS),),
        presence_account="a",
    )
    other = Contact(display_name="Kurt", numbers=(PhoneNumber("1003", NumberType.BUSINESS),))
    s = Settings(
        accounts=[AccountSettings(name="a", domain="127.0.0.1:9", username="u")],
        contacts=ContactsSettings(sources=[book]),
    )
    plan = plan_watches(s, [SourceWatch(book, [mine, other])])
    assert (plan.everywhere, plan.by_account) == (set(), {"a": {"1002"}})


def test_the_presence_account_is_stored_and_checked(tmp_path: Path) -> None:
    store = ContactStore(tmp_path / "contacts.sqlite3")
    try:
        saved = store.add(contact("sip:own@pbx", " b "))
        assert saved.presence_account == "b"
        assert store.get(saved.id or 0) == saved
        store.update(replace(saved, presence_account=""))
        assert store.list()[0].presence_account == ""
        bad = contact("sip:own@pbx", "b\x00")
        assert [p.field for p in bad.problems()] == ["presence_account"]
    finally:
        store.close()


def test_an_old_contacts_file_opens_with_its_contacts_intact(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    old = Database(path, MIGRATIONS[:2], what="contacts")  # the file before this change
    with old.transaction() as conn:
        conn.execute(
            "INSERT INTO contacts (first_name, last_name, display_name, company, favourite,"
            " avatar, presence, created, updated)"
            " VALUES ('Anna', 'Berg', '', 'ACME', 1, x'89504e47', 'sip:anna@pbx', 1, 1)"
        )
        conn.execute(
            "INSERT INTO contact_numbers (contact_id, position, number, type, key)"
            " VALUES (1, 0, '+49 30 1234', 'business', 'k'), (1, 1, '0171 9', 'mobile', 'k2')"
        )
    old.close()
    store = ContactStore(path)
    try:
        [anna] = store.list()
        assert anna == Contact(
            id=1,
            first_name="Anna",
            last_name="Berg",
            company="ACME",
            favourite=True,
            avatar=b"\x89PNG",
            presence="sip:anna@pbx",
            numbers=(
                PhoneNumber("+49 30 1234", NumberType.BUSINESS),
                PhoneNumber("0171 9", NumberType.MOBILE),
            ),
            presence_account="",
        )
        assert store.lookup_number("+49 30 1234") == anna  # re-keyed on open, found
        store.update(replace(anna, presence_account="b"))
    finally:
        store.close()
    with sqlite3.connect(path) as conn:  # the file itself now has the column and the choice
        assert conn.execute("SELECT presence_account FROM contacts").fetchall() == [("b",)]
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == len(MIGRATIONS)
