"""vCards (RFC 2426 = 3.0, RFC 6350 = 4.0, and the 2.1 that old phones still export) read
into contacts, and local contacts written as vCard 4.0 or 3.0.

Reading takes what a phone book needs: FN, N, ORG and every TEL with its type, in both
syntaxes of the type (`TEL;TYPE=work,voice:`, `TEL;type=WORK;type=VOICE:`, 2.1's bare
`TEL;WORK;VOICE:`, 4.0's `TEL;VALUE=uri;TYPE="cell":tel:+49…`), folded lines, escaped
commas and semicolons, quoted-printable values with their CHARSET (3.0 and 2.1 exports of
Outlook and Android phones), and property groups (iCloud's `item1.TEL`). Everything else
(photos, addresses, notes) is skipped without being decoded.

A card that cannot be used raises `VCardError` saying why; `vcard_to_contact` turns that
into an ENTRY_SKIPPED issue naming where the card came from (its href or file line).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from parley.contacts.model import MAX_TEXT, Contact, NumberType, PhoneNumber
from parley.contacts.numbers import clean_number, is_dialable, is_sip_address
from parley.contacts.source import SourceIssue, SourceProblem

__all__ = [
    "MAX_VCARD_BYTES",
    "VCardError",
    "read_vcard",
    "read_vcards",
    "vcard_to_contact",
    "write_vcard",
    "write_vcards",
]

# One card: a contact with a large photo fits; a card bigger than this is refused unread.
MAX_VCARD_BYTES = 2 * 1024 * 1024
MAX_CARDS = 200_000  # in one file
_VERSIONS = ("2.1", "3.0", "4.0")
_WANTED = {"VERSION", "FN", "N", "ORG", "TEL", "BEGIN", "END"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_NAME = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)$")


class VCardError(ValueError):
    """A card that cannot be used; the message says why."""


@dataclass(frozen=True)
class _Line:
    number: int  # of the first physical line, 1-based
    name: str  # upper case, group removed
    params: dict[str, list[str]]  # upper-case names; TYPE values as given
    value: str  # raw (still escaped / encoded)


# --- reading ------------------------------------------------------------------------------


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if len(data) > MAX_VCARD_BYTES * 64:
        raise VCardError(f"{len(data)} bytes is more than this reader takes")
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise VCardError(f"undecodable {codec} text ({exc.reason})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Old exports without a charset are Windows-1252 more often than anything else.
        return data.decode("cp1252", errors="replace")


def _physical_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded lines with the number of their first physical line. A line starting with
    a space or tab continues the one before (RFC 6350 3.2); a quoted-printable value
    ending in "=" continues on the next line (2.1 and 3.0 exports do this)."""
    current: str | None = None
    start = 0
    qp_soft = False
    for number, raw in enumerate(_physical_lines(text), start=1):
        if current is not None and raw[:1] in (" ", "\t"):
            current += raw[1:]
            qp_soft = False
            continue
        if current is not None and qp_soft:
            current = current[:-1] + raw  # drop the soft break's "="
            qp_soft = _is_qp(current) and current.endswith("=")
            continue
        if current is not None and current.strip():
            yield start, current
        current, start = raw, number
        qp_soft = _is_qp(raw) and raw.endswith("=")
    if current is not None and current.strip():
        yield start, current


