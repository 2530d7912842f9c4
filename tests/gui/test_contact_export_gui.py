"""The main window's "Export contacts…" (⋯ menu, next to "Import contacts…"): the save
dialog's file type decides the format, the file written is read back by our CSV import
and vCard reader, and a folder that cannot be written is explained in a message (German
too) with nothing left behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from gui_rig import GuiRig, account
from PySide6.QtWidgets import QFileDialog

from parley.contacts.csv_import import import_contacts, read_file
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.store import ContactStore
from parley.contacts.vcard import read_vcards
from parley.gui.i18n import set_language, tr
from parley.settings import Settings

CONTACTS = [
    Contact(
        first_name="Jürgen",
        last_name="Müller",
        numbers=(
            PhoneNumber("0221 4711", NumberType.BUSINESS),
            PhoneNumber("0172 1", NumberType.MOBILE),
        ),
    ),
    Contact(company="Bäckerei Größe", numbers=(PhoneNumber("0221 4712", NumberType.OTHER),)),
]


def export_via_menu(
    rig: GuiRig, monkeypatch: pytest.MonkeyPatch, name: str, file_type: str
) -> list[str]:
    """Trigger the menu entry with the save dialog answering `name` and `file_type`;
    returns the file types the dialog offered."""
    offered: list[str] = []

    def save_dialog(_parent: object, _title: str, _dir: str, filters: str) -> tuple[str, str]:
        offered.extend(filters.split(";;"))
        return name, tr(file_type)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    menu = rig.window.more_menu()
    texts = [a.text() for a in menu.actions()]
    at = texts.index(tr("Import contacts…"))
    assert texts[at : at + 3] == [
        tr("Import contacts…"),
        tr("Address book…"),
        tr("Export contacts…"),
    ]
    next(a for a in menu.actions() if a.text() == tr("Export contacts…")).trigger()
    return offered


def test_export_csv_and_vcard_from_the_menu(
    make_rig: Callable[..., GuiRig],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    answers: list[str],
) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    for contact in CONTACTS:
        rig.app.contacts.add(contact)

    offered = export_via_menu(
        rig, monkeypatch, str(tmp_path / "Kontakte"), "CSV for Excel and Outlook (*.csv)"
    )
    assert offered == [
        "CSV for Excel and Outlook (*.csv)",
        "vCard 3.0 (*.vcf)",
        "vCard 4.0 (*.vcf)",
    ]
    path = tmp_path / "Kontakte.csv"  # the type's suffix added to a bare name
    assert answers[-1] == f"2 contacts exported to {path}."
    analysis = read_file(path)
    other = ContactStore(tmp_path / "other.sqlite3")
    assert import_contacts(analysis, analysis.suggested, other).imported == 2
    assert [(c.name, c.numbers) for c in other.list()] == [
        (c.name, c.numbers) for c in rig.app.contacts.list()
    ]

    export_via_menu(rig, monkeypatch, str(tmp_path / "book.vcf"), "vCard 4.0 (*.vcf)")
    text = (tmp_path / "book.vcf").read_bytes()
    assert b"VERSION:4.0\r\n" in text
    back, issues = read_vcards(text)
    assert issues == [] and [c.name for c in back] == ["Bäckerei Größe", "Jürgen Müller"]


def test_an_unwritable_folder_is_explained_in_german(
    make_rig: Callable[..., GuiRig],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    answers: list[str],
) -> None:
    set_language("de")
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    rig.app.contacts.add(CONTACTS[0])
    export_via_menu(rig, monkeypatch, "/proc/kontakte.csv", "CSV for Excel and Outlook (*.csv)")
    assert answers[-1].startswith("/proc/kontakte.csv kann nicht geschrieben werden: ")
    assert answers[-1].endswith("es wurde nichts geschrieben.")
    export_via_menu(rig, monkeypatch, str(tmp_path / "fehlt" / "k.vcf"), "vCard 3.0 (*.vcf)")
    assert (
        answers[-1]
        == f"Den Ordner {tmp_path / 'fehlt'} gibt es nicht. Wählen Sie einen anderen Ordner."
    )
    assert list(tmp_path.glob("**/*.vcf")) == []
