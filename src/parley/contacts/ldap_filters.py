"""LDAP search filters for contacts (RFC 4515): escaping what a person typed, and the
spellings a telephone number is searched in.

Directories compare telephone numbers ignoring spaces and dashes (telephoneNumberMatch)
but not the prefix: "+49 30 1234567" and "030 1234567" differ for the server. So a typed
number is searched in each form it may be stored in: as typed, international with + and
with 00, and national with the trunk prefix when it is a number of the default country.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import phonenumbers

from parley.contacts.numbers import clean_number, normalize_number, valid_region

_FILTER_SPECIAL = {"\\": r"\5c", "*": r"\2a", "(": r"\28", ")": r"\29", "\0": r"\00"}


def escape_filter_value(text: str) -> str:
    """`text` as an assertion value of an RFC 4515 filter: the five special characters
    and every other control character as \\XX (UTF-8 bytes); other text is kept."""
    out = []
    for char in text:
        if char in _FILTER_SPECIAL:
            out.append(_FILTER_SPECIAL[char])
        elif ord(char) < 32 or ord(char) == 127:
            out.append("".join(f"\\{b:02x}" for b in char.encode()))
        else:
            out.append(char)
    return "".join(out)


def configured_filter(text: str) -> str:
    """The configured search filter in parentheses ("" means every entry)."""
    text = text.strip()
    if not text:
        return "(objectClass=*)"
    return text if text.startswith("(") else f"({text})"


# RFC 4512: a descriptor (letters, digits, hyphens) or a numeric OID, with ;options.
_ATTRIBUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?:;[A-Za-z0-9-]+)*$")


def is_attribute_name(name: str) -> bool:
    """True for what may stand as an attribute in a filter (`cn`, `ipPhone`, `2.5.4.20`)."""
    return bool(_ATTRIBUTE.match(name))


_NUMBER = re.compile(r"^\+?[0-9]+$")


def _country_code(digits: str) -> tuple[int, str] | None:
    """Split international digits (without +) into country code and the rest; country
    codes are prefix-free, so the first 1-3 digits that are one are it."""
    for size in (1, 2, 3):
        code = int(digits[:size]) if len(digits) >= size else -1
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code, digits[size:]
    return None


def number_forms(text: str, region: str | None = None) -> tuple[str, ...]:
    """The spellings (without separators) a typed number, complete or partial, may be
    stored in: as typed, international with + and with 00, and — when it is a number of
    `region`'s country — national with the trunk prefix. () when `text` is no number."""
    cleaned = clean_number(text)
    if not _NUMBER.match(cleaned):
        return ()
    forms = [cleaned]
    region = valid_region(region)
    international: str | None = None
    full = normalize_number(cleaned, region)
    if full.startswith("+") and _is_valid(full):
        international = full  # a complete number phonenumbers knows: its E.164 form
    elif cleaned.startswith("+"):
        international = cleaned
    elif cleaned.startswith("00"):
        international = "+" + cleaned[2:]
    if international is None and region is not None and not cleaned.startswith("+"):
        trunk = _trunk_prefix(region)
        if trunk and cleaned.startswith(trunk) and len(cleaned) > len(trunk):
            code = phonenumbers.country_code_for_region(region)
            international = f"+{code}{cleaned[len(trunk) :]}"
    if international is not None:
        forms += [international, "00" + international[1:]]
        split = _country_code(international[1:])
        if region is not None and split is not None:
            code, rest = split
            trunk = _trunk_prefix(region)
            if code == phonenumbers.country_code_for_region(region) and rest:
                forms.append(f"{trunk}{rest}")
    return unique(forms)


def _is_valid(e164: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


def _trunk_prefix(region: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return (metadata.national_prefix or "") if metadata is not None else ""


def _all(parts: Sequence[str]) -> str:
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(&" + "".join(parts) + ")"


def _any(parts: Sequence[str]) -> str:
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(|" + "".join(parts) + ")"


def unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return tuple(out)


def person_filter(
    search_filter: str,
    name_attributes: Sequence[str],
    phone_attributes: Sequence[str],
    text: str,
    region: str | None = None,
) -> str | None:
    """The filter for search as you type: every word of `text` in some name attribute
    (or, for a number, the whole text in a phone attribute in each spelling a number may
    have), ANDed with the configured `search_filter`. None when there is nothing to search."""
    words = text.split()
    if not words:
        return None
    names = unique(name_attributes)
    phones = unique(phone_attributes)
    forms = number_forms(text, region)
    if forms:
        # A number may also be part of a name ("Firma 12"): search the names too.
        whole = escape_filter_value(" ".join(words))
        alternatives = [f"({a}=*{whole}*)" for a in names]
        alternatives += [f"({a}=*{escape_filter_value(f)}*)" for a in phones for f in forms]
        wanted = _any(alternatives)
    else:
        per_word = [_any([f"({a}=*{escape_filter_value(word)}*)" for a in names]) for word in words]
        wanted = _all([part for part in per_word if part])
    if not wanted:
        return None
    return f"(&{configured_filter(search_filter)}{wanted})"


def number_filter(
    search_filter: str, phone_attributes: Sequence[str], number: str, region: str | None = None
) -> str | None:
    """The filter for the entry with exactly this number (a caller's name): equality in
    each spelling over the phone attributes, ANDed with `search_filter`. The server
    ignores spaces and dashes in the comparison. None when `number` is no number."""
    forms = number_forms(number, region)
    phones = unique(phone_attributes)
    wanted = _any([f"({a}={escape_filter_value(f)})" for a in phones for f in forms])
    if not wanted:
        return None
    return f"(&{configured_filter(search_filter)}{wanted})"