def _is_qp(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _split_unquoted(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside double quotes."""
    parts, current, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _parse_line(number: int, line: str) -> _Line:
    head, colon, value = _colon_split(line)
    if not colon:
        raise VCardError(f"line {number}: no ':' between name and value ({line[:40]!r})")
    pieces = _split_unquoted(head, ";")
    match = _NAME.match(pieces[0].strip())
    if not match:
        raise VCardError(f"line {number}: {pieces[0][:40]!r} is not a property name")
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        key, eq, raw = piece.partition("=")
        key = key.strip().upper()
        if not eq:  # 2.1: TEL;WORK;VOICE or ENCODING given bare
            if key in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT"):
                params.setdefault("ENCODING", []).append(key)
            else:
                params.setdefault("TYPE", []).append(key)
            continue
        for item in _split_unquoted(raw, ","):
            params.setdefault(key, []).append(item.strip().strip('"'))
    return _Line(number, match.group(1).upper(), params, value)


def _colon_split(line: str) -> tuple[str, str, str]:
    quoted = False
    for index, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return line[:index], ":", line[index + 1 :]
    return line, "", ""


def _value(line: _Line) -> str:
    """The value with its transfer encoding and charset undone (still vCard-escaped)."""
    encoding = {e.upper() for e in line.params.get("ENCODING", [])}
    charset = (line.params.get("CHARSET") or ["utf-8"])[0]
    if "QUOTED-PRINTABLE" in encoding:
        raw = quopri.decodestring(line.value.encode("latin-1", errors="replace"))
        return _bytes_text(raw, charset, line)
    if encoding & {"B", "BASE64"}:
        try:
            raw = base64.b64decode(line.value.strip(), validate=False)
        except (binascii.Error, ValueError) as exc:
            raise VCardError(f"line {line.number}: undecodable base64 value ({exc})") from None
        return _bytes_text(raw, charset, line)
    return line.value


def _bytes_text(raw: bytes, charset: str, line: _Line) -> str:
    try:
        return raw.decode(charset)
    except LookupError:
        raise VCardError(f"line {line.number}: unknown charset {charset!r}") from None
    except UnicodeDecodeError:
        if codecs.lookup(charset).name == "utf-8":
            return raw.decode("cp1252", errors="replace")  # a wrong label, seen in the wild
        raise VCardError(f"line {line.number}: value is not {charset} text") from None


def _components(value: str, sep: str = ";") -> list[str]:
    """A structured value split at unescaped `sep`, each part unescaped."""
    parts, current = [], []
    chars = iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append("\n" if nxt in ("n", "N") else nxt)
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _text(value: str) -> str:
    return _components(value, "\x00")[0]


def _clean(text: str, what: str) -> str:
    value = _CONTROL.sub(" ", text).strip()
    value = " ".join(value.split())
    if len(value) > MAX_TEXT:
        raise VCardError(f"{what} is longer than {MAX_TEXT} characters")
    return value


_MOBILE = {"CELL", "MOBILE", "IPHONE", "CAR", "PAGER"}
_BUSINESS = {"WORK", "MAIN", "COMPANY", "X-WORK"}


def _number_type(types: Iterable[str]) -> NumberType:
    found = {t.upper() for t in types}
    if "FAX" in found:
        return NumberType.FAX
    if found & _MOBILE:
        return NumberType.MOBILE
    if "HOME" in found:
        return NumberType.HOME
    if found & _BUSINESS:
        return NumberType.BUSINESS
    return NumberType.OTHER


def _types(line: _Line) -> list[str]:
    found: list[str] = []
    for item in line.params.get("TYPE", []):
        found.extend(t.strip() for t in item.split(",") if t.strip())
    if any(p.strip() for p in line.params.get("PREF", [])):
        found.append("PREF")  # 4.0: PREF=1
    return found


def _tel_value(line: _Line) -> str:
    """The number of a TEL line: text (3.0, 2.1, and 4.0 without VALUE=uri) or a URI
    (4.0: `tel:+49-30-1234567;ext=12`, or a `sip:` address)."""
    text = _text(_value(line)).strip()
    if text.lower().startswith("tel:"):
        # RFC 3966 parameters (;ext=, ;phone-context=) are not part of what is dialled.
        return text[4:].split(";", 1)[0]
    return text


def read_vcard(data: str | bytes) -> Contact:
    """The contact one vCard describes; `VCardError` when it cannot be used."""
    text = _decode(data)
    if len(text) > MAX_VCARD_BYTES:
        raise VCardError(f"the card is larger than {MAX_VCARD_BYTES // 1024} KB")
    cards = list(_split_cards(text))
    if not cards:
        raise VCardError("no BEGIN:VCARD … END:VCARD in it")
    if len(cards) > 1:
        raise VCardError(f"{len(cards)} cards where one was expected")
    contact, _dropped = _card(cards[0])
    return contact


def _split_cards(text: str) -> Iterator[list[_Line]]:
    """The cards of a text, as lists of parsed lines (only the properties we use)."""
    card: list[_Line] | None = None
    depth = 0
    for number, line in _logical_lines(text):
        head = line.split(":", 1)[0].strip().upper()
        value = line.split(":", 1)[1].strip().upper() if ":" in line else ""
        if head == "BEGIN" and value == "VCARD":
            if card is not None:
                raise VCardError(f"line {number}: BEGIN:VCARD inside a card")
            card, depth = [], 0
            continue
        if head == "END" and value == "VCARD" and depth == 0:
            if card is None:
                raise VCardError(f"line {number}: END:VCARD without BEGIN:VCARD")
            yield card
            card = None
            continue
        if card is None:
            if line.strip():
                raise VCardError(f"line {number}: text outside BEGIN:VCARD … END:VCARD")
            continue
        if head == "BEGIN":
            depth += 1
        elif head == "END":
            depth = max(0, depth - 1)
        name = head.split(";", 1)[0].rsplit(".", 1)[-1]
        if name in _WANTED or ":" not in line:
            card.append(_parse_line(number, line))
    if card is not None:
        raise VCardError("the card has no END:VCARD")


def _card(lines: list[_Line]) -> tuple[Contact, list[str]]:
    """The contact of one card and the numbers left out (with why)."""
    versions = [ln.value.strip() for ln in lines if ln.name == "VERSION"]
    version = versions[0] if versions else "3.0"  # missing in some hand-made cards
    if version not in _VERSIONS:
        raise VCardError(f"vCard version {version[:20]!r} is not supported (2.1, 3.0, 4.0)")
    display = first = last = company = ""
    numbers: list[tuple[bool, PhoneNumber]] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if line.name == "FN" and not display:
            display = _clean(_text(_value(line)), "FN")
        elif line.name == "N" and not (first or last):
            parts = _components(_value(line))
            last = _clean(parts[0], "N (family name)")
            first = _clean(parts[1] if len(parts) > 1 else "", "N (given name)")
        elif line.name == "ORG" and not company:
            company = _clean(_components(_value(line))[0], "ORG")
        elif line.name == "TEL":
            number = _tel_value(line).strip()
            if not number:
                continue
            if len(number) > MAX_TEXT or not (is_dialable(number) or is_sip_address(number)):
                dropped.append(f"line {line.number}: {number[:60]!r} is not a phone number")
                continue
            key = clean_number(number)
            if key in seen:
                continue
            seen.add(key)
            types = _types(line)
            preferred = any(t.upper() == "PREF" for t in types)
            numbers.append((preferred, PhoneNumber(number, _number_type(types))))
    if not (display or first or last or company or numbers):
        raise VCardError("no name, company or phone number")
    # The preferred number first (a stable sort keeps the card's order otherwise).
    ordered = tuple(n for _, n in sorted(numbers, key=lambda item: not item[0]))
    contact = Contact(
        first_name=first,
        last_name=last,
        display_name=display,
        company=company,
        numbers=ordered,
    )
    return contact, dropped


def vcard_to_contact(data: str | bytes, where: str) -> tuple[Contact | None, list[SourceIssue]]:
    """The contact of one card, or None with an ENTRY_SKIPPED issue naming `where` (an
    href, a file) and why; numbers left out come back as BAD_DATA issues."""
    try:
        text = _decode(data)
        if len(text) > MAX_VCARD_BYTES:
            raise VCardError(f"the card is larger than {MAX_VCARD_BYTES // 1024} KB")
        cards = list(_split_cards(text))
        if len(cards) != 1:
            raise VCardError(
                "no BEGIN:VCARD … END:VCARD in it"
                if not cards
                else f"{len(cards)} cards where one was expected"
            )
        contact, dropped = _card(cards[0])
    except VCardError as why:
        return None, [SourceIssue(SourceProblem.ENTRY_SKIPPED, where, str(why))]
    except RecursionError:  # pragma: no cover - nothing here recurses; belt and braces
        return None, [SourceIssue(SourceProblem.ENTRY_SKIPPED, where, "unreadable")]
    issues = [SourceIssue(SourceProblem.BAD_DATA, where, f"{d} (left out)") for d in dropped]
    return contact, issues


def read_vcards(data: str | bytes, where: str = "") -> tuple[list[Contact], list[SourceIssue]]:
    """Every card of a .vcf file (an export holds many); a bad card is skipped with an
    ENTRY_SKIPPED issue naming its first line, the others are kept."""
    try:
        text = _decode(data)
    except VCardError as why:
        return [], [SourceIssue(SourceProblem.BAD_DATA, where, str(why))]
    contacts: list[Contact] = []
    issues: list[SourceIssue] = []
    chunk: list[str] = []
    start = 0
    inside = False
    for number, raw in enumerate(_physical_lines(text), start=1):
        upper = raw.strip().upper()
        if not inside and upper.startswith("BEGIN:VCARD"):
            inside, chunk, start = True, [raw], number
            continue
        if inside:
            chunk.append(raw)
            if upper.startswith("END:VCARD") and not raw[:1].isspace():
                inside = False
                place = f"{where}:{start}" if where else f"line {start}"
                contact, found = vcard_to_contact("\n".join(chunk), place)
                issues.extend(found)
                if contact is not None:
                    contacts.append(contact)
                if len(contacts) >= MAX_CARDS:
                    issues.append(
                        SourceIssue(SourceProblem.TOO_LARGE, where, f"more than {MAX_CARDS} cards")
                    )
                    return contacts, issues
    if inside:
        place = f"{where}:{start}" if where else f"line {start}"
        issues.append(SourceIssue(SourceProblem.ENTRY_SKIPPED, place, "the card has no END:VCARD"))
    return contacts, issues


# --- writing ------------------------------------------------------------------------------

_TEL_TYPES = {
    NumberType.BUSINESS: "work,voice",
    NumberType.MOBILE: "cell,voice",
    NumberType.HOME: "home,voice",
    NumberType.FAX: "fax",
    NumberType.OTHER: "voice",
}


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded (RFC 6350 3.2), never inside a UTF-8 sequence."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with a space
        if size + width > limit:
            out.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out)


def _tel_uri(number: str) -> str:
    """A tel: URI keeping the number's grouping (RFC 3966 allows "-" as a visual
    separator, not spaces); a SIP address stays as it is."""
    text = number.strip()
    if is_sip_address(text):
        return text if ":" in text else f"sip:{text}"
    return "tel:" + "-".join(text.replace("/", " ").split())


def write_vcard(contact: Contact, version: str = "4.0") -> str:
    """One contact as a vCard 4.0 or 3.0 (CRLF line ends, folded at 75 octets). 3.0
    writes numbers as text with TYPE parameters (what Outlook and older phones read),
    4.0 as tel: URIs."""
    if version not in ("3.0", "4.0"):
        raise ValueError(f"vCard version {version!r}: 3.0 or 4.0")
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if contact.id is not None:
        lines.append(f"UID:urn:parley:contact:{contact.id}")
    lines.append("FN:" + _escape(contact.name))
    lines.append(f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;;")
    if contact.company:
        lines.append("ORG:" + _escape(contact.company))
    for entry in contact.numbers:
        if not entry.number.strip():
            continue
        if version == "4.0":
            lines.append(f'TEL;VALUE=uri;TYPE="{_TEL_TYPES[entry.type]}":{_tel_uri(entry.number)}')
        else:
            lines.append(f"TEL;TYPE={_TEL_TYPES[entry.type]}:{_escape(entry.number.strip())}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def write_vcards(contacts: Iterable[Contact], version: str = "4.0") -> str:
    """Contacts as one .vcf text of vCard 4.0 (or 3.0) cards (what `read_vcards` reads
    back)."""
    return "".join(write_vcard(c, version) for c in contacts)
