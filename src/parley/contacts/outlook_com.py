"""Outlook's own contacts on Windows, through the Outlook object model (COM):
`fetch_outlook_contacts() -> FetchResult`. Synchronous, for a worker thread; never raises.

On Windows with Outlook (desktop, "classic") installed and pywin32 importable, the
session is logged on to the source's profile (empty: the default one, with the profile's
password when it has one) and the default Contacts folder is read: the fields the
attribute mapping (`OutlookFieldMap`, Graph's names translated to the object model's)
chooses, and the phone fields Graph has no property for (fax, other, car …). pywin32 is not a dependency of Parley: without
it the answer is UNSUPPORTED saying so.

On Linux and macOS there is no Outlook object model: the answer is UNSUPPORTED, and the
detail says plainly that Outlook's contacts are reached there only through Microsoft Graph
(`parley.contacts.outlook_graph`, with a Microsoft 365 or Outlook.com account). The "new
Outlook" for Windows has no object model either; Graph serves it too.

Untested on a real Outlook here (the test machine runs Linux): the reading of the items is
tested with stand-in objects that have the object model's names.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parley.contacts.model import Contact, NumberType
from parley.contacts.outlook_fields import NUMBER_FIELDS, OutlookFieldMap, desktop_names
from parley.contacts.phonebook_formats import EntryBuilder
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem

__all__ = [
    "GRAPH_ONLY_DETAIL",
    "OL_CLASS_CONTACT",
    "OL_FOLDER_CONTACTS",
    "PHONE_FIELDS",
    "contact_from_item",
    "fetch_outlook_contacts",
    "outlook_com_supported",
]

OL_FOLDER_CONTACTS = 10  # OlDefaultFolders.olFolderContacts
OL_CLASS_CONTACT = 40  # OlObjectClass.olContact (distribution lists are 69: not people)
MAX_ITEMS = 100_000
WHERE = "Outlook contacts"

GRAPH_ONLY_DETAIL = (
    "the Outlook object model exists only on Windows with Outlook installed; on Linux and "
    "macOS, Outlook's contacts are reachable only through Microsoft Graph (an Outlook "
    "source of the kind Microsoft 365 / Outlook.com, signed in with a device code)"
)

# ContactItem's phone properties and the kind each is; those of the default mapping's
# number fields (business, mobile, home) are read as the mapping says instead.
PHONE_FIELDS: tuple[tuple[str, NumberType], ...] = (
    ("BusinessTelephoneNumber", NumberType.BUSINESS),
    ("Business2TelephoneNumber", NumberType.BUSINESS),
    ("CompanyMainTelephoneNumber", NumberType.BUSINESS),
    ("MobileTelephoneNumber", NumberType.MOBILE),
    ("CarTelephoneNumber", NumberType.MOBILE),
    ("HomeTelephoneNumber", NumberType.HOME),
    ("Home2TelephoneNumber", NumberType.HOME),
    ("BusinessFaxNumber", NumberType.FAX),
    ("HomeFaxNumber", NumberType.FAX),
    ("OtherFaxNumber", NumberType.FAX),
    ("PrimaryTelephoneNumber", NumberType.OTHER),
    ("OtherTelephoneNumber", NumberType.OTHER),
    ("AssistantTelephoneNumber", NumberType.OTHER),
    ("CallbackTelephoneNumber", NumberType.OTHER),
    ("ISDNNumber", NumberType.OTHER),
    ("RadioTelephoneNumber", NumberType.OTHER),
)


def outlook_com_supported(platform: str | None = None) -> bool:
    """Whether this OS can have the Outlook object model at all (Windows)."""
    return (platform or sys.platform).startswith(("win32", "cygwin"))


def _fail(problem: SourceProblem, detail: str) -> FetchResult:
    return FetchResult(issues=(SourceIssue(problem, WHERE, detail),), failed=True)


@dataclass(frozen=True)
class _Reading:
    profile: str
    password: str
    fields: OutlookFieldMap
    max_items: int


def fetch_outlook_contacts(
    *,
    platform: str | None = None,
    application: Callable[[], Any] | None = None,
    max_items: int = MAX_ITEMS,
    profile: str | None = None,
    password: str | None = None,
    fields: OutlookFieldMap | None = None,
) -> FetchResult:
    """The contacts of the default Contacts folder of Outlook's `profile` (None or empty:
    the default profile), logged on with the profile's `password` (not the mail's).

    `application` makes the Outlook.Application object (tests pass a stand-in); by
    default, on Windows, pywin32's `Dispatch("Outlook.Application")`."""
    reading = _Reading(profile or "", password or "", fields or OutlookFieldMap(), max_items)
    try:
        if application is not None:
            return _read(application(), reading)
        if not outlook_com_supported(platform):
            return _fail(SourceProblem.UNSUPPORTED, GRAPH_ONLY_DETAIL)
        return _read_with_com(reading)
    except Exception as exc:  # a fetch reports, it never raises into the caller's thread
        return _fail(SourceProblem.UNREACHABLE, f"Outlook could not be read: {exc!r}")


