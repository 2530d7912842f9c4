"""The cache of a remote contact source: replace-all in one go, old copy kept when a
write fails, look-ups in national and international spellings, searches, validators."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.contacts.cache import ContactCache
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.history.db import StoreError


def person(name: str, *numbers: str, company: str = "") -> Contact:
    return Contact(
        display_name=name,
        company=company,
        numbers=tuple(PhoneNumber(n, NumberType.BUSINESS) for n in numbers),
    )


@pytest.fixture
def cache(tmp_path: Path) -> ContactCache:
    c = ContactCache(tmp_path / "contacts-book.sqlite3", default_region="DE")
    yield c
    c.close()


def test_replace_all_replaces_everything_and_keeps_validators(cache: ContactCache) -> None:
    cache.replace_all([person("Anna Berg", "+49 30 1234567")], etag='"v1"', synced_at=100.0)
    stored = cache.replace_all(
        [person("Carl Dorn", "0301111"), person("Eva Fink", "0302222")],
        etag='"v2"',
        last_modified="Wed, 02 Dec 2026 20:00:00 GMT",
        synced_at=200.0,
    )
    assert stored == 2
    assert [c.name for c in cache.contacts()] == ["Carl Dorn", "Eva Fink"]
    assert cache.lookup("+49 30 1234567") is None  # Anna went with the old copy
    assert cache.etag == '"v2"'
    assert cache.last_modified == "Wed, 02 Dec 2026 20:00:00 GMT"
    assert cache.synced_at == 200.0
    assert all(c.id is None for c in cache.contacts())  # not the local store's to edit


def test_a_write_that_fails_keeps_the_old_copy(cache: ContactCache) -> None:
    cache.replace_all([person("Anna Berg", "0301234567")], etag='"v1"', synced_at=1.0)

    def broken() -> object:
        yield person("Carl Dorn", "0301111")
        raise sqlite3.OperationalError("disk I/O error")  # mid-way through the new copy

    with pytest.raises(sqlite3.OperationalError):
        cache.replace_all(broken())  # type: ignore[arg-type]
    assert [c.name for c in cache.contacts()] == ["Anna Berg"]
    assert cache.etag == '"v1"'


def test_a_failed_transaction_rolls_back(cache: ContactCache, monkeypatch) -> None:
    cache.replace_all([person("Anna Berg", "0301234567")], synced_at=1.0)
    bad = person("Bad", "0300000")
    # A number type the table cannot hold would be an SQL error inside the transaction.
    monkeypatch.setattr("parley.contacts.cache.clean_number", lambda _t: object())
    with pytest.raises(StoreError):
        cache.replace_all([person("Carl Dorn", "0301111"), bad])
    assert [c.name for c in cache.contacts()] == ["Anna Berg"]


@pytest.mark.parametrize(
    "spelling", ["+49 30 1234567", "0049301234567", "030 / 123 45 67", "sip:0301234567@pbx"]
)
def test_lookup_national_and_international(cache: ContactCache, spelling: str) -> None:
    cache.replace_all([person("Anna Berg", "+49301234567"), person("Other", "0401111")])
    found = cache.lookup(spelling)
    assert found is not None and found.name == "Anna Berg"


def test_lookup_of_an_unknown_number(cache: ContactCache) -> None:
    cache.replace_all([person("Anna Berg", "+49301234567")])
    assert cache.lookup("+49301234568") is None
    assert cache.lookup("") is None


def test_region_change_rekeys(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    first = ContactCache(path)
    first.replace_all([person("Anna Berg", "+49301234567")])
    assert first.lookup("0301234567") is None  # no region: national form unknown
    first.close()
    again = ContactCache(path, default_region="DE")
    assert again.lookup("0301234567") is not None
    again.close()


def test_search_by_name_company_and_digits(cache: ContactCache) -> None:
    cache.replace_all(
        [
            person("Anna Berg", "0301234567", company="Zeta GmbH"),
            person("Jürgen Müller", "0409999"),
            person("100% Percent_Co", "111"),
        ]
    )
    assert [c.name for c in cache.search("berg")] == ["Anna Berg"]
    assert [c.name for c in cache.search("zeta")] == ["Anna Berg"]
    assert [c.name for c in cache.search("MÜLLER")] == ["Jürgen Müller"]
    assert [c.name for c in cache.search("040 99")] == ["Jürgen Müller"]
    assert [c.name for c in cache.search("0%")] == ["100% Percent_Co"]  # % is literal
    assert len(cache.search("")) == 3
    assert len(cache.search("", limit=2)) == 2


def test_mark_unchanged_keeps_contacts_and_moves_time(cache: ContactCache) -> None:
    cache.replace_all([person("Anna Berg", "0301")], etag='"v1"', synced_at=1.0)
    cache.mark_unchanged(synced_at=5.0)
    assert cache.count() == 1 and cache.etag == '"v1"' and cache.synced_at == 5.0


def test_numbers_keep_their_types_and_order(cache: ContactCache) -> None:
    contact = Contact(
        last_name="Berg",
        numbers=(
            PhoneNumber("0301", NumberType.MOBILE),
            PhoneNumber("0302", NumberType.HOME),
        ),
    )
    cache.replace_all([contact])
    assert cache.contacts()[0].numbers == contact.numbers


def test_the_old_copy_answers_other_threads_while_a_new_one_is_written(
    cache: ContactCache,
) -> None:
    cache.replace_all([person("Anna Berg", "0301234567")], etag='"v1"')
    seen: list[object] = []

    def new_copy() -> Iterator[Contact]:
        for i in range(2500):
            if i == 2200:  # two chunks written: another thread looks a caller up
                worker = threading.Thread(target=lambda: seen.append(cache.lookup("0301234567")))
                worker.start()
                worker.join(20)
                seen.append(worker.is_alive())
            yield person(f"P{i}", f"040{100000 + i}")

    assert cache.replace_all(new_copy()) == 2500
    found, still_waiting = seen
    assert isinstance(found, Contact) and found.name == "Anna Berg"  # not held up, old copy
    assert still_waiting is False
    assert cache.lookup("0301234567") is None and cache.count() == 2500


def test_generations_do_not_pile_up(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    cache = ContactCache(path, default_region="DE")
    for round_ in range(3):
        cache.replace_all([person(f"R{round_}-{i}", f"0301{round_}{i:04d}") for i in range(1500)])
    cache.close()
    with sqlite3.connect(path) as conn:
        rows = sum(conn.execute(f"SELECT COUNT(*) FROM contacts_{g}").fetchone()[0] for g in (0, 1))
        numbers = sum(
            conn.execute(f"SELECT COUNT(*) FROM numbers_{g}").fetchone()[0] for g in (0, 1)
        )
    assert (rows, numbers) == (1500, 1500)  # the old copies are gone
    again = ContactCache(path, default_region="DE")
    assert again.lookup("+49 301 20042") is not None  # the last round answers after a restart
    assert again.count() == 1500
    again.close()
