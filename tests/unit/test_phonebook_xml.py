"""XML phone books: every format detected by its shape, bad and hostile documents refused
with a clear code, local files read with validators (parley.contacts.phonebook_xml)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.contacts.model import NumberType, PhoneNumber
from parley.contacts.phonebook_xml import fetch_phonebook, parse_phonebook
from parley.contacts.source import FetchResult, SourceProblem
from phonebook_samples import (
    BILLION_LAUGHS,
    CISCO,
    FANVIL_DIRECTORY,
    FANVIL_PHONEBOOK,
    GRANDSTREAM,
    POLYCOM,
    SNOM_DIRECTORY,
    SNOM_TBOOK,
    SNOM_TBOOK_V2_IN_SETTINGS,
    YEALINK_LOCAL,
    YEALINK_LOCAL_GROUP_ROOT,
    YEALINK_MENU,
    YEALINK_REMOTE,
)

B, M, H, F, OT = (
    NumberType.BUSINESS,
    NumberType.MOBILE,
    NumberType.HOME,
    NumberType.FAX,
    NumberType.OTHER,
)


def summary(result: FetchResult) -> list[tuple[str, tuple[tuple[str, NumberType], ...]]]:
    return [(c.name, tuple((n.number, n.type) for n in c.numbers)) for c in result.contacts]


def problems(result: FetchResult) -> list[SourceProblem]:
    return [i.problem for i in result.issues]


def test_yealink_auerswald_remote_phonebook() -> None:
    result = parse_phonebook(YEALINK_REMOTE)
    assert summary(result) == [
        ("Müller, Jürgen", (("+49 5306 9200-0", B), ("0171 2345678", B))),
        ("Empfang", (("200", B),)),
    ]
    assert not result.failed
    [issue] = result.issues
    assert issue.problem is SourceProblem.ENTRY_SKIPPED
    assert issue.where == "/YealinkIPPhoneDirectory/DirectoryEntry[3]"
    assert "no name and no number" in issue.detail


def test_yealink_local_directory_with_two_top_level_elements() -> None:
    result = parse_phonebook(YEALINK_LOCAL)
    assert summary(result) == [
        ("John", (("1001", B), ("12345678910", M))),
        ("Alice", (("1002", B), ("+44 20 7946 0000", OT))),
    ]
    assert result.issues == ()


def test_yealink_local_entry_skipped_is_placed_without_the_helper_parent() -> None:
    data = YEALINK_LOCAL.replace(
        b'display_name="John" office_number="1001" mobile_number="12345678910"',
        b'display_name="" office_number="" mobile_number=""',
    )
    result = parse_phonebook(data)
    assert [c.name for c in result.contacts] == ["Alice"]
    assert [i.where for i in result.issues] == ["/root_contact/contact[1]"]


def test_yealink_local_directory_under_root_group() -> None:
    result = parse_phonebook(YEALINK_LOCAL_GROUP_ROOT)
    assert summary(result) == [("Hurrell & Mclean", (("030 1234", B),))]


def test_yealink_menu_phonebook() -> None:
    result = parse_phonebook(YEALINK_MENU)
    assert summary(result) == [
        ("Weber Dennis", (("0511 1234", B), ("0151 12727388", M))),
        ("Kirsch Wolfgang", (("0791509–326", B),)),
        ("Schur Marcus", (("01722515261", OT),)),
    ]
    assert result.issues == ()


def test_cisco_directory_in_latin1_with_a_sip_address() -> None:
    result = parse_phonebook(CISCO)
    assert summary(result) == [
        ("André Dupont", (("5001", B),)),
        ("Helpdesk", (("sip:helpdesk@pbx.example.com", B),)),
    ]


def test_snom_tbook_items_with_names_types_and_a_bad_number() -> None:
    result = parse_phonebook(SNOM_TBOOK)
    assert summary(result) == [
        ("Adrian", (("42965", OT),)),
        ("Roland Krämer", (("+49 30 16424", M),)),
        ("Nobody", ()),  # kept: the source's "hide contacts without phone" filter decides
    ]
    roland = result.contacts[1]
    assert (roland.first_name, roland.last_name, roland.company) == ("Roland", "Krämer", "MSW")
    [issue] = result.issues
    assert issue.problem is SourceProblem.ENTRY_SKIPPED
    assert issue.where == "/tbook/item[3]"
    assert "'call me maybe'" in issue.detail


def test_snom_tbook_version_2_inside_settings() -> None:
    result = parse_phonebook(SNOM_TBOOK_V2_IN_SETTINGS)
    assert summary(result) == [
        ("Anne Meyer", (("444", B), ("0172 445", M), ("446", F))),
        ("Paul Meyer", (("334", H), ("335", OT))),
    ]
    assert result.contacts[0].company == "MSW"


def test_snom_ip_phone_directory() -> None:
    result = parse_phonebook(SNOM_DIRECTORY)
    assert summary(result) == [("John Doe", (("123", B), ("345", B), ("0170 123", M)))]


def test_fanvil_directory_and_phonebook() -> None:
    assert summary(parse_phonebook(FANVIL_DIRECTORY)) == [
        ("Lager + Versand", (("0160 5550101", M), ("0341 55501", B), ("0341 55502", OT)))
    ]
    assert summary(parse_phonebook(FANVIL_PHONEBOOK)) == [("Zentrale", (("0", B),))]


def test_grandstream_addressbook() -> None:
    result = parse_phonebook(GRANDSTREAM)
    assert summary(result) == [
        ("John Doe", (("+49 89 1234-0", B), ("0171 9876543", M), ("+49 89 1234-99", F))),
        ("Ringo", (("4711", OT),)),
        ("Nowak", (("456456456", H),)),
    ]
    john, ringo, _ = result.contacts
    assert (john.first_name, john.last_name, john.company) == ("John", "Doe", "Acme GmbH")
    # A first name alone is shown: it becomes the display name the model asks for.
    assert ringo.problems() == []


def test_polycom_directory() -> None:
    assert summary(parse_phonebook(POLYCOM)) == [
        ("John Doe", (("1001", B),)),
        ("Bill Smith", (("1003", B),)),
    ]


def test_utf16_with_bom() -> None:
    data = YEALINK_REMOTE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    result = parse_phonebook(data.encode("utf-16"))
    assert summary(result)[0][0] == "Müller, Jürgen"


def test_namespaced_elements_are_read_by_local_name() -> None:
    data = b"""<p:CiscoIPPhoneDirectory xmlns:p="urn:x"><p:DirectoryEntry><p:Name>A</p:Name>
    <p:Telephone>1</p:Telephone></p:DirectoryEntry></p:CiscoIPPhoneDirectory>"""
    assert summary(parse_phonebook(data)) == [("A", (("1", B),))]


def test_texts_are_cleaned_and_bounded() -> None:
    long = "x" * 500
    data = f"""<YealinkIPPhoneDirectory><DirectoryEntry><Name>  Anna\t\n  Berg </Name>
    <Telephone> 12 </Telephone><Telephone>1-2</Telephone></DirectoryEntry>
    <DirectoryEntry><Name>{long}</Name><Telephone>3</Telephone></DirectoryEntry>
    </YealinkIPPhoneDirectory>""".encode()
    result = parse_phonebook(data)
    first, second = result.contacts
    assert first.name == "Anna Berg"
    assert first.numbers == (PhoneNumber("12", B),)  # "1-2" is the same number
    assert len(second.name) == 200
    assert all(c.problems() == [] for c in result.contacts)


def test_empty_phonebook_is_a_good_empty_fetch() -> None:
    result = parse_phonebook(b"<CiscoIPPhoneDirectory><Title>x</Title></CiscoIPPhoneDirectory>")
    assert result == FetchResult()


def test_every_entry_unusable_counts_as_failed() -> None:
    data = b"<YealinkIPPhoneDirectory><DirectoryEntry><Name/></DirectoryEntry></YealinkIPPhoneDirectory>"
    result = parse_phonebook(data)
    assert result.failed and problems(result) == [SourceProblem.ENTRY_SKIPPED]


# --- refused documents ---------------------------------------------------------------------


def test_unknown_shape_names_the_root_element() -> None:
    result = parse_phonebook(b"<html><body><p>Login</p></body></html>")
    assert result.failed
    [issue] = result.issues
    assert issue.problem is SourceProblem.UNSUPPORTED
    assert "<html>" in issue.detail


@pytest.mark.parametrize(
    "data",
    [
        b"<YealinkIPPhoneDirectory><DirectoryEntry><Name>A</Name>",
        b"not xml at all",
        b"",
        b"   \n",
        b"<a></b>",
    ],
)
def test_broken_xml_is_bad_data(data: bytes) -> None:
    result = parse_phonebook(data)
    assert result.failed and result.contacts == ()
    assert problems(result) == [SourceProblem.BAD_DATA]


def test_wrong_encoding_declared_is_explained() -> None:
    data = CISCO.replace(b"ISO-8859-1", b"UTF-8")
    result = parse_phonebook(data)
    assert result.failed
    [issue] = result.issues
    assert issue.problem is SourceProblem.BAD_DATA
    assert "UTF-8" in issue.detail and "0xE9" in issue.detail and "line 6" in issue.detail


def test_unknown_encoding_declared() -> None:
    result = parse_phonebook(b'<?xml version="1.0" encoding="klingon"?><tbook/>')
    assert problems(result) == [SourceProblem.BAD_DATA]
    assert "klingon" in result.issues[0].detail


def test_billion_laughs_is_refused() -> None:
    result = parse_phonebook(BILLION_LAUGHS)
    assert result.failed and result.contacts == ()
    [issue] = result.issues
    assert issue.problem is SourceProblem.BAD_DATA
    assert "entity" in issue.detail


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("0800 SECRET")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>
<CiscoIPPhoneDirectory><DirectoryEntry><Name>&xxe;</Name><Telephone>1</Telephone>
</DirectoryEntry></CiscoIPPhoneDirectory>""".encode()
    result = parse_phonebook(data)
    assert result.failed and result.contacts == ()
    assert problems(result) == [SourceProblem.BAD_DATA]
    assert "SECRET" not in repr(result)


