"""Importing contacts from CSV files: the exports of Outlook (English and German),
Google Contacts (old and new layout) and Thunderbird as those programs write them, each
encoding and separator, broken rows reported by their physical line, duplicates, batches
rolled back alone, progress, and bad input that never raises."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.contacts import csv_import
from parley.contacts.csv_import import (
    Field,
    FileProblem,
    Mapping,
    RejectedRow,
    RowProblem,
    analyse,
    detect_separator,
    guess_encoding,
    import_contacts,
    preview,
    read_file,
    suggest_field,
)
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.source import SourceProblem
from parley.contacts.store import ContactStore
from parley.history.db import StoreError


@pytest.fixture
def store(tmp_path: Path) -> ContactStore:
    s = ContactStore(tmp_path / "contacts.sqlite3", default_region="DE")
    yield s  # type: ignore[misc]
    s.close()


def quoted(fields: list[str], sep: str = ",") -> str:
    return sep.join('"' + f.replace('"', '""') + '"' for f in fields)


def numbers_of(contact: Contact) -> list[tuple[str, NumberType]]:
    return [(n.number, n.type) for n in contact.numbers]


def by_name(store: ContactStore) -> dict[str, Contact]:
    return {c.name: c for c in store.list()}


def run(data: bytes, store: ContactStore, **options: str) -> csv_import.ImportResult:
    analysis = analyse(data, **options)  # type: ignore[arg-type]
    assert analysis.problem is None, analysis
    return import_contacts(analysis, analysis.suggested, store)


# ---------------------------------------------------------------- the exports we know

OUTLOOK_EN = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business City", "Business Postal Code",
    "Business Country/Region", "Assistant's Phone", "Business Fax", "Business Phone",
    "Business Phone 2", "Callback", "Car Phone", "Company Main Phone", "Home Fax",
    "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax", "Other Phone",
    "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "Notes",
]  # fmt: skip


def outlook_en_row(**values: str) -> list[str]:
    return [values.get(h, "") for h in OUTLOOK_EN]


def test_outlook_english_export_imports_without_editing(store: ContactStore) -> None:
    # Outlook writes UTF-8 with a BOM, every field quoted, CRLF, notes over several lines.
    rows = [
        outlook_en_row(
            **{
                "First Name": "Anna",
                "Last Name": "Berg",
                "Company": "Berg & Söhne GmbH",
                "Business Phone": "+49 (30) 1234-56",
                "Mobile Phone": "+49 171 555 0101",
                "Home Phone": "030 998877",
                "Business Fax": "+49 30 1234-99",
                "E-mail Address": "anna@berg.example",
                "E-mail Display Name": "Anna Berg (anna@berg.example)",
                "Notes": "met at the fair\r\nsecond line, with a comma",
            }
        ),
        outlook_en_row(
            **{
                "Company": "Pizza Roma",
                "Company Main Phone": "030 555 1234",
                "Primary Phone": "+49 30 5551234",
            }
        ),
    ]
    text = "\r\n".join(quoted(r) for r in [OUTLOOK_EN, *rows]) + "\r\n"
    data = codecs.BOM_UTF8 + text.encode("utf-8")

    analysis = analyse(data)
    assert (analysis.encoding, analysis.separator) == ("utf-8", ",")
    assert analysis.header[0] == "Title"  # the BOM is gone
    fields = dict(zip(analysis.header, analysis.suggested.fields, strict=True))
    assert fields["First Name"] is Field.FIRST_NAME
    assert fields["Business Phone"] is Field.PHONE_BUSINESS
    assert fields["E-mail Display Name"] is Field.IGNORE
    result = import_contacts(analysis, analysis.suggested, store)
    assert (result.imported, result.skipped) == (2, ())

    contacts = by_name(store)
    anna = contacts["Anna Berg"]
    assert (anna.first_name, anna.last_name, anna.company) == ("Anna", "Berg", "Berg & Söhne GmbH")
    assert numbers_of(anna) == [
        ("+49 30 1234-99", NumberType.FAX),
        ("+49 (30) 1234-56", NumberType.BUSINESS),
        ("030 998877", NumberType.HOME),
        ("+49 171 555 0101", NumberType.MOBILE),
    ]
    # "Primary Phone" repeated the main number in another spelling: kept once.
    assert numbers_of(contacts["Pizza Roma"]) == [("030 555 1234", NumberType.BUSINESS)]
    assert store.lookup_number("+4930123456") == anna  # the stored number is found


OUTLOOK_DE = [
    "Anrede", "Vorname", "Weitere Vornamen", "Nachname", "Suffix", "Firma", "Abteilung",
    "Position", "Straße geschäftlich", "Ort geschäftlich", "Telefon Assistent",
    "Fax geschäftlich", "Telefon geschäftlich", "Telefon geschäftlich 2", "Rückmeldung",
    "Autotelefon", "Telefon Firma", "Fax privat", "Telefon privat", "Telefon privat 2",
    "ISDN", "Mobiltelefon", "Weiteres Fax", "Weiteres Telefon", "Pager", "Haupttelefon",
    "Mobiltelefon 2", "E-Mail-Adresse", "E-Mail-Typ", "E-Mail: Angezeigter Name", "Notizen",
]  # fmt: skip


def test_german_outlook_export_in_windows_1252_with_semicolons(store: ContactStore) -> None:
    def row(**values: str) -> list[str]:
        return [values.get(h, "") for h in OUTLOOK_DE]

    rows = [
        row(
            Vorname="Jürgen",
            Nachname="Müller",
            Firma="Bäckerei Größe",
            **{"Telefon geschäftlich": "0221 / 47 11-0", "Mobiltelefon": "0172 1234567"},
        ),
        row(Nachname="Weiß", **{"Telefon privat": "089 123456", "Straße geschäftlich": "Öde 1"}),
    ]
    data = ("\r\n".join(quoted(r, ";") for r in [OUTLOOK_DE, *rows]) + "\r\n").encode("cp1252")

    assert guess_encoding(data) == "cp1252"
    assert detect_separator(data.decode("cp1252")) == ";"
    result = run(data, store)
    assert (result.imported, result.skipped) == (2, ())
    contacts = by_name(store)
    assert numbers_of(contacts["Jürgen Müller"]) == [
        ("0221 / 47 11-0", NumberType.BUSINESS),
        ("0172 1234567", NumberType.MOBILE),
    ]
    assert contacts["Jürgen Müller"].company == "Bäckerei Größe"
    assert numbers_of(contacts["Weiß"]) == [("089 123456", NumberType.HOME)]


GOOGLE_OLD = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Name Prefix",
    "Name Suffix", "Nickname", "Birthday", "Notes", "Group Membership", "E-mail 1 - Type",
    "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type",
    "Phone 2 - Value", "Organization 1 - Type", "Organization 1 - Name",
    "Organization 1 - Title",
]  # fmt: skip


def test_old_google_export_in_utf16_with_type_and_value_pairs(store: ContactStore) -> None:
    def row(**values: str) -> list[str]:
        return [values.get(h, "") for h in GOOGLE_OLD]

    rows = [
        row(
            Name="Chris Ødegaard",
            **{
                "Given Name": "Chris",
                "Family Name": "Ødegaard",
                "Group Membership": "* My Contacts",
                "Phone 1 - Type": "* Mobile",
                "Phone 1 - Value": "+47 412 34 567 ::: +47 412 34 568",
                "Phone 2 - Type": "Work Fax",
                "Phone 2 - Value": "+47 22 00 00 01",
                "Organization 1 - Name": "Fjord AS",
            },
        ),
        row(**{"Given Name": "Dana", "Phone 1 - Type": "Home", "Phone 1 - Value": "555-0199"}),
    ]
    text = "\n".join(",".join(r) for r in [GOOGLE_OLD, *rows]) + "\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")

    analysis = analyse(data)
    assert analysis.guessed_encoding == "utf-16"
    assert suggest_field("Phone 1 - Type") is Field.PHONE_LABEL
    assert analysis.suggested.label_of == {
        GOOGLE_OLD.index("Phone 1 - Value"): GOOGLE_OLD.index("Phone 1 - Type"),
        GOOGLE_OLD.index("Phone 2 - Value"): GOOGLE_OLD.index("Phone 2 - Type"),
    }
    result = import_contacts(analysis, analysis.suggested, store)
    assert (result.imported, result.skipped) == (2, ())
    contacts = by_name(store)
    chris = contacts["Chris Ødegaard"]
    assert chris.company == "Fjord AS"
    assert numbers_of(chris) == [
        ("+47 412 34 567", NumberType.MOBILE),
        ("+47 412 34 568", NumberType.MOBILE),
        ("+47 22 00 00 01", NumberType.FAX),
    ]
    # Only a first name: it becomes the display name (the manual wants a name to show).
    assert numbers_of(contacts["Dana"]) == [("555-0199", NumberType.HOME)]


GOOGLE_NEW = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday",
    "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label",
    "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
]  # fmt: skip


def test_new_google_export_with_labels(store: ContactStore) -> None:
    def row(**values: str) -> list[str]:
        return [values.get(h, "") for h in GOOGLE_NEW]

    rows = [
        row(
            **{
                "First Name": "Eva",
                "Last Name": "Lind",
                "File As": "Lind, Eva",
                "Organization Name": "Lind AB",
                "Labels": "* myContacts ::: Kunden",
                "Phone 1 - Label": "Work",
                "Phone 1 - Value": "+46 8 123 456",
                "Phone 2 - Label": "Mobile",
                "Phone 2 - Value": "+46 70 123 45 67",
            }
        ),
    ]
    data = ("\n".join(quoted(r) for r in [GOOGLE_NEW, *rows]) + "\n").encode()
    result = run(data, store)
    assert result.imported == 1
    eva = by_name(store)["Eva Lind"]  # not "Lind, Eva": File As is no display name
    assert numbers_of(eva) == [
        ("+46 8 123 456", NumberType.BUSINESS),
        ("+46 70 123 45 67", NumberType.MOBILE),
    ]


THUNDERBIRD = [
    "First Name", "Last Name", "Display Name", "Nickname", "Primary Email",
    "Secondary Email", "Screen Name", "Work Phone", "Home Phone", "Fax Number",
    "Pager Number", "Mobile Number", "Home Address", "Home City", "Work City", "Job Title",
    "Department", "Organization", "Web Page 1", "Notes",
]  # fmt: skip


def test_thunderbird_export_with_its_trailing_comma(store: ContactStore) -> None:
    def row(**values: str) -> str:
        return ",".join(values.get(h, "") for h in THUNDERBIRD) + ","

    text = (
        ",".join(THUNDERBIRD)
        + ",\r\n"
        + row(
            **{
                "First Name": "Frank",
                "Last Name": "Vogel",
                "Display Name": "Frank Vogel (Support)",
                "Work Phone": "+49 40 1111",
                "Mobile Number": "+49 160 2222",
                "Fax Number": "+49 40 1112",
                "Organization": "Vogel KG",
            }
        )
        + "\r\n"
    )
    result = run(text.encode(), store)
    assert (result.imported, result.skipped) == (1, ())
    frank = store.list()[0]
    assert (frank.name, frank.first_name, frank.company) == (
        "Frank Vogel (Support)",
        "Frank",
        "Vogel KG",
    )
    assert numbers_of(frank) == [
        ("+49 40 1111", NumberType.BUSINESS),
        ("+49 40 1112", NumberType.FAX),
        ("+49 160 2222", NumberType.MOBILE),
    ]


# ---------------------------------------------------------------- encodings and separators

PLAIN = "Vorname;Nachname;Telefon\r\nJörg;Straße;+49 30 1\r\nÉlodie;Façade;+33 1 2\r\n"


@pytest.mark.parametrize(
    ("encoded", "guess"),
    [
        (PLAIN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + PLAIN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + PLAIN.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + PLAIN.encode("utf-16-be"), "utf-16"),
        (PLAIN.encode("utf-16-le"), "utf-16-le"),
        (PLAIN.encode("cp1252"), "cp1252"),
    ],
)
def test_each_encoding_guessed_and_read(encoded: bytes, guess: str, store: ContactStore) -> None:
    assert guess_encoding(encoded) == guess
    run(encoded, store)
    assert sorted(c.name for c in store.list()) == ["Jörg Straße", "Élodie Façade"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252", "iso-8859-1", "iso-8859-15"])
def test_the_encoding_the_user_picks_is_used(encoding: str, store: ContactStore) -> None:
    data = PLAIN.encode(encoding)
    run(data, store, encoding=encoding)
    assert sorted(c.last_name for c in store.list()) == ["Façade", "Straße"]


def test_latin1_file_with_a_byte_cp1252_leaves_undefined_is_guessed_as_latin1() -> None:
    data = "Name;Telefon\r\nA\x81;1\r\n".encode("iso-8859-1")
    assert guess_encoding(data) == "iso-8859-1"


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    data = ("Name,Phone\n" + "Anna,1\n" * 5 + "Jürgen,2\n").encode("cp1252")
    analysis = analyse(data, encoding="utf-8")
    assert (analysis.problem, analysis.problem_line) == (FileProblem.BAD_ENCODING, 7)
    result = import_contacts(analysis, analysis.suggested, ContactStore(":memory:"))
    assert (result.imported, result.problem) == (0, FileProblem.BAD_ENCODING)
    assert analyse(data, encoding="no-such-codec").problem is FileProblem.BAD_ENCODING


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separator_detected(sep: str, store: ContactStore) -> None:
    text = sep.join(["Company", "Phone", "Notes"]) + "\n"
    text += sep.join(["ACME, Inc.", "100", "x"]) if sep != "," else '"ACME, Inc.",100,x'
    analysis = analyse(text.encode())
    assert analysis.detected_separator == analysis.separator == sep
    import_contacts(analysis, analysis.suggested, store)
    assert [c.name for c in store.list()] == ["ACME, Inc."]


def test_a_chosen_separator_wins_over_the_detected_one() -> None:
    data = b"Company;Phone,Mobile;Notes\nA;1,2;x\n"
    assert analyse(data).separator == ";"
    chosen = analyse(data, separator=",")
    assert (chosen.separator, chosen.detected_separator) == (",", ";")
    assert chosen.header == ("Company;Phone", "Mobile;Notes")


# ---------------------------------------------------------------- broken rows

BROKEN = (
    "Last Name,First Name,Phone,Mobile\n"  # 1
    "Good,One,100,\n"  # 2
    "Short,Row\n"  # 3 too few fields
    ",Nobody,101,\n"  # 4 only a first name: that is the display name
    ",,102,\n"  # 5 no name
    "Nonumber,X,,\n"  # 6 no number
    "Letters,Y,call me,\n"  # 7 bad number
    '"Multi\nLine",Z,103,\n'  # 8-9 a name with a line break: control character
    "Bell\x07,Q,104,\n"  # 10 control character
    "Good,Two,105,106\n"  # 11
    "Extra,W,107,,surplus\n"  # 12 too many fields
    "Extra,V,108,,\n"  # 13 an empty extra field is fine
    "\n"  # 14 blank: nothing to say
    '"Unclosed,A,109,\n'  # 15 unterminated quote
    "Good,Three,110,\n"  # 16 still read
    '"Last,B,111,\n'  # 17 unterminated at the end
)


def test_every_broken_row_is_reported_with_its_line_and_the_rest_imported(
    store: ContactStore,
) -> None:
    result = run(BROKEN.encode(), store)
    reasons = [(r.line, r.problem) for r in result.skipped]
    assert reasons == [
        (3, RowProblem.TOO_FEW_FIELDS),
        (5, RowProblem.NO_NAME),
        (6, RowProblem.NO_NUMBER),
        (7, RowProblem.BAD_NUMBER),
        (8, RowProblem.CONTROL_CHARACTERS),
        (10, RowProblem.CONTROL_CHARACTERS),
        (12, RowProblem.TOO_MANY_FIELDS),
        (15, RowProblem.BAD_QUOTING),
        (17, RowProblem.BAD_QUOTING),
    ]
    details = {r.line: r.detail for r in result.skipped}
    assert (details[3], details[7], details[12]) == ("2/4", "call me", "5/4")
    assert sorted(c.name for c in store.list()) == [
        "Nobody",
        "One Good",
        "Three Good",
        "Two Good",
        "V Extra",
    ]
    assert result.imported == 5
    issue = result.issues[0]
    assert (issue.problem, issue.where, issue.detail) == (
        SourceProblem.ENTRY_SKIPPED,
        "line 3",
        "too_few_fields: 2/4",
    )


def test_preview_shows_the_first_rows_as_contacts_or_reasons() -> None:
    analysis = analyse(BROKEN.encode())
    rows = preview(analysis, analysis.suggested, limit=3)
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[0].contact is not None and rows[0].contact.name == "One Good"
    assert rows[1].rejected == RejectedRow(3, RowProblem.TOO_FEW_FIELDS, "2/4")
    assert rows[2].contact is not None and rows[2].contact.display_name == "Nobody"


def test_a_mapping_without_a_number_column_is_not_usable(store: ContactStore) -> None:
    analysis = analyse(b"Last Name,Notes\nA,b\n")
    assert analysis.problem is FileProblem.NO_COLUMNS
    mapping = Mapping.of(analysis.header, [Field.LAST_NAME, Field.PHONE_OTHER])
    assert mapping.usable
    assert preview(analysis, mapping)[0].rejected == RejectedRow(2, RowProblem.BAD_NUMBER, "b")
    assert import_contacts(analysis, analysis.suggested, store).problem is FileProblem.NO_COLUMNS
    # Columns the person assigns by hand: the file imports.
    analysis = analyse(b"Wer,Durchwahl\nAnna Berg,4711\n")
    mapping = Mapping.of(analysis.header, [Field.DISPLAY_NAME, Field.PHONE_BUSINESS])
    assert import_contacts(analysis, mapping, store).imported == 1
    assert [(c.name, numbers_of(c)) for c in store.list()] == [
        ("Anna Berg", [("4711", NumberType.BUSINESS)])
    ]


def test_files_that_cannot_be_used(tmp_path: Path) -> None:
    missing = read_file(tmp_path / "nope.csv")
    assert missing.problem is FileProblem.UNREADABLE and missing.problem_detail
    assert analyse(b"").problem is FileProblem.EMPTY
    assert analyse(b"\n\n,,\n").problem is FileProblem.EMPTY
    result = import_contacts(missing, missing.suggested, ContactStore(":memory:"))
    assert (result.imported, result.problem) == (0, FileProblem.UNREADABLE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(st.text(alphabet='ab,;\t"\n\r 0123\x00\x07äö+', max_size=12), max_size=30).map(
            lambda parts: ("Last Name,Phone\n" + "".join(parts)).encode()
        ),
    ),
    st.sampled_from([None, "utf-8", "utf-16", "cp1252"]),
)
def test_bad_input_never_raises(data: bytes, encoding: str | None) -> None:
    store = ContactStore(":memory:")
    analysis = analyse(data, encoding=encoding)
    preview(analysis, analysis.suggested)
    result = import_contacts(analysis, analysis.suggested, store, batch_size=3)
    assert result.imported == store.count()
    for row in result.skipped:
        assert 1 <= row.line <= max(1, analysis.total_lines)
    store.close()


# ---------------------------------------------------------------- the store


def test_nothing_stored_is_lost_and_a_second_import_adds_nothing(store: ContactStore) -> None:
    mine = store.add(
        Contact(last_name="Berg", first_name="Anna", numbers=(PhoneNumber("+49 30 123456"),))
    )
    data = (
        b"First Name,Last Name,Business Phone\n"
        b"Anna,Berg,030 123456\n"  # the same person, national spelling: skipped
        b"Reception,Berg,030 123456\n"  # another name sharing the number: kept
        b"Carl,Cole,040 1\n"
    )
    first = run(data, store)
    assert first.imported == 2
    assert [(r.line, r.problem, r.detail) for r in first.skipped] == [
        (2, RowProblem.DUPLICATE, "030 123456")
    ]
    assert store.get(mine.id or 0) == mine  # untouched
    second = run(data, store)
    assert second.imported == 0
    assert [r.problem for r in second.skipped] == [RowProblem.DUPLICATE] * 3
    assert store.count() == 3


def test_the_same_person_twice_in_one_file_is_imported_once(store: ContactStore) -> None:
    data = b"Last Name,Phone\nA,1\nA,1\nA,2\n"
    result = run(data, store)
    assert result.imported == 2
    assert [(r.line, r.problem) for r in result.skipped] == [(3, RowProblem.DUPLICATE)]


def test_a_failing_batch_is_rolled_back_alone(
    store: ContactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ("Last Name,Phone\n" + "".join(f"P{i},{1000 + i}\n" for i in range(10))).encode()
    real = store.add_many
    calls: list[int] = []

    def add_many(contacts: list[Contact], *, notify: bool = True) -> list[Contact]:
        calls.append(len(contacts))
        if len(calls) == 2:
            raise StoreError("disk full")
        return real(contacts, notify=notify)

    analysis = analyse(data)
    monkeypatch.setattr(store, "add_many", add_many)
    result = import_contacts(analysis, analysis.suggested, store, batch_size=4)
    assert calls == [4, 4, 2]
    assert result.imported == 6
    assert result.failed_batches == ((6, 9, "disk full"),)
    assert [r.line for r in result.skipped] == [6, 7, 8, 9]
    assert {r.problem for r in result.skipped} == {RowProblem.STORE_FAILED}
    assert sorted(c.name for c in store.list()) == [f"P{i}" for i in (0, 1, 2, 3, 8, 9)]


def test_a_batch_the_store_refuses_midway_leaves_nothing_of_it(store: ContactStore) -> None:
    """The transaction: a contact the store refuses inside a batch undoes the batch."""
    ok = Contact(last_name="Kept", numbers=(PhoneNumber("1"),))
    store.add(ok)
    broken = [Contact(last_name="New", numbers=(PhoneNumber("2"),)), Contact(numbers=())]
    with pytest.raises(ValueError):
        store.add_many(broken)
    assert [c.name for c in store.list()] == ["Kept"]


def test_add_many_is_all_or_nothing(store: ContactStore) -> None:
    good = Contact(last_name="A", numbers=(PhoneNumber("1"),))
    bad = Contact(last_name="", numbers=(PhoneNumber("2"),))
    with pytest.raises(ValueError):
        store.add_many([good, bad])
    assert store.count() == 0
    stored = store.add_many([good, good])
    assert [c.id for c in stored] == [1, 2] and store.count() == 2


def test_progress_is_reported_per_batch_and_ends_at_the_total(store: ContactStore) -> None:
    data = ("Last Name,Phone\n" + "".join(f"P{i},{i}\n" for i in range(25))).encode()
    seen: list[tuple[int, int]] = []
    changes: list[int] = []
    store.on_change(lambda: changes.append(1))
    analysis = analyse(data)
    result = import_contacts(
        analysis,
        analysis.suggested,
        store,
        batch_size=10,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert result.imported == 25
    assert seen == [(11, 26), (21, 26), (26, 26)]
    assert len(changes) == 1  # the listeners hear once, not per batch


def test_cancel_stops_after_the_batch_and_keeps_what_was_stored(store: ContactStore) -> None:
    data = ("Last Name,Phone\n" + "".join(f"P{i},{i}\n" for i in range(25))).encode()
    analysis = analyse(data)
    result = import_contacts(
        analysis, analysis.suggested, store, batch_size=10, cancelled=lambda: True
    )
    assert (result.imported, result.cancelled, store.count()) == (10, True, 10)
