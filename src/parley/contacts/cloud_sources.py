"""The sources that sign in with OAuth 2.0 (Google, Outlook through Microsoft Graph) and
the CardDAV fetch that carries its sync state from one sync to the next.

- CardDAV and Google: the address books the source chose (its `books`; empty: every
  one the URL leads to; `find_books` lists them for the settings dialog), each brought up to date from
  the state the last sync left (its RFC 6578 sync token and every card's ETag, kept as
  JSON with the source's cache, so a restart asks only for what changed). When no book
  changed the fetch says "not modified" and the cache is left alone. Google is CardDAV
  with a bearer token instead of a password; a refused token is refreshed once.
- Outlook: Microsoft Graph `/me/contacts` on every OS; on Windows the Outlook program's
  own contacts (its object model) when the source asks for it or, with `auto`, when the
  program is there.
- Sign-in ("Generate token"): Google with the installed-app flow (browser, PKCE,
  loopback redirect: Google's device flow does not grant the CardDAV scope), Microsoft
  with the device flow (a code to type on a web page). The tokens are kept by a
  `TokenStore` (the keyring) under the source's id and refreshed when due.

The endpoints come from the source's settings when given (tests point them at local
stand-ins), else the providers' own. Every request (CardDAV, Graph, the token endpoint)
goes through `proxy` when given ([automation] http_proxy); the loopback redirect of the
browser sign-in is local and never does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.contacts.carddav import CardDavConfig, discover, states_from_json, states_to_json
from parley.contacts.carddav import SyncState as BookState
from parley.contacts.carddav import sync as sync_book
from parley.contacts.carddav_books import BookInfo, book_info, choose_books
from parley.contacts.model import Contact
from parley.contacts.oauth_device import (
    GOOGLE_CARDDAV_SCOPES,
    GOOGLE_ENDPOINTS,
    GRAPH_CONTACTS_SCOPES,
    DeviceCode,
    OAuthEndpoints,
    OAuthError,
    OAuthProblem,
    PollOutcome,
    PollResult,
    TokenLocation,
    TokenSource,
    TokenStore,
    microsoft_endpoints,
    start,
    wait_for_tokens,
)
from parley.contacts.source import FetchResult, SourceIssue, SourceKind, SourceProblem
from parley.settings.contact_sources import ContactSourceSettings

__all__ = [
    "GOOGLE_CARDDAV_URL",
    "NoKeyring",
    "endpoints_of",
    "fetch_carddav",
    "fetch_google",
    "fetch_outlook",
    "find_books",
    "finish_device_sign_in",
    "provider_of",
    "sign_in_with_browser_for",
    "start_device_sign_in",
    "token_source",
]

GOOGLE_CARDDAV_URL = "https://www.googleapis.com/.well-known/carddav"


class NoKeyring:
    """A keyring backend that is never usable: tokens stay in memory (the application
    was started without the keyring)."""

    priority = 0.0

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("no keyring")

    def delete_password(self, service: str, username: str) -> None:
        return None


def provider_of(source: ContactSourceSettings) -> str:
    return "google" if source.kind is SourceKind.GOOGLE else "microsoft"


def endpoints_of(source: ContactSourceSettings) -> OAuthEndpoints:
    """The OAuth endpoints of the source: its own settings where given, else the
    provider's."""
    if source.kind is SourceKind.GOOGLE:
        base = GOOGLE_ENDPOINTS
        return OAuthEndpoints(
            base.device_authorization,
            source.token_url or base.token,
            source.authorize_url or base.authorization,
        )
    base = microsoft_endpoints(source.tenant)
    return OAuthEndpoints(
        source.device_code_url or base.device_authorization,
        source.token_url or base.token,
        base.authorization,
    )


def _scopes(source: ContactSourceSettings) -> tuple[str, ...]:
    return GOOGLE_CARDDAV_SCOPES if source.kind is SourceKind.GOOGLE else GRAPH_CONTACTS_SCOPES


