"""The console's `export FILE [--format csv|vcard] [--vcard-version 3.0|4.0]`: the file
it writes (read back by `import` and the vCard reader) and what it prints, also when the
file cannot be written."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from parley.cli.commands_contacts_export import parse_args
from parley.cli.console import Console
from parley.contacts.export import ExportFormat
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.store import ContactStore
from parley.contacts.vcard import read_vcards


@pytest.fixture
def console(tmp_path: Path) -> Console:
    store = ContactStore(tmp_path / "contacts.sqlite3")
    store.add(
        Contact(
            first_name="Jürgen",
            last_name="Müller",
            numbers=(
                PhoneNumber("0221 4711", NumberType.BUSINESS),
                PhoneNumber("0172 1", NumberType.MOBILE),
            ),
        )
    )
    store.add(Contact(company="Ōtsuka KK", numbers=(PhoneNumber("+81 3 1234", NumberType.OTHER),)))
    app = SimpleNamespace(contacts=store)
    return Console(app, as_json=False)  # type: ignore[arg-type]


def type_line(console: Console, line: str) -> None:
    console.line = line
    assert console._command(line.split())


def test_export_csv_then_import_it_into_empty_contacts(
    console: Console, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "my contacts.csv"
    type_line(console, f'export "{path}"')
    assert capsys.readouterr().out.strip() == f"exported 2 contacts to {path} as CSV (UTF-8)"
    before = console.app.contacts.list()

    fresh = Console(
        SimpleNamespace(contacts=ContactStore(tmp_path / "fresh.sqlite3")),  # type: ignore[arg-type]
        as_json=False,
    )
    type_line(fresh, f'import "{path}"')
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"import {path}: utf-8, comma-separated")
    assert out[1] == "imported 2, skipped 0"
    after = fresh.app.contacts.list()
    assert [(c.name, c.numbers) for c in after] == [(c.name, c.numbers) for c in before]


def test_export_vcard_by_suffix_or_format(
    console: Console, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "book.vcf"
    type_line(console, f"export {path}")
    assert capsys.readouterr().out.strip().endswith("as vCard 3.0")
    back, issues = read_vcards(path.read_bytes())
    assert issues == [] and [c.name for c in back] == ["Jürgen Müller", "Ōtsuka KK"]
    other = tmp_path / "book.dat"
    type_line(console, f"export {other} --format vcard --vcard-version 4.0")
    assert capsys.readouterr().out.strip().endswith("as vCard 4.0")
    assert b"VERSION:4.0\r\n" in other.read_bytes()


def test_files_that_cannot_be_written_say_why(
    console: Console, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    type_line(console, f"export {tmp_path / 'contacts.xlsx'}")
    assert "Name the file .csv or .vcf, or add --format csv" in capsys.readouterr().out
    type_line(console, f"export {tmp_path / 'nowhere' / 'c.csv'}")
    out = capsys.readouterr().out
    assert f"the folder {tmp_path / 'nowhere'} does not exist" in out
    type_line(console, f"export {tmp_path}  --format csv")
    assert "is a folder" in capsys.readouterr().out
    type_line(console, "export /proc/contacts.csv")
    out = capsys.readouterr().out.strip()
    assert out.startswith("error: cannot write /proc/contacts.csv: ")
    assert out.endswith("(nothing was written)")
    assert not (tmp_path / "contacts.xlsx").exists()


def test_parse_args() -> None:
    assert parse_args("export a.csv") == (Path("a.csv"), None, "3.0")
    assert parse_args("export x --format=VCF --vcard-version=4.0") == (
        Path("x"),
        ExportFormat.VCARD,
        "4.0",
    )
    with pytest.raises(ValueError, match="which file"):
        parse_args("export --format csv")
    with pytest.raises(ValueError, match="csv or vcard"):
        parse_args("export a --format xls")
    with pytest.raises(ValueError, match=r"3\.0 or 4\.0"):
        parse_args("export a.vcf --vcard-version 2.1")
