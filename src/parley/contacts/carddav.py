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

import contextlib
import json
import re
import ssl
import urllib.parse
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from xml.etree.ElementTree import Element, ParseError

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

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

MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # one HTTP answer (a multiget batch with photos)
MAX_CARDS = 100_000  # in one address book
MULTIGET_BATCH = 100  # hrefs per addressbook-multiget
MAX_REDIRECTS = 5
MAX_SYNC_ROUNDS = 50  # 507-truncated sync-collection answers followed in a row

DAV = "DAV:"
CARD = "urn:ietf:params:xml:ns:carddav"
CS = "http://calendarserver.org/ns/"
_REDIRECTS = {301, 302, 303, 307, 308}
_REALM = re.compile(r"""realm\s*=\s*(?:"([^"]*)"|([^\s,]+))""", re.IGNORECASE)
_ERROR_PARAM = re.compile(r"""error\s*=\s*(?:"([^"]*)"|([^\s,]+))""", re.IGNORECASE)


@dataclass(frozen=True)
class CardDavConfig:
    """Where and as whom. `url`: a server root (https://dav.example.com), a host with
    `.well-known` support, a principal or home, or an address book's own URL.
    `bearer_token` (OAuth 2.0, Google) is used instead of username/password when set.
    `timeout` is per request, in seconds."""

    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    verify_tls: bool = True
    ca_file: str | None = None
    timeout: float = 30.0


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
        with _Dav(config) as dav:
            return dav.discover()
    except _Stop as stop:
        return [], (stop.issue,)


def sync(config: CardDavConfig, book_url: str, state: SyncState | None) -> SyncResult:
    """Bring the address book at `book_url` up to date from `state` (None: first sync)."""
    before = state or SyncState()
    try:
        with _Dav(config) as dav:
            return _Sync(dav, book_url, before).run()
    except _Stop as stop:
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


# --- HTTP and WebDAV ----------------------------------------------------------------------


class _Stop(Exception):
    """Ends the operation with this issue (raised from deep inside a request)."""

    def __init__(self, issue: SourceIssue) -> None:
        super().__init__(issue)
        self.issue = issue


def _failed(state: SyncState, issue: SourceIssue) -> SyncResult:
    return SyncResult(
        contacts=tuple(state.contacts.values()),
        state=state,
        issues=(issue,),
        failed=True,
    )


def _stop(problem: SourceProblem, where: str, detail: str) -> _Stop:
    return _Stop(SourceIssue(problem, where, detail))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _challenges(response: httpx.Response) -> dict[str, str]:
    """Scheme (lower case) -> the rest of its WWW-Authenticate header."""
    found: dict[str, str] = {}
    for value in response.headers.get_list("www-authenticate"):
        scheme, _, rest = value.strip().partition(" ")
        found.setdefault(scheme.lower(), rest)
    return found


