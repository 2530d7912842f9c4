"""The vCard reader (3.0, 4.0, 2.1) on exports of Google, iCloud, Nextcloud, Android and
Outlook, its refusals, and the vCard 4.0 writer read back (parley.contacts.vcard)."""

from __future__ import annotations

import pytest

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.source import SourceProblem
from parley.contacts.vcard import (
    MAX_VCARD_BYTES,
    VCardError,
    read_vcard,
    read_vcards,
    vcard_to_contact,
    write_vcard,
    write_vcards,
)
from vcard_samples import (
    ANDROID_21,
    GOOGLE,
    ICLOUD,
    NEXTCLOUD,
    OUTLOOK_QP,
    V4_HOTLINE,
    V4_WEISS,
)

B, M, H, F, OT = (
    NumberType.BUSINESS,
    NumberType.MOBILE,
    NumberType.HOME,
    NumberType.FAX,
    NumberType.OTHER,
)


def numbers(contact: Contact) -> list[tuple[str, NumberType]]:
    return [(n.number, n.type) for n in contact.numbers]


def test_google_export() -> None:
    c = read_vcard(GOOGLE)
    assert (c.display_name, c.first_name, c.last_name, c.company) == (
        "Anna Berg",
        "Anna",
        "Berg",
        "Berg Bau GmbH",
    )
    assert numbers(c) == [
        ("+49 171 2345678", M),
        ("+49 30 1234567", B),
        ("030 7654321", H),
        ("+49 30 1234599", F),
    ]


def test_icloud_export_pref_first_groups_and_photo_skipped() -> None:
    c = read_vcard(ICLOUD.encode("utf-8"))
    assert c.name == "Bernd Krause"
    assert c.company == "Krause & Söhne"  # the department after ";" is not the company
    # type=pref puts the mobile first; item1.TEL (grouped, labelled "Other") is read too.
    assert numbers(c) == [
        ("0172 3456789", M),
        ("030 9876543", B),
        ("+49 40 5550177", OT),
        ("030 9876544", F),
    ]


def test_nextcloud_quoted_type_lists() -> None:
    c = read_vcard(NEXTCLOUD)
    assert (c.first_name, c.last_name, c.company) == ("Eva", "Roth", "Roth IT")
    assert numbers(c) == [("+49 30 5550199", H), ("+49 160 5550199", M), ("+49 30 5550100", B)]


def test_vcard4_tel_uris_pref_and_escapes() -> None:
    c = read_vcard(V4_WEISS)
    assert c.display_name == "Clara Weiß"
    assert c.company == "Auerswald GmbH, Co. KG"  # "\," unescaped, ";Vertrieb" not the company
    assert numbers(c) == [
        ("+49-5306-92000", B),
        ("+49-160-5550188", M),
        ("+49-30-5550111", H),  # ";ext=12" is a tel: parameter, not part of the number
        ("+49-5306-92100", F),
    ]


def test_android_21_quoted_printable_soft_breaks() -> None:
    c = read_vcard(ANDROID_21)
    assert (c.display_name, c.last_name, c.first_name) == ("Dieter Müller", "Müller", "Dieter")
    assert numbers(c) == [("+49 89 5550123", M), ("089 5550100", B)]


def test_outlook_latin1_quoted_printable_and_escaped_semicolon() -> None:
    c = read_vcard(OUTLOOK_QP)
    assert (c.display_name, c.last_name, c.first_name) == (
        "Jürgen Schröder",
        "Schröder",
        "Jürgen",
    )
    assert c.company == "Schröder; Partner"
    # TYPE=PREF,CELL (a list in one parameter): the preferred mobile first.
    assert numbers(c) == [("+49 151 5550100", M), ("+49 (40) 555-0100", B)]


def test_company_only_card() -> None:
    c = read_vcard(V4_HOTLINE)
    assert c.name == "Support-Hotline"
    assert numbers(c) == [("+49-800-5550000", B)]


def test_whole_file_bytes_in_windows_1252() -> None:
    text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252:Jäger;Jörg\r\nTEL;HOME:0301\r\nEND:VCARD\r\n"
    c = read_vcard(text.encode("cp1252"))
    assert (c.last_name, c.first_name) == ("Jäger", "Jörg")
    assert numbers(c) == [("0301", H)]


def test_folding_with_lf_and_tab_and_bom() -> None:
    text = "\ufeffBEGIN:VCARD\nVERSION:3.0\nFN:Very Long\n\tName Here\nTEL;TYPE=VOICE:+49 30\n  1234\nEND:VCARD\n"
    c = read_vcard(text)
    assert c.display_name == "Very LongName Here"
    assert numbers(c) == [("+49 30 1234", OT)]


