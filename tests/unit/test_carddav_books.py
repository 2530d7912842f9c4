"""Matching the `books` setting of a CardDAV source against the books discovery found
(parley.contacts.carddav_books): by path, URL, display name or last path part; a chosen
book that is not there named in an issue; nothing chosen reads every book."""

from __future__ import annotations

from parley.contacts.carddav import AddressBook
from parley.contacts.carddav_books import book_info, book_path, choose_books, is_chosen
from parley.contacts.source import SourceProblem

WORK = AddressBook(url="https://dav.example.com/dav/anna/work/", display_name="Work")
PRIVATE = AddressBook(
    url="https://dav.example.com/dav/anna/priv%C3%A4t/", display_name="Privat & Familie"
)
BOOKS = [WORK, PRIVATE]


def test_nothing_chosen_reads_every_book() -> None:
    assert choose_books(BOOKS, []) == (BOOKS, [])
    assert choose_books(BOOKS, ["  "]) == (BOOKS, [])


def test_a_book_named_by_path_url_display_name_or_last_part() -> None:
    assert book_path(PRIVATE.url) == "/dav/anna/privät/"
    for entry in (
        "/dav/anna/privät/",
        "/dav/anna/privät",
        "/dav/anna/priv%C3%A4t/",
        "https://dav.example.com/dav/anna/priv%C3%A4t/",
        "privat & familie",
        "privät",
    ):
        assert is_chosen(PRIVATE, entry), entry
        assert not is_chosen(WORK, entry), entry
    assert choose_books(BOOKS, ["Work"]) == ([WORK], [])
    assert not is_chosen(WORK, "/dav/anna/")  # the home is not its book


def test_a_chosen_book_that_is_gone_is_named_with_what_to_do() -> None:
    chosen, issues = choose_books(BOOKS, ["Work", "/dav/anna/old/"])
    assert chosen == [WORK]
    [issue] = issues
    assert (issue.problem, issue.where) == (SourceProblem.NOT_FOUND, "/dav/anna/old/")
    assert "/dav/anna/work/ “Work”" in issue.detail
    assert "Find address books" in issue.detail


def test_book_info_for_the_dialog() -> None:
    info = book_info(PRIVATE)
    assert (info.path, info.display_name, info.url) == (
        "/dav/anna/privät/",
        "Privat & Familie",
        PRIVATE.url,
    )
