"""The LDAP source's pure parts: RFC 4515 escaping, the search-as-you-type filter, the
spellings a number is searched in, and how a directory entry becomes a contact."""

from __future__ import annotations

import pytest
from ldap3.operation.search import parse_filter

from parley.contacts.ldap_directory import (
    ACTIVE_DIRECTORY,
    MAX_ENTRY_ISSUES,
    LdapAttributes,
    LdapConfig,
    _Collected,
    entry_to_contact,
    fetch_all,
    parse_url,
    search,
    text_filter,
)
from parley.contacts.ldap_filters import (
    configured_filter,
    escape_filter_value,
    is_attribute_name,
    number_filter,
    number_forms,
)
from parley.contacts.model import NumberType, PhoneNumber
from parley.contacts.source import SourceIssue, SourceProblem


def well_formed(search_filter: str) -> bool:
    """ldap3's own parser (the one that encodes it for the wire) accepts the filter."""
    parse_filter(
        search_filter, None, auto_escape=False, auto_encode=True, validator=None, check_names=False
    )
    return True


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Anna", "Anna"),
        ("a*b", r"a\2ab"),
        ("(Star) Trading*", r"\28Star\29 Trading\2a"),
        ("back\\slash", r"back\5cslash"),
        ("nul\0byte", r"nul\00byte"),
        ("line\nbreak", r"line\0abreak"),
        ("Weiß & Söhne", "Weiß & Söhne"),  # UTF-8 is allowed as it is in a filter string
        ("=<>~|&!", "=<>~|&!"),  # special only in an attribute position, not in a value
    ],
)
def test_escape_filter_value(text: str, escaped: str) -> None:
    assert escape_filter_value(text) == escaped


def test_configured_filter_gets_parentheses_and_empty_means_everything() -> None:
    assert configured_filter("objectClass=person") == "(objectClass=person)"
    assert configured_filter(" (objectClass=person) ") == "(objectClass=person)"
    assert configured_filter("") == "(objectClass=*)"


def config(**changes: object) -> LdapConfig:
    return LdapConfig(host="127.0.0.1", default_country="DE", **changes)  # type: ignore[arg-type]


def test_name_search_ands_each_word_over_the_name_attributes_with_the_configured_filter() -> None:
    f = text_filter(config(search_filter="(objectClass=inetOrgPerson)"), "anna  berg")
    assert f == (
        "(&(objectClass=inetOrgPerson)(&"
        "(|(cn=*anna*)(givenName=*anna*)(sn=*anna*)(o=*anna*))"
        "(|(cn=*berg*)(givenName=*berg*)(sn=*berg*)(o=*berg*))))"
    )
    assert well_formed(f)


@pytest.mark.parametrize("text", ["(Star", "a)(objectClass=*", "*", "\\", "x)(|(cn=*", "Weiß"])
def test_typed_text_cannot_change_the_filter(text: str) -> None:
    f = text_filter(config(), text)
    assert f is not None and well_formed(f)
    # Whatever was typed stays inside assertion values: the structure is the plain one.
    assert f.startswith("(&(objectClass=person)(|(cn=*")
    assert "(objectClass=*" not in f.replace("(objectClass=person)", "", 1)


def test_empty_text_searches_nothing() -> None:
    assert text_filter(config(), "   ") is None


def test_number_search_uses_the_phone_attributes_and_every_spelling() -> None:
    f = text_filter(config(), "030 123-4567")
    assert f is not None and well_formed(f)
    for attribute in ("telephoneNumber", "ipPhone", "mobile", "homePhone"):
        for form in ("0301234567", "+49301234567", "0049301234567"):
            assert f"({attribute}=*{form}*)" in f
    assert "(cn=*030 123-4567*)" in f  # a number may be part of a name too


def test_changed_mapping_changes_the_searched_attributes() -> None:
    mapping = LdapAttributes(company="ou", work_ip_phone="", fax="", home="")
    f = text_filter(config(attributes=mapping), "Einkauf")
    assert f is not None
    assert "(ou=*Einkauf*)" in f and "(o=*" not in f
    g = text_filter(config(attributes=mapping), "0301")
    assert g is not None and "ipPhone" not in g and "homePhone" not in g


