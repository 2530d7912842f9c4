"""The console's `signin SOURCE` / `signout SOURCE` (the desktop app's "Generate token"),
driving a real `parley console --json` against the local OAuth, Graph and CardDAV
stand-ins:

- Outlook: `signin work` prints the device code and Microsoft's page while the console
  goes on answering other commands; the test agrees at the OAuth stand-in, the console
  says so, the source synchronises from the Graph stand-in and `search` finds its
  contact; `signout` forgets the token (gone from the keyring) and the next sync says
  to sign in again; a refusal on the provider's page is explained;
- Google: the printed page is followed like a browser would (the stand-in redirects to
  the console's loopback port), then Google's contacts (Radicale behind a proxy that
  takes only the stand-in's tokens) are searchable; a refused client secret is
  explained;
- the sign-in's requests go through [automation] http_proxy (a recording forward proxy);
- a source that does not exist or needs no sign-in is explained."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from parley_console import Event, ParleyConsole, write_config

from peers import file_keyring
from peers.dav_proxy import DavProxy
from peers.forward_proxy import ForwardProxy
from peers.graph_standin import GraphStandIn, graph_contact
from peers.oauth_standin import GOOGLE_SECRET, OAuthStandIn, Scenario
from peers.radicale import Radicale
from vcard_samples import card

pytestmark = pytest.mark.interop

USERS = {"anna": "s3cret!"}
ACCOUNT = {
    "name": "office",
    "domain": "127.0.0.1",
    "username": "1001",
    "register_on_startup": False,
}


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The console's keyring (a file) and no display: a headless console."""
    path = tmp_path / "keyring.json"
    for name, value in file_keyring.environment(path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return path


def kept(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def start_console(tmp_path: Path, *sources: dict[str, Any], **top: dict[str, Any]) -> ParleyConsole:
    """A console with the test account, these contact sources and other settings tables."""
    config = write_config(
        tmp_path / "console.toml", [ACCOUNT], contacts={"sources": list(sources)}, **top
    )
    return ParleyConsole(config, log_dir=tmp_path)


def signin(state: str, source: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "signin" and e["source"] == source and e["state"] == state


def synced(state: str, source: str) -> Callable[[Event], bool]:
    return lambda e: (
        e.get("event") == "contact_source" and e["source"] == source and e["state"] == state
    )


def reply(words: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "reply" and words in e["text"]


def forget_earlier(console: ParleyConsole) -> None:
    for event in console.events:
        event["_seen"] = True


def outlook(login: OAuthStandIn, graph: GraphStandIn) -> dict[str, Any]:
    device_url, token_url = login.microsoft()
    return {
        "id": "work",
        "name": "Work Outlook",
        "kind": "outlook",
        "outlook_access": "graph",
        "client_id": "parley-outlook",
        "device_code_url": device_url,
        "token_url": token_url,
        "graph_url": graph.base_url,
    }


def test_outlook_signin_code_agreed_then_searchable_and_signout_forgets(
    tmp_path: Path, keyring_file: Path
) -> None:
    with OAuthStandIn() as login, GraphStandIn() as graph:
        agreement = Scenario(pending=1_000_000, interval=1)  # pending until the test agrees
        login.scenarios["parley-outlook"] = agreement
        graph.reset(
            [graph_contact("AAMk1=", display="Olga Outlook", business=["+49 40 5550100"])],
            accept=login.issued_access.__contains__,
        )
        console = start_console(tmp_path, outlook(login, graph))
        try:
            # Not signed in: the start's sync says what to do.
            failed = console.wait_for(synced("failed", "work"))
            assert "`signin work`" in failed["text"]
            console.send("signin work")
            shown = console.wait_for(lambda e: signin("waiting", "work")(e) and "code" in e)
            assert shown["url"] == "https://microsoft.com/devicelogin"
            assert shown["code"].startswith("ABCD-")
            assert shown["code"] in shown["text"] and shown["url"] in shown["text"]
            assert login.forms("/devicecode")[-1]["client_id"] == "parley-outlook"
            # The console goes on answering while the sign-in waits.
            console.send("sources")
            console.wait_for(reply("work [on] outlook"))
            assert not any(signin("signed_in", "work")(e) for e in console.events)

            agreement.pending = 0  # the person enters the code and agrees
            done = console.wait_for(signin("signed_in", "work"))
            assert "kept in the keyring" in done["text"]
            assert "oauth:microsoft:work" in kept(keyring_file)
            console.wait_for(synced("ok", "work"))
            console.send("search Olga")
            console.wait_for(reply("Olga Outlook: +49 40 5550100 (Work Outlook)"))
            bearer = graph.contact_requests()[-1].headers["authorization"]
            assert bearer.removeprefix("Bearer ") in login.issued_access

            forget_earlier(console)
            console.send("signout work")
            console.wait_for(reply("signout work: its tokens are forgotten"))
            assert "oauth:microsoft:work" not in kept(keyring_file)
            console.send("sync work")
            again = console.wait_for(synced("failed", "work"))
            assert "not signed in" in again["text"] and "`signin work`" in again["text"]
            assert console.quit() == 0
        finally:
            console.stop()


def test_outlook_refused_and_sources_without_sign_in_are_explained(
    tmp_path: Path, keyring_file: Path
) -> None:
    with OAuthStandIn() as login, GraphStandIn() as graph, ForwardProxy() as proxy:
        login.scenarios["parley-outlook"] = Scenario(pending=0, interval=1, outcome="denied")
        phonebook = tmp_path / "phonebook.xml"
        phonebook.write_text("<AddressBook></AddressBook>", encoding="utf-8")
        xml = {"id": "desk", "name": "Desk", "kind": "xml", "location": str(phonebook)}
        console = start_console(
            tmp_path, outlook(login, graph), xml, automation={"http_proxy": proxy.url()}
        )
        try:
            console.send("signin work")
            refused = console.wait_for(signin("failed", "work"))
            # The sign-in's requests went through [automation] http_proxy.
            device_url, token_url = login.microsoft()
            asked = [(r.method, r.path) for r in proxy.requests]
            assert ("POST", device_url) in asked and ("POST", token_url) in asked
            assert "refused on the provider's page" in refused["text"]
            assert "`signin work` again" in refused["text"]
            assert "oauth:microsoft:work" not in kept(keyring_file)
            console.send("signin nowhere")
            console.wait_for(reply("no contact source 'nowhere'; `sources` lists them"))
            console.send("signin desk")
            console.wait_for(reply("desk is a xml source and needs no sign-in"))
            console.send("signin")
            console.wait_for(reply("usage: signin SOURCE"))
            assert console.quit() == 0
        finally:
            console.stop()


@pytest.fixture(scope="module")
def dav() -> Iterator[Radicale]:
    with tempfile.TemporaryDirectory(prefix="parley-radicale-") as tmp:
        server = Radicale(Path(tmp), USERS).start()
        try:
            server.make_addressbook("anna", "contacts", "Google")
            server.put_vcard("anna", "contacts", "g.vcf", card("g", "Greta Google", "+49 89 1"))
            yield server
        finally:
            server.stop()


def google(login: OAuthStandIn, location: str, secret: str = GOOGLE_SECRET) -> dict[str, Any]:
    return {
        "id": "gmail",
        "name": "Google",
        "kind": "google",
        "location": location,
        "username": "anna@example.com",
        "client_id": "parley-desktop",
        "client_secret": secret,
        "authorize_url": login.authorize_url(google=True),
        "token_url": login.google()[1],
    }


def follow(url: str) -> None:
    """The person's browser: the stand-in's page agrees and redirects to the loopback."""
    httpx.get(url, follow_redirects=True, trust_env=False, timeout=20.0)


def test_google_signin_prints_the_page_then_contacts_are_searchable(
    tmp_path: Path, keyring_file: Path, dav: Radicale
) -> None:
    with (
        OAuthStandIn() as login,
        DavProxy(dav.root, login=("anna", USERS["anna"]), bearer=login.issued_access) as proxy,
    ):
        console = start_console(tmp_path, google(login, proxy.url("/")))
        try:
            console.send("signin gmail")
            page = console.wait_for(lambda e: signin("waiting", "gmail")(e) and "url" in e)
            url = page["url"]
            assert url.startswith(login.authorize_url(google=True) + "?")
            assert "code_challenge=" in url and "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url
            assert url in page["text"] and "open it in a browser" in page["text"]
            follow(url)
            done = console.wait_for(signin("signed_in", "gmail"))
            assert "kept in the keyring" in done["text"]
            stored = json.loads(kept(keyring_file))
            assert any(k.endswith("oauth:google:gmail") for k in stored)
            assert login.forms("/token")[-1]["grant_type"] == "authorization_code"
            console.wait_for(synced("ok", "gmail"))
            console.send("search Greta")
            console.wait_for(reply("Greta Google: +49 89 1 (Google)"))
            assert any(
                r.headers.get("authorization", "").startswith("Bearer ") for r in proxy.requests
            )
            assert console.quit() == 0
        finally:
            console.stop()


def test_google_refused_client_is_explained(tmp_path: Path, keyring_file: Path) -> None:
    with OAuthStandIn() as login:
        console = start_console(tmp_path, google(login, "http://127.0.0.1:9/", secret="wrong"))
        try:
            console.send("signin gmail")
            page = console.wait_for(lambda e: signin("waiting", "gmail")(e) and "url" in e)
            follow(page["url"])
            refused = console.wait_for(signin("failed", "gmail"))
            assert "does not accept this client id" in refused["text"]
            assert "client_secret" in refused["text"]
            assert "oauth:google:gmail" not in kept(keyring_file)
            assert console.quit() == 0
        finally:
            console.stop()
