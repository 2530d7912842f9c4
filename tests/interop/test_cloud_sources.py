"""The CardDAV, Google and Outlook contact sources through the registry, against real and
stand-in servers on 127.0.0.1:

- CardDAV (Radicale behind a recording proxy): the sync token and the card ETags are
  kept with the source's cache, so after a restart (new registry and cache objects over
  the same files) a sync asks the server only for the card that changed, and the cache
  follows an edit, an addition and a deletion;
- Google: the installed-app sign-in against the OAuth stand-in (the "browser" follows
  the redirect to the loopback port), then CardDAV with the bearer token against
  Radicale behind a proxy that checks it; a token the server no longer takes is
  refreshed and the sync goes on;
- Outlook: the device-flow sign-in against the stand-in, then Microsoft Graph's
  stand-in; on Linux the object model is not tried and the source says so when asked
  for it."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from parley.contacts.cloud_sources import (
    finish_device_sign_in,
    sign_in_with_browser_for,
    start_device_sign_in,
)
from parley.contacts.oauth_device import PollOutcome, TokenLocation, TokenStore
from parley.contacts.registry import ContactSources, RemoteSource
from parley.contacts.source import SourceKind, SourceProblem, SyncState
from parley.contacts.store import ContactStore
from parley.settings.contact_sources import ContactSourceSettings, local_source
from peers.dav_proxy import DavProxy
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
    source: ContactSourceSettings, data: Path, tokens: TokenStore | None = None
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
    return registry, store


def _sync(registry: ContactSources, source_id: str) -> list[str]:
    remote = registry.get(source_id)
    assert isinstance(remote, RemoteSource)
    status = registry.sync_now(remote)
    assert status.state is SyncState.OK, status
    return sorted(c.name for c in remote.contacts())


def _multiget_hrefs(proxy: DavProxy) -> list[str]:
    return sorted(
        href
        for body in proxy.reports()
        if "addressbook-multiget" in body
        for href in re.findall(r"<d:href>([^<]*)</d:href>", body)
    )


def test_carddav_after_a_restart_fetches_only_what_changed(dav: Radicale, tmp_path: Path) -> None:
    dav.make_addressbook("anna", "restart", "Restart")
    dav.put_vcard("anna", "restart", "a.vcf", card("a", "Anna Alt", "+49 30 1001"))
    dav.put_vcard("anna", "restart", "b.vcf", card("b", "Bernd Bleibt", "+49 30 1002"))
    dav.put_vcard("anna", "restart", "c.vcf", card("c", "Carla Geht", "+49 30 1003"))
    with DavProxy(dav.root, login=("anna", USERS["anna"])) as proxy:
        source = ContactSourceSettings(
            id="dav",
            name="Radicale",
            kind=SourceKind.CARDDAV,
            location=proxy.url("/anna/restart/"),
            username="anna",
        )
        registry, store = _registry(source, tmp_path)
        try:
            assert _sync(registry, "dav") == ["Anna Alt", "Bernd Bleibt", "Carla Geht"]
            assert len(_multiget_hrefs(proxy)) == 3  # the first sync reads the book
        finally:
            registry.stop()
            store.close()

        # Restart: new objects over the same files; one card edited on the server.
        dav.put_vcard("anna", "restart", "a.vcf", card("a", "Anna Neu", "+49 30 2001"))
        proxy.clear()
        registry, store = _registry(source, tmp_path)
        try:
            assert _sync(registry, "dav") == ["Anna Neu", "Bernd Bleibt", "Carla Geht"]
            syncs = [b for b in proxy.reports() if "sync-collection" in b]
            assert syncs and all("<d:sync-token></d:sync-token>" not in b for b in syncs)
            assert _multiget_hrefs(proxy) == ["/anna/restart/a.vcf"]
            assert registry.lookup("030 2001") is not None  # the new number is indexed
            assert registry.lookup("030 1001") is None
        finally:
            registry.stop()
            store.close()

        # Another restart: one card added, one deleted; only the new one is fetched.
        dav.put_vcard("anna", "restart", "d.vcf", card("d", "Dora Neu", "+49 30 1004"))
        dav.delete("anna", "restart", "c.vcf")
        proxy.clear()
        registry, store = _registry(source, tmp_path)
        try:
            assert _sync(registry, "dav") == ["Anna Neu", "Bernd Bleibt", "Dora Neu"]
            assert _multiget_hrefs(proxy) == ["/anna/restart/d.vcf"]
            assert registry.lookup("030 1003") is None
            # Nothing changed: no card is fetched, the cache stays as it is.
            proxy.clear()
            assert _sync(registry, "dav") == ["Anna Neu", "Bernd Bleibt", "Dora Neu"]
            assert _multiget_hrefs(proxy) == []
        finally:
            registry.stop()
            store.close()


def _browser(url: str) -> None:
    """The person's browser: the provider's page agrees and redirects to the loopback."""
    httpx.get(url, follow_redirects=True, trust_env=False, timeout=20.0)


def test_google_signs_in_syncs_and_refreshes_a_refused_token(dav: Radicale, tmp_path: Path) -> None:
    dav.make_addressbook("anna", "google", "Google")
    dav.put_vcard("anna", "google", "g.vcf", card("g", "Greta Google", "+49 89 5550100"))
    keyring = MemoryKeyring()
    tokens = TokenStore(keyring)
    with (
        OAuthStandIn() as login,
        DavProxy(dav.root, login=("anna", USERS["anna"]), bearer=login.issued_access) as proxy,
    ):
        source = ContactSourceSettings(
            id="gmail",
            name="Google",
            kind=SourceKind.GOOGLE,
            location=proxy.url("/"),
            username="anna@example.com",
            client_id="parley-desktop",
            client_secret=GOOGLE_SECRET,
            authorize_url=login.authorize_url(google=True),
            token_url=login.google()[1],
        )
        registry, store = _registry(source, tmp_path, tokens)
        try:
            remote = registry.get("gmail")
            assert isinstance(remote, RemoteSource)
            before = registry.sync_now(remote)  # not signed in yet
            assert before.state is SyncState.FAILED
            assert before.issues[0].problem is SourceProblem.AUTH_FAILED

            where = sign_in_with_browser_for(source, tokens, _browser, timeout=20.0)
            assert where is TokenLocation.KEYRING
            assert ("parley", "oauth:google:gmail") in keyring.items
            code_grant = login.forms("/token")[-1]
            assert code_grant["grant_type"] == "authorization_code"
            assert code_grant["code_verifier"]

            assert "Greta Google" in _sync(registry, "gmail")
            sent = {r.headers.get("authorization", "") for r in proxy.requests}
            assert sent and all(a.startswith("Bearer ") for a in sent)

            # The server stops taking the token: it is refreshed and the sync goes on.
            login.issued_access.clear()
            dav.put_vcard("anna", "google", "h.vcf", card("h", "Hanna Neu", "+49 89 5550101"))
            assert "Hanna Neu" in _sync(registry, "gmail")
            assert proxy.refused >= 1
            assert login.forms("/token")[-1]["grant_type"] == "refresh_token"
        finally:
            registry.stop()
            store.close()


def test_outlook_signs_in_with_a_device_code_and_reads_graph(tmp_path: Path) -> None:
    tokens = TokenStore(MemoryKeyring())
    with OAuthStandIn() as login, GraphStandIn() as graph:
        login.scenarios["parley-outlook"] = Scenario(pending=1, interval=1)
        graph.reset(
            [graph_contact("AAMk1=", display="Olga Outlook", business=["+49 40 5550100"])],
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
        code = start_device_sign_in(source)
        assert code.user_code and code.verification_uri
        result = finish_device_sign_in(source, tokens, code)
        assert result.outcome is PollOutcome.SUCCESS
        registry, store = _registry(source, tmp_path, tokens)
        try:
            assert _sync(registry, "o365") == ["Olga Outlook"]
            match = registry.lookup("040 5550100")
            assert match is not None and match.source_id == "o365"
            auth = graph.contact_requests()[-1].headers["authorization"]
            assert auth.removeprefix("Bearer ") in login.issued_access
        finally:
            registry.stop()
            store.close()


def test_outlook_program_asked_for_on_linux_says_what_works(tmp_path: Path) -> None:
    source = ContactSourceSettings(
        id="desk", name="Outlook desktop", kind=SourceKind.OUTLOOK, outlook_access="desktop"
    )
    registry, store = _registry(source, tmp_path, TokenStore(MemoryKeyring()))
    try:
        remote = registry.get("desk")
        assert isinstance(remote, RemoteSource)
        status = registry.sync_now(remote)
        assert status.state is SyncState.FAILED
        issue = status.issues[0]
        assert issue.problem is SourceProblem.UNSUPPORTED
        assert "Microsoft Graph" in issue.detail
    finally:
        registry.stop()
        store.close()
