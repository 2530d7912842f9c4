"""Contact sources in the desktop app: the settings' Contacts page (add an XML phone book
pointing at a local file, rename it, synchronise, see a failure explained, delete it;
the built-in source refuses both), and the phone book's contacts in the contact list and
on an incoming call through a real Kamailio from a real baresip.

The XML phone book's fetcher is `parley.contacts.phonebook_xml` once it exists; until then
a stand-in here reads the same tiny Yealink-style file (same entry point and arguments).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import Qt

from parley.app import Application
from parley.app.contact_sources import SourceTables
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import FETCHERS, FetchRequest
from parley.contacts.source import FetchResult, SourceIssue, SourceKind, SourceProblem
from parley.gui.contact_sources_page import ContactSourcesPage
from parley.gui.settings_dialog import SettingsDialog
from parley.media.engine import AudioConfig
from parley.settings import AccountSettings, Settings, save_settings
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings
from peers.baresip import Baresip
from peers.kamailio import Kamailio

BOOK = """<?xml version="1.0" encoding="UTF-8"?>
<YealinkIPPhoneDirectory>
  <DirectoryEntry><Name>Anna Berg</Name><Telephone>{number}</Telephone></DirectoryEntry>
  <DirectoryEntry><Name>Carl Dorn</Name><Telephone>+49 30 5550100</Telephone></DirectoryEntry>