def _read_with_com(reading: _Reading) -> FetchResult:  # pragma: no cover - Windows only
    try:
        import pythoncom  # type: ignore[import-not-found,unused-ignore]
        import win32com.client  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _fail(
            SourceProblem.UNSUPPORTED,
            "pywin32 is not installed, so Outlook cannot be asked directly: install it "
            "(pip install pywin32) or use Microsoft Graph",
        )
    # COM is set up per thread: this runs on a worker thread of its own.
    pythoncom.CoInitialize()
    try:
        try:
            outlook = win32com.client.Dispatch("Outlook.Application")
        except Exception as exc:  # pywintypes.com_error: not installed, not registered
            return _fail(
                SourceProblem.NOT_FOUND,
                f"Outlook is not installed or cannot be started ({exc}); the new Outlook "
                "has no object model: use Microsoft Graph for it",
            )
        return _read(outlook, reading)
    finally:
        pythoncom.CoUninitialize()


def _read(outlook: Any, reading: _Reading) -> FetchResult:
    max_items = reading.max_items
    try:
        namespace = outlook.GetNamespace("MAPI")
    except Exception as exc:
        return _fail(
            SourceProblem.UNREACHABLE, f"Outlook's MAPI session could not be opened ({exc})"
        )
    try:
        # Profile, Password, ShowDialog, NewSession: never a dialog (no one may be there to
        # answer it); a named profile gets its own session unless Outlook already runs one.
        namespace.Logon(reading.profile, reading.password, False, bool(reading.profile))
    except Exception as exc:  # unknown profile, wrong password
        said = f"profile {reading.profile!r}" if reading.profile else "the default profile"
        return _fail(
            SourceProblem.AUTH_FAILED,
            f"Outlook could not log on to {said} ({exc}); check the profile name "
            "(Control Panel › Mail › Show Profiles) and its password",
        )
    try:
        folder = namespace.GetDefaultFolder(OL_FOLDER_CONTACTS)
        items = folder.Items
        count = int(items.Count)
    except Exception as exc:  # no profile, store offline
        return _fail(SourceProblem.UNREACHABLE, f"the Contacts folder cannot be opened ({exc})")
    contacts: list[Contact] = []
    issues: list[SourceIssue] = []
    for index in range(1, min(count, max_items) + 1):  # COM collections count from 1
        try:
            item = items.Item(index)
            if int(getattr(item, "Class", OL_CLASS_CONTACT)) != OL_CLASS_CONTACT:
                continue  # a distribution list: no person, no number
            contact, found = contact_from_item(item, index, reading.fields)
        except Exception as exc:  # one broken item must not lose the others
            where = f"item {index}"
            issues.append(SourceIssue(SourceProblem.ENTRY_SKIPPED, where, f"unreadable ({exc})"))
            continue
        issues.extend(found)
        if contact is not None:
            contacts.append(contact)
    if count > max_items:
        issues.append(
            SourceIssue(
                SourceProblem.TOO_LARGE, WHERE, f"{count} items; only the first {max_items} read"
            )
        )
    return FetchResult(contacts=tuple(contacts), issues=tuple(issues))


def _prop(item: Any, name: str) -> str:
    value = getattr(item, name, "")
    return value if isinstance(value, str) else ""


def _mapped(item: Any, graph_name: str) -> str:
    return next((v for v in (_prop(item, n) for n in desktop_names(graph_name)) if v), "")


# Read by the mapping's number fields when they are left at their defaults.
_DEFAULT_NUMBER_PROPERTIES = frozenset(
    name for key, _kind in NUMBER_FIELDS for name in desktop_names(getattr(OutlookFieldMap(), key))
)


def contact_from_item(
    item: Any, index: int, fields: OutlookFieldMap | None = None
) -> tuple[Contact | None, tuple[SourceIssue, ...]]:
    """One ContactItem as a Contact, the fields chosen by `fields` (default: the usual
    ones), or None and why (no name, no number: ENTRY_SKIPPED)."""
    fields = fields or OutlookFieldMap()
    entry_id = _prop(item, "EntryID")
    where = f"item {entry_id}" if entry_id else f"item {index}"
    builder = EntryBuilder(where)
    builder.display_name = _mapped(item, fields.display_name)
    builder.first_name = _mapped(item, fields.first_name)
    builder.last_name = _mapped(item, fields.last_name)
    builder.company = _mapped(item, fields.company)
    for key, kind in NUMBER_FIELDS:
        for name in desktop_names(getattr(fields, key)):
            builder.add_number(_prop(item, name), kind)
    for name, kind in PHONE_FIELDS:
        if name not in _DEFAULT_NUMBER_PROPERTIES:  # those only as the mapping says
            builder.add_number(_prop(item, name), kind)
    contact = builder.finish()
    issues = list(builder.issues)
    if contact is not None and not contact.has_number:
        issues.append(SourceIssue(SourceProblem.ENTRY_SKIPPED, where, "no phone number"))
        contact = None
    elif contact is not None and not contact.has_name:
        issues.append(SourceIssue(SourceProblem.ENTRY_SKIPPED, where, "no name"))
        contact = None
    return contact, tuple(issues)
