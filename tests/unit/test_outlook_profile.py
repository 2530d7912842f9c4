"""The Outlook source's profile, its password and its attribute mapping on the object-model
path (Windows only, so read here through a stand-in Outlook.Application carrying the object
model's names): the session is logged on to the profile with the profile's password from
the keyring, the Contacts folder is read, and the mapping chooses the fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from pydantic import ValidationError

from parley.contacts import outlook_com
from parley.contacts.cloud_sources import fetch_outlook
from parley.contacts.model import NumberType, PhoneNumber
from parley.contacts.outlook_com import OL_FOLDER_CONTACTS, fetch_outlook_contacts
from parley.contacts.outlook_fields import OutlookFieldMap
from parley.contacts.registry import ContactSources, RemoteSource
from parley.contacts.source import SourceKind, SourceProblem, SyncState
from parley.contacts.store import ContactStore
from parley.settings.contact_sources import (
    ContactSourceSettings,
    OutlookAttributes,
    get_source_password,
    local_source,
    set_source_password,
)


class Item:
    Class = 40

    def __init__(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self, name, value)


class Items:
    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.Count = len(items)

    def Item(self, index: int) -> Any:
        return self.items[index - 1]


class Namespace:
    def __init__(self, items: list[Any], profiles: dict[str, str]) -> None:
        self.items = items
        self.profiles = profiles  # profile -> its password
        self.calls: list[tuple[Any, ...]] = []
        self.logged_on: str | None = None

    def Logon(self, profile: str, password: str, show_dialog: bool, new_session: bool) -> None:
        self.calls.append(("Logon", profile, password, show_dialog, new_session))
        if self.profiles.get(profile or "Outlook") != password:
            raise OSError("(-2147221231, 'The logon to the profile failed.')")
        self.logged_on = profile or "Outlook"

    def GetDefaultFolder(self, number: int) -> Any:
        self.calls.append(("GetDefaultFolder", number))
        if self.logged_on is None:
            raise OSError("not logged on")
        folder = Item()
        folder.Items = Items(self.items)  # type: ignore[attr-defined]
        return folder


class Application:
    def __init__(self, namespace: Namespace) -> None:
        self.namespace = namespace

    def GetNamespace(self, name: str) -> Namespace:
        assert name == "MAPI"
        return self.namespace


ANNA = Item(
    EntryID="A1",
    FullName="Anna Berg",
    FirstName="Anna",
    LastName="Berg",
    CompanyName="Contoso",
    Department="Sales",
    BusinessTelephoneNumber="+49 30 1234567",
    MobileTelephoneNumber="+49 171 5550101",
    HomeTelephoneNumber="030 987654",
    BusinessFaxNumber="+49 30 1234569",
)


def _source(**more: Any) -> ContactSourceSettings:
    return ContactSourceSettings(
        id="desk", name="Outlook", kind=SourceKind.OUTLOOK, outlook_access="desktop", **more
    )


def test_logs_on_to_the_profile_with_its_password_and_reads_the_contacts() -> None:
    namespace = Namespace([ANNA], {"Work": "pst-secret"})
    source = _source(outlook_profile="Work")
    result = fetch_outlook(
        source,
        None,  # type: ignore[arg-type]  # no Graph here: no token store needed
        timeout=5,
        password="pst-secret",
        application=lambda: Application(namespace),
    )
    assert namespace.calls == [
        ("Logon", "Work", "pst-secret", False, True),
        ("GetDefaultFolder", OL_FOLDER_CONTACTS),
    ]
    assert not result.failed
    assert [c.name for c in result.contacts] == ["Anna Berg"]


def test_empty_profile_logs_on_to_the_default_one() -> None:
    namespace = Namespace([ANNA], {"Outlook": ""})
    result = fetch_outlook_contacts(application=lambda: Application(namespace))
    assert namespace.calls[0] == ("Logon", "", "", False, False)
    assert [c.name for c in result.contacts] == ["Anna Berg"]


def test_wrong_profile_password_is_auth_failed_naming_the_profile() -> None:
    namespace = Namespace([ANNA], {"Work": "pst-secret"})
    result = fetch_outlook_contacts(
        application=lambda: Application(namespace), profile="Work", password="wrong"
    )
    assert result.failed and result.contacts == ()
    [issue] = result.issues
    assert issue.problem is SourceProblem.AUTH_FAILED
    assert "'Work'" in issue.detail and "password" in issue.detail
    assert ("GetDefaultFolder", OL_FOLDER_CONTACTS) not in namespace.calls


def test_mapping_chooses_the_object_model_fields() -> None:
    namespace = Namespace([ANNA], {"Outlook": ""})
    fields = OutlookAttributes(company="department", business="mobilePhone", mobile="").field_map()
    result = fetch_outlook_contacts(application=lambda: Application(namespace), fields=fields)
    [anna] = result.contacts
    assert anna.company == "Sales"
    assert anna.numbers == (
        PhoneNumber("+49 171 5550101", NumberType.BUSINESS),
        PhoneNumber("030 987654", NumberType.HOME),
        PhoneNumber("+49 30 1234569", NumberType.FAX),
    )


def test_unknown_property_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        _source(outlook_attributes={"company": "Department"})
    text = str(caught.value)
    assert "'Department' is not a text property of an Outlook contact" in text
    assert "department" in text and "leave it empty" in text
    with pytest.raises(ValueError, match="not a text property"):
        OutlookFieldMap(home="homePhone")


def test_profile_and_mapping_are_outlook_settings_only() -> None:
    with pytest.raises(ValidationError, match="outlook_profile is not a setting of a ldap"):
        ContactSourceSettings(id="l", name="L", kind=SourceKind.LDAP, outlook_profile="Work")
    dumped = _source(outlook_profile="Work").model_dump(mode="json")
    assert dumped["outlook_profile"] == "Work"
    assert dumped["outlook_attributes"]["business"] == "businessPhones"
    assert dumped.get("password") is None  # the profile's password: the keyring's


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


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    try:
        yield store
    finally:
        keyring.set_keyring(before)


def test_the_sync_logs_on_with_the_profile_password_from_the_keyring(
    memory_keyring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The whole way: keyring -> registry -> fetcher -> Logon, with Windows pretended (the
    # object model is the stand-in; pywin32's Dispatch is the only part left out).
    namespace = Namespace([ANNA], {"Work": "pst-secret"})
    monkeypatch.setattr(outlook_com, "outlook_com_supported", lambda platform=None: True)
    monkeypatch.setattr(
        outlook_com,
        "_read_with_com",
        lambda reading: outlook_com._read(Application(namespace), reading),
    )
    source = _source(
        outlook_profile="Work", outlook_attributes=OutlookAttributes(company="department")
    )
    set_source_password(source, "pst-secret")
    assert memory_keyring.stored == {("parley", "contact-source:desk"): "pst-secret"}
    store = ContactStore(tmp_path / "contacts.sqlite3", default_region="DE")
    registry = ContactSources(
        [local_source(), source],
        store,
        data_dir=tmp_path,
        default_region="DE",
        password_of=get_source_password,
    )
    try:
        remote = registry.get("desk")
        assert isinstance(remote, RemoteSource)
        status = registry.sync_now(remote)
        assert status.state is SyncState.OK, status
        assert namespace.calls[0] == ("Logon", "Work", "pst-secret", False, True)
        [anna] = remote.contacts()
        assert (anna.name, anna.company) == ("Anna Berg", "Sales")
    finally:
        registry.stop()
        store.close()
