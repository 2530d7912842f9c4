"""Windows of a remote source's cached contacts for the address book's model/view list
(ContactCache.count_matching / rows_at): counts and windows agree with `search` and the
source's filters, in the list's order, at any depth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.contacts.cache import ContactCache
from parley.contacts.model import Contact, NumberType, PhoneNumber


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ContactCache]:
    c = ContactCache(tmp_path / "contacts-book.sqlite3", default_region="DE")
    c.replace_all(
        [
            *(
                Contact(
                    last_name=f"Berg{i:04d}",
                    numbers=(PhoneNumber(f"+49 30 {5550000 + i}", NumberType.BUSINESS),),
                )
                for i in range(2500)
            ),
            Contact(numbers=(PhoneNumber("0800 1"),)),  # no name
            Contact(company="Empfang"),  # no number
            Contact(company="Größe & Söhne", numbers=(PhoneNumber("0221 99"),)),
        ]
    )
    yield c
    c.close()


def test_windows_cover_the_list_in_order(cache: ContactCache) -> None:
    assert cache.count_matching() == 2503
    everything = cache.contacts()
    windows = [c for start in range(0, 2503, 400) for c in cache.rows_at(start, 400)]
    assert windows == everything
    assert cache.rows_at(2000, 3)[0].last_name == everything[2000].last_name
    assert cache.rows_at(5000, 10) == []


def test_search_and_filters_agree_with_search(cache: ContactCache) -> None:
    assert cache.count_matching("berg12") == 100  # Berg1200 to Berg1299
    assert [c.name for c in cache.rows_at(0, 50, "berg12")] == [
        c.name for c in cache.search("berg12", 50)
    ]
    assert cache.count_matching("30 5550 999") == 1  # a part of a number, spaced otherwise
    assert cache.rows_at(0, 5, "30 5550 999")[0].name == "Berg0999"
    assert cache.count_matching("GRÖSSE") == cache.count_matching("größe") == 1  # casefold
    assert cache.count_matching(hide_without_name=True) == 2502
    assert cache.count_matching(hide_without_number=True) == 2502
    both = cache.rows_at(0, 3000, hide_without_name=True, hide_without_number=True)
    assert len(both) == cache.count_matching(hide_without_name=True, hide_without_number=True)
    assert all(c.name and c.numbers for c in both) and len(both) == 2501
