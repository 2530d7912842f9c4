"""The address book choice of a CardDAV source in the settings' Contacts page, against
Radicale 3 on 127.0.0.1 with two books: "Find address books" lists both (the password
typed in the page, not yet saved, is the one used); ticking one and saving writes
`books` to the settings file and the source then holds only that book's contacts; a
wrong password is said in words; German texts."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt

from parley.app import Application
from parley.contacts.source import SourceKind
from parley.gui.contact_sources_page import ContactSourcesPage
from parley.gui.i18n import set_language, tr
from parley.gui.settings_dialog import SettingsDialog
from parley.media.engine import AudioConfig
from parley.settings import Settings, load_settings, save_settings
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings, local_source
from peers.radicale import Radicale
from vcard_samples import card

USERS = {"anna": "s3cret!"}


class MemoryKeyring(KeyringBackend):
    """A usable keyring keeping passwords in a dict (as a desktop's keyring would)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username), None)


@pytest.fixture(scope="module")
def dav() -> Iterator[Radicale]:
    with tempfile.TemporaryDirectory(prefix="parley-radicale-") as tmp:
        server = Radicale(Path(tmp), USERS).start()
        try:
            server.make_addressbook("anna", "work", "Work")
            server.put_vcard("anna", "work", "w.vcf", card("w", "Walter Work", "+49 30 1"))
            server.make_addressbook("anna", "private", "Private")
            server.put_vcard("anna", "private", "p.vcf", card("p", "Paula Private", "+49 30 2"))
            yield server
        finally:
            server.stop()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


def start_app(tmp_path: Path, source: ContactSourceSettings) -> Application:
    path = tmp_path / "settings.toml"
    save_settings(Settings(contacts=ContactsSettings(sources=[local_source(), source])), path)
    app = Application(
        path,
        use_keyring=True,
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


def dav_source(dav: Radicale) -> ContactSourceSettings:
    return ContactSourceSettings(
        id="dav", name="Radicale", kind=SourceKind.CARDDAV, location=dav.root, username="anna"
    )


def test_find_tick_one_and_save_then_only_its_contacts(
    qtbot: Any, tmp_path: Path, dav: Radicale, memory_keyring: MemoryKeyring
) -> None:
    app = start_app(tmp_path, dav_source(dav))
    try:
        dialog, page = open_source(qtbot, app, "dav")
        box = page.books
        assert box.isVisible() and box.find_button.text() == "Find address books"
        assert box.note.text() == "Nothing ticked: every address book is read."
        page.password.setText(USERS["anna"])  # typed, not saved yet
        qtbot.mouseClick(box.find_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: box.list.count() == 2, timeout=20_000)
        labels = sorted(i.text() for i in box.items())
        assert labels == ["Private (/anna/private/)", "Work (/anna/work/)"]
        assert all(i.checkState() == Qt.CheckState.Unchecked for i in box.items())
        work = next(i for i in box.items() if i.text().startswith("Work"))
        work.setCheckState(Qt.CheckState.Checked)
        assert box.note.text() == "Only the ticked address books are read."
        assert dialog.apply(), dialog.message.text()
        saved = load_settings(tmp_path / "settings.toml")
        [source] = [s for s in saved.contacts.sources if s.id == "dav"]
        assert source.books == ["/anna/work/"]
        assert memory_keyring.stored  # the password went to the keyring
        qtbot.waitUntil(lambda: listed(app, "dav") == ["Walter Work"], timeout=20_000)
        # Shown again: the choice is listed, ticked.
        page.select_source("local")
        page.select_source("dav")
        assert [(i.text(), i.checkState()) for i in box.items()] == [
            ("/anna/work/", Qt.CheckState.Checked)
        ]
    finally:
        app.stop()


def test_a_wrong_password_is_said_in_words(
    qtbot: Any, tmp_path: Path, dav: Radicale, memory_keyring: MemoryKeyring
) -> None:
    app = start_app(tmp_path, dav_source(dav))
    try:
        _dialog, page = open_source(qtbot, app, "dav")
        box = page.books
        page.password.setText("wrong")
        qtbot.mouseClick(box.find_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: box.find_button.isEnabled() and "refused" in box.note.text(), timeout=20_000
        )
        assert box.note.text().startswith("The server refused the user name or password.")
        assert "Check the user name and the password." in box.note.text()
        assert box.list.count() == 0
    finally:
        app.stop()


def test_german_texts() -> None:
    set_language("de")
    try:
        assert tr("Find address books") == "Adressbücher suchen"
        assert tr("{book} (not on the server)", book="/a/") == "/a/ (nicht auf dem Server)"
    finally:
        set_language("en")


def test_a_chosen_book_that_is_gone_is_shown_beside_the_others(
    qtbot: Any, tmp_path: Path, dav: Radicale, memory_keyring: MemoryKeyring
) -> None:
    source = dav_source(dav)
    source.books = ["/anna/private/", "Holidays"]
    memory_keyring.set_password("parley", "contact-source:dav", USERS["anna"])
    app = start_app(tmp_path, source)
    try:
        _dialog, page = open_source(qtbot, app, "dav")
        qtbot.waitUntil(lambda: listed(app, "dav") == ["Paula Private"], timeout=20_000)
        qtbot.waitUntil(lambda: "Holidays" in page.status_label.text(), timeout=20_000)
        lines = page.status_label.text().splitlines()
        assert lines[0].startswith("1 contact, synchronised")
        assert lines[1].startswith("Not found. (Holidays, the address book “Holidays” chosen")
        assert "Find address books" in lines[1]
        box = page.books
        qtbot.mouseClick(box.find_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: box.list.count() == 3, timeout=20_000)
        shown = {i.text(): i.checkState() for i in box.items()}
        assert shown == {
            "Private (/anna/private/)": Qt.CheckState.Checked,
            "Work (/anna/work/)": Qt.CheckState.Unchecked,
            "Holidays (not on the server)": Qt.CheckState.Checked,
        }
        gone = next(i for i in box.items() if i.text().startswith("Holidays"))
        gone.setCheckState(Qt.CheckState.Unchecked)
        assert page.selected() is not None and page.selected().books == ["/anna/private/"]
    finally:
        app.stop()
