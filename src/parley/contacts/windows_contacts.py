"""Windows Contacts: the `.contact` files of a folder (XML in the namespace
http://schemas.microsoft.com/Contact), read on any OS.

What is read: `NameCollection/Name` (FormattedName, GivenName, FamilyName; the first Name),
`PhoneNumberCollection/PhoneNumber` (Number with its labels: Cellular → mobile, Fax → fax,
Business → business, Personal/Home → home, Voice alone → other) and the company of
`PositionCollection/Position`. Every file goes through defusedxml; a file that cannot be
read is one ENTRY_SKIPPED issue naming it, the others are still read.

`folder_signature` is what a caller polls to see that the folder changed (names, sizes,
modification times of the .contact files) without reading them.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from parley.contacts.model import Contact, NumberType
from parley.contacts.phonebook_formats import EntryBuilder, parse_xml_bytes
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem

NS = "http://schemas.microsoft.com/Contact"
SUFFIX = ".contact"
MAX_FILE_BYTES = 10_000_000  # a contact with a large picture stays well below this


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _label_type(labels: set[str]) -> NumberType:
    if "cellular" in labels or "mobile" in labels:
        return NumberType.MOBILE
    if "fax" in labels:
        return NumberType.FAX
    if "business" in labels or "work" in labels:
        return NumberType.BUSINESS
    if "personal" in labels or "home" in labels:
        return NumberType.HOME
    return NumberType.OTHER


def _labels(element: ET.Element) -> set[str]:
    found = set()
    for label in element.iter(_q("Label")):
        text = (label.text or "").strip()
        # Labels are plain words ("Voice", "Cellular") or, from some writers, URIs.
        found.add(text.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return found


def _first_text(parent: ET.Element | None, name: str) -> str:
    if parent is None:
        return ""
    child = parent.find(_q(name))
    return "".join(child.itertext()) if child is not None else ""


def contact_from_tree(root: ET.Element, where: str) -> tuple[Contact | None, list[SourceIssue]]:
    """The contact of one parsed .contact document, or None and the reason."""
    if root.tag != _q("contact"):
        return None, [
            SourceIssue(
                SourceProblem.ENTRY_SKIPPED,
                where,
                f"not a Windows contact (root element {root.tag!r})",
            )
        ]
    b = EntryBuilder(where=where)
    name = root.find(f"{_q('NameCollection')}/{_q('Name')}")
    b.display_name = _first_text(name, "FormattedName")
    b.first_name = _first_text(name, "GivenName")
    b.last_name = _first_text(name, "FamilyName")
    position = root.find(f"{_q('PositionCollection')}/{_q('Position')}")
    b.company = _first_text(position, "Company")
    for phone in root.iterfind(f"{_q('PhoneNumberCollection')}/{_q('PhoneNumber')}"):
        b.add_number(_first_text(phone, "Number"), _label_type(_labels(phone)))
    contact = b.finish()
    return contact, b.issues


def read_contact_file(path: Path) -> tuple[Contact | None, list[SourceIssue]]:
    where = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [
                SourceIssue(
                    SourceProblem.ENTRY_SKIPPED,
                    where,
                    f"larger than {MAX_FILE_BYTES} bytes",
                )
            ]
        data = path.read_bytes()
    except OSError as exc:
        detail = f"cannot be read ({exc.strerror or exc})"
        return None, [SourceIssue(SourceProblem.ENTRY_SKIPPED, where, detail)]
    root, problem = parse_xml_bytes(data)
    if root is None:
        return None, [SourceIssue(SourceProblem.ENTRY_SKIPPED, where, problem)]
    return contact_from_tree(root, where)


def _contact_files(path: Path) -> list[os.DirEntry[str]]:
    with os.scandir(path) as entries:
        found = [e for e in entries if e.name.lower().endswith(SUFFIX) and e.is_file()]
    return sorted(found, key=lambda e: e.name)


def read_folder(path: Path) -> FetchResult:
    """Every .contact file of `path`; never raises."""
    path = Path(path)
    where = str(path)
    try:
        files = _contact_files(path)
    except FileNotFoundError:
        return _fail(SourceProblem.NOT_FOUND, where, "no such folder")
    except NotADirectoryError:
        return _fail(SourceProblem.NOT_FOUND, where, "not a folder")
    except PermissionError as exc:
        return _fail(SourceProblem.AUTH_FAILED, where, f"not allowed to read it ({exc.strerror})")
    except OSError as exc:
        return _fail(SourceProblem.UNREACHABLE, where, f"cannot be read ({exc.strerror or exc})")
    contacts: list[Contact] = []
    issues: list[SourceIssue] = []
    for entry in files:
        contact, found = read_contact_file(Path(entry.path))
        issues.extend(found)
        if contact is not None:
            contacts.append(contact)
    # Files that were all unusable would wipe a good cache: count it as a failed read.
    return FetchResult(
        contacts=tuple(contacts), issues=tuple(issues), failed=bool(files) and not contacts
    )


def folder_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """(name, size, mtime in ns) of every .contact file, sorted; () when unreadable.

    Equal signatures mean nothing to read again (polling this is cheap: no file is opened).
    """
    try:
        files = _contact_files(path)
        return tuple((e.name, st.st_size, st.st_mtime_ns) for e in files for st in [e.stat()])
    except OSError:
        return ()


def _fail(problem: SourceProblem, where: str, detail: str) -> FetchResult:
    return FetchResult(issues=(SourceIssue(problem, where, detail),), failed=True)
