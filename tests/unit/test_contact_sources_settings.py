"""The contact sources in the settings file: the built-in source always there and
protected, each kind's keys only, clear errors naming the source, passwords in the
keyring and never in the file."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from parley.contacts.source import SourceKind
from parley.settings import ConfigError, SecretStoreError, Settings, load_settings, save_settings
from parley.settings.contact_sources import (
    ContactSourceSettings,
    ContactsSettings,
    delete_source_password,
    get_source_password,
    set_source_password,
)

ACCOUNT = '[[accounts]]\nname = "office"\ndomain = "127.0.0.1"\nusername = "1001"\n\n'
XML = '[[contacts.sources]]\nid = "book"\nname = "PBX book"\nkind = "xml"\nlocation = "/b.xml"\n'


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


@pytest.fixture(autouse=True)
def no_real_keyring() -> Iterator[None]:
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    return str(caught.value)


def test_the_local_source_is_always_there(tmp_path: Path) -> None:
    assert [s.id for s in Settings().contacts.sources] == ["local"]
    settings = load(tmp_path, ACCOUNT + XML)
    assert [(s.id, s.kind) for s in settings.contacts.sources] == [
        ("local", SourceKind.LOCAL),
        ("book", SourceKind.XML_PHONEBOOK),
    ]
    # A file may place it elsewhere: the order of the file is kept.
    later = load(
        tmp_path, XML + '\n[[contacts.sources]]\nid = "local"\nname = "Parley"\nkind = "local"\n'
    )
    assert [s.id for s in later.contacts.sources] == ["book", "local"]


def test_saved_and_loaded_back_with_only_the_kinds_keys(tmp_path: Path) -> None:
    settings = load(tmp_path, ACCOUNT + XML + 'outgoing_account = "office"\n')
    settings.contacts.sources.append(
        ContactSourceSettings(id="dir", name="Directory", kind=SourceKind.LDAP, host="pbx")
    )
    settings.contacts.sources[2].attributes.mobile = "mobileTelephone"
    path = tmp_path / "out.toml"
    save_settings(settings, path)
    data = tomllib.loads(path.read_text())
    book, directory = data["contacts"]["sources"][1:]
    assert "host" not in book and "folder" not in book and book["path"] == "/b.xml"
    assert "location" not in directory and directory["url"] == "ldap://pbx"
    assert directory["verify_tls"] is True and "ignore_certificate" not in directory
    assert directory["attributes"]["mobile"] == "mobileTelephone"
    again = load_settings(path)
    assert again.contacts == settings.contacts


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (XML, "source id 'book' is used by both"),
        (XML.replace('id = "book"', 'id = "other"'), "source name 'PBX book' is used by both"),
        (
            '[[contacts.sources]]\nid = "local"\nname = "Mine"\nkind = "local"\n',
            "cannot be renamed",
        ),
        (
            '[[contacts.sources]]\nid = "x"\nname = "X"\nkind = "xml"\nhost = "pbx"\n',
            "host is not a setting of a xml source",
        ),
        ('[[contacts.sources]]\nid = "Bad Id"\nname = "X"\nkind = "xml"\n', "is not a source id"),
        (
            '[[contacts.sources]]\nid = "x"\nname = "X"\nkind = "ldap"\nsearch_filter = "cn=*"\n',
            "not an LDAP filter",
        ),
        ('[[contacts.sources]]\nid = "x"\nname = "X"\nkind = "gopher"\n', "kind"),
        (
            '[[contacts.sources]]\nid = "local"\nname = "X"\nkind = "xml"\n',
            "belongs to the built-in local source",
        ),
        (
            '[[contacts.sources]]\nid = "x"\nname = "X"\nkind = "xml"\noutgoing_account = "home"\n',
            "outgoing_account 'home' is not an account",
        ),
    ],
)
def test_faults_are_named(tmp_path: Path, extra: str, words: str) -> None:
    message = error_of(tmp_path, ACCOUNT + XML + "\n" + extra)
    assert words in message, message
    assert "contacts" in message


def test_new_id_is_free() -> None:
    contacts = ContactsSettings()
    contacts.sources.append(
        ContactSourceSettings(id="pbx-book", name="PBX book", kind=SourceKind.XML_PHONEBOOK)
    )
    assert contacts.new_id("PBX book") == "pbx-book-2"
    assert contacts.new_id("Parley") == "parley"
    assert contacts.new_id("!!!") == "source"


def test_settings_problems_of_an_incomplete_source() -> None:
    ldap = ContactSourceSettings(id="d", name="D", kind=SourceKind.LDAP)
    assert [p.split(" ")[0] for p in ldap.problems()] == ["host", "base_dn"]
    assert (
        ContactSourceSettings(id="d", name="D", kind=SourceKind.LDAP, security="ldaps").ldap_port
        == 636
    )


def test_passwords_go_to_the_keyring_never_the_file(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    settings = load(tmp_path, ACCOUNT + XML)
    book = settings.contacts.sources[1]
    set_source_password(book, "s3cret")
    assert backend.entries == {("parley", "contact-source:book"): "s3cret"}
    assert get_source_password(book) == "s3cret"
    path = tmp_path / "out.toml"
    save_settings(settings, path)
    assert "s3cret" not in path.read_text()
    delete_source_password(book)
    assert get_source_password(book) is None
    delete_source_password(book)  # nothing there: not an error


def test_without_a_keyring_a_source_password_is_refused_with_what_to_do() -> None:
    book = ContactSourceSettings(id="book", name="PBX book", kind=SourceKind.XML_PHONEBOOK)
    with pytest.raises(SecretStoreError) as caught:
        set_source_password(book, "s3cret")
    assert "allow_plaintext_passwords = true" in str(caught.value)
    assert get_source_password(book) is None