def test_sip_addresses_kept_and_junk_numbers_left_out() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Desk\r\n"
        "TEL;VALUE=uri:sip:desk@pbx.example.com\r\n"
        "TEL;VALUE=uri:tel:+49-30-1\r\n"
        "TEL:n/a\r\n"
        "TEL;TYPE=work:+49 30 1\r\n"  # the same number again: once
        "END:VCARD\r\n"
    )
    contact, issues = vcard_to_contact(text, "/book/desk.vcf")
    assert contact is not None
    assert numbers(contact) == [("sip:desk@pbx.example.com", OT), ("+49-30-1", OT)]
    assert [(i.problem, i.where) for i in issues] == [(SourceProblem.BAD_DATA, "/book/desk.vcf")]
    assert "'n/a'" in issues[0].detail


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("hello", "outside BEGIN:VCARD"),
        ("", "no BEGIN:VCARD"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\n", "no END:VCARD"),
        ("BEGIN:VCARD\r\nVERSION:9.9\r\nFN:X\r\nEND:VCARD\r\n", "version '9.9'"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nno colon here\r\nEND:VCARD\r\n", "line 4"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:a@b.c\r\nEND:VCARD\r\n", "no name"),
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nBEGIN:VCARD\r\nFN:B\r\nEND:VCARD\r\nEND:VCARD\r\n",
            "inside a card",
        ),
        ("BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:B\r\nEND:VCARD\r\n", "2 cards"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN;CHARSET=x-nonsense:A\r\nEND:VCARD\r\n", None),
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=x-nonsense:=41\r\nEND:VCARD\r\n",
            "unknown charset",
        ),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + "A" * 300 + "\r\nEND:VCARD\r\n", "longer than"),
    ],
)
def test_bad_cards_refused_with_why(text: str, why: str | None) -> None:
    if why is None:  # a charset on a value that is not encoded is harmless: read
        assert read_vcard(text).name == "A"
        return
    with pytest.raises(VCardError, match=why.replace("(", r"\(")):
        read_vcard(text)
    contact, issues = vcard_to_contact(text, "/dav/anna/book/x.vcf")
    assert contact is None
    assert [(i.problem, i.where) for i in issues] == [
        (SourceProblem.ENTRY_SKIPPED, "/dav/anna/book/x.vcf")
    ]
    assert why in issues[0].detail


def test_oversized_card_refused_unparsed() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\nNOTE:"
        + "x" * MAX_VCARD_BYTES
        + "\r\nEND:VCARD\r\n"
    )
    contact, issues = vcard_to_contact(text, "big.vcf")
    assert contact is None and "larger than" in issues[0].detail


def test_a_file_of_many_cards_keeps_the_good_ones() -> None:
    broken = "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:x@y.z\r\nEND:VCARD\r\n"
    data = GOOGLE + ICLOUD + broken + NEXTCLOUD + "BEGIN:VCARD\r\nFN:Cut off\r\n"
    contacts, issues = read_vcards(data.encode(), "export.vcf")
    assert [c.name for c in contacts] == ["Anna Berg", "Bernd Krause", "Eva Roth"]
    skipped_line = GOOGLE.count("\r\n") + ICLOUD.count("\r\n") + 1
    assert [(i.problem, i.where) for i in issues] == [
        (SourceProblem.ENTRY_SKIPPED, f"export.vcf:{skipped_line}"),
        (SourceProblem.ENTRY_SKIPPED, f"export.vcf:{data.count(chr(10)) - 1}"),  # the cut-off card
    ]


def test_write_vcard_4_shape() -> None:
    contact = Contact(
        first_name="Anna",
        last_name="Berg",
        company="Berg, Bau; GmbH",
        numbers=(PhoneNumber("+49 30 1234567", B), PhoneNumber("0171 2345678", M)),
        id=7,
    )
    text = write_vcard(contact)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert "UID:urn:parley:contact:7\r\n" in text
    assert "FN:Anna Berg\r\n" in text
    assert "N:Berg;Anna;;;\r\n" in text
    assert "ORG:Berg\\, Bau\\; GmbH\r\n" in text
    assert 'TEL;VALUE=uri;TYPE="work,voice":tel:+49-30-1234567\r\n' in text
    assert 'TEL;VALUE=uri;TYPE="cell,voice":tel:0171-2345678\r\n' in text
    assert text.endswith("END:VCARD\r\n")


def test_export_round_trip() -> None:
    long_name = "Ä" * 60 + " Verylongcompanyname"  # folded inside two-byte characters
    local = [
        Contact(
            first_name="Anna",
            last_name="Berg",
            display_name="Anna Berg (Bau)",
            company="Berg Bau GmbH",
            numbers=(
                PhoneNumber("+49 30 1234567", B),
                PhoneNumber("+49 171 2345678", M),
                PhoneNumber("030 7654321", H),
                PhoneNumber("+49 30 1234599", F),
                PhoneNumber("**21", OT),
            ),
        ),
        Contact(last_name="Weiß", first_name="Clara", numbers=(PhoneNumber("sip:clara@pbx", OT),)),
        Contact(company=long_name, numbers=(PhoneNumber("0800 555", B),)),
        Contact(display_name="Semi; colon, comma \\ backslash", numbers=(PhoneNumber("1", OT),)),
    ]
    text = write_vcards(local)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    back, issues = read_vcards(text)
    assert issues == []

    def key(c: Contact) -> tuple[object, ...]:
        return (
            c.name,
            c.first_name,
            c.last_name,
            c.company,
            [("".join(ch for ch in n.number if ch not in " -"), n.type) for n in c.numbers],
        )

    assert [key(c) for c in back] == [key(c) for c in local]
