"""Outlook contacts through Microsoft Graph: `fetch_contacts(config) -> FetchResult`.

Works on every OS (Windows, Linux, macOS) for any Microsoft 365 or Outlook.com mailbox,
with an access token from the device flow (`parley.contacts.oauth_device`, scope
`Contacts.Read`). Synchronous, for a worker thread; it never raises.

What it does:

- GET `/me/contacts` (or `/me/contactFolders/{id}/contacts`) with `$select` of the
  properties the source's attribute mapping (`OutlookFieldMap`) reads and `$top=100`, following `@odata.nextLink` page by page — only
  to the same origin as `base_url` (the bearer token goes nowhere else), at most
  `max_pages` pages (then TOO_LARGE, with what was read);
- 401: the token is refreshed once through `refresh_token` and the page asked again;
  still 401 (or no way to refresh) is AUTH_FAILED, 403 (no consent) too;
- 429/503/504: waits what `Retry-After` says (seconds or an HTTP date; without it 2, 4,
  8 s …) when that is at most `max_retry_after`, up to `max_retries` times; else
  UNREACHABLE naming the wait asked for;
- a body that is not Graph's JSON is BAD_DATA; a contact without a name or without a
  usable phone number is left out as ENTRY_SKIPPED naming its id.

A page that fails fails the whole fetch (`failed`, nothing returned): a partial list
would make the cache forget contacts that still exist.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from parley.contacts.model import Contact
from parley.contacts.oauth_device import OAuthError, OAuthProblem
from parley.contacts.outlook_fields import NUMBER_FIELDS, OutlookFieldMap
from parley.contacts.phonebook_formats import EntryBuilder
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem

__all__ = [
    "GRAPH_BASE_URL",
    "SELECT_FIELDS",
    "GraphConfig",
    "contact_from_graph",
    "contacts_url",
    "fetch_contacts",
]

GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
SELECT_FIELDS = OutlookFieldMap().used()  # what the default mapping reads
_THROTTLED = {429, 503, 504}


@dataclass(frozen=True)
class GraphConfig:
    """Where and how to read. `access_token` returns the current token (it may refresh an
    expiring one itself); `refresh_token` refreshes after the server refused the token and
    returns the new one. Either may raise (e.g. OAuthError): that is AUTH_FAILED."""

    access_token: Callable[[], str]
    refresh_token: Callable[[], str] | None = None
    base_url: str = GRAPH_BASE_URL
    timeout: float = 20.0  # per request
    folder_id: str | None = None  # a contact folder instead of the default Contacts
    page_size: int = 100
    max_pages: int = 500
    max_retry_after: float = 60.0  # the longest Retry-After honoured
    max_retries: int = 3  # throttled answers waited out per fetch
    max_page_bytes: int = 16 * 1024 * 1024
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    fields: OutlookFieldMap = field(default_factory=OutlookFieldMap)  # property per field
    proxy: str | None = None  # HTTP proxy ([automation] http_proxy), never the environment's


def contacts_url(config: GraphConfig) -> str:
    base = config.base_url.rstrip("/")
    path = (
        f"/me/contactFolders/{urllib.parse.quote(config.folder_id, safe='')}/contacts"
        if config.folder_id
        else "/me/contacts"
    )
    top = max(1, min(config.page_size, 1000))
    select = config.fields.used() or ("displayName",)
    return f"{base}{path}?$select={','.join(select)}&$top={top}"


def fetch_contacts(config: GraphConfig) -> FetchResult:
    """Every contact of the mailbox's contact folder; never raises."""
    try:
        return _GraphFetch(config).run()
    except _Stop as stop:
        return stop.result
    except Exception as exc:  # a fetch reports, it never raises into the caller's thread
        return _fail(SourceProblem.UNREACHABLE, config.base_url, f"unexpected error: {exc!r}")


def _fail(problem: SourceProblem, where: str, detail: str) -> FetchResult:
    return FetchResult(issues=(SourceIssue(problem, where, detail),), failed=True)


class _Stop(Exception):
    def __init__(self, result: FetchResult) -> None:
        super().__init__(result)
        self.result = result


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _first(value: object) -> str:
    # A name field from a list property (imAddresses …): its first entry.
    return _text(value) or next(iter(_strings(value)), "")


