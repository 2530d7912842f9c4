"""Phone numbers as typed by people, and the key under which two spellings are equal.

"+49 30 1234-56", "0049 30 123456" and "030 / 123456" are the same number for a caller in
Germany. Without a default country only the visual separators are ignored and the
international prefix 00 is read as "+"; with one, `phonenumbers` brings the number to
its E.164 form, so national (0…) and international (+49…, 0049…) spellings meet.
"""

from __future__ import annotations

import re

import phonenumbers

from parley.sip.headers import SipParseError
from parley.sip.uri import SipURI

# What people put into numbers for readability; a phone never dials them.
_SEPARATORS = re.compile(r"[\s\-().\/\u00a0\u2010-\u2015]")
_DIALABLE = re.compile(r"^\+?[0-9*#]+$")


def clean_number(text: str) -> str:
    """`text` without spaces, dashes, dots, slashes and parentheses."""
    return _SEPARATORS.sub("", text.strip())


def is_dialable(text: str) -> bool:
    """True for what a keypad can dial: digits, * and #, optionally after a leading +."""
    return bool(_DIALABLE.match(clean_number(text)))


def is_sip_address(text: str) -> bool:
    """True for ``sip:``/``sips:``/``tel:`` URIs and ``user@host``."""
    t = text.strip().lower()
    if t.startswith(("sip:", "sips:", "tel:")):
        try:
            SipURI.parse(text.strip())
        except (SipParseError, ValueError):
            return False
        return True
    user, at, host = t.partition("@")
    return bool(at and user and host and " " not in t)


def valid_region(region: str | None) -> str | None:
    """`region` as an upper-case ISO 3166 code phonenumbers knows, or None."""
    if not region:
        return None
    code = region.strip().upper()
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def normalize_number(text: str, region: str | None = None) -> str:
    """The comparison key of a number or address.

    SIP URIs count by their user part when that is a number (``sip:0301234@pbx`` is
    the number 0301234), else as ``user@host`` in lower case. Numbers lose their
    separators; a leading 00 becomes +; with `region` (e.g. "DE") a number that
    phonenumbers can place becomes E.164. Short internal extensions stay as they are
    unless they carry a national or international prefix.
    """
    raw = text.strip()
    lowered = raw.lower()
    if lowered.startswith(("sip:", "sips:", "tel:")):
        try:
            uri = SipURI.parse(raw)
        except (SipParseError, ValueError):
            return lowered
        user = (uri.user or "").split(";", 1)[0]
        if not user:
            return uri.host.lower()
        if not is_dialable(user):
            return f"{user}@{uri.host}".lower() if uri.host else user.lower()
        raw = user
    elif "@" in raw:
        user, _, _host = raw.partition("@")
        if not is_dialable(user):
            return lowered
        raw = user
    number = clean_number(raw)
    if not _DIALABLE.match(number):
        return number.lower()
    if number.startswith("00"):
        number = "+" + number[2:]
    region = valid_region(region)
    if region is None or "*" in number or "#" in number:
        return number
    # Extensions (no prefix) stay extensions: "1002" must not become "+491002".
    if not number.startswith(("+", "0")):
        return number
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
