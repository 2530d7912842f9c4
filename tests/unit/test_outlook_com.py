"""Outlook's object model (parley.contacts.outlook_com): off Windows the answer says plainly
that only Microsoft Graph reaches Outlook's contacts; the reading of the items is tested
with stand-in objects carrying the object model's names (real Outlook is untested here)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from parley.contacts.model import NumberType, PhoneNumber
from parley.contacts.outlook_com import (
    GRAPH_ONLY_DETAIL,
    OL_FOLDER_CONTACTS,
    fetch_outlook_contacts,
    outlook_com_supported,
)
from parley.contacts.source import SourceProblem


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_off_windows_says_only_graph_works(platform: str) -> None:
    result = fetch_outlook_contacts(platform=platform)
    assert result.failed and result.contacts == ()
    [issue] = result.issues
    assert issue.problem is SourceProblem.UNSUPPORTED
    assert issue.detail == GRAPH_ONLY_DETAIL
    assert "Linux and macOS" in issue.detail and "Microsoft Graph" in issue.detail


@pytest.mark.skipif(sys.platform.startswith("win"), reason="the non-Windows path")
def test_this_machine_is_not_windows() -> None:
    assert not outlook_com_supported()
    assert fetch_outlook_contacts().issues[0].problem is SourceProblem.UNSUPPORTED
    assert outlook_com_supported("win32")


class Item:
    def __init__(self, cls: int = 40, **fields: Any) -> None:
        self.Class = cls
        for name, value in fields.items():
            setattr(self, name, value)


class Broken:
    @property
    def Class(self) -> int:
        raise OSError("(-2147221233, 'The attempted operation failed.')")


class Items:
    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.Count = len(items)

    def Item(self, index: int) -> Any:
        if index < 1:
            raise IndexError("COM collections count from 1")
        return self.items[index - 1]


class Outlook:
    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.asked: list[Any] = []

    def GetNamespace(self, name: str) -> Outlook:
        self.asked.append(name)
        return self

    def Logon(self, *args: Any) -> None:
        self.asked.append(args)

    def GetDefaultFolder(self, number: int) -> Any:
        self.asked.append(number)
        folder = Item()
        folder.Items = Items(self.items)  # type: ignore[attr-defined]
        return folder


def test_items_are_read_with_every_phone_field() -> None:
    outlook = Outlook(
        [
            Item(
                EntryID="00000000A1",
                FullName="Anna Berg",
                FirstName="Anna",
                LastName="Berg",
                CompanyName="Contoso",
                BusinessTelephoneNumber="+49 30 1234567",
                MobileTelephoneNumber="+49 171 5550101",
                HomeTelephoneNumber="030 987654",
                BusinessFaxNumber="+49 30 1234569",
                OtherTelephoneNumber="**610",
                Email1Address="anna@example.com",
            ),
            Item(cls=69, DLName="Team"),  # a distribution list: left out quietly
            Item(EntryID="00000000B2", FullName="No Number"),
            Item(EntryID="00000000C3", MobileTelephoneNumber="+1 425 555 0100"),
            Broken(),
            Item(EntryID="00000000D4", CompanyName="Acme", CompanyMainTelephoneNumber="+43 1 555"),
        ]
    )
    result = fetch_outlook_contacts(application=lambda: outlook)
    assert outlook.asked == ["MAPI", ("", "", False, False), OL_FOLDER_CONTACTS]
    assert not result.failed
    assert [c.name for c in result.contacts] == ["Anna Berg", "Acme"]
    assert result.contacts[0].numbers == (
        PhoneNumber("+49 30 1234567", NumberType.BUSINESS),
        PhoneNumber("+49 171 5550101", NumberType.MOBILE),
        PhoneNumber("030 987654", NumberType.HOME),
        PhoneNumber("+49 30 1234569", NumberType.FAX),
        PhoneNumber("**610", NumberType.OTHER),
    )
    skipped = {(i.where, i.detail.split(" (")[0]) for i in result.issues}
    assert skipped == {
        ("item 00000000B2", "no phone number"),
        ("item 00000000C3", "no name"),
        ("item 5", "unreadable"),
    }


def test_no_profile_is_unreachable() -> None:
    class NoProfile:
        def GetNamespace(self, name: str) -> Any:
            raise OSError("The operation failed: no profile")

    result = fetch_outlook_contacts(application=NoProfile)
    assert result.failed and result.issues[0].problem is SourceProblem.UNREACHABLE
    assert "no profile" in result.issues[0].detail


def test_item_limit() -> None:
    outlook = Outlook(
        [Item(FullName=f"P{i}", MobileTelephoneNumber=f"+4917{i:05d}") for i in range(5)]
    )
    result = fetch_outlook_contacts(application=lambda: outlook, max_items=3)
    assert len(result.contacts) == 3 and not result.failed
    assert [i.problem for i in result.issues] == [SourceProblem.TOO_LARGE]
