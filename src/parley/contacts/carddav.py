"""CardDAV address books (RFC 6352): Google Contacts, iCloud, Nextcloud, Radicale, any
server that speaks it. Two synchronous entry points, for a worker thread:

- `discover(config)`: the address books a login can read. RFC 6764: the URL given may be
  a server root (then `/.well-known/carddav` is asked first), a principal, a home or an
  address book; from there `current-user-principal` → `addressbook-home-set` → PROPFIND
  Depth 1 for the address books with their display name, sync token and CTag.
- `sync(config, book_url, state)`: brings one address book up to date. With a sync token,
  an RFC 6578 `sync-collection` REPORT says what changed and what went since; changed
  cards are fetched with `addressbook-multiget`, deleted ones dropped. A server without
  sync tokens, or one that refuses the token (403/409 `valid-sync-token`: too old, the
  collection recreated), gets a full ETag comparison instead (PROPFIND Depth 1
  `getetag`, then a multiget of what is new or changed). The result holds the new
  `SyncState` (token, ETag and contact by href), the whole contact list and the issues.

Neither raises: what went wrong comes back as `SourceIssue`s with a `SourceProblem` code
(AUTH_FAILED with the scheme and realm the server named, TLS_FAILED, NOT_FOUND,
UNREACHABLE, BAD_DATA, TOO_LARGE); a card that cannot be read is ENTRY_SKIPPED with its
href and why. Every XML byte goes through defusedxml; bodies are read (and gunzipped) in
bounded steps up to `MAX_RESPONSE_BYTES`. Credentials: Basic or Digest as the server's
challenge asks, or an OAuth 2.0 bearer token (Google); sent only to the URL's origin and
the hosts that server names as principal, home or address book (iCloud's homes live on
another host), never after a redirect to another origin, never from https down to http.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx

from parley.contacts.carddav_http import (
    CARD,
    CS,
    DAV,
    MAX_RESPONSE_BYTES,
    CardDavConfig,
    DavClient,
    DavError,
    DavResponse,
    dav_error,
    dav_responses,
    element_text,
    href_key,
    join_url,
    parse_xml,
    xml_escape,
)
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem
from parley.contacts.vcard import vcard_to_contact

__all__ = [
    "MAX_RESPONSE_BYTES",
    "AddressBook",
    "CardDavConfig",
    "SyncResult",
    "SyncState",
    "discover",
    "states_from_json",
    "states_to_json",
    "sync",
    "sync_all",
]

MAX_CARDS = 100_000  # in one address book
MULTIGET_BATCH = 100  # hrefs per addressbook-multiget
MAX_SYNC_ROUNDS = 50  # 507-truncated sync-collection answers followed in a row


@dataclass(frozen=True)
class AddressBook:
    url: str  # absolute
    display_name: str = ""
    description: str = ""
    sync_token: str | None = None  # None: the server offers no RFC 6578 sync
    ctag: str | None = None


@dataclass(frozen=True)
class SyncState:
    """What one address book held after the last sync: its sync token (None when the
    server has none) and, by href (the path as the server names it), each card's ETag
    and the contact read from it. Cards that could not be read keep their ETag (so they
    are not fetched again until they change) and why, in `skipped`."""

    token: str | None = None
    etags: Mapping[str, str] = field(default_factory=dict)
    contacts: Mapping[str, Contact] = field(default_factory=dict)
    skipped: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """The state as JSON text, for the cache (`from_json` reads it back)."""
        return json.dumps(
            {
                "version": 1,
                "token": self.token,
                "etags": dict(self.etags),
                "skipped": dict(self.skipped),
                "contacts": {href: _contact_json(c) for href, c in self.contacts.items()},
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> SyncState | None:
        """The state `to_json` wrote; None when the text is not one (start afresh)."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != 1:
                return None
            token = data.get("token")
            return cls(
                token=token if isinstance(token, str) else None,
                etags={str(k): str(v) for k, v in dict(data["etags"]).items()},
                skipped={str(k): str(v) for k, v in dict(data.get("skipped", {})).items()},
                contacts={
                    str(href): _contact_from_json(item)
                    for href, item in dict(data["contacts"]).items()
                },
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def _contact_json(contact: Contact) -> dict[str, object]:
    return {
        "first": contact.first_name,
        "last": contact.last_name,
        "display": contact.display_name,
        "company": contact.company,
        "numbers": [[n.number, n.type.value] for n in contact.numbers],
    }


def _contact_from_json(item: Mapping[str, object]) -> Contact:
    numbers = item.get("numbers", [])
    if not isinstance(numbers, list):
        raise TypeError("numbers")
    return Contact(
        first_name=str(item.get("first", "")),
        last_name=str(item.get("last", "")),
        display_name=str(item.get("display", "")),
        company=str(item.get("company", "")),
        numbers=tuple(PhoneNumber(str(n), NumberType(str(t))) for n, t in numbers),
    )


Method = Literal["sync-collection", "etag", "none"]


@dataclass(frozen=True)
class SyncResult:
    """One sync's outcome. When `failed`, nothing usable came back: `state` and
    `contacts` are the ones passed in (the cache stays as it was). `added`, `changed`
    and `removed` are hrefs; `method` says how the changes were found."""

    contacts: tuple[Contact, ...]
    state: SyncState
    issues: tuple[SourceIssue, ...] = ()
    failed: bool = False
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    method: Method = "none"

    def fetch_result(self) -> FetchResult:
        """The same as the `FetchResult` every contact source gives."""
        return FetchResult(contacts=self.contacts, issues=self.issues, failed=self.failed)


# --- public entry points ------------------------------------------------------------------


def discover(config: CardDavConfig) -> tuple[list[AddressBook], tuple[SourceIssue, ...]]:
    """The address books `config` can read (empty, with issues, when none is found)."""
    try:
        with DavClient(config) as dav:
            return _discover(dav)
    except DavError as stop:
        return [], (stop.issue,)


def sync(config: CardDavConfig, book_url: str, state: SyncState | None) -> SyncResult:
    """Bring the address book at `book_url` up to date from `state` (None: first sync)."""
    before = state or SyncState()
    try:
        with DavClient(config) as dav:
            return _Sync(dav, book_url, before).run()
    except DavError as stop:
        return _failed(before, stop.issue)


def sync_all(
    config: CardDavConfig, states: Mapping[str, SyncState] | None = None
) -> tuple[FetchResult, dict[str, SyncState]]:
    """Every address book `config.url` leads to (just that one when it is an address
    book's URL) synced from `states` (by book URL), as one source: the contacts of all
    books in one `FetchResult`, and the new state of each book. A book that fails keeps
    its last contacts (its issue is listed); `failed` only when nothing came back at all
    (discovery failed, or every book did)."""
    known = dict(states or {})
    books, issues = discover(config)
    if not books:
        kept = tuple(c for state in known.values() for c in state.contacts.values())
        return FetchResult(contacts=kept, issues=issues, failed=True), known
    contacts: list[Contact] = []
    found: list[SourceIssue] = list(issues)
    new_states: dict[str, SyncState] = {}
    failures = 0
    for book in books:
        result = sync(config, book.url, known.get(book.url))
        contacts.extend(result.contacts)
        found.extend(result.issues)
        new_states[book.url] = result.state
        failures += result.failed
    return (
        FetchResult(contacts=tuple(contacts), issues=tuple(found), failed=failures == len(books)),
        new_states,
    )


def states_to_json(states: Mapping[str, SyncState]) -> str:
    """The states of `sync_all` as JSON text, for the cache."""
    return json.dumps({url: json.loads(state.to_json()) for url, state in states.items()})


def states_from_json(text: str | None) -> dict[str, SyncState]:
    """What `states_to_json` wrote; empty (a full sync follows) when it is not that."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    states: dict[str, SyncState] = {}
    for url, item in data.items():
        state = SyncState.from_json(json.dumps(item))
        if state is not None:
            states[str(url)] = state
    return states


def _failed(state: SyncState, issue: SourceIssue) -> SyncResult:
    return SyncResult(
        contacts=tuple(state.contacts.values()),
        state=state,
        issues=(issue,),
        failed=True,
    )


# --- discovery ----------------------------------------------------------------------------


def _discover(dav: DavClient) -> tuple[list[AddressBook], tuple[SourceIssue, ...]]:
    issues: list[SourceIssue] = []
    start = str(dav.start)
    well_known = str(dav.start.join("/.well-known/carddav"))
    at_root = dav.start.path in ("", "/")
    candidates = [well_known, start] if at_root else [start, well_known]
    for candidate in candidates:
        try:
            found = _discover_from(dav, candidate)
        except DavError as stop:
            # Not here (404, not WebDAV, an HTML page, nothing usable): try the
            # next way in. Refused credentials, TLS or a dead host end it at once.
            if stop.issue.problem in (
                SourceProblem.NOT_FOUND,
                SourceProblem.UNSUPPORTED,
                SourceProblem.BAD_DATA,
            ):
                issues.append(stop.issue)
                continue
            raise
        if found is not None:
            return found, ()
    worst = next((i for i in issues if i.problem is not SourceProblem.NOT_FOUND), None)
    if worst is not None:
        raise DavError(worst)
    tried = "; ".join(f"{i.where}: {i.detail}" for i in issues)
    raise dav_error(
        SourceProblem.NOT_FOUND,
        start,
        f"no CardDAV address book found here (tried {tried})"
        if tried
        else "no CardDAV address book found here",
    )


def _discover_from(dav: DavClient, url: str) -> list[AddressBook] | None:
    props = (
        "<d:resourcetype/><d:current-user-principal/><c:addressbook-home-set/>"
        "<d:displayname/><d:sync-token/><cs:getctag/><c:addressbook-description/>"
    )
    answer = dav.propfind(url, props, "0")
    responses = dav_responses(answer)
    if not responses:
        return None
    here = answer.url
    # The answer about the resource asked for (some servers list more).
    first = next(
        (r for r in responses if join_url(here, r.href).rstrip("/") == here.rstrip("/")),
        responses[0],
    )
    if first.is_addressbook:
        return [_book(first, here)]
    homes = first.hrefs(CARD, "addressbook-home-set")
    if not homes:
        principals = first.hrefs(DAV, "current-user-principal")
        if not principals:
            return None
        principal = join_url(here, principals[0])
        dav.trust(principal)
        answer = dav.propfind(principal, "<c:addressbook-home-set/>", "0")
        here = answer.url
        found = dav_responses(answer)
        homes = found[0].hrefs(CARD, "addressbook-home-set") if found else []
        if not homes:
            raise dav_error(
                SourceProblem.NOT_FOUND, principal, "the principal names no address book home"
            )
    books: list[AddressBook] = []
    seen: set[str] = set()
    for home in homes:
        home_url = join_url(here, home)
        dav.trust(home_url)
        listing = dav.propfind(home_url, props, "1")
        for item in dav_responses(listing):
            if item.is_addressbook:
                book = _book(item, listing.url)
                if book.url not in seen:
                    seen.add(book.url)
                    books.append(book)
    if not books:
        raise dav_error(SourceProblem.NOT_FOUND, join_url(here, homes[0]), "no address book in it")
    return books


def _book(item: DavResponse, base: str) -> AddressBook:
    token = element_text(item.prop(DAV, "sync-token")) or None
    ctag = element_text(item.prop(CS, "getctag")) or None
    return AddressBook(
        url=join_url(base, item.href),
        display_name=element_text(item.prop(DAV, "displayname")),
        description=element_text(item.prop(CARD, "addressbook-description")),
        sync_token=token,
        ctag=ctag,
    )


# --- sync ---------------------------------------------------------------------------------


class _Sync:
    def __init__(self, dav: DavClient, book_url: str, state: SyncState) -> None:
        self.dav = dav
        self.book_url = book_url
        self.state = state
        self.issues: list[SourceIssue] = []
        dav.trust(book_url)  # the caller chose it (from discover): credentials may go there
        try:
            self.book_key = urllib.parse.unquote(httpx.URL(book_url).path)
        except (httpx.InvalidURL, ValueError) as exc:
            raise dav_error(
                SourceProblem.UNSUPPORTED, book_url, f"not a usable URL ({exc})"
            ) from exc

    def run(self) -> SyncResult:
        listing = self._sync_collection() if self.state.token or not self.state.etags else None
        if listing is not None:
            token, changed_etags, gone = listing
            method: Method = "sync-collection"
            full = not self.state.token  # an initial sync lists the whole book
            new_etags = {} if full else dict(self.state.etags)
            for href in gone:
                new_etags.pop(href, None)
            # Listed as changed with an ETag we already hold: nothing to fetch.
            wanted = [h for h, e in changed_etags.items() if not e or new_etags.get(h) != e]
            new_etags.update({h: e for h, e in changed_etags.items() if e})
        else:
            # No RFC 6578, or the token refused: compare every card's ETag.
            method = "etag"
            full = True
            token, new_etags = self._all_etags()
            gone = [h for h in self.state.etags if h not in new_etags]
            wanted = [h for h, e in new_etags.items() if not e or self.state.etags.get(h) != e]
        if len(new_etags) > MAX_CARDS or len(wanted) > MAX_CARDS:
            raise dav_error(
                SourceProblem.TOO_LARGE, self.book_url, f"more than {MAX_CARDS} cards in one book"
            )
        fetched, fetched_etags, missing = self._multiget(wanted)
        etags = dict(new_etags)
        contacts = dict(self.state.contacts)
        skipped = dict(self.state.skipped)
        for href in [*gone, *missing]:
            contacts.pop(href, None)
            skipped.pop(href, None)
            etags.pop(href, None)
        if full:  # a whole listing: what it does not name is gone
            for known in (contacts, skipped):
                for href in [h for h in known if h not in etags]:
                    known.pop(href)
        removed = sorted({h for h in [*gone, *missing] if h in self.state.etags})
        added: list[str] = []
        changed: list[str] = []
        for href, (contact, why) in fetched.items():
            if href in self.state.etags:
                if self.state.etags[href] != fetched_etags.get(href, etags.get(href)):
                    changed.append(href)
            else:
                added.append(href)
            if fetched_etags.get(href):
                etags[href] = fetched_etags[href]
            if contact is None:
                contacts.pop(href, None)
                skipped[href] = why
            else:
                contacts[href] = contact
                skipped.pop(href, None)
        for href, why in skipped.items():
            if href not in fetched:  # still unreadable since an earlier sync: still said
                self.issues.append(SourceIssue(SourceProblem.ENTRY_SKIPPED, href, why))
        state = SyncState(token=token, etags=etags, contacts=contacts, skipped=skipped)
        return SyncResult(
            contacts=tuple(contacts[h] for h in sorted(contacts)),
            state=state,
            issues=tuple(self.issues),
            added=tuple(sorted(added)),
            changed=tuple(sorted(changed)),
            removed=tuple(removed),
            method=method,
        )

    def _key(self, base: str, href: str) -> str:
        return href_key(base, href)

    def _is_card(self, key: str) -> bool:
        return key != self.book_key and not key.endswith("/")

    def _sync_collection(self) -> tuple[str | None, dict[str, str], list[str]] | None:
        """(new token, etag by changed href, gone hrefs), or None when the server has no
        usable sync (no support, or the token refused: the caller compares ETags)."""
        token = self.state.token or ""
        changed: dict[str, str] = {}
        gone: list[str] = []
        for _round in range(MAX_SYNC_ROUNDS):
            body = (
                '<?xml version="1.0" encoding="utf-8"?>'
                f'<d:sync-collection xmlns:d="{DAV}">'
                f"<d:sync-token>{xml_escape(token)}</d:sync-token>"
                "<d:sync-level>1</d:sync-level>"
                "<d:prop><d:getetag/></d:prop></d:sync-collection>"
            )
            try:
                answer = self.dav.request("REPORT", self.book_url, body, "0", dav_errors=True)
            except DavError as stop:
                if stop.issue.problem in (SourceProblem.UNSUPPORTED, SourceProblem.BAD_DATA):
                    return None  # 400/405/501: no RFC 6578 here
                raise
            if answer.status in (403, 409):
                return None  # valid-sync-token (or another precondition): start over
            root = parse_xml(answer)
            if root.tag != f"{{{DAV}}}multistatus":
                return None
            new_token = element_text(root.find(f"{{{DAV}}}sync-token"))
            truncated = False
            for item in dav_responses(answer):
                key = self._key(answer.url, item.href)
                if not self._is_card(key):
                    truncated = truncated or item.status == 507
                    continue
                if item.status == 404:
                    gone.append(key)
                    changed.pop(key, None)
                else:
                    changed[key] = element_text(item.prop(DAV, "getetag"))
                    if key in gone:
                        gone.remove(key)
            if not new_token:
                return None
            token = new_token
            if not truncated:
                return token, changed, gone
        raise dav_error(
            SourceProblem.TOO_LARGE,
            self.book_url,
            f"the server kept truncating its changes after {MAX_SYNC_ROUNDS} rounds",
        )

    def _all_etags(self) -> tuple[str | None, dict[str, str]]:
        """Every card's ETag, and the collection's sync token from the same answer (so
        the next sync can use RFC 6578 again)."""
        answer = self.dav.propfind(
            self.book_url, "<d:getetag/><d:resourcetype/><d:sync-token/>", "1"
        )
        etags: dict[str, str] = {}
        token: str | None = None
        for item in dav_responses(answer):
            key = self._key(answer.url, item.href)
            if key.rstrip("/") == self.book_key.rstrip("/"):
                token = element_text(item.prop(DAV, "sync-token")) or None
                continue
            kind = item.prop(DAV, "resourcetype")
            if not self._is_card(key) or (
                kind is not None and kind.find(f"{{{DAV}}}collection") is not None
            ):
                continue
            etags[key] = element_text(item.prop(DAV, "getetag"))
        return token, etags

    def _multiget(
        self, keys: Sequence[str]
    ) -> tuple[dict[str, tuple[Contact | None, str]], dict[str, str], list[str]]:
        """Cards by key: (contact or None, why skipped); their ETags; keys the server no
        longer has."""
        fetched: dict[str, tuple[Contact | None, str]] = {}
        etags: dict[str, str] = {}
        missing: list[str] = []
        for start in range(0, len(keys), MULTIGET_BATCH):
            batch = keys[start : start + MULTIGET_BATCH]
            hrefs = "".join(f"<d:href>{xml_escape(urllib.parse.quote(k))}</d:href>" for k in batch)
            body = (
                '<?xml version="1.0" encoding="utf-8"?>'
                f'<c:addressbook-multiget xmlns:d="{DAV}" xmlns:c="{CARD}">'
                f"<d:prop><d:getetag/><c:address-data/></d:prop>{hrefs}"
                "</c:addressbook-multiget>"
            )
            answer = self.dav.request("REPORT", self.book_url, body, "1")
            answered: set[str] = set()
            asked = set(batch)
            for item in dav_responses(answer):
                key = self._key(answer.url, item.href)
                if key not in asked:
                    continue  # not asked for: not ours to take (its ETag is unknown)
                answered.add(key)
                data = item.prop(CARD, "address-data")
                if data is None:
                    if item.status == 404 or not item.props:
                        missing.append(key)
                    else:
                        fetched[key] = (None, "the server sent no address data")
                        self.issues.append(
                            SourceIssue(
                                SourceProblem.ENTRY_SKIPPED, key, "the server sent no address data"
                            )
                        )
                    continue
                etags[key] = element_text(item.prop(DAV, "getetag"))
                contact, found = vcard_to_contact(element_text(data), key)
                self.issues.extend(found)
                why = next(
                    (i.detail for i in found if i.problem is SourceProblem.ENTRY_SKIPPED), ""
                )
                fetched[key] = (contact, why)
            for key in batch:
                if key not in answered:
                    missing.append(key)
        return fetched, etags, missing
