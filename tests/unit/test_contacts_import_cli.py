"""The console's `import-contacts PATH [--encoding E] [--separator S]` (also `import`):
the command as typed on the console, the contacts it stores, and what it prints."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from parley.cli.commands_contacts_import import parse_args
from parley.cli.console import Console
from parley.contacts.store import ContactStore

OUTLOOK_DE = (
    '"Vorname";"Nachname";"Firma";"Telefon geschäftlich";"Mobiltelefon"\r\n'
    '"Jürgen";"Müller";"Bäckerei";"0221 4711";"0172 1"\r\n'
    '"";"";"";"0221 4712";""\r\n'
    '"Grete";"Groß";"";"";""\r\n'
    '"Hans";"Weiß";"";"0221 4713";""\r\n'
)


@pytest.fixture
def console(tmp_path: Path) -> Console:
    store = ContactStore(tmp_path / "contacts.sqlite3")
    app = SimpleNamespace(contacts=store)
    return Console(app, as_json=False)  # type: ignore[arg-type]


def type_line(console: Console, line: str) -> None:
    console.line = line
    assert console._command(line.split())


def test_import_prints_the_result_and_every_row_left_out(
    console: Console, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Outlook Export.csv"
    path.write_bytes(OUTLOOK_DE.encode("cp1252"))
    type_line(console, f'import-contacts "{path}"')
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"import {path}: cp1252, semicolon-separated, 5 lines"
    assert out[1] == "imported 2, skipped 2"
    assert out[2:] == [
        "line 3: no last name, display name or company",
        "line 4: no phone number",
    ]
    names = sorted(c.name for c in console.app.contacts.list())
    assert names == ["Hans Weiß", "Jürgen Müller"]

    type_line(console, f'import "{path}"')  # again: nothing new, each row said why
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "imported 0, skipped 4"
    assert "line 2: already in the contacts (same name and number 0221 4711)" in out


def test_encoding_and_separator_options(
    console: Console, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tabs.csv"
    path.write_bytes("Name\tPhone\r\nÅsa\t100\r\n".encode("utf-16"))
    type_line(console, f"import-contacts {path} --encoding utf-8")
    assert capsys.readouterr().out.strip() == (
        f"error: {path} is not utf-8 text at line 1; try another --encoding"
    )
    type_line(console, f"import-contacts {path} --encoding utf-16 --separator tab")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"import {path}: utf-16, tab-separated")
    assert out[1] == "imported 1, skipped 0"
    assert [c.name for c in console.app.contacts.list()] == ["Åsa"]


def test_files_that_cannot_be_used_say_why(
    console: Console, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    type_line(console, f"import-contacts {tmp_path / 'none.csv'}")
    assert "error: cannot read" in capsys.readouterr().out
    notes = tmp_path / "notes.csv"
    notes.write_text("Title,Notes\nx,y\n")
    type_line(console, f"import-contacts {notes}")
    assert "names a contact or holds a phone number" in capsys.readouterr().out
    type_line(console, "help")
    assert "import-contacts|import PATH [--encoding E] [--separator S]" in capsys.readouterr().out


def test_json_mode_replies_are_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ContactStore(":memory:")
    console = Console(SimpleNamespace(contacts=store), as_json=True)  # type: ignore[arg-type]
    path = tmp_path / "c.csv"
    path.write_text("Company,Phone\nACME,100\n")
    type_line(console, f"import-contacts {path}")
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[-1] == {"event": "reply", "text": "imported 1, skipped 0"}


def test_parse_args() -> None:
    assert parse_args("import a b.csv -e cp1252 --separator=semicolon") == (
        Path("a b.csv"),
        "cp1252",
        ";",
    )
    with pytest.raises(ValueError, match="import which file"):
        parse_args("import-contacts --encoding utf-8")
    with pytest.raises(ValueError, match="--separator"):
        parse_args("import x.csv --separator ab")