def _param(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    if not match:
        return ""
    return match.group(1) if match.group(1) is not None else match.group(2)


def _describe_challenge(challenges: dict[str, str]) -> str:
    parts = []
    for scheme, rest in challenges.items():
        realm = _param(_REALM, rest)
        parts.append(f'{scheme.capitalize()} realm "{realm}"' if realm else scheme.capitalize())
    return ", ".join(parts) or "no challenge"


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _tls_detail(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate not trusted: {exc.verify_message}"
    return exc.reason or str(exc)


@dataclass(frozen=True)
class _Answer:
    status: int
    url: str  # after redirects
    body: bytes
    reason: str


class _Dav:
    """One connection pool, the credentials that worked, and WebDAV requests."""

    def __init__(self, config: CardDavConfig) -> None:
        self.config = config
        self.auth: httpx.Auth | None = None
        self.auth_origin: tuple[str, str, int | None] | None = None
        self.client: httpx.Client | None = None
        try:
            self.start = httpx.URL(config.url.strip())
        except (httpx.InvalidURL, ValueError) as exc:
            raise _stop(SourceProblem.UNSUPPORTED, config.url, f"not a usable URL ({exc})") from exc
        if self.start.scheme not in ("http", "https") or not self.start.host:
            raise _stop(SourceProblem.UNSUPPORTED, config.url, "not an http(s) URL")
        # Where credentials may go: the URL given, and what that server names as the
        # principal, home or address book (iCloud's homes live on another host). Never
        # the target of a redirect: that could be anyone.
        self.trusted = {_origin(self.start)}

    def __enter__(self) -> _Dav:
        self.client = httpx.Client(
            verify=self._verify(),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(max(self.config.timeout, 0.1)),
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()

    def _verify(self) -> ssl.SSLContext | bool:
        if not self.config.verify_tls:
            return False
        context = ssl.create_default_context()
        if self.config.ca_file:
            try:
                context.load_verify_locations(cafile=self.config.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise _stop(
                    SourceProblem.TLS_FAILED,
                    self.config.ca_file,
                    f"the CA file cannot be used ({getattr(exc, 'strerror', None) or exc})",
                ) from exc
        return context

    def trust(self, url: str) -> None:
        with contextlib.suppress(httpx.InvalidURL, ValueError):
            target = httpx.URL(url)
            if target.scheme == "https" or self.start.scheme == "http":
                self.trusted.add(_origin(target))  # never from https down to http

    # -- requests --

    def request(
        self,
        method: str,
        url: str,
        body: str,
        depth: str,
        *,
        dav_errors: bool = False,
    ) -> _Answer:
        """`method` with an XML body; follows redirects (same method and body). A 207
        comes back (with `dav_errors`, also a 403/409 carrying a DAV error body, for the
        caller to judge); every other status stops the operation with its issue."""
        assert self.client is not None
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:
            raise _stop(SourceProblem.UNSUPPORTED, url, f"not a usable URL ({exc})") from exc
        visited = [str(target)]
        headers = {
            "Depth": depth,
            "Content-Type": "application/xml; charset=utf-8",
            "Accept": "application/xml, text/xml",
            "Accept-Encoding": "gzip",
        }
        content = body.encode("utf-8")
        for _hop in range(MAX_REDIRECTS + 1):
            with self._send(method, target, headers, content) as response:
                where = str(target)
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    nxt = target.join(location)
                    if target.scheme == "https" and nxt.scheme != "https":
                        raise _stop(
                            SourceProblem.TLS_FAILED, where, f"redirect from https to {nxt} refused"
                        )
                    if str(nxt) in visited:
                        raise _stop(
                            SourceProblem.UNREACHABLE,
                            where,
                            f"redirect loop: {' → '.join(visited)}",
                        )
                    visited.append(str(nxt))
                    target = nxt
                    continue
                status = response.status_code
                if status == 207 or (dav_errors and status in (403, 409)):
                    data = self._read_body(response, where)
                    if status != 207 and not _is_dav_error(data):
                        self._refuse(response, where)
                    return _Answer(status, where, data, response.reason_phrase)
                self._refuse(response, where)
        raise _stop(
            SourceProblem.UNREACHABLE, url, f"more than {MAX_REDIRECTS} redirects: {visited}"
        )

    @contextlib.contextmanager
    def _send(
        self, method: str, url: httpx.URL, headers: dict[str, str], content: bytes
    ) -> Iterator[httpx.Response]:
        assert self.client is not None
        where = str(url)
        same_origin = _origin(url) in self.trusted
        extra = dict(headers)
        if self.config.bearer_token and same_origin:
            extra["Authorization"] = f"Bearer {self.config.bearer_token}"
        may_auth = bool(self.config.username) and same_origin and not self.config.bearer_token
        auth = self.auth if may_auth and self.auth_origin == _origin(url) else None
        response = self._one(method, url, extra, content, auth, None, where)
        try:
            if (
                response.status_code == 401
                and may_auth
                and "authorization" not in response.request.headers
            ):
                chosen = self._choose_auth(_challenges(response), where)
                response.close()
                self.auth, self.auth_origin = chosen, _origin(url)
                response = self._one(method, url, extra, content, chosen, response, where)
            yield response
        finally:
            response.close()

    def _choose_auth(self, challenges: dict[str, str], where: str) -> httpx.Auth:
        if "digest" in challenges:
            return httpx.DigestAuth(self.config.username, self.config.password)
        if "basic" in challenges:
            return httpx.BasicAuth(self.config.username, self.config.password)
        raise _stop(
            SourceProblem.UNSUPPORTED,
            where,
            f"authentication scheme not supported: {_describe_challenge(challenges)}",
        )

    def _one(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        content: bytes,
        auth: httpx.Auth | None,
        challenge: httpx.Response | None,
        where: str,
    ) -> httpx.Response:
        """One request; with `auth` authorised at once (a Digest challenge already in
        hand is fed to the flow, so no request is spent on being challenged again)."""
        assert self.client is not None
        request = self.client.build_request(method, url, headers=headers, content=content)
        if auth is not None:
            flow = auth.sync_auth_flow(request)
            try:
                request = next(flow)
                if "authorization" not in request.headers and challenge is not None:
                    request = flow.send(challenge)
            except StopIteration:
                pass
        try:
            return self.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise _stop(
                SourceProblem.UNREACHABLE,
                where,
                f"no answer within {self.config.timeout:g} s ({type(exc).__name__})",
            ) from exc
        except httpx.HTTPError as exc:
            tls = _ssl_error(exc)
            if tls is not None:
                raise _stop(SourceProblem.TLS_FAILED, where, _tls_detail(tls)) from exc
            if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
                raise _stop(SourceProblem.UNSUPPORTED, where, str(exc)) from exc
            raise _stop(SourceProblem.UNREACHABLE, where, str(exc) or type(exc).__name__) from exc
        except ssl.SSLError as exc:
            raise _stop(SourceProblem.TLS_FAILED, where, _tls_detail(exc)) from exc
        except OSError as exc:
            raise _stop(SourceProblem.UNREACHABLE, where, str(exc)) from exc

    def _refuse(self, response: httpx.Response, where: str) -> None:
        """Stop with the issue a failed status stands for."""
        status = response.status_code
        reason = f"HTTP {status} {response.reason_phrase}".strip()
        if status in (401, 407):
            challenges = _challenges(response)
            sent = "authorization" in response.request.headers
            described = _describe_challenge(challenges)
            if self.config.bearer_token and sent:
                error = _param(_ERROR_PARAM, challenges.get("bearer", ""))
                detail = f"{reason}: the bearer token was refused"
                detail += f" ({error})" if error else " (expired or revoked)"
            elif sent:
                detail = (
                    f"{reason}: user {self.config.username!r} refused by {described}"
                    " (wrong user name or password)"
                )
            elif self.config.username or self.config.bearer_token:
                detail = (
                    f"{reason}: the server asks for credentials ({described}); they are "
                    "not sent to another origin after a redirect"
                )
            else:
                detail = f"{reason}: the server asks for credentials ({described})"
            raise _stop(SourceProblem.AUTH_FAILED, where, detail)
        if status == 403:
            raise _stop(SourceProblem.AUTH_FAILED, where, f"{reason}: not allowed for this login")
        if status in (404, 410):
            raise _stop(SourceProblem.NOT_FOUND, where, reason)
        if status in (405, 501):
            raise _stop(SourceProblem.UNSUPPORTED, where, f"{reason}: not a CardDAV server here")
        if status >= 500 or status == 429:
            raise _stop(SourceProblem.UNREACHABLE, where, reason)
        raise _stop(SourceProblem.BAD_DATA, where, f"unexpected answer {reason}")

    def _read_body(self, response: httpx.Response, where: str) -> bytes:
        """The body, inflated by us in bounded steps: never past MAX_RESPONSE_BYTES."""
        limit = MAX_RESPONSE_BYTES
        length = response.headers.get("content-length", "")
        coding = response.headers.get("content-encoding", "").strip().lower()
        if length.isdigit() and int(length) > limit:
            raise _stop(SourceProblem.TOO_LARGE, where, f"{length} bytes; the limit is {limit}")
        if coding in ("gzip", "x-gzip"):
            wbits = 16 + zlib.MAX_WBITS
        elif coding == "deflate":
            wbits = zlib.MAX_WBITS
        elif coding in ("", "identity"):
            wbits = 0
        else:
            raise _stop(SourceProblem.UNSUPPORTED, where, f"content encoding {coding!r}")
        inflater = zlib.decompressobj(wbits) if wbits else None
        body = bytearray()
        try:
            for raw in response.iter_raw():
                if inflater is None:
                    body += raw
                else:
                    pending = raw
                    while pending and len(body) <= limit:
                        body += inflater.decompress(pending, limit + 1 - len(body))
                        pending = inflater.unconsumed_tail
                if len(body) > limit:
                    raise _stop(
                        SourceProblem.TOO_LARGE, where, f"more than {limit} bytes in one answer"
                    )
        except httpx.TimeoutException as exc:
            raise _stop(SourceProblem.UNREACHABLE, where, "timed out reading the answer") from exc
        except httpx.HTTPError as exc:
            raise _stop(SourceProblem.UNREACHABLE, where, str(exc) or type(exc).__name__) from exc
        except zlib.error as exc:
            raise _stop(SourceProblem.BAD_DATA, where, f"undecodable {coding} body: {exc}") from exc
        return bytes(body)

    # -- discovery --

    def propfind(self, url: str, props: str, depth: str) -> _Answer:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<d:propfind xmlns:d="{DAV}" xmlns:c="{CARD}" xmlns:cs="{CS}">'
            f"<d:prop>{props}</d:prop></d:propfind>"
        )
        return self.request("PROPFIND", url, body, depth)

    def discover(self) -> tuple[list[AddressBook], tuple[SourceIssue, ...]]:
        issues: list[SourceIssue] = []
        start = str(self.start)
        well_known = str(self.start.join("/.well-known/carddav"))
        at_root = self.start.path in ("", "/")
        candidates = [well_known, start] if at_root else [start, well_known]
        for candidate in candidates:
            try:
                found = self._discover_from(candidate)
            except _Stop as stop:
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
            raise _Stop(worst)
        tried = "; ".join(f"{i.where}: {i.detail}" for i in issues)
        raise _stop(
            SourceProblem.NOT_FOUND,
            start,
            f"no CardDAV address book found here (tried {tried})"
            if tried
            else "no CardDAV address book found here",
        )

    def _discover_from(self, url: str) -> list[AddressBook] | None:
        props = (
            "<d:resourcetype/><d:current-user-principal/><c:addressbook-home-set/>"
            "<d:displayname/><d:sync-token/><cs:getctag/><c:addressbook-description/>"
        )
        answer = self.propfind(url, props, "0")
        responses = _responses(answer)
        if not responses:
            return None
        here = answer.url
        # The answer about the resource asked for (some servers list more).
        first = next(
            (r for r in responses if _join(here, r.href).rstrip("/") == here.rstrip("/")),
            responses[0],
        )
        if first.is_addressbook:
            return [first.book(here)]
        homes = first.hrefs(CARD, "addressbook-home-set")
        if not homes:
            principals = first.hrefs(DAV, "current-user-principal")
            if not principals:
                return None
            principal = _join(here, principals[0])
            self.trust(principal)
            answer = self.propfind(principal, "<c:addressbook-home-set/>", "0")
            here = answer.url
            found = _responses(answer)
            homes = found[0].hrefs(CARD, "addressbook-home-set") if found else []
            if not homes:
                raise _stop(
                    SourceProblem.NOT_FOUND, principal, "the principal names no address book home"
                )
        books: list[AddressBook] = []
        seen: set[str] = set()
        for home in homes:
            home_url = _join(here, home)
            self.trust(home_url)
            listing = self.propfind(home_url, props, "1")
            for item in _responses(listing):
                if item.is_addressbook:
                    book = item.book(listing.url)
                    if book.url not in seen:
                        seen.add(book.url)
                        books.append(book)
        if not books:
            raise _stop(SourceProblem.NOT_FOUND, _join(here, homes[0]), "no address book in it")
        return books


def _join(base: str, href: str) -> str:
    return str(httpx.URL(base).join(href))


def _path_key(base: str, href: str) -> str:
    """An href as the key of a card: its path, percent-decoded (servers differ in what
    they escape, and some answer with absolute URLs)."""
    return urllib.parse.unquote(httpx.URL(base).join(href.strip()).path)


def _parse_xml(answer: _Answer) -> Element:
    try:
        return fromstring(answer.body)
    except DefusedXmlException as exc:
        raise _stop(
            SourceProblem.BAD_DATA, answer.url, f"hostile XML refused ({type(exc).__name__})"
        ) from exc
    except (ParseError, ValueError) as exc:
        raise _stop(SourceProblem.BAD_DATA, answer.url, f"not XML: {exc}") from exc


def _is_dav_error(body: bytes) -> bool:
    try:
        root = fromstring(body)
    except (DefusedXmlException, ParseError, ValueError):
        return False
    return root.tag == f"{{{DAV}}}error"


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _status_code(text: str) -> int | None:
    parts = text.split()
    if len(parts) >= 2 and parts[1].isdigit():
        return int(parts[1])
    return None


@dataclass
class _Response:
    """One <d:response> of a multistatus: its href, status and the props found (200)."""

    href: str
    status: int | None
    props: dict[str, Element]

    def prop(self, ns: str, name: str) -> Element | None:
        return self.props.get(f"{{{ns}}}{name}")

    def hrefs(self, ns: str, name: str) -> list[str]:
        element = self.prop(ns, name)
        if element is None:
            return []
        return [_text(h) for h in element.iter(f"{{{DAV}}}href") if _text(h)]

    @property
    def is_addressbook(self) -> bool:
        kind = self.prop(DAV, "resourcetype")
        return kind is not None and kind.find(f"{{{CARD}}}addressbook") is not None

    def book(self, base: str) -> AddressBook:
        token = _text(self.prop(DAV, "sync-token")) or None
        ctag = _text(self.prop(CS, "getctag")) or None
        return AddressBook(
            url=_join(base, self.href),
            display_name=_text(self.prop(DAV, "displayname")),
            description=_text(self.prop(CARD, "addressbook-description")),
            sync_token=token,
            ctag=ctag,
        )


def _responses(answer: _Answer) -> list[_Response]:
    root = _parse_xml(answer)
    if root.tag != f"{{{DAV}}}multistatus":
        raise _stop(SourceProblem.BAD_DATA, answer.url, f"expected a multistatus, got {root.tag}")
    found = []
    for item in root.findall(f"{{{DAV}}}response"):
        href = _text(item.find(f"{{{DAV}}}href"))
        status = _status_code(_text(item.find(f"{{{DAV}}}status")))
        props: dict[str, Element] = {}
        for propstat in item.findall(f"{{{DAV}}}propstat"):
            if _status_code(_text(propstat.find(f"{{{DAV}}}status"))) != 200:
                continue
            prop = propstat.find(f"{{{DAV}}}prop")
            if prop is not None:
                for child in prop:
                    props[child.tag] = child
        if href:
            found.append(_Response(href, status, props))
    return found


# --- sync ---------------------------------------------------------------------------------


class _Sync:
    def __init__(self, dav: _Dav, book_url: str, state: SyncState) -> None:
        self.dav = dav
        self.book_url = book_url
        self.state = state
        self.issues: list[SourceIssue] = []
        dav.trust(book_url)  # the caller chose it (from discover): credentials may go there
        try:
            self.book_key = urllib.parse.unquote(httpx.URL(book_url).path)
        except (httpx.InvalidURL, ValueError) as exc:
            raise _stop(SourceProblem.UNSUPPORTED, book_url, f"not a usable URL ({exc})") from exc

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
            raise _stop(
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
        return _path_key(base, href)

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
                f"<d:sync-token>{_xml_escape(token)}</d:sync-token>"
                "<d:sync-level>1</d:sync-level>"
                "<d:prop><d:getetag/></d:prop></d:sync-collection>"
            )
            try:
                answer = self.dav.request("REPORT", self.book_url, body, "0", dav_errors=True)
            except _Stop as stop:
                if stop.issue.problem in (SourceProblem.UNSUPPORTED, SourceProblem.BAD_DATA):
                    return None  # 400/405/501: no RFC 6578 here
                raise
            if answer.status in (403, 409):
                return None  # valid-sync-token (or another precondition): start over
            root = _parse_xml(answer)
            if root.tag != f"{{{DAV}}}multistatus":
                return None
            new_token = _text(root.find(f"{{{DAV}}}sync-token"))
            truncated = False
            for item in _responses(answer):
                key = self._key(answer.url, item.href)
                if not self._is_card(key):
                    truncated = truncated or item.status == 507
                    continue
                if item.status == 404:
                    gone.append(key)
                    changed.pop(key, None)
                else:
                    changed[key] = _text(item.prop(DAV, "getetag"))
                    if key in gone:
                        gone.remove(key)
            if not new_token:
                return None
            token = new_token
            if not truncated:
                return token, changed, gone
        raise _stop(
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
        for item in _responses(answer):
            key = self._key(answer.url, item.href)
            if key.rstrip("/") == self.book_key.rstrip("/"):
                token = _text(item.prop(DAV, "sync-token")) or None
                continue
            kind = item.prop(DAV, "resourcetype")
            if not self._is_card(key) or (
                kind is not None and kind.find(f"{{{DAV}}}collection") is not None
            ):
                continue
            etags[key] = _text(item.prop(DAV, "getetag"))
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
            hrefs = "".join(f"<d:href>{_xml_escape(urllib.parse.quote(k))}</d:href>" for k in batch)
            body = (
                '<?xml version="1.0" encoding="utf-8"?>'
                f'<c:addressbook-multiget xmlns:d="{DAV}" xmlns:c="{CARD}">'
                f"<d:prop><d:getetag/><c:address-data/></d:prop>{hrefs}"
                "</c:addressbook-multiget>"
            )
            answer = self.dav.request("REPORT", self.book_url, body, "1")
            answered: set[str] = set()
            asked = set(batch)
            for item in _responses(answer):
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
                etags[key] = _text(item.prop(DAV, "getetag"))
                contact, found = vcard_to_contact(_text(data), key)
                self.issues.extend(found)
                why = next(
                    (i.detail for i in found if i.problem is SourceProblem.ENTRY_SKIPPED), ""
                )
                fetched[key] = (contact, why)
            for key in batch:
                if key not in answered:
                    missing.append(key)
        return fetched, etags, missing


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
