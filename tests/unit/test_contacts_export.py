"""Exporting the local contacts (parley.contacts.export): the CSV file re-imported by our
own CSV import without a mapping chosen by hand, the vCard file (3.0 and 4.0) read back by
our vCard reader, non-ASCII names and several numbers with their types, and files that
cannot be written — explained, and never left half-written."""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import pytest

from parley.contacts import export
from parley.contacts.csv_import import Field, import_contacts, read_file
from parley.contacts.export import (
    ExportError,
    ExportFormat,
    ExportProblem,
    export_contacts,
    format_for_path,
)
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.store import ContactStore
from parley.contacts.vcard import read_vcards

B, M, H, F, OT = (
    NumberType.BUSINESS,
    NumberType.MOBILE,
    NumberType.HOME,
    NumberType.FAX,
    NumberType.OTHER,
)

LOCAL = [
    Contact(
        first_name="Jürgen",
        last_name="Müller",
        display_name="Jürgen Müller (Bäckerei)",
        company="Bäckerei Müller, Köln; GmbH",
        numbers=(
            PhoneNumber("+49 221 4711", B),
            PhoneNumber("0172 1234567", M),
            PhoneNumber("0221 99 88", H),
            PhoneNumber("+49 221 4712", F),
            PhoneNumber("**21", OT),
            PhoneNumber("0173 7654321", M),  # a second number of one type
        ),
        presence="sip:juergen@pbx.example",
    ),
    Contact(last_name="Ōtsuka", first_name="Ἀθηνᾶ", numbers=(PhoneNumber("sip:ot@pbx", OT),)),
    Contact(company='Zoë\'s "Quoted" Café', numbers=(PhoneNumber("0800 555", B),)),
    Contact(display_name="Multi\nLine? no: just a name", numbers=(PhoneNumber("1", OT),)),
]


def stored(tmp_path: Path, name: str = "contacts.sqlite3") -> ContactStore:
    store = ContactStore(tmp_path / name)
    for contact in LOCAL:
        if "\n" in contact.display_name:
            continue  # the store refuses control characters: never exported
        store.add(contact)
    return store


def key(c: Contact) -> tuple[object, ...]:
    return (
        c.name,
        c.first_name,
        c.last_name,
        c.company,
        c.presence,
        [("".join(ch for ch in n.number if ch not in " -"), n.type) for n in c.numbers],
    )


def test_csv_round_trip_through_our_own_import(tmp_path: Path) -> None:
    source = stored(tmp_path)
    path = tmp_path / "Kontakte.csv"
    result = export_contacts(source.list(), path)
    assert result.format is ExportFormat.CSV and result.count == 3
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)  # Excel reads it as UTF-8
    header = data[3:].decode("utf-8").split("\r\n", 1)[0]
    assert header.startswith("First Name,Last Name,Display Name,Company,Presence,")
    assert header.endswith("Phone 6 - Label,Phone 6 - Value")  # the most numbers: six

    analysis = read_file(path)
    assert analysis.problem is None and analysis.encoding == "utf-8"
    assert Field.IGNORE not in analysis.suggested.fields  # every column understood
    target = ContactStore(tmp_path / "other.sqlite3")
    imported = import_contacts(analysis, analysis.suggested, target)
    assert (imported.imported, imported.skipped) == (3, ())
    back = target.list()
    assert [key(c) for c in back] == [key(c) for c in source.list()]
    # Full equality of what a person typed, numbers with their spelling kept as typed.
    assert [(c.display_name, c.numbers) for c in back] == [
        (c.display_name, c.numbers) for c in source.list()
    ]


