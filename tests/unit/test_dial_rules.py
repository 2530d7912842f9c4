"""Phone number modification: the manual's options over tricky numbers, table-driven."""

from __future__ import annotations

import pytest

from parley.contacts.dial_rules import DialRules, NumberKind, apply, classify

DE = DialRules(country="DE")
DE_CC = DialRules(country="DE", use_country_code=True)
DE_CC_00 = DialRules(country="DE", use_country_code=True, prefix="00")
DE_LINE_0 = DialRules(country="DE", prefix="0")
US_CC_011 = DialRules(country="US", use_country_code=True, prefix="011")
US_LINE_9 = DialRules(country="US", prefix="9")
STRIP = DialRules(remove_chars="#*", country="DE")


@pytest.mark.parametrize(
    ("rules", "typed", "dialled", "kind"),
    [
        # Nothing set: only the separators go.
        (DialRules(), "030 / 123 45-67", "0301234567", NumberKind.NATIONAL),
        (DialRules(), "+49 (30) 1234567", "+49301234567", NumberKind.INTERNATIONAL),
        # Use country code: national numbers become international.
        (DE_CC, "030 1234567", "+49301234567", NumberKind.NATIONAL),
        (DE_CC, "0171 2345678", "+491712345678", NumberKind.NATIONAL),
        (DE_CC, "+44 20 7946 0958", "+442079460958", NumberKind.INTERNATIONAL),
        (DE_CC, "0044 20 7946 0958", "+442079460958", NumberKind.INTERNATIONAL),
        # ... and the prefix stands in for the "+" (the manual's "00").
        (DE_CC_00, "030 1234567", "0049301234567", NumberKind.NATIONAL),
        (DE_CC_00, "+44 20 7946 0958", "00442079460958", NumberKind.INTERNATIONAL),
        (US_CC_011, "(212) 555-1234", "01112125551234", NumberKind.NATIONAL),
        # Without country code the prefix is an outside line before national numbers.
        (DE_LINE_0, "030 1234567", "00301234567", NumberKind.NATIONAL),
        (DE_LINE_0, "+49 30 1234567", "+49301234567", NumberKind.INTERNATIONAL),
        (US_LINE_9, "212 555 1234", "92125551234", NumberKind.NATIONAL),
        # Never rewritten: extensions, emergency and service numbers, feature codes.
        (DE_CC_00, "1002", "1002", NumberKind.EXTENSION),
        (DE_LINE_0, "42", "42", NumberKind.EXTENSION),
        (DE_CC_00, "112", "112", NumberKind.EMERGENCY),
        (DE_LINE_0, "110", "110", NumberKind.EMERGENCY),
        (US_LINE_9, "911", "911", NumberKind.EMERGENCY),
        (DialRules(prefix="9"), "112", "112", NumberKind.EMERGENCY),
        (DE_CC_00, "116117", "116117", NumberKind.SERVICE),
        (DE_CC_00, "*21*0301234#", "*21*0301234#", NumberKind.SERVICE),
        (DE_LINE_0, "#31#", "#31#", NumberKind.SERVICE),
        # Remove dial chars: the configured characters go first.
        (STRIP, "#0301234*", "0301234", NumberKind.NATIONAL),
        # Not a number: left exactly as typed.
        (DE_CC_00, "alice@pbx.example", "alice@pbx.example", NumberKind.ADDRESS),
        (DE_CC_00, "reception", "reception", NumberKind.ADDRESS),
        # A country code that phonenumbers cannot place: dialled as typed (stripped).
        (DE_CC_00, "0 1", "01", NumberKind.NATIONAL),
    ],
)
def test_rules_over_tricky_numbers(
    rules: DialRules, typed: str, dialled: str, kind: NumberKind
) -> None:
    out = apply(typed, rules)
    assert (out.number, out.kind) == (dialled, kind)


def test_use_country_code_without_a_country_changes_nothing_but_separators() -> None:
    out = apply("030 1234567", DialRules(use_country_code=True))
    assert out.number == "0301234567"


def test_an_invalid_country_is_ignored_not_fatal() -> None:
    out = apply("030 1234567", DialRules(use_country_code=True, country="XX", prefix="00"))
    assert out.number == "000301234567"  # no country: the prefix as an outside line


def test_classify_long_number_without_prefix_in_a_country_that_has_none() -> None:
    assert classify("2125551234", "US") is NumberKind.NATIONAL
    assert classify("2125551234", None) is NumberKind.EXTENSION
