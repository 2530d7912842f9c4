"""The XML phone books of PBXs and desk phones, read into contacts; detected by shape.

Every byte goes through defusedxml (no entity declarations, no external references). The
formats are told apart by what the document holds, not by its root's name alone:

- `<DirectoryEntry><Name/><Telephone/>…</DirectoryEntry>` under any root: the remote phone
  book of Yealink (`YealinkIPPhoneDirectory`), Auerswald, Cisco (`CiscoIPPhoneDirectory`),
  Snom (`SnomIPPhoneDirectory`), Fanvil (`FanvilIPPhoneDirectory`, `PhoneBook`), Htek
  (`PhoneDirectory`); besides `Telephone` the children `Office`, `Mobile`, `Home`, `Other`…
- Yealink's menu phone book: `<YealinkIPPhoneBook><Menu><Unit Name= Phone1= Phone2=
  Phone3=/>` (also `Entry` for `Unit`).
- Yealink's local directory: `<contact display_name= office_number= mobile_number=
  other_number=/>` under `root_contact`/`root_group`/`vp_contact`, also the exported file
  with two top-level elements (`<root_group>` then `<root_contact>`), and the old
  `sDisplayName`/`sOfficeNumber` spelling.
- Snom's directory: `<tbook>`/`<phone-book>` (also inside `<settings>`) with
  `<item><name/><number/><number_type/></item>`, or version 2.0's `<contact>` with
  `<numbers><number no= type=/></numbers>`.
- Grandstream and Fanvil: `<AddressBook><Contact><FirstName/><LastName/><Phone type=>
  <phonenumber/><accountindex/></Phone></Contact>`.
- Polycom: `<directory><item_list><item><fn/><ln/><ct/></item>`.

An entry with neither a name nor a usable number is left out (an ENTRY_SKIPPED issue with
its path); an entry with only one of them is kept, as the source filters "hide contacts
without name/phone" expect. A number that is neither dialable nor a SIP address is left
out of its entry with an issue.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import defusedxml
import defusedxml.ElementTree as DET

from parley.contacts.model import MAX_TEXT, Contact, NumberType, PhoneNumber
from parley.contacts.numbers import clean_number, is_dialable, is_sip_address
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem

MAX_PHONEBOOK_BYTES = 20_000_000
MAX_NUMBER_CHARS = 100
_WRAP = "parley-wrap"  # the parent given to a document with two top-level elements

# Words that name a kind of number in the formats above (tags, attributes, type values).
_TYPE_WORDS: dict[str, NumberType] = {
    "telephone": NumberType.BUSINESS,
    "business": NumberType.BUSINESS,
    "work": NumberType.BUSINESS,
    "office": NumberType.BUSINESS,
    "office_number": NumberType.BUSINESS,
    "sofficenumber": NumberType.BUSINESS,
    "phone1": NumberType.BUSINESS,
    "fixed": NumberType.BUSINESS,
    "extension": NumberType.BUSINESS,
    "company": NumberType.BUSINESS,
    "mobile": NumberType.MOBILE,
    "mobile_number": NumberType.MOBILE,
    "smobilnumber": NumberType.MOBILE,
    "phone2": NumberType.MOBILE,
    "cell": NumberType.MOBILE,
    "cellular": NumberType.MOBILE,
    "handy": NumberType.MOBILE,
    "home": NumberType.HOME,
    "private": NumberType.HOME,
    "personal": NumberType.HOME,
    "fax": NumberType.FAX,
    "other": NumberType.OTHER,
    "other_number": NumberType.OTHER,
    "sothernumber": NumberType.OTHER,
    "phone3": NumberType.OTHER,
}


def number_type(word: str | None, default: NumberType = NumberType.OTHER) -> NumberType:
    """The NumberType a format's word stands for ("Work", "cellular", "Phone2"...)."""
    if not word:
        return default
    return _TYPE_WORDS.get(word.strip().lower(), default)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_text(value: str | None) -> str:
    """A field as shown: control characters and runs of spaces made one space, at most
    MAX_TEXT characters."""
    if not value:
        return ""
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text[:MAX_TEXT].rstrip()