def test_csv_without_bom_and_an_empty_address_book(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    export_contacts([], path, bom=False)
    assert path.read_bytes() == b"First Name,Last Name,Display Name,Company,Presence," + (
        b"Phone 1 - Label,Phone 1 - Value\r\n"
    )


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_round_trip(tmp_path: Path, version: str) -> None:
    source = stored(tmp_path)
    path = tmp_path / "contacts.vcf"
    result = export_contacts(source.list(), path, vcard_version=version)
    assert result.format is ExportFormat.VCARD
    text = path.read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 3 and f"VERSION:{version}\r\n" in text
    if version == "3.0":
        assert "TEL;TYPE=cell,voice:0172 1234567\r\n" in text
        assert "TEL;TYPE=fax:+49 221 4712\r\n" in text
    back, issues = read_vcards(text, "contacts.vcf")
    assert issues == []
    # vCard has no field of ours for the presence address: everything else comes back.
    assert [key(c)[:4] + key(c)[5:] for c in back] == [
        key(c)[:4] + key(c)[5:] for c in source.list()
    ]


def test_format_from_the_name_or_chosen() -> None:
    assert format_for_path(Path("a.CSV")) is ExportFormat.CSV
    assert format_for_path(Path("a.vcf")) is ExportFormat.VCARD
    assert format_for_path(Path("a.vcard")) is ExportFormat.VCARD
    assert format_for_path(Path("a.xlsx")) is None


def test_unknown_suffix_missing_folder_and_a_folder_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        export_contacts(LOCAL[:1], tmp_path / "contacts.xlsx")
    assert caught.value.problem is ExportProblem.UNKNOWN_FORMAT
    with pytest.raises(ExportError) as caught:
        export_contacts(LOCAL[:1], tmp_path / "no" / "such" / "c.csv")
    assert caught.value.problem is ExportProblem.NO_FOLDER
    with pytest.raises(ExportError) as caught:
        export_contacts(LOCAL[:1], tmp_path, ExportFormat.CSV)
    assert caught.value.problem is ExportProblem.IS_FOLDER
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_explained_and_old_file_kept(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    old = folder / "contacts.csv"
    old.write_bytes(b"the old export")
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportError) as caught:
            export_contacts(LOCAL[:1], old)
        assert caught.value.problem is ExportProblem.NOT_WRITABLE
        assert "Permission denied" in caught.value.detail
        assert old.read_bytes() == b"the old export"
        assert [p.name for p in folder.iterdir()] == ["contacts.csv"]
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/sys is Linux's")
def test_a_folder_even_root_cannot_write_is_explained(tmp_path: Path) -> None:
    """The test above cannot run as root (CI's user): sysfs refuses new files to root
    too, so the refusal is still seen and explained there."""
    target = Path("/sys/parley-contacts.csv")
    with pytest.raises(ExportError) as caught:
        export_contacts(LOCAL[:1], target)
    assert caught.value.problem is ExportProblem.NOT_WRITABLE
    assert "Permission denied" in caught.value.detail
    assert not target.exists()


def test_a_failure_while_writing_leaves_neither_half_a_file_nor_a_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "contacts.vcf"
    target.write_bytes(b"BEGIN:VCARD\r\nthe old file\r\n")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "fsync", disk_full)
    with pytest.raises(ExportError) as caught:
        export_contacts(LOCAL[:2], target)
    assert caught.value.problem is ExportProblem.NOT_WRITABLE
    assert caught.value.detail == "No space left on device"
    assert target.read_bytes() == b"BEGIN:VCARD\r\nthe old file\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["contacts.vcf"]


def test_replacing_keeps_the_files_mode(tmp_path: Path) -> None:
    target = tmp_path / "contacts.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    export_contacts(LOCAL[:1], target)
    assert target.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "new.csv"
    export_contacts(LOCAL[:1], fresh)
    assert fresh.stat().st_mode & 0o777 == 0o644


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_folder_nobody_may_write_explained(tmp_path: Path) -> None:
    # /proc refuses new files even to root (the test above is skipped for root).
    with pytest.raises(ExportError) as caught:
        export_contacts(LOCAL[:1], Path("/proc/contacts.csv"))
    assert caught.value.problem is ExportProblem.NOT_WRITABLE
    assert caught.value.detail
