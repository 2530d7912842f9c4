"""The HTTP proxy ([automation] http_proxy) for the sources that talk HTTP themselves:
CardDAV (a sync and "Find address books" against Radicale), Google (the browser sign-in's
token request, CardDAV with the bearer token, the refresh of a refused token), Outlook
(the device-flow sign-in, Microsoft Graph's stand-in, a token refresh). A recording
forward proxy on 127.0.0.1 passes every request on to its origin and keeps its absolute
URL: what it saw is what went through it. Without the setting it sees nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from parley.contacts.cloud_sources import (
    find_books,
    finish_device_sign_in,
    sign_in_with_browser_for,
    start_device_sign_in,
    token_source,
)
from parley.contacts.oauth_device import PollOutcome, TokenStore
from parley.contacts.registry import ContactSources, RemoteSource
from parley.contacts.source import SourceKind, SyncState
from parley.contacts.store import ContactStore
from parley.settings.contact_sources import ContactSourceSettings, local_source
from peers.dav_proxy import DavProxy
from peers.forward_proxy import ForwardProxy
from peers.graph_standin import GraphStandIn, graph_contact
from peers.oauth_standin import GOOGLE_SECRET, OAuthStandIn, Scenario
from peers.radicale import Radicale
from vcard_samples import card

pytestmark = pytest.mark.interop

USERS = {"anna": "s3cret!"}


class MemoryKeyring:
    """A usable keyring of the test's own (not a keyring subclass: see TokenStore)."""

    priority = 1.0

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture(scope="module")
def dav() -> Iterator[Radicale]:
    with tempfile.TemporaryDirectory(prefix="parley-radicale-") as tmp:
        server = Radicale(Path(tmp), USERS).start()
        try:
            yield server
        finally:
            server.stop()


def _registry(
    source: ContactSourceSettings, data: Path, proxy: str | None, tokens: TokenStore | None = None
) -> tuple[ContactSources, ContactStore]:
    store = ContactStore(data / "contacts.sqlite3", default_region="DE")
    registry = ContactSources(
        [local_source(), source],
        store,
        data_dir=data,
        default_region="DE",
        password_of=lambda s: USERS["anna"] if s.kind is SourceKind.CARDDAV else None,
        token_store=tokens,
    )
    registry.http_proxy = proxy  # what the application sets from [automation] http_proxy
    return registry, store


def _sync(registry: ContactSources, source_id: str) -> list[str]:
    remote = registry.get(source_id)
    assert isinstance(remote, RemoteSource)
    status = registry.sync_now(remote)
    assert status.state is SyncState.OK, status
    return sorted(c.name for c in remote.contacts())


def _browser(url: str) -> None:
    """The person's browser: the provider's page agrees and redirects to the loopback."""
    httpx.get(url, follow_redirects=True, trust_env=False, timeout=20.0)


def test_carddav_sync_and_find_books_go_through_the_proxy(dav: Radicale, tmp_path: Path) -> None:
    dav.make_addressbook("anna", "viaproxy", "Via proxy")
    dav.put_vcard("anna", "viaproxy", "p.vcf", card("p", "Paula Proxy", "+49 30 7001"))
    book = dav.book_url("anna", "viaproxy")
    source = ContactSourceSettings(
        id="dav", name="Radicale", kind=SourceKind.CARDDAV, location=book, username="anna"
    )
    with ForwardProxy() as proxy:
        registry, store = _registry(source, tmp_path / "with", proxy.url())
        try:
            assert _sync(registry, "dav") == ["Paula Proxy"]
        finally:
            registry.stop()
            store.close()
        seen = proxy.requests
        assert seen and all(r.path.startswith(dav.root) for r in seen)  # absolute form
        assert {"PROPFIND", "REPORT"} <= {r.method for r in seen}
        assert any(r.path == book for r in seen)

        proxy.requests.clear()
        books, issues = find_books(source, password=USERS["anna"], proxy=proxy.url())
        assert "Via proxy" in [b.display_name for b in books], issues
        assert proxy.requests and all(r.method == "PROPFIND" for r in proxy.requests)

        # Without the setting the same sync and listing go straight to Radicale.
        proxy.requests.clear()
        registry, store = _registry(source, tmp_path / "without", None)
        try:
            assert _sync(registry, "dav") == ["Paula Proxy"]
        finally:
            registry.stop()
            store.close()
        books, _ = find_books(source, password=USERS["anna"])
        assert "Via proxy" in [b.display_name for b in books]
        assert proxy.urls() == []