def test_huge_body_is_refused_before_parsing() -> None:
    entry = b"<DirectoryEntry><Name>N</Name><Telephone>1</Telephone></DirectoryEntry>"
    data = b"<YealinkIPPhoneDirectory>" + entry * 400_000 + b"</YealinkIPPhoneDirectory>"
    assert len(data) > 20_000_000
    result = parse_phonebook(data)
    assert result.failed and problems(result) == [SourceProblem.TOO_LARGE]
    assert "20000000" in result.issues[0].detail


def test_a_large_book_within_the_limit_is_read() -> None:
    entries = b"".join(
        b"<DirectoryEntry><Name>Person %d</Name><Telephone>%d</Telephone></DirectoryEntry>"
        % (i, 10000 + i)
        for i in range(20_000)
    )
    result = parse_phonebook(b"<YealinkIPPhoneDirectory>" + entries + b"</YealinkIPPhoneDirectory>")
    assert len(result.contacts) == 20_000 and result.issues == ()
    assert result.contacts[-1].numbers[0].number == "29999"


# --- local files ---------------------------------------------------------------------------


def test_fetch_a_local_path_and_a_file_url(tmp_path: Path) -> None:
    book = tmp_path / "Telefon buch.xml"
    book.write_bytes(GRANDSTREAM)
    by_path = fetch_phonebook(str(book))
    by_url = fetch_phonebook(book.as_uri())
    assert summary(by_path) == summary(by_url) == summary(parse_phonebook(GRANDSTREAM))
    assert by_path.etag and by_path.last_modified and not by_path.failed


