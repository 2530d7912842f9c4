"""Local contacts: derived display name, the manual's validation, number matching, store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from parley.contacts import (
    Contact,
    ContactError,
    ContactStore,
    NumberType,
    PhoneNumber,
    StoreError,
    clean_number,
    filter_contacts,
    initials,
    normalize_number,
    read_avatar,
)
from parley.contacts.model import MAX_AVATAR_BYTES
from parley.contacts.store import MIGRATIONS

N = PhoneNumber


def anna(**kw: object) -> Contact:
    base = Contact(
        first_name="Anna",
        last_name="Berg",
        company="Berg GmbH",
        numbers=(N("+49 30 1234-56", NumberType.BUSINESS), N("0171 555 0101", NumberType.MOBILE)),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- model


@pytest.mark.parametrize(
    ("first", "last", "display", "company", "shown"),
    [
        ("Anna", "Berg", "Chefin", "Berg GmbH", "Chefin"),
        ("Anna", "Berg", "", "Berg GmbH", "Anna Berg"),
        ("", "Berg", "", "Berg GmbH", "Berg"),
        ("Anna", "", "", "Berg GmbH", "Anna"),
        ("", "", "", "Berg GmbH", "Berg GmbH"),
        ("  ", " ", "  ", " Berg GmbH ", "Berg GmbH"),
        ("", "", "", "", ""),
    ],
)
def test_display_name_is_derived_as_the_manual_says(
    first: str, last: str, display: str, company: str, shown: str
) -> None:
    c = Contact(first_name=first, last_name=last, display_name=display, company=company)
    assert c.name == shown


def test_a_valid_contact_has_no_problems() -> None:
    anna().validate()
    Contact(display_name="Reception", numbers=(N("100"),)).validate()
    Contact(company="ACME", numbers=(N("sip:sales@acme.example"),)).validate()
    Contact(last_name="Roe", numbers=(N("bob@example.com"),)).validate()
    Contact(last_name="Roe", numbers=(N("*97#"),)).validate()


def test_a_number_and_a_name_are_required() -> None:
    with pytest.raises(ContactError) as info:
        Contact(first_name="Anna").validate()
    fields = [p.field for p in info.value.problems]
    assert fields == ["name", "numbers"]
    assert "last name, a display name or a company" in str(info.value)
    assert "at least one phone number" in str(info.value)


def test_a_first_name_alone_is_not_enough() -> None:
    problems = Contact(first_name="Anna", numbers=(N("1"),)).problems()
    assert [p.field for p in problems] == ["name"]


def test_bad_numbers_and_texts_are_named() -> None:
    c = Contact(
        last_name="X\x07",
        numbers=(N("1002"), N("  "), N("call me maybe")),
        avatar=b"x" * (MAX_AVATAR_BYTES + 1),
    )
    messages = {p.field: p.message for p in c.problems()}
    assert "numbers[2]" in messages and "empty" in messages["numbers[2]"]
    assert "numbers[3]" in messages and "call me maybe" in messages["numbers[3]"]
    assert "control characters" in messages["last_name"]
    assert "smaller" in messages["avatar"]
    assert "numbers" not in messages  # one usable number is there
    long = Contact(company="x" * 201, numbers=(N("1"),))
    assert [p.field for p in long.problems()] == ["company"]


@pytest.mark.parametrize(
    ("contact", "letters"),
    [
        (Contact(first_name="anna", last_name="berg"), "AB"),
        (Contact(first_name="Anna"), "A"),
        (Contact(last_name="Berg", display_name="Boss"), "B"),
        (Contact(display_name="Reception Desk Two"), "RD"),
        (Contact(company="(ACME) Corp"), "C"),
        (Contact(company="Émile Zola SA"), "ÉZ"),
        (Contact(numbers=(N("1"),)), ""),
    ],
)
def test_initials(contact: Contact, letters: str) -> None:
    assert initials(contact) == letters


def test_filters() -> None:
    a = anna(favourite=True)
    b = Contact(display_name="Reception", numbers=(N("100"),))
    nameless = Contact(numbers=(N("555"),))
    numberless = Contact(last_name="Nobody")
    everyone = [a, b, nameless, numberless]
    assert filter_contacts(everyone) == everyone
    assert filter_contacts(everyone, favourites_only=True) == [a]
    assert filter_contacts(everyone, hide_without_name=True) == [a, b, numberless]
    assert filter_contacts(everyone, hide_without_number=True) == [a, b, nameless]
    assert filter_contacts(everyone, search="berg") == [a]
    assert filter_contacts(everyone, search="RECEP") == [b]
    assert filter_contacts(everyone, search="1234 56") == [a]
    assert filter_contacts(everyone, search="0171-555") == [a]
    assert filter_contacts(everyone, search="zzz") == []


def test_read_avatar(tmp_path: Path) -> None:
    small = tmp_path / "a.png"
    small.write_bytes(b"\x89PNG fake")
    assert read_avatar(small) == b"\x89PNG fake"
    big = tmp_path / "big.png"
    big.write_bytes(b"0" * (MAX_AVATAR_BYTES + 1))
    with pytest.raises(ContactError, match="smaller picture"):
        read_avatar(big)
    with pytest.raises(ContactError, match="cannot be read"):
        read_avatar(tmp_path / "missing.png")


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "region", "key"),
    [
        ("+49 30 123456", None, "+4930123456"),
        ("0049 (30) 123-456", None, "+4930123456"),
        ("030 / 123456", None, "030123456"),
        ("+49 30 123456", "DE", "+4930123456"),
        ("0049 30 123456", "DE", "+4930123456"),
        ("030 123456", "DE", "+4930123456"),
        ("030 123456", "de", "+4930123456"),
        ("1002", "DE", "1002"),  # an extension stays an extension
        ("*97#", "DE", "*97#"),
        ("sip:0301234567@pbx.example.com;user=phone", "DE", "+49301234567"),
        ("sip:1002@127.0.0.1:5060", None, "1002"),
        ("SIP:Alice@Example.COM", None, "alice@example.com"),
        ("alice@example.com", "DE", "alice@example.com"),
        ("1002@pbx", None, "1002"),
        ("tel:+4930123456", "DE", "+4930123456"),
        ("030 123456", "XX", "030123456"),  # unknown region: as without one
        ("sip:[broken", None, "sip:[broken"),
    ],
)
def test_normalize_number(text: str, region: str | None, key: str) -> None:
    assert normalize_number(text, region) == key


def test_clean_number() -> None:
    assert clean_number(" +49 (0)30-12.34/56 ") == "+49030123456"


# ----------------------------------------------------------------------------- store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ContactStore]:
    s = ContactStore(tmp_path / "data" / "contacts.sqlite3", default_region="DE")
    yield s
    s.close()


def test_add_get_update_delete(store: ContactStore) -> None:
    stored = store.add(anna(avatar=b"picture"))
    assert stored.id is not None
    assert store.get(stored.id) == stored
    assert store.get(stored.id).avatar == b"picture"  # type: ignore[union-attr]
    changed = replace(stored, display_name="Chefin", numbers=(N("0301234", NumberType.HOME),))
    store.update(changed)
    assert store.get(stored.id) == changed
    assert store.delete(stored.id) is True
    assert store.delete(stored.id) is False
    assert store.get(stored.id) is None
    assert store.lookup_number("0301234") is None


def test_invalid_contacts_are_not_stored(store: ContactStore) -> None:
    with pytest.raises(ContactError):
        store.add(Contact(first_name="Anna", numbers=(N("1"),)))
    stored = store.add(anna())
    with pytest.raises(ContactError):
        store.update(replace(stored, numbers=()))
    assert store.get(stored.id or 0) == stored
    assert store.count() == 1


def test_texts_are_trimmed_and_blank_number_rows_dropped(store: ContactStore) -> None:
    stored = store.add(
        Contact(last_name="  Berg ", numbers=(N(" 100 "), N("   ")), display_name=" ")
    )
    assert stored.last_name == "Berg"
    assert stored.display_name == ""
    assert stored.numbers == (N("100"),)


def test_update_needs_a_known_id(store: ContactStore) -> None:
    with pytest.raises(KeyError):
        store.update(anna())
    with pytest.raises(KeyError):
        store.update(anna(id=4711))
    with pytest.raises(KeyError):
        store.set_favourite(4711, True)


def test_list_sorted_filtered_and_favourites(store: ContactStore) -> None:
    z = store.add(Contact(company="Zeta AG", numbers=(N("1"),)))
    a = store.add(anna())
    r = store.add(Contact(display_name="reception", numbers=(N("100"),)))
    assert [c.name for c in store.list()] == ["Anna Berg", "reception", "Zeta AG"]
    store.set_favourite(z.id or 0, True)
    assert [c.id for c in store.list(favourites_only=True)] == [z.id]
    assert [c.id for c in store.list(search="555 0101")] == [a.id]
    assert [c.id for c in store.list(search="RECEPTION")] == [r.id]
    assert len(store.list(hide_without_name=True, hide_without_number=True)) == 3


def test_lookup_number_across_spellings(store: ContactStore) -> None:
    a = store.add(anna())
    for spelling in (
        "+4930123456",
        "0049 30 123456",
        "030-123456",
        "sip:030123456@pbx.example.com",
        "01715550101",
        "+49 171 5550101",
    ):
        found = store.lookup_number(spelling)
        assert found is not None and found.id == a.id, spelling
    assert store.lookup_number("030 999") is None
    assert store.lookup_number("") is None


def test_lookup_prefers_favourites(store: ContactStore) -> None:
    store.add(Contact(last_name="First", numbers=(N("100"),)))
    fav = store.add(Contact(last_name="Fav", numbers=(N("100"),), favourite=True))
    found = store.lookup_number("100")
    assert found is not None and found.id == fav.id


def test_changing_the_region_rekeys_the_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    plain = ContactStore(path)
    plain.add(anna())
    assert plain.lookup_number("030 123456") is None  # no country known: no match
    plain.close()
    german = ContactStore(path, default_region="DE")
    try:
        found = german.lookup_number("030 123456")
        assert found is not None and found.last_name == "Berg"
    finally:
        german.close()


def test_contacts_persist_and_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = ContactStore(path)
    stored = store.add(anna(favourite=True, avatar=b"\x00\x01"))
    store.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        conn.close()
    again = ContactStore(path)
    try:
        assert again.list() == [stored]
    finally:
        again.close()


def test_deleting_a_contact_deletes_its_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = ContactStore(path)
    stored = store.add(anna())
    store.delete(stored.id or 0)
    store.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM contact_numbers").fetchone()[0] == 0
    finally:
        conn.close()


def test_unknown_number_types_read_as_other(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = ContactStore(path)
    stored = store.add(anna())
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE contact_numbers SET type = 'pager'")
    conn.commit()
    conn.close()
    store = ContactStore(path)
    try:
        got = store.get(stored.id or 0)
        assert got is not None and {n.type for n in got.numbers} == {NumberType.OTHER}
    finally:
        store.close()


def test_damaged_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"garbage" * 500)
    with pytest.raises(StoreError, match="contacts"):
        ContactStore(path)


def test_many_contacts_load(store: ContactStore) -> None:
    for n in range(1200):
        store.add(Contact(last_name=f"L{n:04d}", numbers=(N(str(1000 + n)), N(f"0{n}"))))
    everyone = store.list()
    assert len(everyone) == 1200
    assert all(len(c.numbers) == 2 for c in everyone)


# ----------------------------------------------------------------------------- presence


def test_a_contact_of_schema_1_keeps_its_row_and_gets_no_presence(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    try:  # the file an older Parley wrote (schema version 1), with one contact
        conn.executescript(MIGRATIONS[0])
        conn.executescript(
            "CREATE TABLE schema_version (version INTEGER NOT NULL);"
            "INSERT INTO schema_version (version) VALUES (1);"
            "INSERT INTO contacts (first_name, last_name, created, updated)"
            " VALUES ('Old', 'Row', 1, 1);"
            "INSERT INTO contact_numbers (contact_id, position, number, type, key)"
            " VALUES (1, 0, '1002', 'business', '1002');"
        )
        conn.commit()
    finally:
        conn.close()
    store = ContactStore(path)
    try:
        [old] = store.list()
        assert (old.name, old.numbers[0].number, old.presence) == ("Old Row", "1002", "")
        changes: list[int] = []
        store.on_change(lambda: changes.append(1))
        store.update(replace(old, presence=" sip:1002@pbx.example.com "))
        assert store.get(old.id or 0).presence == "sip:1002@pbx.example.com"  # type: ignore[union-attr]
        added = store.add(anna(presence="1003"))
        store.delete(added.id or 0)
        assert changes == [1, 1, 1]
    finally:
        store.close()


def test_a_presence_address_must_be_a_number_or_sip_address() -> None:
    assert [p.field for p in anna(presence="not an address!").problems()] == ["presence"]
    assert anna(presence="sip:1002@pbx").problems() == []
    assert anna(presence="1002").problems() == []
