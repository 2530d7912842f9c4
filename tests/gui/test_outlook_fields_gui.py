"""The Outlook source's profile, profile password and Attribute page on the settings'
Contacts page (offscreen): a changed mapping and the profile are saved to the settings
file, a wrong property name is refused with a message and not taken, the profile's
password goes to the keyring and never into the file, and other kinds do not show them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QLineEdit

from parley.app import Application
from parley.contacts.source import SourceKind
from parley.gui.contact_sources_page import ContactSourcesPage
from parley.gui.i18n import set_language, tr
from parley.gui.settings_dialog import SettingsDialog
from parley.media.engine import AudioConfig
from parley.settings import Settings, save_settings


@pytest.fixture
def app(tmp_path: Path) -> Any:
    path = tmp_path / "settings.toml"
    save_settings(Settings(), path)
    application = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
    )
    application.start().result(20)
    yield application
    application.stop()


def _page(qtbot: Any, app: Application) -> tuple[SettingsDialog, ContactSourcesPage]:
    dialog = SettingsDialog(app, devices={"input": [], "output": []})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_page("contacts")
    return dialog, dialog.contacts_page


def _type(edit: QLineEdit, text: str) -> None:
    edit.setText(text)
    edit.editingFinished.emit()


def test_outlook_mapping_and_profile_are_saved_to_the_settings_file(
    qtbot: Any, app: Application, tmp_path: Path
) -> None:
    dialog, page = _page(qtbot, app)
    page.add_source(SourceKind.OUTLOOK)
    outlook = page.outlook
    assert outlook.profile_box.isVisible() and outlook.attribute_box.isVisible()
    assert not page.attributes.isVisible()  # the LDAP page is not the Outlook one
    assert "Only for the Outlook program on Windows" in outlook.note.text()
    assert outlook.attribute_fields["company"].text() == "companyName"

    _type(outlook.attribute_fields["company"], "department")
    _type(outlook.attribute_fields["business"], "homePhones")
    _type(outlook.attribute_fields["mobile"], "mobile phone")  # not a property
    assert "'mobile phone' is not a text property of an Outlook contact" in page.message.text()
    assert outlook.attribute_fields["mobile"].styleSheet()
    _type(outlook.profile, "Work")
    _type(outlook.password, "pst-secret")
    assert page.pending_passwords == {"outlook-contacts": "pst-secret"}

    # Without a keyring the profile's password cannot be kept: saving says so...
    assert not dialog.apply()
    assert "keyring" in page.message.text()
    # ...and without it the rest is saved.
    page.pending_passwords.clear()
    assert dialog.apply(), dialog.message.text()
    saved = tomllib.loads((tmp_path / "settings.toml").read_text())
    source = saved["contacts"]["sources"][1]
    assert source["type"] == "outlook" and source["outlook_profile"] == "Work"
    assert source["outlook_attributes"]["company"] == "department"
    assert source["outlook_attributes"]["business"] == "homePhones"
    assert source["outlook_attributes"]["mobile"] == "mobilePhone"  # the bad one not taken
    assert "pst-secret" not in (tmp_path / "settings.toml").read_text()
    assert app.settings.contacts.source("outlook-contacts").outlook_attributes.company == (
        "department"
    )


def test_other_kinds_do_not_show_the_outlook_boxes(qtbot: Any, app: Application) -> None:
    _dialog, page = _page(qtbot, app)
    page.add_source(SourceKind.LDAP)
    assert page.attributes.isVisible()
    assert not page.outlook.profile_box.isVisible()
    assert not page.outlook.attribute_box.isVisible()


def test_the_outlook_boxes_speak_german() -> None:
    try:
        set_language("de")
        assert tr("Outlook profile") == "Outlook-Profil"
        assert tr("Password of the profile") == "Kennwort des Profils"
    finally:
        set_language("en")


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.stored: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username), None)


def test_the_profile_password_goes_to_the_keyring(qtbot: Any, tmp_path: Path) -> None:
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    path = tmp_path / "settings.toml"
    save_settings(Settings(), path)
    application = Application(
        path,
        use_keyring=True,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
    )
    try:
        application.start().result(20)
        dialog, page = _page(qtbot, application)
        page.add_source(SourceKind.OUTLOOK)
        _type(page.outlook.profile, "Work")
        _type(page.outlook.password, "pst-secret")
        assert dialog.apply(), dialog.message.text()
        assert store.stored[("parley", "contact-source:outlook-contacts")] == "pst-secret"
        assert "pst-secret" not in path.read_text()
        assert page.outlook.password.text() == ""
    finally:
        application.stop()
        keyring.set_keyring(before)