def test_unchanged_local_file_is_not_modified(tmp_path: Path) -> None:
    book = tmp_path / "book.xml"
    book.write_bytes(POLYCOM)
    first = fetch_phonebook(str(book))
    again = fetch_phonebook(str(book), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and not again.failed and again.contacts == ()
    book.write_bytes(POLYCOM.replace(b"1003", b"1004"))
    later = time.time() + 5  # a new mtime even on a coarse-grained file system
    os.utime(book, (later, later))
    changed = fetch_phonebook(str(book), etag=first.etag)
    assert not changed.not_modified
    assert ("Bill Smith", (("1004", B),)) in summary(changed)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    missing = fetch_phonebook(str(tmp_path / "nope.xml"))
    assert missing.failed and problems(missing) == [SourceProblem.NOT_FOUND]
    folder = fetch_phonebook(str(tmp_path))
    assert folder.failed and problems(folder) == [SourceProblem.NOT_FOUND]
    assert problems(fetch_phonebook("")) == [SourceProblem.NOT_FOUND]


def test_local_file_over_the_limit(tmp_path: Path) -> None:
    book = tmp_path / "big.xml"
    book.write_bytes(YEALINK_REMOTE * 10)
    result = fetch_phonebook(str(book), max_bytes=len(YEALINK_REMOTE))
    assert result.failed and problems(result) == [SourceProblem.TOO_LARGE]


def test_unknown_scheme_is_unsupported() -> None:
    result = fetch_phonebook("ftp://127.0.0.1/book.xml")
    assert result.failed and problems(result) == [SourceProblem.UNSUPPORTED]
    assert "ftp" in result.issues[0].detail


# --- whatever comes in, a result comes out ---------------------------------------------------

SAMPLES = [
    YEALINK_REMOTE,
    YEALINK_LOCAL,
    YEALINK_MENU,
    CISCO,
    SNOM_TBOOK,
    SNOM_TBOOK_V2_IN_SETTINGS,
    GRANDSTREAM,
    POLYCOM,
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(SAMPLES),
    cut=st.integers(0, 2000),
    junk=st.binary(max_size=40),
    at=st.integers(0, 2000),
)
def test_mangled_phonebooks_never_raise(sample: bytes, cut: int, junk: bytes, at: int) -> None:
    data = sample[:at] + junk + sample[at:]
    data = data[: max(cut, 1)] if cut < len(data) // 2 else data
    result = parse_phonebook(data)
    assert isinstance(result, FetchResult)
    assert result.contacts or result.issues or not result.failed
    for contact in result.contacts:
        assert contact.has_name or contact.has_number
        assert all(len(v) <= 200 for v in (contact.display_name, contact.first_name))


@settings(max_examples=100, deadline=None)
@given(
    name=st.text(max_size=60),
    number=st.text(max_size=30),
    tag=st.sampled_from(["Telephone", "Mobile", "Office", "Other", "Home", "Fax"]),
)
def test_any_entry_text_gives_a_valid_entry_or_an_issue(name: str, number: str, tag: str) -> None:
    from xml.sax.saxutils import escape

    def xml_text(text: str) -> str:
        # Only characters XML 1.0 can carry at all.
        return escape(
            "".join(
                c
                for c in text
                if c in "\t\n\r"
                or (" " <= c and c not in "\ufffe\uffff" and not "\ud800" <= c <= "\udfff")
            )
        )

    data = (
        "<YealinkIPPhoneDirectory><DirectoryEntry>"
        f"<Name>{xml_text(name)}</Name><{tag}>{xml_text(number)}</{tag}>"
        "</DirectoryEntry></YealinkIPPhoneDirectory>"
    ).encode()
    result = parse_phonebook(data)
    for contact in result.contacts:
        # Every kept number is one the model accepts; only the name may be missing.
        assert [p for p in contact.problems() if p.field.startswith("numbers[")] == []
    if not result.contacts:
        assert [i.problem for i in result.issues] == [SourceProblem.ENTRY_SKIPPED] * len(
            result.issues
        ) and result.issues
