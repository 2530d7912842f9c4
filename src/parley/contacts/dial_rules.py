"""Phone number modification: what an account does to a number before dialling it.

The manual's four options per account: characters removed before dialling, "use country
code" with the default country for numbers saved without one, and a prefix. The manual
gives the prefix two uses ("00" for the international access of most European countries,
"9" for an outside line); both are served by one rule:

- with "use country code" on, every outside number is dialled in international form and
  the prefix, when given, stands in for its "+" (prefix 00: 030 1234567 → 0049301234567);
- with it off, the prefix is put before national numbers (an outside line: prefix 9:
  030 1234567 → 90301234567); numbers already in international form keep their "+".

Never rewritten: SIP addresses, feature codes with * or #, emergency and other short
service numbers of the default country (112, 110, 116117; 911 without a country), and
internal extensions (up to six digits without a national or international prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import shortnumberinfo

from parley.contacts.numbers import valid_region

# Characters that are never part of a number: removed whatever the setting says, as the
# dial field always has (a SIP URI cannot carry them).
SEPARATORS = " -/()."
MAX_EXTENSION_DIGITS = 6
# Emergency numbers that must never get a prefix, even without a default country.
UNIVERSAL_EMERGENCY = frozenset({"112", "911", "999", "000", "110", "118", "119", "100"})


class NumberKind(StrEnum):
    """What a dialled text is, as far as the rules are concerned."""

    EXTENSION = "extension"  # internal: left alone
    NATIONAL = "national"  # 030 1234567 (with the country's trunk prefix)
    INTERNATIONAL = "international"  # +49 30 1234567 or 0049 30 1234567
    EMERGENCY = "emergency"  # 112, 911: never rewritten
    SERVICE = "service"  # short numbers, *21#, feature codes: never rewritten
    ADDRESS = "address"  # not a number (a SIP address): never rewritten


@dataclass(frozen=True)
class DialRules:
    """An account's number modification settings."""

    remove_chars: str = ""
    use_country_code: bool = False
    country: str | None = None  # ISO 3166 code, e.g. "DE"
    prefix: str = ""

    @property
    def region(self) -> str | None:
        return valid_region(self.country)

    @property
    def active(self) -> bool:
        return bool(self.remove_chars or self.use_country_code or self.prefix)


@dataclass(frozen=True)
class Dialled:
    """The outcome for one number: what was typed, what is dialled, and why."""

    typed: str
    number: str
    kind: NumberKind

    @property
    def changed(self) -> bool:
        return self.number != self.typed


def classify(number: str, region: str | None) -> NumberKind:
    """The kind of a number that has lost its separators."""
    if not number or any(c not in "+0123456789*#" for c in number):
        return NumberKind.ADDRESS
    if "*" in number or "#" in number or "+" in number[1:]:
        return NumberKind.SERVICE
    if number in UNIVERSAL_EMERGENCY or (
        region is not None and shortnumberinfo.is_emergency_number(number, region)
    ):
        return NumberKind.EMERGENCY
    if number.startswith("+"):
        return NumberKind.INTERNATIONAL
    if region is not None:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        access = meta.international_prefix if meta is not None else None
        if access and number.startswith(access) and access.isdigit():
            return NumberKind.INTERNATIONAL
        if _is_short_service(number, region):
            return NumberKind.SERVICE
    elif number.startswith("00"):
        return NumberKind.INTERNATIONAL
    if number.startswith("0"):
        return NumberKind.NATIONAL
    if len(number) <= MAX_EXTENSION_DIGITS:
        return NumberKind.EXTENSION
    # A long number without a prefix: national where the country dials that way (US).
    if region is not None and _valid_in(number, region):
        return NumberKind.NATIONAL
    return NumberKind.EXTENSION


def apply(typed: str, rules: DialRules) -> Dialled:
    """What the account dials for `typed` (a number; other text comes back as it is)."""
    text = typed.strip()
    stripped = "".join(c for c in text if c not in rules.remove_chars and c not in SEPARATORS)
    region = rules.region
    kind = classify(stripped, region)
    if kind in (NumberKind.ADDRESS,):
        return Dialled(typed, text, kind)
    if kind in (NumberKind.EXTENSION, NumberKind.EMERGENCY, NumberKind.SERVICE):
        return Dialled(typed, stripped, kind)
    if rules.use_country_code and region is not None:
        international = _international(stripped, region)
        if international is None:  # phonenumbers cannot place it: dial it as typed
            return Dialled(typed, stripped, kind)
        digits = international[1:]
        return Dialled(typed, (rules.prefix + digits) if rules.prefix else international, kind)
    if kind is NumberKind.NATIONAL and rules.prefix:
        return Dialled(typed, rules.prefix + stripped, kind)
    return Dialled(typed, stripped, kind)


def _international(number: str, region: str) -> str | None:
    """E.164 of a national or international number, None when it cannot be placed.
    Valid, not merely possible: a wrong rewrite dials a stranger, no rewrite dials as typed."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _valid_in(number: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


def _is_short_service(number: str, region: str) -> bool:
    """116117, 11833: short numbers the country's network knows (never prefixed)."""
    if len(number) > 6:
        return False
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(shortnumberinfo.is_valid_short_number_for_region(parsed, region))
