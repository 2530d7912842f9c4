"""What every contact source is: the one interface the address book, the caller-name
lookup and the settings' source list use, whatever the contacts come from.

A source is read-only except the local one (Parley's own store). Remote sources (XML
phone books over HTTP, LDAP, CardDAV) are answered from a local cache at once; their
`fetch` runs off the engine loop (a worker thread or an asyncio task with a deadline) and
returns everything it got plus what went wrong, never raising for bad data from outside.

Problems are codes with a detail (what exactly was wrong: a line number, a URL, the
server's words); the front-ends make the sentence in the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from parley.contacts.model import Contact


class SourceKind(StrEnum):
    """The kinds of contact source (values are stored in the settings: never rename)."""

    LOCAL = "local"  # Parley's own contacts (built in: cannot be renamed or deleted)
    XML_PHONEBOOK = "xml"  # a PBX/phone XML phone book, file or URL
    WINDOWS = "windows"  # a folder of Windows Contacts .contact files
    LDAP = "ldap"
    CARDDAV = "carddav"
    OUTLOOK = "outlook"  # Microsoft Graph everywhere, the Outlook object model on Windows
    GOOGLE = "google"  # Google Contacts over CardDAV with an OAuth 2.0 bearer token
    CSV = "csv"  # a CSV file read as it is (read-only; re-read when it changes)


class SourceProblem(StrEnum):
    """Why a source (or a part of what it sent) could not be used."""

    UNREACHABLE = "unreachable"  # no connection, refused, timed out, DNS failed
    AUTH_FAILED = "auth_failed"  # 401/403, LDAP bind refused
    TLS_FAILED = "tls_failed"  # certificate not trusted, handshake failed
    NOT_FOUND = "not_found"  # 404, missing file or folder, no such base DN
    BAD_DATA = "bad_data"  # not XML / not the expected shape / undecodable text
    TOO_LARGE = "too_large"  # over the size limit we accept
    UNSUPPORTED = "unsupported"  # a format or server feature we do not handle
    ENTRY_SKIPPED = "entry_skipped"  # one entry (row, element, file) left out; detail says why
    NOT_SET_UP = "not_set_up"  # the source's settings lack something; `where` names the key


class SyncState(StrEnum):
    NEVER = "never"  # nothing fetched yet
    SYNCING = "syncing"
    OK = "ok"
    FAILED = "failed"  # the last fetch failed as a whole; the cache still answers


@dataclass(frozen=True)
class SourceIssue:
    """One thing that went wrong: a code, where (line, element, file, URL) and the detail."""

    problem: SourceProblem
    where: str = ""
    detail: str = ""


@dataclass(frozen=True)
class FetchResult:
    """Everything one fetch produced. `failed` is set when nothing usable came back (the
    cache is then kept as it was); `issues` also lists entries skipped in a good fetch."""

    contacts: tuple[Contact, ...] = ()
    issues: tuple[SourceIssue, ...] = ()
    failed: bool = False
    # HTTP validators of what was fetched, so an unchanged book costs one request.
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    # A source's own state for its next fetch (CardDAV: sync tokens and card ETags),
    # kept with the cache so that a restart does not mean reading everything again.
    state: str | None = None


@dataclass(frozen=True)
class SourceStatus:
    state: SyncState = SyncState.NEVER
    count: int = 0
    synced_at: float | None = None  # wall-clock time of the last good fetch
    issues: tuple[SourceIssue, ...] = field(default=())
    progress: tuple[int, int] | None = None  # (done, total) while syncing, when known


class ContactSource(Protocol):
    """One source of contacts as the address book sees it."""

    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> SourceKind: ...

    def contacts(self) -> Sequence[Contact]:
        """Every contact known now (from the cache for remote sources)."""
        ...

    def search(self, text: str, limit: int = 200) -> Sequence[Contact]:
        """Contacts whose names, company or numbers contain `text` (cache first)."""
        ...

    def lookup(self, number: str) -> Contact | None:
        """The contact with this number, compared in normalised form; None if unknown."""
        ...

    def status(self) -> SourceStatus: ...
