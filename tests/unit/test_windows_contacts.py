"""Windows Contacts folders: .contact files read on any OS, a bad file skipped by name, the
folder's signature for cheap change detection (parley.contacts.windows_contacts)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from parley.contacts.model import NumberType
from parley.contacts.source import SourceProblem
from parley.contacts.windows_contacts import folder_signature, read_folder

# As Windows writes them (Windows 10 "Contacts" folder), trimmed of ids and dates.
ANNA = """\ufeff<?xml version="1.0" encoding="UTF-8"?>
<c:contact c:Version="1" xmlns:c="http://schemas.microsoft.com/Contact" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:MSP2P="http://schemas.microsoft.com/Contact/Extended/MSP2P">
\t<c:CreationDate>2024-03-01T09:12:44Z</c:CreationDate>
\t<c:Extended xsi:nil="true"/>
\t<c:ContactIDCollection><c:ContactID c:ElementID="5b7a"><c:Value>9f1e-aa</c:Value></c:ContactID></c:ContactIDCollection>
\t<c:EmailAddressCollection><c:EmailAddress c:ElementID="e1"><c:Type>SMTP</c:Type><c:Address>anna.berg@example.com</c:Address><c:LabelCollection><c:Label>Preferred</c:Label></c:LabelCollection></c:EmailAddress></c:EmailAddressCollection>
\t<c:NameCollection>
\t\t<c:Name c:ElementID="n1">
\t\t\t<c:FormattedName>Anna Berg</c:FormattedName>
\t\t\t<c:GivenName>Anna</c:GivenName>
\t\t\t<c:FamilyName>Berg</c:FamilyName>
\t\t</c:Name>
\t</c:NameCollection>
\t<c:PhoneNumberCollection>
\t\t<c:PhoneNumber c:ElementID="p1"><c:Number>+49 30 1234567</c:Number><c:LabelCollection><c:Label>Voice</c:Label><c:Label>Business</c:Label></c:LabelCollection></c:PhoneNumber>
\t\t<c:PhoneNumber c:ElementID="p2"><c:Number>0171 7654321</c:Number><c:LabelCollection><c:Label>Cellular</c:Label></c:LabelCollection></c:PhoneNumber>
\t\t<c:PhoneNumber c:ElementID="p3"><c:Number>030 998877</c:Number><c:LabelCollection><c:Label>Voice</c:Label><c:Label>Personal</c:Label></c:LabelCollection></c:PhoneNumber>
\t\t<c:PhoneNumber c:ElementID="p4"><c:Number>+49 30 1234599</c:Number><c:LabelCollection><c:Label>Fax</c:Label><c:Label>Business</c:Label></c:LabelCollection></c:PhoneNumber>
\t\t<c:PhoneNumber c:ElementID="p5"><c:Number>555 0100</c:Number><c:LabelCollection><c:Label>Voice</c:Label></c:LabelCollection></c:PhoneNumber>
\t</c:PhoneNumberCollection>
\t<c:PositionCollection>
\t\t<c:Position c:ElementID="o1"><c:Company>Berg &amp; Söhne KG</c:Company><c:JobTitle>Einkauf</c:JobTitle><c:LabelCollection><c:Label>Business</c:Label></c:LabelCollection></c:Position>
\t</c:PositionCollection>
</c:contact>
"""

# A company-only contact with a Home label as some exporters write it.
ACME = """<?xml version="1.0" encoding="UTF-8"?>
<c:contact c:Version="1" xmlns:c="http://schemas.microsoft.com/Contact">
  <c:NameCollection><c:Name><c:FormattedName></c:FormattedName></c:Name></c:NameCollection>
  <c:PhoneNumberCollection>
    <c:PhoneNumber><c:Number>0800 123 456</c:Number><c:LabelCollection><c:Label>Home</c:Label></c:LabelCollection></c:PhoneNumber>
  </c:PhoneNumberCollection>
  <c:PositionCollection><c:Position><c:Company>ACME Hotline</c:Company></c:Position></c:PositionCollection>
</c:contact>
"""

EMAIL_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<c:contact c:Version="1" xmlns:c="http://schemas.microsoft.com/Contact">
  <c:NameCollection><c:Name><c:GivenName>Carl</c:GivenName><c:FamilyName>Dahl</c:FamilyName></c:Name></c:NameCollection>
</c:contact>
"""

BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<c:contact xmlns:c="http://schemas.microsoft.com/Contact"><c:NameCollection><c:Name>
"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<c:contact xmlns:c="http://schemas.microsoft.com/Contact"><c:NameCollection><c:Name>
<c:FormattedName>&b;</c:FormattedName></c:Name></c:NameCollection></c:contact>
"""

NOT_A_CONTACT = "<?xml version='1.0'?><vcard/>"


def write_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Anna Berg.contact").write_text(ANNA, encoding="utf-8")
    (folder / "ACME.CONTACT").write_text(ACME, encoding="utf-8")
    (folder / "Carl Dahl.contact").write_text(EMAIL_ONLY, encoding="utf-8")
    (folder / "broken.contact").write_text(BROKEN, encoding="utf-8")
    (folder / "laughs.contact").write_text(LAUGHS, encoding="utf-8")
    (folder / "other.contact").write_text(NOT_A_CONTACT, encoding="utf-8")
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\n")
    (folder / "Group.group").write_text("<group/>")
    return folder


def test_folder_is_read_and_bad_files_are_skipped_by_name(tmp_path: Path) -> None:
    result = read_folder(write_folder(tmp_path / "Contacts"))
    assert not result.failed
    by_name = {c.name: c for c in result.contacts}
    assert sorted(by_name) == ["ACME Hotline", "Anna Berg", "Carl Dahl"]

    anna = by_name["Anna Berg"]
    assert (anna.first_name, anna.last_name, anna.company) == ("Anna", "Berg", "Berg & Söhne KG")
    assert [(n.number, n.type) for n in anna.numbers] == [
        ("+49 30 1234567", NumberType.BUSINESS),
        ("0171 7654321", NumberType.MOBILE),
        ("030 998877", NumberType.HOME),
        ("+49 30 1234599", NumberType.FAX),
        ("555 0100", NumberType.OTHER),
    ]
    acme = by_name["ACME Hotline"]
    assert [(n.number, n.type) for n in acme.numbers] == [("0800 123 456", NumberType.HOME)]
    assert by_name["Carl Dahl"].numbers == ()  # kept; "hide contacts without phone" filters

    skipped = {i.where: i for i in result.issues}
    assert set(skipped) == {"broken.contact", "laughs.contact", "other.contact"}
    assert all(i.problem is SourceProblem.ENTRY_SKIPPED for i in result.issues)
    assert "not XML" in skipped["broken.contact"].detail
    assert "entity" in skipped["laughs.contact"].detail
    assert "vcard" in skipped["other.contact"].detail


def test_missing_folder_fails_plainly(tmp_path: Path) -> None:
    result = read_folder(tmp_path / "nowhere")
    assert result.failed and [i.problem for i in result.issues] == [SourceProblem.NOT_FOUND]
    file = tmp_path / "file.contact"
    file.write_text(ANNA)
    assert [i.problem for i in read_folder(file).issues] == [SourceProblem.NOT_FOUND]


def test_empty_folder_is_a_good_empty_read(tmp_path: Path) -> None:
    result = read_folder(tmp_path)
    assert result.contacts == () and result.issues == () and not result.failed


def test_folder_of_only_bad_files_failed(tmp_path: Path) -> None:
    (tmp_path / "a.contact").write_text(BROKEN)
    result = read_folder(tmp_path)
    assert result.failed and len(result.issues) == 1


def test_signature_changes_with_the_files(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "Contacts")
    first = folder_signature(folder)
    assert [name for name, _, _ in first] == [
        "ACME.CONTACT",
        "Anna Berg.contact",
        "Carl Dahl.contact",
        "broken.contact",
        "laughs.contact",
        "other.contact",
    ]
    assert folder_signature(folder) == first  # nothing changed, nothing read

    (folder / "desktop.ini").write_text("changed")  # not a contact: no change
    assert folder_signature(folder) == first

    anna = folder / "Anna Berg.contact"
    anna.write_text(ANNA.replace("Anna Berg", "Anna Berg-Lund"), encoding="utf-8")
    later = time.time() + 5
    os.utime(anna, (later, later))
    edited = folder_signature(folder)
    assert edited != first
    assert "Anna Berg-Lund" in {c.name for c in read_folder(folder).contacts}

    (folder / "broken.contact").unlink()
    assert len(folder_signature(folder)) == len(edited) - 1
    assert folder_signature(tmp_path / "nowhere") == ()
