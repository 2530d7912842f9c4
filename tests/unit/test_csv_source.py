"""A CSV file as a read-only contact source: read with the import's reader (encodings,
separators, the header mapping, a column mapping from the settings), bad rows reported
with their line, the file read again when it changes, callers found in it; the
`[[contacts.sources]]` table of type csv."""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.contacts.csv_source import read_csv_source
from parley.contacts.registry import ContactSources, RemoteSource
from parley.contacts.source import SourceKind, SourceProblem, SyncState
from parley.contacts.store import ContactStore
from parley.settings import ConfigError, load_settings, save_settings
from parley.settings.contact_sources import ContactsSettings


@pytest.fixture
def store() -> Iterator[ContactStore]:
    s = ContactStore(":memory:", default_region="DE")
    yield s
    s.close()


def names(result: object) -> list[tuple[str, tuple[str, ...]]]:
    contacts = result.contacts  # type: ignore[attr-defined]
    return [(c.name, tuple(n.number for n in c.numbers)) for c in contacts]


def test_an_outlook_style_file_in_utf16_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "outlook.csv"
    text = "Vorname;Nachname;Telefon geschäftlich;Mobiltelefon\nJürgen;Weiß;0301234;0171999\n"
    path.write_bytes(text.encode("utf-16"))
    result = read_csv_source(path)
    assert not result.failed, result.issues
    [contact] = result.contacts
    assert (contact.first_name, contact.last_name) == ("Jürgen", "Weiß")
    assert [n.number for n in contact.numbers] == ["0301234", "0171999"]


def test_encoding_separator_and_column_mapping_from_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "pbx.csv"
    path.write_bytes("who\tx\text\nAndré\tq\t201\nBad\tq\tnot a number!\n".encode("cp1252"))
    # Without a mapping nothing says which column is the name or the number.
    assert read_csv_source(path, encoding="cp1252", separator="\t").failed
    result = read_csv_source(
        path,
        encoding="cp1252",
        separator="\t",
        columns={"who": "display_name", "ext": "phone_business"},
    )
    assert names(result) == [("André", ("201",))]
    [issue] = result.issues
    assert issue.problem is SourceProblem.ENTRY_SKIPPED and issue.where == "line 3"


def test_a_mapping_naming_a_missing_column_says_which(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name,Phone\nAnna,0301\n")
    result = read_csv_source(path, columns={"Telefon": "phone_business"})
    [issue] = result.issues
    assert result.failed and "telefon" in issue.detail and "Name, Phone" in issue.detail


def test_a_missing_file_and_a_wrong_encoding(tmp_path: Path) -> None:
    [missing] = read_csv_source(tmp_path / "none.csv").issues
    assert missing.problem is SourceProblem.NOT_FOUND
    path = tmp_path / "latin.csv"
    path.write_bytes("Name,Phone\nJos\xe9,0301\n".encode("latin-1"))
    [bad] = read_csv_source(path, encoding="utf-8").issues
    assert bad.problem is SourceProblem.BAD_DATA and "line 2" in bad.detail


def test_the_registry_reads_the_file_again_when_it_changes(
    store: ContactStore, tmp_path: Path
) -> None:
    path = tmp_path / "team.csv"
    path.write_text("Name,Phone\nAnna Berg,0301234567\n")
    settings = ContactsSettings.model_validate(
        {"sources": [{"id": "team", "name": "Team", "type": "csv", "path": str(path)}]}
    )
    settings.sources[1].refresh_minutes = 0  # only the file's change triggers a read
    registry = ContactSources(settings.sources, store, default_region="DE", check_interval=0.05)
    registry.start()
    try:
        source = registry.get("team")
        assert isinstance(source, RemoteSource)

        def shown() -> list[str]:
            return sorted(c.name for c in source.contacts())

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and shown() != ["Anna Berg"]:
            time.sleep(0.02)
        assert shown() == ["Anna Berg"]
        assert registry.lookup("+49301234567") is not None
        path.write_text("Name,Phone\nAnna Berg,0301234567\nBernd Kurz,0309876\n")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        while time.monotonic() < deadline and shown() != ["Anna Berg", "Bernd Kurz"]:
            time.sleep(0.02)
        assert shown() == ["Anna Berg", "Bernd Kurz"]
        assert source.status().state is SyncState.OK
    finally:
        registry.stop()


def test_the_settings_table_of_a_csv_source(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[[contacts.sources]]\nid = "team"\nname = "Team"\ntype = "csv"\npath = "/t.csv"\n'
        'encoding = "cp1252"\nseparator = "tab"\n'
        '[contacts.sources.columns]\nwho = "display_name"\next = "phone_business"\n'
    )
    source = load_settings(path).contacts.source("team")
    assert source.kind is SourceKind.CSV and source.location == "/t.csv"
    assert (source.encoding, source.separator) == ("cp1252", "\t")
    assert source.columns == {"who": "display_name", "ext": "phone_business"}
    out = tmp_path / "out.toml"
    settings = load_settings(path)
    save_settings(settings, out)
    written = tomllib.loads(out.read_text())["contacts"]["sources"][1]
    assert (written["type"], written["path"], written["separator"]) == ("csv", "/t.csv", "\t")
    assert written["columns"] == {"who": "display_name", "ext": "phone_business"}


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ('encoding = "klingon"\n', "not an encoding"),
        ('separator = ";;"\n', "not a separator"),
        ('[contacts.sources.columns]\nwho = "nickname"\n', "'nickname' is not a contact field"),
        ('url = "https://a/t.csv"\n', "url is not a setting of a csv source"),
    ],
)
def test_faults_of_a_csv_source(tmp_path: Path, extra: str, words: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[[contacts.sources]]\nid = "t"\nname = "T"\ntype = "csv"\npath = "/t.csv"\n' + extra
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert words in str(caught.value), str(caught.value)