def contact_from_graph(
    entry: object, index: int, fields: OutlookFieldMap | None = None
) -> tuple[Contact | None, tuple[SourceIssue, ...]]:
    """One item of Graph's `value` array as a Contact, the properties chosen by `fields`
    (default: Graph's usual ones), or None and why (ENTRY_SKIPPED)."""
    fields = fields or OutlookFieldMap()
    if not isinstance(entry, dict):
        where = f"entry {index}"
        return None, (SourceIssue(SourceProblem.ENTRY_SKIPPED, where, "not a JSON object"),)
    ident = _text(entry.get("id"))
    where = f"contact {ident}" if ident else f"entry {index}"
    builder = EntryBuilder(where)

    def value(name: str) -> object:
        return entry.get(name) if name else None

    builder.display_name = _first(value(fields.display_name))
    builder.first_name = _first(value(fields.first_name))
    builder.last_name = _first(value(fields.last_name))
    builder.company = _first(value(fields.company))
    for key, kind in NUMBER_FIELDS:
        found = value(getattr(fields, key))
        for number in [_text(found)] if isinstance(found, str) else _strings(found):
            builder.add_number(number, kind)
    contact = builder.finish()
    issues = list(builder.issues)
    if contact is not None and not contact.has_number:
        issues.append(SourceIssue(SourceProblem.ENTRY_SKIPPED, where, "no phone number"))
        contact = None
    elif contact is not None and not contact.has_name:
        issues.append(SourceIssue(SourceProblem.ENTRY_SKIPPED, where, "no name"))
        contact = None
    return contact, tuple(issues)


def _graph_error(body: bytes) -> str:
    """Graph's `{"error": {"code", "message"}}` as "code: message", else the body's start."""
    try:
        data = json.loads(body.decode("utf-8"))
        error = data["error"]
        return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return body[:200].decode("utf-8", "replace").strip()


def _retry_after(response: httpx.Response, now: float) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - now
    return max(0.0, seconds) if math.isfinite(seconds) else None


