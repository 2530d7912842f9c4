"""The address books a CardDAV (or Google) source reads: the source's `books` setting
matched against what discovery found, and the list the settings dialog offers.

A chosen book is named by its path on the server (what the dialog saves), its full URL,
its display name or the last part of its path; an empty choice reads every book. A
chosen book the server no longer has becomes a NOT_FOUND issue naming it and what to
do; the books that are still there sync all the same.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from parley.contacts.carddav import AddressBook
from parley.contacts.source import SourceIssue, SourceProblem

__all__ = ["BookInfo", "book_info", "book_path", "choose_books", "is_chosen"]


@dataclass(frozen=True)
class BookInfo:
    """One address book as the settings dialog lists it."""

    path: str  # on the server, percent-decoded, ending in "/": what `books` keeps
    display_name: str
    description: str
    url: str


def book_path(url: str) -> str:
    """The book's path on the server, percent-decoded, ending in "/"."""
    try:
        path = urllib.parse.unquote(httpx.URL(url).path)
    except (httpx.InvalidURL, ValueError):
        path = url
    return path.rstrip("/") + "/"


def book_info(book: AddressBook) -> BookInfo:
    return BookInfo(book_path(book.url), book.display_name, book.description, book.url)


def _norm(text: str) -> str:
    return text.strip().rstrip("/").casefold()


def is_chosen(book: AddressBook, wanted: str) -> bool:
    """Whether the entry `wanted` of the `books` setting names `book`."""
    name = _norm(wanted)
    if not name:
        return False
    path = _norm(book_path(book.url))
    if name.startswith(("http://", "https://")):
        return _norm(book.url) == name or _norm(book_path(wanted)) == path
    if name.startswith("/"):
        return _norm(urllib.parse.unquote(wanted)) == path
    return name in (_norm(book.display_name), path.rsplit("/", 1)[-1])


def choose_books(
    books: Sequence[AddressBook], wanted: Sequence[str]
) -> tuple[list[AddressBook], list[SourceIssue]]:
    """The books of `books` that `wanted` names (all when it is empty), in the server's
    order, and an issue for every entry of `wanted` that names none of them."""
    entries = [w for w in wanted if w.strip()]
    if not entries:
        return list(books), []
    chosen = [b for b in books if any(is_chosen(b, w) for w in entries)]
    there = ", ".join(
        f"{book_path(b.url)} “{b.display_name}”" if b.display_name else book_path(b.url)
        for b in books
    )
    issues = [
        SourceIssue(
            SourceProblem.NOT_FOUND,
            entry,
            f"the address book “{entry}” chosen in the source's settings is not on the server "
            f"(it has: {there or 'none'}); choose the books again with “Find address books” "
            "in the source's Access data",
        )
        for entry in entries
        if not any(is_chosen(b, entry) for b in books)
    ]
    return chosen, issues
