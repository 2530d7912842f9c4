"""Local contacts: the fields, the display name derived as the manual says, validation.

The manual's rules: a contact needs at least one phone number and at least one of last
name, display name or company. The name shown is the display name; when that is empty it
is made from first and last name, and when those are empty too, from the company.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from parley.contacts.numbers import clean_number, is_dialable, is_sip_address

MAX_AVATAR_BYTES = 1024 * 1024
MAX_TEXT = 200


class NumberType(StrEnum):
    """The kind of a phone number (values are stored: never rename)."""

    BUSINESS = "business"
    MOBILE = "mobile"
    HOME = "home"
    FAX = "fax"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class PhoneNumber:
    number: str
    type: NumberType = NumberType.OTHER


@dataclass(frozen=True)
class ContactProblem:
    """One reason a contact cannot be saved: the field concerned and a sentence."""

    field: str
    message: str


class ContactError(ValueError):
    """A contact is not valid; `problems` lists every reason, `str()` joins them."""

    def __init__(self, problems: Iterable[ContactProblem]) -> None:
        self.problems: tuple[ContactProblem, ...] = tuple(problems)
        super().__init__(" ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class Contact:
    """A local contact. Immutable: edit with `dataclasses.replace`.

    `display_name` is what the user typed (may be empty); `name` is what is shown.
    `avatar` holds the picture's bytes (PNG/JPEG as read from a file), or None.
    `presence`: the address whose presence (online, busy...) is shown with the contact —
    a number (on the presence account's domain) or a SIP address; "" for none.
    `presence_account`: the name of the account through which that presence is watched
    (the manual's "Presence account" when adding a contact); "" for the contact source's
    choice (Settings › Contacts), or every account that subscribes presence.
    `id` is None until the contact is stored.
    """

    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    company: str = ""
    numbers: tuple[PhoneNumber, ...] = ()
    favourite: bool = False
    avatar: bytes | None = field(default=None, repr=False)
    id: int | None = None
    presence: str = ""
    presence_account: str = ""

    @property
    def name(self) -> str:
        """The name shown in lists and the call window (the manual's derived display name)."""
        if self.display_name.strip():
            return self.display_name.strip()
        full = " ".join(p for p in (self.first_name.strip(), self.last_name.strip()) if p)
        return full or self.company.strip()

    @property
    def has_name(self) -> bool:
        return bool(self.name)

    @property
    def has_number(self) -> bool:
        return any(n.number.strip() for n in self.numbers)

    def problems(self) -> list[ContactProblem]:
        """Everything that keeps this contact from being saved (empty when valid)."""
        found: list[ContactProblem] = []
        if not (self.last_name.strip() or self.display_name.strip() or self.company.strip()):
            found.append(ContactProblem("name", "Enter a last name, a display name or a company."))
        if not self.has_number:
            found.append(ContactProblem("numbers", "Add at least one phone number."))
        for index, entry in enumerate(self.numbers, start=1):
            text = entry.number.strip()
            if not text:
                if len(self.numbers) > 1:
                    found.append(
                        ContactProblem(
                            f"numbers[{index}]",
                            f"Phone number {index} is empty: fill it in or remove it.",
                        )
                    )
            elif not (is_dialable(text) or is_sip_address(text)):
                found.append(
                    ContactProblem(
                        f"numbers[{index}]",
                        f"Phone number {index} ({text!r}) is neither a phone number "
                        "(digits, +, * and #) nor a SIP address.",
                    )
                )
        watched = self.presence.strip()
        if watched and not (is_dialable(watched) or is_sip_address(watched)):
            found.append(
                ContactProblem(
                    "presence",
                    f"The presence address ({watched!r}) is neither a phone number nor a "
                    "SIP address.",
                )
            )
        for name in (
            "first_name",
            "last_name",
            "display_name",
            "company",
            "presence",
            "presence_account",
        ):
            value: str = getattr(self, name)
            label = name.replace("_", " ").capitalize()
            if any(ord(c) < 32 or ord(c) == 127 for c in value):
                found.append(ContactProblem(name, f"{label} contains control characters."))
            elif len(value) > MAX_TEXT:
                found.append(ContactProblem(name, f"{label} is longer than {MAX_TEXT} characters."))
        if self.avatar is not None and len(self.avatar) > MAX_AVATAR_BYTES:
            found.append(
                ContactProblem(
                    "avatar",
                    f"The picture is larger than {MAX_AVATAR_BYTES // 1024} KB; "
                    "choose a smaller one.",
                )
            )
        return found

    def validate(self) -> None:
        """Raise `ContactError` naming every problem, if there is any."""
        found = self.problems()
        if found:
            raise ContactError(found)


def initials(contact: Contact) -> str:
    """Up to two capital letters for an avatar without a picture ("" when there is no name).

    First and last name when known (Anna Berg → "AB"), else the first letters of the
    first two words of the shown name (display name or company).
    """
    first, last = contact.first_name.strip(), contact.last_name.strip()
    if first or last:
        return "".join(part[0] for part in (first, last) if part).upper()
    words = [w for w in contact.name.split() if w[0].isalnum()]
    return "".join(w[0] for w in words[:2]).upper()


def read_avatar(path: Path) -> bytes:
    """The bytes of a picture file for `Contact.avatar`; ContactError when unusable."""
    try:
        size = path.stat().st_size
        if size > MAX_AVATAR_BYTES:
            raise ContactError(
                [
                    ContactProblem(
                        "avatar",
                        f"{path} is larger than {MAX_AVATAR_BYTES // 1024} KB; "
                        "choose a smaller picture.",
                    )
                ]
            )
        return path.read_bytes()
    except OSError as exc:
        raise ContactError(
            [ContactProblem("avatar", f"{path} cannot be read ({exc.strerror or exc}).")]
        ) from exc


def filter_contacts(
    contacts: Iterable[Contact],
    *,
    search: str = "",
    favourites_only: bool = False,
    hide_without_name: bool = False,
    hide_without_number: bool = False,
) -> list[Contact]:
    """The manual's list filters, for any source of contacts.

    `search` matches any part of the names or the company (case-insensitive), or of a
    number (ignoring separators).
    """
    needle = search.strip().casefold()
    digits = clean_number(search)
    out: list[Contact] = []
    for contact in contacts:
        if favourites_only and not contact.favourite:
            continue
        if hide_without_name and not contact.has_name:
            continue
        if hide_without_number and not contact.has_number:
            continue
        if needle:
            texts = (
                contact.first_name,
                contact.last_name,
                contact.display_name,
                contact.company,
                contact.name,
            )
            hit = any(needle in t.casefold() for t in texts)
            if not hit and digits:
                hit = any(digits in clean_number(n.number) for n in contact.numbers)
            if not hit:
                continue
        out.append(contact)
    return out
