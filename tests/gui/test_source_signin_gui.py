"""The "Generate token" box of the settings' Contacts page, against local stand-ins:

- Google: Sign in opens "the browser" (a stand-in that follows the OAuth stand-in's
  redirect to Parley's loopback port, as a browser would), the box says the sign-in
  worked, and the Google contacts (Radicale behind a proxy that takes only the bearer
  tokens the OAuth stand-in issued) appear in the source;
- Outlook: Sign in shows the device code and Microsoft's page, the stand-in agrees, and
  the Graph stand-in's contacts appear; on Linux the box says plainly what works;
- a refused client id is explained."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

from parley.app import Application
from parley.contacts.source import SourceKind
from parley.gui import source_signin
from parley.gui.contact_sources_page import ContactSourcesPage
from parley.gui.settings_dialog import SettingsDialog
from parley.media.engine import AudioConfig
from parley.settings import Settings, save_settings
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings, local_source
from peers.dav_proxy import DavProxy
from peers.graph_standin import GraphStandIn, graph_contact
from peers.oauth_standin import GOOGLE_SECRET, OAuthStandIn, Scenario
from peers.radicale import Radicale
from vcard_samples import card

USERS = {"anna": "s3cret!"}


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


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The person's browser: opens the page; the stand-in agrees and redirects."""
    opened: list[str] = []

    def open_page(url: str) -> bool:
        opened.append(url)
        if "/authorize" in url or "/auth?" in url:
            httpx.get(url, follow_redirects=True, trust_env=False, timeout=20.0)
        return True

    monkeypatch.setattr(source_signin, "open_browser", open_page)
    return opened


def start_app(tmp_path: Path, source: ContactSourceSettings) -> Application:
    path = tmp_path / "settings.toml"
    save_settings(Settings(contacts=ContactsSettings(sources=[local_source(), source])), path)
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
    )
    app.start().result(20)
    return app


def open_source(
    qtbot: Any, app: Application, source_id: str
) -> tuple[SettingsDialog, ContactSourcesPage]:
    dialog = SettingsDialog(app, devices={"input": [], "output": []})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_page("contacts")
    page = dialog.contacts_page
    page.select_source(source_id)
    return dialog, page


def listed(app: Application, source_id: str) -> list[str]:
    return sorted(
        c.contact.name for c in app.contact_sources.list_contacts() if c.source_id == source_id
    )


def test_google_sign_in_in_the_browser_then_its_contacts_appear(
    qtbot: Any, tmp_path: Path, dav: Radicale, browser: list[str]
) -> None:
    with (
        OAuthStandIn() as login,
        DavProxy(dav.root, login=("anna", USERS["anna"]), bearer=login.issued_access) as proxy,
    ):
        source = ContactSourceSettings(
            id="google",
            name="Google",
            kind=SourceKind.GOOGLE,
            location=proxy.url("/"),
            username="anna@example.com",
            client_id="parley-desktop",
            client_secret=GOOGLE_SECRET,
            authorize_url=login.authorize_url(google=True),
            token_url=login.google()[1],
        )
        app = start_app(tmp_path, source)
        try:
            dialog, page = open_source(qtbot, app, "google")
            box = page.signin
            assert box.isVisible() and box.title() == "Generate token"
            # Synchronised at start without a token: the source says to sign in.
            qtbot.waitUntil(
                lambda: "sign in again (Generate token)" in page.status_label.text(),
                timeout=20_000,
            )
            assert box.fields["client_secret"].isVisible()
            assert page.fields["location"].placeholderText() == "Empty: Google's CardDAV address."
            assert not box.access.isVisible()  # Outlook's choice only
            assert box.result_label.text() == "Not signed in yet."
            qtbot.mouseClick(box.sign_in_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: box.result_label.text().startswith("Signed in"), timeout=20_000)
            assert "without a keyring" in box.result_label.text().lower()
            assert browser and browser[0].startswith(login.authorize_url(google=True))
            assert "code_challenge=" in browser[0]
            # Signed in: the source synchronises and Google's contacts are there.
            qtbot.waitUntil(lambda: listed(app, "google") == ["Greta Google"], timeout=20_000)
            qtbot.waitUntil(lambda: "1 contact" in page.status_label.text(), timeout=20_000)
            assert any(
                r.headers.get("authorization", "").startswith("Bearer ") for r in proxy.requests
            )
            # Deleted and saved: its tokens go with it.
            store = app.contact_sources.token_store
            assert store.load("google", "google") is not None
            assert page.delete_source(confirm=False)
            assert dialog.apply(), dialog.message.text()
            assert store.load("google", "google") is None
        finally:
            app.stop()