@pytest.mark.parametrize(
    ("typed", "region", "forms"),
    [
        # national → international with + and 00
        ("030 1234567", "DE", {"0301234567", "+49301234567", "0049301234567"}),
        ("030/123 45 67", "DE", {"0301234567", "+49301234567", "0049301234567"}),
        # international → 00 and the national form of our own country
        ("+49 30 1234567", "DE", {"+49301234567", "0049301234567", "0301234567"}),
        ("0049 (30) 1234567", "DE", {"0049301234567", "+49301234567", "0301234567"}),
        # partial numbers while typing
        ("+4930 12", "DE", {"+493012", "00493012", "03012"}),
        ("0301", "DE", {"0301", "+49301", "0049301"}),
        # a foreign number has no national form here
        ("+1 212 555 0100", "DE", {"+12125550100", "0012125550100"}),
        ("+43 1 5550100", "AT", {"+4315550100", "004315550100", "015550100"}),
        # extensions and unknown regions: as typed (00 still means +)
        ("1002", "DE", {"1002"}),
        ("030 1234567", None, {"0301234567"}),
        ("0049 30 1", None, {"0049301", "+49301"}),
        # not a number
        ("Anna", "DE", set()),
        ("12ab", "DE", set()),
        ("", "DE", set()),
    ],
)
def test_number_forms(typed: str, region: str | None, forms: set[str]) -> None:
    got = number_forms(typed, region)
    assert set(got) == forms
    assert len(got) == len(set(got))


def raw(**values: str | list[str] | bytes) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        out[name] = [v if isinstance(v, bytes) else v.encode() for v in items]
    return out


DN = "uid=aberg,ou=phonebook,dc=auerswald"


def test_entry_maps_to_contact_with_typed_numbers() -> None:
    contact, issues = entry_to_contact(
        DN,
        raw(
            cn="Anna Berg",
            givenName="Anna",
            SN="Berg",  # attribute names are case-insensitive
            o="Berg Bau GmbH",
            telephoneNumber=["+49 30 1234567", "+49 30 1234568"],
            mobile="+49 171 2345678",
            homePhone="030 7654321",
            facsimileTelephoneNumber="+49 30 1234599",
        ),
        LdapAttributes(),
    )
    assert issues == []
    assert contact is not None
    assert (contact.name, contact.first_name, contact.last_name, contact.company) == (
        "Anna Berg",
        "Anna",
        "Berg",
        "Berg Bau GmbH",
    )
    assert contact.numbers == (
        PhoneNumber("+49 30 1234567", NumberType.BUSINESS),
        PhoneNumber("+49 30 1234568", NumberType.BUSINESS),
        PhoneNumber("+49 171 2345678", NumberType.MOBILE),
        PhoneNumber("030 7654321", NumberType.HOME),
        PhoneNumber("+49 30 1234599", NumberType.FAX),
    )
    assert contact.presence == ""


def test_work_ip_phone_is_the_presence_address_and_not_repeated() -> None:
    mapping = LdapAttributes(work_ip_phone="telephoneNumber")  # the manual's IM setting
    contact, _ = entry_to_contact(DN, raw(cn="Anna", telephoneNumber="+49 30 1234567"), mapping)
    assert contact is not None
    assert contact.presence == "+49 30 1234567"
    assert contact.numbers == (PhoneNumber("+49 30 1234567", NumberType.BUSINESS),)
    contact, _ = entry_to_contact(
        DN, raw(cn="Anna", telephoneNumber="+49 30 1", ipPhone="+49-30-1"), LdapAttributes()
    )
    assert contact is not None and contact.presence == "+49-30-1"
    assert len(contact.numbers) == 1  # the same number spelt twice


def test_active_directory_preset() -> None:
    contact, _ = entry_to_contact(
        "CN=Anna Berg,OU=Users,DC=corp",
        raw(cn="Anna Berg", displayName="Berg, Anna", company="Berg Bau", o="ignored"),
        ACTIVE_DIRECTORY,
    )
    assert contact is not None
    assert (contact.name, contact.company) == ("Berg, Anna", "Berg Bau")


def test_name_falls_back_when_display_attribute_is_unmapped() -> None:
    contact, _ = entry_to_contact(
        DN, raw(cn="X", givenName="Anna", sn="Berg"), LdapAttributes(display_name="")
    )
    assert contact is not None and contact.name == "Anna Berg"