@dataclass
class EntryBuilder:
    """Collects one entry's fields and numbers; `finish` makes the contact or says why not.

    `where` names the entry in issues: a string, or a function making it (only called
    when there is an issue: most entries have none)."""

    where: str | Callable[[], str]
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    company: str = ""
    numbers: list[PhoneNumber] = field(default_factory=list)
    issues: list[SourceIssue] = field(default_factory=list)
    _keys: set[str] = field(default_factory=set)

    def _where(self) -> str:
        return self.where if isinstance(self.where, str) else self.where()

    def add_number(self, raw: str | None, kind: NumberType) -> None:
        text = _CONTROL.sub("", raw or "").strip()
        if not text:
            return
        if len(text) > MAX_NUMBER_CHARS or not (is_dialable(text) or is_sip_address(text)):
            shown = text if len(text) <= 40 else text[:40] + "…"
            self.issues.append(
                SourceIssue(
                    SourceProblem.ENTRY_SKIPPED,
                    self._where(),
                    f"number {shown!r} left out: neither a phone number nor a SIP address",
                )
            )
            return
        key = clean_number(text).lower()
        if key in self._keys:
            return
        self._keys.add(key)
        self.numbers.append(PhoneNumber(text, kind))

    def finish(self) -> Contact | None:
        first, last = clean_text(self.first_name), clean_text(self.last_name)
        display, company = clean_text(self.display_name), clean_text(self.company)
        if first and not (last or display or company):
            # A first name alone is a name too; the model wants it where it is shown.
            display = first
        contact = Contact(
            first_name=first,
            last_name=last,
            display_name=display,
            company=company,
            numbers=tuple(self.numbers),
        )
        if not contact.has_name and not contact.has_number:
            self.issues.append(
                SourceIssue(SourceProblem.ENTRY_SKIPPED, self._where(), "no name and no number")
            )
            return None
        return contact


# --- the formats --------------------------------------------------------------------------