def test_outlook_sign_in_shows_the_code_then_graph_contacts_appear(
    qtbot: Any, tmp_path: Path, browser: list[str]
) -> None:
    with OAuthStandIn() as login, GraphStandIn() as graph:
        login.scenarios["parley-outlook"] = Scenario(pending=2, interval=1)
        graph.reset(
            [graph_contact("AAMk1=", display="Olga Outlook", business=["+49 40 5550100"])],
            accept=login.issued_access.__contains__,
        )
        device_url, token_url = login.microsoft()
        source = ContactSourceSettings(
            id="outlook",
            name="Outlook",
            kind=SourceKind.OUTLOOK,
            client_id="parley-outlook",
            device_code_url=device_url,
            token_url=token_url,
            graph_url=graph.base_url,
        )
        app = start_app(tmp_path, source)
        try:
            _dialog, page = open_source(qtbot, app, "outlook")
            box = page.signin
            assert box.access.isVisible() and not box.fields["client_secret"].isVisible()
            assert "Windows only" in box.platform_note.text()  # Linux: what works, plainly
            qtbot.mouseClick(box.sign_in_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: box.code_label.isVisible(), timeout=20_000)
            text = box.code_label.text()
            assert "https://microsoft.com/devicelogin" in text and "enter the code" in text
            assert box.sign_in_button.text() == "Cancel"
            qtbot.mouseClick(box.open_page_button, Qt.MouseButton.LeftButton)
            assert browser == ["https://microsoft.com/devicelogin"]  # "Open the page"
            qtbot.waitUntil(lambda: box.result_label.text().startswith("Signed in"), timeout=20_000)
            assert not box.code_label.isVisible()
            qtbot.waitUntil(lambda: listed(app, "outlook") == ["Olga Outlook"], timeout=20_000)
        finally:
            app.stop()


def test_a_refused_client_id_is_explained(qtbot: Any, tmp_path: Path, browser: list[str]) -> None:
    with OAuthStandIn() as login:
        source = ContactSourceSettings(
            id="google",
            name="Google",
            kind=SourceKind.GOOGLE,
            client_id="parley-desktop",
            client_secret="wrong",
            authorize_url=login.authorize_url(google=True),
            token_url=login.google()[1],
        )
        app = start_app(tmp_path, source)
        try:
            _dialog, page = open_source(qtbot, app, "google")
            box = page.signin
            qtbot.mouseClick(box.sign_in_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: "failed" in box.result_label.text(), timeout=20_000)
            assert "does not accept this client id" in box.result_label.text()
        finally:
            app.stop()


def test_a_sign_in_under_way_can_be_cancelled(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(source_signin, "open_browser", opened.append)  # nobody signs in
    with OAuthStandIn() as login:
        source = ContactSourceSettings(
            id="google",
            name="Google",
            kind=SourceKind.GOOGLE,
            client_id="parley-desktop",
            client_secret=GOOGLE_SECRET,
            authorize_url=login.authorize_url(google=True),
            token_url=login.google()[1],
        )
        app = start_app(tmp_path, source)
        try:
            _dialog, page = open_source(qtbot, app, "google")
            box = page.signin
            qtbot.mouseClick(box.sign_in_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
            assert box.result_label.text() == "Waiting for you to sign in in the browser…"
            assert box.sign_in_button.text() == "Cancel"
            qtbot.mouseClick(box.sign_in_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: box.result_label.text() == "Sign-in cancelled.", timeout=20_000)
            assert box.sign_in_button.text() == "Sign in"
            assert login.forms("/token") == []  # no code was ever exchanged
        finally:
            app.stop()