@pytest.mark.parametrize(
    ("values", "why"),
    [
        ({"objectClass": "person"}, "no name, company or phone number"),
        ({"cn": b"\xff\xfeAnna", "telephoneNumber": "1"}, "cn is not UTF-8 text"),
        ({"cn": "Anna\x07Berg", "telephoneNumber": "1"}, "cn contains control characters"),
        ({"sn": "B" * 201, "telephoneNumber": "1"}, "sn is longer than 200 characters"),
    ],
)
def test_unusable_entries_are_skipped_with_dn_and_reason(
    values: dict[str, str | bytes], why: str
) -> None:
    contact, issues = entry_to_contact(DN, raw(**values), LdapAttributes())
    assert contact is None
    assert issues[-1].problem is SourceProblem.ENTRY_SKIPPED
    assert (issues[-1].where, issues[-1].detail) == (DN, why)


def test_a_value_that_is_no_number_is_left_out_and_reported() -> None:
    contact, issues = entry_to_contact(
        DN, raw(cn="Anna", telephoneNumber=["n/a", "+49 30 1"], mobile=b"\xff"), LdapAttributes()
    )
    assert contact is not None
    assert contact.numbers == (PhoneNumber("+49 30 1", NumberType.BUSINESS),)
    assert [(i.problem, i.where) for i in issues] == [(SourceProblem.BAD_DATA, DN)] * 2
    assert "'n/a' is not a phone number" in issues[0].detail


def test_config_ports_and_url() -> None:
    assert LdapConfig("pbx").server_port == 389
    assert LdapConfig("pbx", security="starttls").server_port == 389
    assert LdapConfig("pbx", security="ldaps").server_port == 636
    assert LdapConfig("pbx", port=10389, security="ldaps").url == "ldaps://pbx:10389"
    assert LdapConfig("::1").url == "ldap://[::1]:389"
    assert "secret" not in repr(LdapConfig("pbx", bind_dn="cn=x", password="secret"))


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("ldap://192.168.0.10:389", ("192.168.0.10", 389, False)),
        ("ldaps://pbx.example", ("pbx.example", None, True)),
        ("LDAPS://pbx:10636/dc=auerswald", ("pbx", 10636, True)),
        ("192.168.0.10", ("192.168.0.10", None, False)),
        ("pbx:10389", ("pbx", 10389, False)),
        ("ldap://[fd00::1]:389", ("fd00::1", 389, False)),
        ("fd00::1", ("fd00::1", None, False)),
    ],
)
def test_parse_url(url: str, parsed: tuple[str, int | None, bool]) -> None:
    assert parse_url(url) == parsed


@pytest.mark.parametrize("url", ["http://pbx", "ldap://", "ldap://pbx:99999", "ldap://pbx:x"])
def test_parse_url_refuses(url: str) -> None:
    with pytest.raises(ValueError):
        parse_url(url)


def test_entry_problems_are_capped_with_a_summary() -> None:
    got = _Collected()
    for i in range(MAX_ENTRY_ISSUES + 7):
        got.add_entry_issues([SourceIssue(SourceProblem.ENTRY_SKIPPED, f"uid={i}", "why")])
    assert len(got.issues) == MAX_ENTRY_ISSUES
    assert [(i.problem, i.detail) for i in got.summary()] == [
        (SourceProblem.BAD_DATA, "7 more entry problems not listed")
    ]


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("cn", True),
        ("ipPhone", True),
        ("facsimileTelephoneNumber", True),
        ("2.5.4.20", True),
        ("cn;lang-de", True),
        ("cn)(x", False),
        ("cn=*", False),
        ("1cn", False),
        ("", False),
        ("mail address", False),
    ],
)
def test_attribute_names(name: str, ok: bool) -> None:
    assert is_attribute_name(name) is ok


def test_a_mapping_that_is_no_attribute_name_is_refused_before_connecting() -> None:
    # Port 9 (discard) is never contacted: the mapping is checked first.
    bad = LdapConfig("127.0.0.1", port=9, attributes=LdapAttributes(company="o)(cn=*"))
    for result in (fetch_all(bad), search(bad, "Anna")):
        assert result.failed
        assert [(i.problem, i.where) for i in result.issues] == [
            (SourceProblem.BAD_DATA, "attributes.company")
        ]


def test_number_filter_is_equality_in_each_spelling() -> None:
    f = number_filter("(objectClass=person)", ["telephoneNumber", "mobile"], "030 123", "DE")
    assert f == (
        "(&(objectClass=person)(|(telephoneNumber=030123)(telephoneNumber=+4930123)"
        "(telephoneNumber=004930123)(mobile=030123)(mobile=+4930123)(mobile=004930123)))"
    )
    assert well_formed(f)
    assert number_filter("(objectClass=person)", ["telephoneNumber"], "Anna", "DE") is None