def token_source(
    source: ContactSourceSettings, store: TokenStore, proxy: str | None = None
) -> TokenSource:
    """The source's access token, refreshed when due (the stored tokens of its id)."""
    return TokenSource(
        store,
        provider_of(source),
        source.id,
        endpoints_of(source),
        source.client_id or "",
        client_secret=source.client_secret,
        proxy=proxy,
    )


# --- sign-in ------------------------------------------------------------------------------


def sign_in_with_browser_for(
    source: ContactSourceSettings,
    store: TokenStore,
    open_browser: Callable[[str], object],
    *,
    cancelled: Callable[[], bool] = lambda: False,
    timeout: float = 300.0,
    proxy: str | None = None,
) -> TokenLocation:
    """Google's sign-in: the browser shows the provider's page, the answer comes back to
    a loopback port; the tokens are stored. OAuthError when it fails."""
    from parley.contacts.oauth_loopback import sign_in_with_browser

    if not source.client_id:
        raise OAuthError(OAuthProblem.INVALID_CLIENT, "no client id in the source's settings")
    tokens = sign_in_with_browser(
        endpoints_of(source),
        source.client_id,
        _scopes(source),
        open_browser,
        client_secret=source.client_secret,
        login_hint=source.username or "",
        timeout=timeout,
        cancelled=cancelled,
        proxy=proxy,
    )
    return store.save(provider_of(source), source.id, tokens)


def start_device_sign_in(source: ContactSourceSettings, proxy: str | None = None) -> DeviceCode:
    """Microsoft's sign-in, first step: the code and the page to type it on."""
    if not source.client_id:
        raise OAuthError(OAuthProblem.INVALID_CLIENT, "no client id in the source's settings")
    return start(endpoints_of(source), source.client_id, _scopes(source), proxy=proxy)


def finish_device_sign_in(
    source: ContactSourceSettings,
    store: TokenStore,
    code: DeviceCode,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    proxy: str | None = None,
) -> PollResult:
    """Wait until the person has agreed (the tokens are then stored) or refused, or the
    code expired."""
    result = wait_for_tokens(
        endpoints_of(source), source.client_id or "", code, cancelled=cancelled, proxy=proxy
    )
    if result.outcome is PollOutcome.SUCCESS and result.tokens is not None:
        store.save(provider_of(source), source.id, result.tokens)
    return result


# --- fetching -----------------------------------------------------------------------------


def _oauth_failure(source: ContactSourceSettings, exc: Exception) -> FetchResult:
    away = isinstance(exc, OAuthError) and exc.problem is OAuthProblem.UNREACHABLE
    problem = SourceProblem.UNREACHABLE if away else SourceProblem.AUTH_FAILED
    return FetchResult(
        failed=True, issues=(SourceIssue(problem, "sign-in", f"{source.name}: {exc}"),)
    )


def fetch_carddav(
    source: ContactSourceSettings,
    *,
    password: str | None,
    state: str | None,
    timeout: float,
    bearer: Callable[[], str] | None = None,
    proxy: str | None = None,
) -> FetchResult:
    """The source's chosen address books (all when it chose none), each synced from its
    stored state; the new state comes back in `FetchResult.state` (unchosen books' state
    dropped), `not_modified` when nothing changed. A chosen book that is gone is an
    issue; the others sync all the same."""
    config = _config(source, password, bearer, timeout, proxy)
    known = states_from_json(state)
    books, issues = discover(config)
    if not books:
        return FetchResult(issues=issues, failed=True, state=state)
    books, missing = choose_books(books, source.books)
    found: list[SourceIssue] = [*issues, *missing]
    if not books:  # not one chosen book is there: keep what is cached, say why
        return FetchResult(issues=tuple(found), failed=True, state=state)
    states: dict[str, BookState] = {}
    contacts: list[Contact] = []
    failures = 0
    changed = set(known) != {b.url for b in books}  # a book came or went
    for book in books:
        result = sync_book(config, book.url, known.get(book.url))
        contacts.extend(result.contacts)
        found.extend(result.issues)
        states[book.url] = result.state
        failures += result.failed
        changed = changed or bool(result.added or result.changed or result.removed)
    text = states_to_json(states)
    if failures == len(books):
        return FetchResult(issues=tuple(found), failed=True, state=state)
    if not changed and not failures:
        return FetchResult(issues=tuple(found), not_modified=True, state=text)
    return FetchResult(contacts=tuple(contacts), issues=tuple(found), state=text)