def _local(tag: object) -> str:
    """An element's name without namespace, lower case (comments and PIs give "")."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _children(element: ET.Element, *names: str) -> Iterator[ET.Element]:
    for child in element:
        if _local(child.tag) in names:
            yield child


def _text(element: ET.Element, *names: str) -> str:
    """The text of the first child with one of these names ("" when there is none)."""
    for child in _children(element, *names):
        return "".join(child.itertext())
    return ""


def _attr(element: ET.Element, *names: str) -> str:
    """The first attribute of these (lower-case) names, ignoring namespace and case."""
    if not element.attrib:
        return ""
    for key, value in element.attrib.items():
        if _local(key) in names:
            return value
    return ""


def _attr_type(element: ET.Element) -> str:
    return _attr(element, "type", "label")


def _display_tag(element: ET.Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else "?"
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class Shape:
    """One way a phone book is written: how to spot it and how to read one entry."""

    name: str
    entries: Callable[[ET.Element], list[ET.Element]]
    read: Callable[[ET.Element, EntryBuilder], None]


def _descendants(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if _local(e.tag) == name]


def _read_directory_entry(entry: ET.Element, b: EntryBuilder) -> None:
    for child in entry:
        tag = _local(child.tag)
        text = "".join(child.itertext())
        if tag == "name":
            b.display_name = text
        elif tag in ("firstname", "first_name"):
            b.first_name = text
        elif tag in ("lastname", "last_name"):
            b.last_name = text
        elif tag in ("company", "organization"):
            b.company = text
        elif tag in ("telephone", "office", "work", "mobile", "home", "other", "fax", "phone"):
            default = number_type(tag, NumberType.BUSINESS)
            b.add_number(text, number_type(_attr_type(child), default))


def _read_unit(entry: ET.Element, b: EntryBuilder) -> None:
    b.display_name = _attr(entry, "name")
    for key in ("phone1", "phone2", "phone3"):
        b.add_number(_attr(entry, key), number_type(key))


def _read_yealink_local(entry: ET.Element, b: EntryBuilder) -> None:
    b.display_name = _attr(entry, "display_name", "sdisplayname")
    for key in ("office_number", "sofficenumber", "mobile_number", "smobilnumber"):
        b.add_number(_attr(entry, key), number_type(key))
    for key in ("other_number", "sothernumber"):
        b.add_number(_attr(entry, key), number_type(key))


def _read_snom(entry: ET.Element, b: EntryBuilder) -> None:
    b.display_name = _text(entry, "name", "nick_name")
    b.first_name = _text(entry, "first_name")
    b.last_name = _text(entry, "last_name")
    b.company = _text(entry, "organization")
    if _local(entry.tag) == "item":
        b.add_number(_text(entry, "number"), number_type(_text(entry, "number_type")))
    for numbers in _children(entry, "numbers"):
        for number in _children(numbers, "number"):
            raw = _attr(number, "no") or "".join(number.itertext())
            b.add_number(raw, number_type(_attr(number, "type")))


def _read_addressbook(entry: ET.Element, b: EntryBuilder) -> None:
    b.first_name = _text(entry, "firstname")
    b.last_name = _text(entry, "lastname")
    b.company = _text(entry, "company")
    for phone in _children(entry, "phone"):
        raw = _text(phone, "phonenumber") or (phone.text or "")
        b.add_number(raw, number_type(_attr(phone, "type")))


def _read_polycom(entry: ET.Element, b: EntryBuilder) -> None:
    b.first_name = _text(entry, "fn")
    b.last_name = _text(entry, "ln")
    b.display_name = _text(entry, "lb")
    b.add_number(_text(entry, "ct"), NumberType.BUSINESS)


def _is_snom_entry(e: ET.Element) -> bool:
    return any(_local(c.tag) in ("name", "number", "numbers", "first_name", "last_name") for c in e)


def _snom_entries(root: ET.Element) -> list[ET.Element]:
    books = [root] if _local(root.tag) in ("tbook", "phone-book") else []
    books += [e for e in root.iter() if e is not root and _local(e.tag) in ("tbook", "phone-book")]
    return [e for book in books for e in book if _local(e.tag) in ("item", "contact")]


_YEALINK_LOCAL = {"display_name", "sdisplayname", "office_number", "mobile_number", "sofficenumber"}
_UNIT_KEYS = {"phone1", "phone2", "phone3"}


def _attr_keys(element: ET.Element) -> set[str]:
    return {_local(k) for k in element.attrib}


def _is_unit(e: ET.Element) -> bool:
    keys = _attr_keys(e)
    return _local(e.tag) in ("unit", "entry") and bool(
        keys & _UNIT_KEYS or (_local(e.tag) == "unit" and "name" in keys)
    )


def _is_yealink_local(e: ET.Element) -> bool:
    return _local(e.tag) == "contact" and bool(_attr_keys(e) & _YEALINK_LOCAL)


def _is_polycom(e: ET.Element) -> bool:
    return _local(e.tag) == "item" and any(_local(c.tag) in ("fn", "ln", "ct") for c in e)


def _addressbook_entries(root: ET.Element) -> list[ET.Element]:
    if _local(root.tag) != "addressbook":
        return []
    return [e for e in root if _local(e.tag) == "contact"]


SHAPES: tuple[Shape, ...] = (
    Shape("directory", lambda r: _descendants(r, "directoryentry"), _read_directory_entry),
    Shape("yealink-menu", lambda r: [e for e in r.iter() if _is_unit(e)], _read_unit),
    Shape(
        "yealink-local",
        lambda r: [e for e in r.iter() if _is_yealink_local(e)],
        _read_yealink_local,
    ),
    Shape("snom", lambda r: [e for e in _snom_entries(r) if _is_snom_entry(e)], _read_snom),
    Shape("addressbook", _addressbook_entries, _read_addressbook),
    Shape("polycom", lambda r: [e for e in r.iter() if _is_polycom(e)], _read_polycom),
)


# Phone books that say "this is a phone book" even when they hold no entry yet.
_EMPTY_OK = {
    "yealinkipphonedirectory", "ciscoipphonedirectory", "snomipphonedirectory",
    "fanvilipphonedirectory", "ipphonedirectory", "phonedirectory", "phonebook",
    "yealinkipphonebook", "root_contact", "vp_contact", "tbook", "phone-book", "addressbook",
    "directory",
}  # fmt: skip


def _path(parents: dict[ET.Element, ET.Element], entry: ET.Element, index: int) -> str:
    """Where an entry is: the element names down to it and its number among the entries."""
    names = [f"{_display_tag(entry)}[{index}]"]
    node = parents.get(entry)
    while node is not None:
        if node.tag != _WRAP:
            names.append(_display_tag(node))
        node = parents.get(node)
    return "/" + "/".join(reversed(names))


def read_tree(root: ET.Element) -> FetchResult:
    """The contacts of a parsed phone book, or UNSUPPORTED naming its root element."""
    for shape in SHAPES:
        entries = shape.entries(root)
        if entries:
            break
    else:
        if _local(root.tag) in _EMPTY_OK or _local(root.tag).endswith("ipphonedirectory"):
            return FetchResult()
        return FetchResult(
            issues=(
                SourceIssue(
                    SourceProblem.UNSUPPORTED,
                    f"<{_display_tag(root)}>",
                    f"not a phone book format Parley knows (root element <{_display_tag(root)}>)",
                ),
            ),
            failed=True,
        )
    parents: dict[ET.Element, ET.Element] = {}

    def where(entry: ET.Element, index: int) -> Callable[[], str]:
        def make() -> str:
            if not parents:  # built once, on the first issue
                parents.update((child, parent) for parent in root.iter() for child in parent)
            return _path(parents, entry, index)

        return make

    contacts: list[Contact] = []
    issues: list[SourceIssue] = []
    for index, entry in enumerate(entries, start=1):
        builder = EntryBuilder(where=where(entry, index))
        shape.read(entry, builder)
        contact = builder.finish()
        issues.extend(builder.issues)
        if contact is not None:
            contacts.append(contact)
    # Entries that were all unusable would wipe a good cache: count it as a failed fetch.
    return FetchResult(contacts=tuple(contacts), issues=tuple(issues), failed=not contacts)


# --- bytes to tree ------------------------------------------------------------------------

_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def declared_encoding(data: bytes) -> str | None:
    match = _DECLARED_ENCODING.match(data[:1024])
    return match.group(1).decode("ascii") if match else None


def _encoding_detail(data: bytes, parse_message: str) -> str:
    """Why the bytes do not parse, naming the encoding when that is the cause."""
    if data.startswith(_BOMS[1:]):
        return parse_message
    declared = declared_encoding(data)
    encoding = declared or "UTF-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        return f"the document declares an unknown encoding {encoding!r}"
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        said = f"declares encoding {declared!r}" if declared else "declares no encoding (so UTF-8)"
        return (
            f"the document {said} but byte 0x{data[exc.start]:02X} on line {line} "
            f"is not valid {encoding}: wrong encoding declared ({parse_message})"
        )
    return parse_message


def _parse(data: bytes) -> ET.Element:
    return DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)


def _wrapped(data: bytes) -> bytes:
    """Yealink's exported contact file has two top-level elements: give them one parent."""
    match = _DECLARATION.match(data)
    head, rest = (data[: match.end()], data[match.end() :]) if match else (b"", data)
    return head + b"<" + _WRAP.encode() + b">" + rest + b"</" + _WRAP.encode() + b">"