class _GraphFetch:
    def __init__(self, config: GraphConfig) -> None:
        self.config = config
        self.retries = 0
        self.refreshed = False
        self.token = ""

    def _get_token(self, getter: Callable[[], str], where: str, what: str) -> str:
        try:
            token = getter()
        except Exception as exc:  # the getter's errors (OAuthError …) are reported
            away = isinstance(exc, OAuthError) and exc.problem is OAuthProblem.UNREACHABLE
            code = SourceProblem.UNREACHABLE if away else SourceProblem.AUTH_FAILED
            detail = str(exc) or type(exc).__name__
            raise _Stop(_fail(code, where, f"{what}: {detail}")) from exc
        if not token:
            raise _Stop(_fail(SourceProblem.AUTH_FAILED, where, f"{what}: no token"))
        return token

    def run(self) -> FetchResult:
        config = self.config
        try:
            url = httpx.URL(contacts_url(config))
        except (httpx.InvalidURL, ValueError) as exc:
            return _fail(SourceProblem.UNSUPPORTED, config.base_url, f"not a usable URL ({exc})")
        if url.scheme not in ("http", "https"):
            return _fail(SourceProblem.UNSUPPORTED, str(url), f"the URL scheme {url.scheme!r}")
        origin = (url.scheme, url.host, url.port)
        self.token = self._get_token(config.access_token, str(url), "no access token")
        contacts: list[Contact] = []
        issues: list[SourceIssue] = []
        seen: set[str] = set()
        index = 0
        with httpx.Client(
            trust_env=False, follow_redirects=False, proxy=config.proxy or None
        ) as client:
            for page in range(1, max(1, config.max_pages) + 1):
                seen.add(str(url))
                data = self._page(client, url, page)
                for entry in data["value"]:
                    index += 1
                    contact, found = contact_from_graph(entry, index, config.fields)
                    issues.extend(found)
                    if contact is not None:
                        contacts.append(contact)
                link = data.get("@odata.nextLink")
                if not link:
                    return FetchResult(contacts=tuple(contacts), issues=tuple(issues))
                if not isinstance(link, str):
                    return _fail(SourceProblem.BAD_DATA, str(url), "@odata.nextLink is not a URL")
                try:
                    url = url.join(link)
                except (httpx.InvalidURL, ValueError):
                    return _fail(SourceProblem.BAD_DATA, str(url), f"bad @odata.nextLink {link!r}")
                if (url.scheme, url.host, url.port) != origin:
                    return _fail(
                        SourceProblem.BAD_DATA,
                        link,
                        "@odata.nextLink leads to another server: not followed "
                        "(the access token is sent only to the Graph URL configured)",
                    )
                if str(url) in seen:
                    return _fail(SourceProblem.BAD_DATA, link, "@odata.nextLink loops")
        issues.append(
            SourceIssue(
                SourceProblem.TOO_LARGE,
                str(url),
                f"stopped after {config.max_pages} pages ({len(contacts)} contacts read)",
            )
        )
        return FetchResult(contacts=tuple(contacts), issues=tuple(issues))

    def _page(self, client: httpx.Client, url: httpx.URL, page: int) -> dict[str, Any]:
        where = str(url)
        while True:
            status, body, response = self._get(client, url)
            if status == 200:
                return self._parse(body, where, page)
            if status == 401 and not self.refreshed and self.config.refresh_token is not None:
                self.refreshed = True  # once per fetch: a second 401 is the answer
                self.token = self._get_token(
                    self.config.refresh_token, where, "the token could not be refreshed"
                )
                continue
            if status in _THROTTLED:
                self._wait(response, status, where)
                continue
            raise _Stop(self._refusal(status, body, where))

    def _wait(self, response: httpx.Response, status: int, where: str) -> None:
        asked = _retry_after(response, time.time())
        wait = asked if asked is not None else float(2 ** (self.retries + 1))
        if self.retries >= self.config.max_retries or wait > self.config.max_retry_after:
            said = f"asked to wait {wait:g} s" if asked is not None else "no Retry-After"
            raise _Stop(
                _fail(
                    SourceProblem.UNREACHABLE,
                    where,
                    f"HTTP {status}, throttled ({said}; {self.retries} waits done, "
                    f"at most {self.config.max_retries} of up to "
                    f"{self.config.max_retry_after:g} s)",
                )
            )
        self.retries += 1
        self.config.sleep(wait)

    def _refusal(self, status: int, body: bytes, where: str) -> FetchResult:
        said = _graph_error(body)
        detail = f"HTTP {status}" + (f", {said}" if said else "")
        if status == 401:
            return _fail(SourceProblem.AUTH_FAILED, where, detail)
        if status == 403:
            return _fail(SourceProblem.AUTH_FAILED, where, detail + " (is Contacts.Read granted?)")
        if status in (404, 410):
            return _fail(SourceProblem.NOT_FOUND, where, detail)
        if status == 413:
            return _fail(SourceProblem.TOO_LARGE, where, detail)
        if status in (400, 405, 501):
            return _fail(SourceProblem.UNSUPPORTED, where, detail)
        return _fail(SourceProblem.UNREACHABLE, where, detail)

    def _get(self, client: httpx.Client, url: httpx.URL) -> tuple[int, bytes, httpx.Response]:
        where = str(url)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            with client.stream("GET", url, headers=headers, timeout=self.config.timeout) as answer:
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > self.config.max_page_bytes:
                        raise _Stop(
                            _fail(
                                SourceProblem.TOO_LARGE,
                                where,
                                f"a page larger than {self.config.max_page_bytes} bytes",
                            )
                        )
                return answer.status_code, bytes(body), answer
        except httpx.TimeoutException as exc:
            raise _Stop(
                _fail(SourceProblem.UNREACHABLE, where, f"timed out ({type(exc).__name__})")
            ) from exc
        except httpx.ConnectError as exc:
            problem = (
                SourceProblem.TLS_FAILED
                if "ssl" in repr(exc).lower() or "certificate" in str(exc).lower()
                else SourceProblem.UNREACHABLE
            )
            raise _Stop(_fail(problem, where, str(exc) or type(exc).__name__)) from exc
        except httpx.HTTPError as exc:
            raise _Stop(
                _fail(SourceProblem.UNREACHABLE, where, str(exc) or type(exc).__name__)
            ) from exc

    @staticmethod
    def _parse(body: bytes, where: str, page: int) -> dict[str, Any]:
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _Stop(
                _fail(SourceProblem.BAD_DATA, where, f"page {page} is not JSON ({exc})")
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("value"), list):
            raise _Stop(_fail(SourceProblem.BAD_DATA, where, f'page {page} has no "value" list'))
        return data