def test_google_sign_in_sync_and_refresh_go_through_the_proxy(
    dav: Radicale, tmp_path: Path
) -> None:
    dav.make_addressbook("anna", "gproxy", "Google via proxy")
    dav.put_vcard("anna", "gproxy", "g.vcf", card("g", "Greta Proxy", "+49 89 7001"))
    tokens = TokenStore(MemoryKeyring())
    with (
        OAuthStandIn() as login,
        DavProxy(dav.root, login=("anna", USERS["anna"]), bearer=login.issued_access) as google,
        ForwardProxy() as proxy,
    ):
        token_url = login.google()[1]
        source = ContactSourceSettings(
            id="gmail",
            name="Google",
            kind=SourceKind.GOOGLE,
            location=google.url("/anna/gproxy/"),
            username="anna@example.com",
            client_id="parley-desktop",
            client_secret=GOOGLE_SECRET,
            authorize_url=login.authorize_url(google=True),
            token_url=token_url,
        )
        sign_in_with_browser_for(source, tokens, _browser, timeout=20.0, proxy=proxy.url())
        # The code grant went through the proxy; the redirect to the loopback port did not
        # (the browser brings it straight to our own listener).
        assert [(r.method, r.path) for r in proxy.requests] == [("POST", token_url)]
        assert login.forms("/token")[-1]["grant_type"] == "authorization_code"

        registry, store = _registry(source, tmp_path, proxy.url(), tokens)
        try:
            proxy.requests.clear()
            assert _sync(registry, "gmail") == ["Greta Proxy"]
            dav_urls = [u for u in proxy.urls() if u.startswith(google.url("/"))]
            assert dav_urls and len(dav_urls) == len(google.requests)

            # Google stops taking the token: the refresh goes through the proxy too.
            login.issued_access.clear()
            proxy.requests.clear()
            assert _sync(registry, "gmail") == ["Greta Proxy"]
            assert google.refused >= 1
            refreshes = [r for r in proxy.requests if r.path == token_url]
            assert len(refreshes) == 1 and b"grant_type=refresh_token" in refreshes[0].body
        finally:
            registry.stop()
            store.close()

        # Without the setting: the refresh and the sync bypass the proxy.
        login.issued_access.clear()
        proxy.requests.clear()
        registry, store = _registry(source, tmp_path / "without", None, tokens)
        try:
            assert _sync(registry, "gmail") == ["Greta Proxy"]
            assert login.forms("/token")[-1]["grant_type"] == "refresh_token"
        finally:
            registry.stop()
            store.close()
        assert proxy.urls() == []


def test_outlook_device_sign_in_graph_and_refresh_go_through_the_proxy(tmp_path: Path) -> None:
    tokens = TokenStore(MemoryKeyring())
    with OAuthStandIn() as login, GraphStandIn() as graph, ForwardProxy() as proxy:
        login.scenarios["parley-outlook"] = Scenario(pending=1, interval=1)
        graph.reset(
            [graph_contact("AAMk1=", display="Olga Proxy", business=["+49 40 7001"])],
            accept=login.issued_access.__contains__,
        )
        device_url, token_url = login.microsoft()
        source = ContactSourceSettings(
            id="o365",
            name="Outlook",
            kind=SourceKind.OUTLOOK,
            outlook_access="graph",
            client_id="parley-outlook",
            device_code_url=device_url,
            token_url=token_url,
            graph_url=graph.base_url,
        )
        code = start_device_sign_in(source, proxy.url())
        result = finish_device_sign_in(source, tokens, code, proxy=proxy.url())
        assert result.outcome is PollOutcome.SUCCESS
        asked = proxy.urls()
        assert asked[0] == device_url and asked[1:] and set(asked[1:]) == {token_url}
        assert len(login.requests) == len(asked)  # every OAuth request came by the proxy

        registry, store = _registry(source, tmp_path, proxy.url(), tokens)
        try:
            proxy.requests.clear()
            assert _sync(registry, "o365") == ["Olga Proxy"]
            graph_urls = [u for u in proxy.urls() if u.startswith(graph.base_url)]
            assert graph_urls and len(graph_urls) == len(graph.contact_requests())
        finally:
            registry.stop()
            store.close()

        # A token refresh (as after Graph refused the token) goes through the proxy.
        proxy.requests.clear()
        before = len(login.forms("/token"))
        token_source(source, tokens, proxy.url()).refresh_now()
        assert [(r.method, r.path) for r in proxy.requests] == [("POST", token_url)]
        assert b"grant_type=refresh_token" in proxy.requests[0].body
        assert len(login.forms("/token")) == before + 1

        # Without the setting: Graph and the refresh go straight to their servers.
        proxy.requests.clear()
        graph.reset(
            [graph_contact("AAMk1=", display="Olga Proxy", business=["+49 40 7001"])],
            accept=login.issued_access.__contains__,
        )
        token_source(source, tokens).refresh_now()
        registry, store = _registry(source, tmp_path / "without", None, tokens)
        try:
            assert _sync(registry, "o365") == ["Olga Proxy"]
        finally:
            registry.stop()
            store.close()
        assert graph.contact_requests() and len(login.forms("/token")) == before + 2
        assert proxy.urls() == []