def parse_xml_bytes(data: bytes) -> tuple[ET.Element | None, str]:
    """The root of an XML document from outside, or None and why it was refused."""
    if not data.strip():
        return None, "the document is empty"
    try:
        try:
            return _parse(data), ""
        except ET.ParseError as exc:
            if "junk after document element" in str(exc) and b"<root_contact" in data:
                return _parse(_wrapped(data)), ""
            raise
    except defusedxml.EntitiesForbidden as exc:
        return (
            None,
            f"entity declarations are refused (entity {exc.name!r}): possible entity expansion",
        )
    except defusedxml.ExternalReferenceForbidden as exc:
        return None, f"external references are refused ({exc.sysid or exc.pubid!r})"
    except defusedxml.DefusedXmlException as exc:
        return None, f"refused XML construct: {exc}"
    except ET.ParseError as exc:
        return None, _encoding_detail(data, f"not XML: {exc}")
    except (ValueError, LookupError, UnicodeError) as exc:
        return None, f"not readable as XML: {exc}"


def parse_phonebook(data: bytes, *, max_bytes: int = MAX_PHONEBOOK_BYTES) -> FetchResult:
    """The contacts of an XML phone book in any of the formats above; never raises."""
    if len(data) > max_bytes:
        return _failed(
            SourceProblem.TOO_LARGE, f"{len(data)} bytes; the limit is {max_bytes} bytes"
        )
    root, problem = parse_xml_bytes(data)
    if root is None:
        return _failed(SourceProblem.BAD_DATA, problem)
    return read_tree(root)


def _failed(problem: SourceProblem, detail: str, where: str = "") -> FetchResult:
    return FetchResult(issues=(SourceIssue(problem, where, detail),), failed=True)