def _config(
    source: ContactSourceSettings,
    password: str | None,
    bearer: Callable[[], str] | None,
    timeout: float,
    proxy: str | None = None,
) -> CardDavConfig:
    url = source.location or (GOOGLE_CARDDAV_URL if source.kind is SourceKind.GOOGLE else "")
    return CardDavConfig(
        url=url,
        username=source.username or "",
        password=password or "",
        bearer_token=bearer() if bearer is not None else None,
        verify_tls=source.verify_tls,
        ca_file=str(source.ca_file) if source.ca_file is not None else None,
        timeout=timeout,
        proxy=proxy or None,
    )


def find_books(
    source: ContactSourceSettings,
    *,
    password: str | None,
    tokens: TokenStore | None = None,
    timeout: float = 30.0,
    proxy: str | None = None,
) -> tuple[list[BookInfo], tuple[SourceIssue, ...]]:
    """Every address book the source's URL and login lead to (path, display name,
    description), for the settings dialog to offer; blocking (run it off the GUI
    thread). Google uses the signed-in account's token from `tokens`."""
    bearer: Callable[[], str] | None = None
    if source.kind is SourceKind.GOOGLE:
        if tokens is None:
            return [], (SourceIssue(SourceProblem.AUTH_FAILED, "sign-in", "not signed in"),)
        bearer = token_source(source, tokens, proxy).access_token
    try:
        books, issues = discover(_config(source, password, bearer, timeout, proxy))
    except OAuthError as exc:
        return [], _oauth_failure(source, exc).issues
    return [book_info(b) for b in books], issues


def fetch_google(
    source: ContactSourceSettings,
    store: TokenStore,
    *,
    state: str | None,
    timeout: float,
    proxy: str | None = None,
) -> FetchResult:
    """Google Contacts over CardDAV with the signed-in account's bearer token; a refused
    token is refreshed once."""
    tokens = token_source(source, store, proxy)
    try:
        result = fetch_carddav(
            source,
            password=None,
            state=state,
            timeout=timeout,
            bearer=tokens.access_token,
            proxy=proxy,
        )
        refused = result.failed and any(
            i.problem is SourceProblem.AUTH_FAILED for i in result.issues
        )
        if refused:
            result = fetch_carddav(
                source,
                password=None,
                state=state,
                timeout=timeout,
                bearer=tokens.refresh_now,
                proxy=proxy,
            )
    except OAuthError as exc:
        return _oauth_failure(source, exc)
    return result


def fetch_outlook(
    source: ContactSourceSettings,
    store: TokenStore,
    *,
    timeout: float,
    platform: str | None = None,
    password: str | None = None,
    application: Callable[[], Any] | None = None,
    proxy: str | None = None,
) -> FetchResult:
    """Outlook's contacts: the Windows program's (object model, logged on to the source's
    profile with `password`, the profile's) when asked for or, with `auto`, when it is
    there; else Microsoft Graph with the signed-in account. Both read the fields the
    source's attribute mapping chooses. `application`: a stand-in Outlook (tests)."""
    from parley.contacts.outlook_com import fetch_outlook_contacts, outlook_com_supported
    from parley.contacts.outlook_graph import GRAPH_BASE_URL, GraphConfig, fetch_contacts

    access = source.outlook_access
    fields = source.outlook_attributes.field_map()
    if access == "desktop" or (access == "auto" and outlook_com_supported(platform)):
        result: FetchResult = fetch_outlook_contacts(
            platform=platform,
            application=application,
            profile=source.outlook_profile,
            password=password,
            fields=fields,
        )
        if access == "desktop" or not result.failed or not source.client_id:
            return result
    tokens = token_source(source, store, proxy)
    graph: FetchResult = fetch_contacts(
        GraphConfig(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_now,
            base_url=source.graph_url or GRAPH_BASE_URL,
            timeout=timeout,
            fields=fields,
            proxy=proxy or None,
        )
    )
    return graph
