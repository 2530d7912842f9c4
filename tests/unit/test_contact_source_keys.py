"""A contact source in the settings file in the names of issue #10 (type, url/path,
starttls, verify_tls, filter, max_results, password, auth) and in the older names: both
load to the same model, saving writes the issue's names, contradictions are refused
naming both keys, and a password written in the file is handled as an account's."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from parley.settings import ConfigError, SecretStoreError, Settings, load_settings, save_settings
from parley.settings.contact_sources import (
    ContactSourceSettings,
    get_source_password,
    move_source_passwords,
    set_source_password,
)


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
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


HEAD = '[[contacts.sources]]\nid = "s"\nname = "S"\n'

# (issue's spelling, older spelling) of the same source
SAME = [
    pytest.param(
        'type = "ldap"\nurl = "ldap://127.0.0.1:3890"\nbase_dn = "dc=auerswald"\n'
        'filter = "(o=*)"\nmax_results = 20\nbind_dn = "cn=a"\n',
        'kind = "ldap"\nhost = "127.0.0.1"\nport = 3890\nbase_dn = "dc=auerswald"\n'
        'search_filter = "(o=*)"\nresult_limit = 20\nbind_dn = "cn=a"\n',
        id="ldap-plain",
    ),
    pytest.param(
        'type = "ldap"\nurl = "ldaps://127.0.0.1:6360"\nverify_tls = false\nbase_dn = "dc=a"\n',
        'kind = "ldap"\nhost = "127.0.0.1"\nport = 6360\nsecurity = "ldaps"\n'
        'ignore_certificate = true\nbase_dn = "dc=a"\n',
        id="ldaps-unverified",
    ),
    pytest.param(
        'type = "ldap"\nurl = "ldap://127.0.0.1"\nstarttls = true\nverify_tls = true\n',
        'kind = "ldap"\nhost = "127.0.0.1"\nsecurity = "starttls"\n',
        id="ldap-starttls",
    ),
    pytest.param(
        'type = "ldap"\nurl = "ldap://[::1]:389/"\n',
        'kind = "ldap"\nhost = "[::1]"\nport = 389\n',
        id="ldap-ipv6",
    ),
    pytest.param(
        'type = "ldap"\nurl = "ldap://pbx"\n[contacts.sources.attributes]\nmobile = "mob"\n',
        'kind = "ldap"\nhost = "pbx"\n[contacts.sources.attributes]\nmobile = "mob"\n',
        id="ldap-attributes",
    ),
    pytest.param(
        'type = "xml"\nurl = "https://127.0.0.1/pb.xml"\nusername = "u"\nauth = "digest"\n',
        'kind = "xml"\nlocation = "https://127.0.0.1/pb.xml"\nusername = "u"\nauth = "digest"\n',
        id="xml-url",
    ),
    pytest.param(
        'type = "xml"\npath = "/srv/pb.xml"\n',
        'kind = "xml"\nlocation = "/srv/pb.xml"\n',
        id="xml-path",
    ),
    pytest.param(
        'type = "carddav"\nurl = "http://127.0.0.1:5232/"\nusername = "u"\n',
        'kind = "carddav"\nlocation = "http://127.0.0.1:5232/"\nusername = "u"\n',
        id="carddav",
    ),
    pytest.param(
        'type = "windows"\nfolder = "/c"\n', 'kind = "windows"\nfolder = "/c"\n', id="win"
    ),
    pytest.param(
        'type = "google"\nurl = "https://127.0.0.1/carddav"\nclient_id = "c"\n',
        'kind = "google"\nlocation = "https://127.0.0.1/carddav"\nclient_id = "c"\n',
        id="google",
    ),
    pytest.param(
        'type = "outlook"\nusername = "a@b.c"\n',
        'kind = "outlook"\nusername = "a@b.c"\n',
        id="outlook",
    ),
    pytest.param(
        'type = "csv"\npath = "/t.csv"\nseparator = ";"\n',
        'kind = "csv"\nlocation = "/t.csv"\nseparator = ";"\n',
        id="csv",
    ),
    pytest.param(
        'type = "ldap"\nkind = "ldap"\nurl = "ldap://pbx"\nhost = "pbx"\n',
        'kind = "ldap"\nhost = "pbx"\n',
        id="both-spellings-agreeing",
    ),
]


@pytest.fixture(autouse=True)
def no_real_keyring() -> Iterator[None]:
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]


def load(tmp_path: Path, text: str, name: str = "settings.toml") -> Settings:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def source_of(tmp_path: Path, body: str, name: str = "settings.toml") -> ContactSourceSettings:
    return load(tmp_path, HEAD + body, name).contacts.source("s")


@pytest.mark.parametrize(("new", "old"), SAME)
def test_both_spellings_load_the_same_and_save_the_issues(
    tmp_path: Path, new: str, old: str
) -> None:
    first = source_of(tmp_path, new, "new.toml")
    assert first == source_of(tmp_path, old, "old.toml")
    settings = load(tmp_path, HEAD + old, "old.toml")
    out = tmp_path / "out.toml"
    save_settings(settings, out)
    written = tomllib.loads(out.read_text())["contacts"]["sources"][1]
    assert "type" in written
    old_only = {"kind", "location", "host", "port", "security", "ignore_certificate"}
    assert not old_only & written.keys(), written
    assert not {"search_filter", "result_limit"} & written.keys(), written
    if written["type"] == "ldap":
        assert {"url", "starttls", "verify_tls", "filter", "max_results"} <= written.keys()
    assert load_settings(out).contacts.source("s") == first


def test_the_written_names_and_values(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        HEAD + 'kind = "ldap"\nhost = "127.0.0.1"\nport = 6360\nsecurity = "starttls"\n'
        "ignore_certificate = true\n"
        '\n[[contacts.sources]]\nid = "x"\nname = "X"\nkind = "xml"\n'
        'location = "http://127.0.0.1/pb.xml"\n',
    )
    out = tmp_path / "out.toml"
    save_settings(settings, out)
    ldap, xml = tomllib.loads(out.read_text())["contacts"]["sources"][1:]
    assert (ldap["url"], ldap["starttls"], ldap["verify_tls"]) == (
        "ldap://127.0.0.1:6360",
        True,
        False,
    )
    assert (ldap["filter"], ldap["max_results"]) == ("(objectClass=*)", 50)
    assert xml["url"] == "http://127.0.0.1/pb.xml" and "path" not in xml


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('type = "xml"\nkind = "ldap"\n', "type and kind both say"),
        ('type = "ldap"\nurl = "ldaps://pbx"\nstarttls = true\n', "is ldaps://"),
        ('type = "ldap"\nsecurity = "ldaps"\nstarttls = true\n', "contradict"),
        ('type = "ldap"\nsecurity = "starttls"\nstarttls = false\n', "contradict"),
        ('type = "ldap"\nurl = "ldap://a"\nhost = "b"\n', "url and host both say"),
        ('type = "ldap"\nurl = "ldaps://a"\nsecurity = "none"\n', "url and security"),
        ('type = "ldap"\nverify_tls = false\nignore_certificate = false\n', "verify_tls and"),
        ('type = "ldap"\nfilter = "(a=1)"\nsearch_filter = "(b=2)"\n', "filter and search"),
        ('type = "ldap"\nmax_results = 5\nresult_limit = 6\n', "max_results and result"),
        ('type = "ldap"\nurl = "http://pbx"\n', "not an LDAP address"),
        ('type = "ldap"\nurl = "ldap://pbx/dc=a"\n', "base_dn"),
        ('type = "ldap"\nstarttls = "yes"\n', "starttls must be true or false"),
        ('type = "xml"\nurl = "https://a/b.xml"\npath = "/b.xml"\n', "either url or path"),
        ('type = "xml"\nurl = "/b.xml"\n', "for a local file write path"),
        ('type = "xml"\npath = "https://a/b.xml"\n', "write it as url"),
        ('type = "xml"\nurl = "https://a/b"\nlocation = "/c"\n', "url and location"),
        ('type = "carddav"\npath = "/b"\n', "path is not a setting of a carddav"),
        ('type = "windows"\nurl = "https://a"\n', "url is not a setting of a windows"),
        ('type = "gopher"\n', "type 'gopher' is not one of"),
        ("enabled = true\n", "type is missing"),
        ('type = "xml"\nauth = "ntlm"\n', "none, basic, digest"),
        ('type = "windows"\npassword = "x"\n', "password is not a setting of a windows"),
    ],
)
def test_contradictions_and_faults_are_refused(tmp_path: Path, body: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, HEAD + body)
    assert words in str(caught.value), str(caught.value)
    assert "contacts" in str(caught.value)


def test_an_assignment_keeps_the_models_names(tmp_path: Path) -> None:
    source = source_of(tmp_path, 'type = "ldap"\nurl = "ldap://pbx"\nverify_tls = false\n')
    source.security = "starttls"  # what the settings dialog does
    source.port = 3890
    assert source.ignore_certificate is True
    out = tmp_path / "out.toml"
    settings = Settings()
    settings.contacts.sources.append(source)
    save_settings(settings, out)
    written = tomllib.loads(out.read_text())["contacts"]["sources"][1]
    assert (written["url"], written["starttls"]) == ("ldap://pbx:3890", True)


# --- passwords written in the file ----------------------------------------------------

LDAP_PW = 'type = "ldap"\nurl = "ldap://pbx"\nbind_dn = "cn=a"\npassword = "in-file"\n'


def test_a_file_password_is_used_and_written_back_only_to_its_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(HEAD + LDAP_PW)
    with caplog.at_level(logging.INFO):
        settings = load_settings(path)
    assert "contact source 'S'" in caplog.text and "used as given" in caplog.text
    source = settings.contacts.source("s")
    assert get_source_password(source) == "in-file"
    save_settings(settings, path)  # its own file: kept (nothing lost)
    written = tomllib.loads(path.read_text())["contacts"]["sources"][1]
    assert written["password"] == "in-file"
    caplog.clear()
    other = tmp_path / "other.toml"
    with caplog.at_level(logging.WARNING):
        save_settings(settings, other)  # another file: not copied there, and said so
    assert "in-file" not in other.read_text()
    assert "Not writing the password of contact source 'S'" in caplog.text
    assert "store it in the keyring" in caplog.text


def test_a_file_password_moves_to_the_keyring(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    path = tmp_path / "settings.toml"
    path.write_text(HEAD + LDAP_PW)
    settings = load_settings(path)
    assert move_source_passwords(settings.contacts.sources) == ["S"]
    save_settings(settings, path)
    assert backend.entries == {("parley", "contact-source:s"): "in-file"}
    assert "in-file" not in path.read_text()
    again = load_settings(path).contacts.source("s")
    assert again.password is None and get_source_password(again) == "in-file"


def test_a_new_password_replaces_the_files_copy(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    path = tmp_path / "settings.toml"
    path.write_text(HEAD + LDAP_PW)
    settings = load_settings(path)
    set_source_password(settings.contacts.source("s"), "new")
    save_settings(settings, path)
    assert "in-file" not in path.read_text() and "new" not in path.read_text()
    assert get_source_password(load_settings(path).contacts.source("s")) == "new"


def test_without_a_keyring_nothing_is_lost_and_the_error_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(HEAD + LDAP_PW)
    settings = load_settings(path)
    with pytest.raises(SecretStoreError) as caught:
        move_source_passwords(settings.contacts.sources)
    assert "install and unlock a keyring" in str(caught.value)
    assert "allow_plaintext_passwords = true" in str(caught.value)
    save_settings(settings, path)
    assert get_source_password(load_settings(path).contacts.source("s")) == "in-file"


def test_without_a_keyring_plain_text_only_by_consent(tmp_path: Path) -> None:
    settings = load(tmp_path, "allow_plaintext_passwords = true\n" + HEAD + 'type = "carddav"\n')
    source = settings.contacts.source("s")
    set_source_password(source, "typed", allow_plaintext=True)
    out = tmp_path / "out.toml"
    save_settings(settings, out)
    assert tomllib.loads(out.read_text())["contacts"]["sources"][1]["password"] == "typed"