</YealinkIPPhoneDirectory>
"""


def write_book(tmp_path: Path, number: str = "+49 30 5550199") -> Path:
    path = tmp_path / "phonebook.xml"
    path.write_text(BOOK.format(number=number), encoding="utf-8")
    return path


def stand_in_fetch(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    """What `phonebook_xml.fetch_phonebook` does for a local Yealink-style file."""
    try:
        root = SafeET.parse(source.location or "").getroot()
    except (OSError, SafeET.ParseError) as exc:
        return FetchResult(
            failed=True,
            issues=(SourceIssue(SourceProblem.NOT_FOUND, source.location or "", str(exc)),),
        )
    contacts = tuple(
        Contact(
            display_name=entry.findtext("Name", ""),
            numbers=(PhoneNumber(entry.findtext("Telephone", ""), NumberType.BUSINESS),),
        )
        for entry in root.iter("DirectoryEntry")
    )
    return FetchResult(contacts=contacts)


def xml_fetcher() -> Callable[[ContactSourceSettings, FetchRequest], FetchResult]:
    try:
        import parley.contacts.phonebook_xml  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return stand_in_fetch
    return FETCHERS[SourceKind.XML_PHONEBOOK]  # the real one, through the registry's table


class Fetches:
    """The XML fetcher, counted; `fail` makes the next fetches refuse the password."""

    def __init__(self) -> None:
        self.count = 0
        self.fail = False
        self.real = xml_fetcher()

    def __call__(self, source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
        self.count += 1
        if self.fail:
            return FetchResult(
                failed=True,
                issues=(SourceIssue(SourceProblem.AUTH_FAILED, source.location or "", "401"),),
            )
        return self.real(source, request)


def make_application(
    tmp_path: Path, settings: Settings, fetches: Fetches, **extra: Any
) -> Application:
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    return Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
        source_tables=SourceTables(fetchers={SourceKind.XML_PHONEBOOK: fetches}),
        **extra,
    )


@pytest.fixture
def page_app(tmp_path: Path) -> Any:
    fetches = Fetches()
    app = make_application(tmp_path, Settings(), fetches)
    app.start().result(20)
    yield app, fetches
    app.stop()


def open_contacts_page(qtbot: Any, app: Application) -> tuple[SettingsDialog, ContactSourcesPage]:
    dialog = SettingsDialog(app, devices={"input": [], "output": []})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_page("contacts")
    assert dialog.current_page() == "contacts"
    return dialog, dialog.contacts_page


def names(page: ContactSourcesPage) -> list[str]:
    return [page.list.item(i).text() for i in range(page.list.count())]


def test_the_builtin_source_cannot_be_renamed_or_deleted(qtbot: Any, page_app: Any) -> None:
    app, _fetches = page_app
    _dialog, page = open_contacts_page(qtbot, app)
    assert names(page) == ["Parley contacts"]
    page.list.setCurrentRow(0)
    assert not page.delete_button.isEnabled() and not page.rename_button.isEnabled()
    assert page.delete_button.toolTip() == "Not possible for the built-in source."
    assert not (page.list.item(0).flags() & Qt.ItemFlag.ItemIsEditable)
    assert page.delete_source(confirm=False) is False
    assert page.message.text() == "The built-in source cannot be deleted."
    assert page.rename_source(0, "Mine") is False
    assert names(page) == ["Parley contacts"]
    # Its page: the accounts and the filters, no access data of a server.
    assert page.outgoing.isVisible() and page.hide_without_name.isVisible()
    assert not page.fields["location"].isVisible() and not page.sync_box.isVisible()


def test_add_an_xml_phone_book_rename_sync_fail_and_delete(
    qtbot: Any, page_app: Any, tmp_path: Path
) -> None:
    app, fetches = page_app
    book = write_book(tmp_path)
    dialog, page = open_contacts_page(qtbot, app)

    # Add: the kind is chosen from the Add button's menu.
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    menu = page.last_menu
    assert menu is not None
    kinds = [a.text() for a in menu.actions()]
    assert kinds == [
        "XML phone book",
        "Windows contacts",
        "LDAP directory",
        "CardDAV address book",
        "Google contacts",
        "Outlook contacts",
        "CSV file",
    ]
    menu.actions()[0].trigger()
    assert names(page) == ["Parley contacts", "XML phone book"]
    assert page.fields["location"].isVisible() and not page.fields["host"].isVisible()
    assert page.password.isVisible()
    assert page.delete_button.isEnabled() and page.rename_button.isEnabled()
    page.fields["location"].setText(str(book))
    page.fields["location"].editingFinished.emit()
    assert page.status_label.text() == "Not saved yet."
    assert not page.sync_button.isEnabled()

    # Rename in place, as the manual says (click in the title, type the new one).
    page.list.item(1).setText("Office book")
    assert names(page) == ["Parley contacts", "Office book"]
    page.list.item(1).setText("Parley contacts")  # ...but not the name of another
    assert page.message.text() == "Another source is already called Parley contacts."
    assert names(page) == ["Parley contacts", "Office book"]

    assert dialog.apply(), dialog.message.text()
    saved = tomllib.loads((tmp_path / "settings.toml").read_text())
    assert saved["contacts"]["sources"][1] == {
        **saved["contacts"]["sources"][1],
        "name": "Office book",
        "type": "xml",
        "path": str(book),
    }
    assert "password" not in saved["contacts"]["sources"][1]
    # Saved: it synchronises by itself, the state says how many and when.
    qtbot.waitUntil(lambda: "2 contacts, synchronised" in page.status_label.text(), timeout=20_000)
    assert page.sync_button.isEnabled()
    assert fetches.count == 1

    # Synchronise now; a failure says why, what to do, and that the old copy stays.
    fetches.fail = True
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "failed" in page.status_label.text(), timeout=20_000)
    text = page.status_label.text()
    assert "The server refused the user name or password." in text
    assert "Check the user name and the password." in text
    assert "are still shown (2)" in text
    assert fetches.count == 2
    assert app.caller("030 5550100") is not None  # the cache still answers

    # Delete it (after a question), and save.
    page.list.setCurrentRow(1)
    assert page.delete_source(confirm=False)
    assert names(page) == ["Parley contacts"]
    assert dialog.apply(), dialog.message.text()
    saved = tomllib.loads((tmp_path / "settings.toml").read_text())
    assert [s["type"] for s in saved["contacts"]["sources"]] == ["local"]
    qtbot.waitUntil(lambda: app.caller("030 5550100") is None, timeout=20_000)


def test_ldap_source_shows_its_access_data_and_attributes(qtbot: Any, page_app: Any) -> None:
    app, _fetches = page_app
    dialog, page = open_contacts_page(qtbot, app)
    page.add_source(SourceKind.LDAP)
    assert page.fields["host"].isVisible() and page.fields["base_dn"].isVisible()
    assert page.attributes.isVisible()
    assert page.attribute_fields["ip_phone"].text() == "ipPhone"
    page.attribute_fields["ip_phone"].setText("telephoneNumber")
    page.attribute_fields["ip_phone"].editingFinished.emit()
    page.attribute_fields["mobile"].setText("not an attribute!")
    page.attribute_fields["mobile"].editingFinished.emit()
    assert "not an LDAP attribute name" in page.message.text()
    page.fields["host"].setText("127.0.0.1")
    page.fields["host"].editingFinished.emit()
    page.fields["base_dn"].setText("dc=auerswald")
    page.fields["base_dn"].editingFinished.emit()
    page.security.setCurrentIndex(page.security.findData("starttls"))
    assert dialog.apply(), dialog.message.text()
    source = app.settings.contacts.sources[1]
    assert (source.host, source.base_dn, source.security) == (
        "127.0.0.1",
        "dc=auerswald",
        "starttls",
    )
    assert source.attributes.ip_phone == "telephoneNumber"
    assert source.attributes.mobile == "mobile"  # the bad value was not taken


# ------------------------------------------------------------------ with real peers


@pytest.mark.interop
def test_a_phone_book_caller_shows_with_their_name(
    kamailio: Kamailio,
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    tmp_path: Path,
    answers: list[str],
) -> None:
    book = write_book(tmp_path, number="1002")  # the caller is known only to the book
    settings = Settings(
        accounts=[account(f"127.0.0.1:{kamailio.udp_port}")],
        contacts=ContactsSettings(
            sources=[
                ContactSourceSettings(
                    id="book", name="PBX book", kind=SourceKind.XML_PHONEBOOK, location=str(book)
                )
            ]
        ),
    )
    fetches = Fetches()
    app = make_application(tmp_path, settings, fetches, passwords={"office": PASSWORDS["1001"]})
    rig = GuiRig(app, qtbot)
    try:
        rig.start()
        rig.wait_registered()
        w = rig.window

        # The contact list: the local contacts and the phone book's, with its name.
        def remote_rows() -> list[Any]:
            return [(row.name_label.text(), row) for kind, _i, row in w.items() if kind == "remote"]

        rig.wait(lambda: len(remote_rows()) == 2)
        (name, row), _ = remote_rows()
        assert name == "Anna Berg" and row.source_label.text() == "PBX book"
        # Read-only: no edit or delete for a phone book's contact.
        kind, item_id, _row = next(i for i in w.items() if i[0] == "remote")
        w.select(kind, item_id)
        cw = w.call_window
        assert cw.name_label.text() == "Anna Berg"
        assert cw.source_label.isVisible() and cw.source_label.text() == "From PBX book"
        assert not cw.edit_button.isVisible() and not cw.delete_button.isVisible()
        w._context_menu(w.entry_list.visualItemRect(w.entry_list.selectedItems()[0]).center())
        assert w.last_menu is not None
        actions = [a.text() for a in w.last_menu.actions()]
        assert "Edit contact" not in actions and "Delete contact" not in actions
        # Search answered from the cache.
        w.search.setText("berg")
        rig.wait(lambda: [n for n, _r in remote_rows()] == ["Anna Berg"])
        w.search.clear()

        # An incoming call from the number the phone book knows shows the name.
        far = far_phones(kamailio, "1002")
        panel = w.call_panel
        far.dial(f"sip:1001@127.0.0.1:{kamailio.udp_port}")
        rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
        ringing = panel.incoming_widget(panel.calls[0].id)
        assert ringing is not None and ringing.name_label.text() == "Anna Berg"
        far.hangup()
        rig.wait(lambda: not panel.calls)
        # ...and so does the history.
        w.views.setCurrentIndex(2)
        rig.wait(lambda: w.items() and w.items()[0][0] == "entry")
        assert w.items()[0][2].name_label.text() == "Anna Berg"
    finally:
        rig.close()


def test_a_sources_account_calls_its_contacts_and_ldap_refines_searches(
    qtbot: Any, tmp_path: Path
) -> None:
    book = write_book(tmp_path)

    def person(name: str, number: str) -> Contact:
        return Contact(display_name=name, numbers=(PhoneNumber(number, NumberType.BUSINESS),))

    settings = Settings(
        accounts=[
            AccountSettings(name=n, domain="127.0.0.1:9", username=u, register_on_startup=False)
            for n, u in (("office", "1001"), ("mobile", "1002"))
        ],
        contacts=ContactsSettings(
            sources=[
                ContactSourceSettings(
                    id="book",
                    name="PBX book",
                    kind=SourceKind.XML_PHONEBOOK,
                    location=str(book),
                    outgoing_account="mobile",
                ),
                ContactSourceSettings(
                    id="dir",
                    name="Directory",
                    kind=SourceKind.LDAP,
                    host="127.0.0.1",
                    base_dn="dc=x",
                ),
            ]
        ),
    )
    searched: list[str] = []

    def search(_s: Any, _r: Any, text: str, _limit: int) -> FetchResult:
        searched.append(text)
        return FetchResult(
            contacts=(person("Erik Lang", "0301112"), person("Erika Server", "0302223"))
        )

    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        source_tables=SourceTables(
            fetchers={
                SourceKind.XML_PHONEBOOK: Fetches(),
                SourceKind.LDAP: lambda _s, _r: FetchResult(
                    contacts=(person("Erik Lang", "0301112"),)
                ),
            },
            searchers={SourceKind.LDAP: search},
        ),
    )
    rig = GuiRig(app, qtbot)
    try:
        rig.start()
        w = rig.window

        def remote_names() -> list[str]:
            return [row.name_label.text() for kind, _i, row in w.items() if kind == "remote"]

        rig.wait(lambda: sorted(remote_names()) == ["Anna Berg", "Carl Dorn", "Erik Lang"])
        anna = next(
            i for k, i, row in w.items() if k == "remote" and row.name_label.text() == "Anna Berg"
        )
        w.select("remote", anna)
        asked: list[tuple[str, str]] = []
        w.call_window.dial_requested.connect(lambda number, acc: asked.append((number, acc)))
        qtbot.mouseClick(w.call_window.call_button, Qt.MouseButton.LeftButton)
        assert asked == [("+49 30 5550199", "mobile")]  # the book's account

        # The cache answers at once; the LDAP server adds what it has besides.
        w.search.setText("erik")
        assert "Erik Lang" in remote_names()
        rig.wait(lambda: "Erika Server" in remote_names())
        assert remote_names().count("Erik Lang") == 1
        assert "erik" in searched
    finally:
        rig.close()


def test_a_source_saved_without_its_access_data_says_what_to_fill_in(
    qtbot: Any, page_app: Any
) -> None:
    app, fetches = page_app
    dialog, page = open_contacts_page(qtbot, app)
    page.add_source(SourceKind.XML_PHONEBOOK)
    assert dialog.apply(), dialog.message.text()
    qtbot.waitUntil(lambda: "Not set up yet" in page.status_label.text(), timeout=20_000)
    assert "fill in “Local path/URL” and save" in page.status_label.text()
    assert fetches.count == 0  # nothing was fetched
    page.add_source(SourceKind.LDAP)
    page.fields["host"].setText("127.0.0.1")
    page.fields["host"].editingFinished.emit()
    page.fields["base_dn"].setText("dc=auerswald")
    page.fields["base_dn"].editingFinished.emit()
    assert dialog.apply(), dialog.message.text()
    # This test's application has no LDAP fetcher: the source says so plainly.
    qtbot.waitUntil(lambda: "cannot read this kind" in page.status_label.text(), timeout=20_000)
