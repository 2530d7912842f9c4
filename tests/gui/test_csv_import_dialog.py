"""The manual's "Import contacts" in the desktop app: the menu entry opens the dialog;
a German Outlook export is read with the guessed encoding and separator shown, the
columns pre-assigned, a column assigned by hand, the preview showing the rows as
contacts; Import fills the progress bar, says how many were imported and lists the rows
left out with their lines; the contacts then stand in the main window's list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gui_rig import GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from parley.gui.csv_import_dialog import CsvImportDialog
from parley.gui.i18n import set_language, tr
from parley.settings import Settings

HEADER = ["Anrede", "Vorname", "Nachname", "Firma", "Telefon geschäftlich", "Durchwahl", "Notizen"]
ROWS = [
    ["Herr", "Jürgen", "Müller", "Bäckerei Größe", "0221 4711-0", "", "Stammkunde;\r\nmag Brezeln"],
    ["Frau", "Grete", "Weiß", "", "", "", ""],  # no number: left out
    ["", "", "Öztürk", "", "", "0221 4711-23", ""],  # its number only in "Durchwahl"
]


def write_outlook_de(path: Path, rows: list[list[str]] = ROWS) -> Path:
    def line(fields: list[str]) -> str:
        return ";".join('"' + f.replace('"', '""') + '"' for f in fields)

    path.write_bytes(("\r\n".join(line(r) for r in [HEADER, *rows]) + "\r\n").encode("cp1252"))
    return path


def names(rig: GuiRig) -> list[str]:
    return [row.name_label.text() for _kind, _id, row in rig.window.items()]


def open_dialog(rig: GuiRig) -> CsvImportDialog:
    menu = rig.window.more_menu()
    action = next(a for a in menu.actions() if a.text() == tr("Import contacts…"))
    action.trigger()
    dialog = rig.window.csv_import_dialog
    assert isinstance(dialog, CsvImportDialog) and dialog.isVisible()
    return dialog


def combo_for(dialog: CsvImportDialog, column: str) -> QComboBox:
    for row in range(dialog.mapping_table.rowCount()):
        item = dialog.mapping_table.item(row, 0)
        if item is not None and item.text() == column:
            combo = dialog.mapping_table.cellWidget(row, 1)
            assert isinstance(combo, QComboBox)
            return combo
    raise AssertionError(f"no column {column!r}")


def preview_cells(dialog: CsvImportDialog) -> list[list[str]]:
    table = dialog.preview_table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
        for r in range(table.rowCount())
    ]


def test_import_an_outlook_file_and_see_the_contacts(
    make_rig: Callable[..., GuiRig], qtbot: object, tmp_path: Path
) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    assert names(rig) == []
    dialog = open_dialog(rig)
    assert not dialog.import_button.isEnabled()  # no file yet
    dialog.open_path(write_outlook_de(tmp_path / "Kontakte.CSV"))

    assert dialog.encoding.currentText() == "Automatic (Windows-1252 (Western Europe))"
    assert dialog.separator.currentText() == "Automatic (Semicolon (;))"
    assert combo_for(dialog, "Vorname").currentText() == "First name"
    assert combo_for(dialog, "Telefon geschäftlich").currentText() == "Phone: business"
    assert combo_for(dialog, "Durchwahl").currentText() == "(not imported)"
    assert combo_for(dialog, "Notizen").currentText() == "(not imported)"
    assert [r[0] for r in preview_cells(dialog)] == ["2", "4", "5"]  # physical lines
    assert preview_cells(dialog)[0][1:] == [
        "Jürgen Müller",
        "Bäckerei Größe",
        "0221 4711-0 (Business)",
        "OK",
    ]
    assert preview_cells(dialog)[1][1:] == ["Grete Weiß", "", "", "no phone number"]

    # The person assigns the unknown column: the preview follows.
    durchwahl = combo_for(dialog, "Durchwahl")
    durchwahl.setCurrentIndex(durchwahl.findText("Phone: business"))
    assert preview_cells(dialog)[2][1:] == ["Öztürk", "", "0221 4711-23 (Business)", "OK"]

    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(dialog.result_label.isVisible)
    assert dialog.result_label.text() == "Imported: 2. Skipped: 1."
    assert [dialog.skipped_list.item(i).text() for i in range(dialog.skipped_list.count())] == [
        "Line 4: no phone number"
    ]
    assert dialog.progress.value() == dialog.progress.maximum() == 5
    rig.wait(lambda: names(rig) == ["Jürgen Müller", "Öztürk"])


def test_progress_on_a_large_file_and_a_wrong_encoding_explained(
    make_rig: Callable[..., GuiRig], qtbot: object, tmp_path: Path
) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    rows = [["", f"P{n}", f"Nachname {n}", "", f"0221 {n:06d}", "", ""] for n in range(2600)]
    path = write_outlook_de(tmp_path / "big.csv", rows)
    dialog = open_dialog(rig)
    dialog.open_path(path)

    dialog.set_encoding("utf-8")  # the file is Windows-1252: the person is told so
    assert dialog.problem_label.isVisible()
    assert "not UTF-8 text (line " in dialog.problem_label.text()
    assert not dialog.import_button.isEnabled()
    dialog.set_encoding("")  # automatic again
    assert not dialog.problem_label.isVisible() and dialog.import_button.isEnabled()

    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    dialog.start_import()
    rig.wait(dialog.result_label.isVisible, timeout=120_000)
    assert dialog.result_label.text() == "Imported: 2600. Skipped: 0."
    assert len(set(values)) > 2 and values[-1] == 2601  # batches: the bar moved
    assert not dialog.skipped_list.isVisible()
    rig.wait(lambda: len(names(rig)) == 2600)


def test_the_dialog_in_german(
    make_rig: Callable[..., GuiRig], qtbot: object, tmp_path: Path
) -> None:
    set_language("de")
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    dialog = open_dialog(rig)
    dialog.open_path(write_outlook_de(tmp_path / "k.csv"))
    assert dialog.windowTitle() == "Kontakte importieren"
    assert dialog.separator.currentText() == "Automatisch (Semikolon (;))"
    assert combo_for(dialog, "Nachname").currentText() == "Nachname"
    assert preview_cells(dialog)[1][4] == "keine Telefonnummer"
    dialog.start_import()
    rig.wait(dialog.result_label.isVisible)
    assert dialog.result_label.text() == "Importiert: 1. Übersprungen: 2."
    assert dialog.skipped_list.item(0).text() == "Zeile 4: keine Telefonnummer"


def test_a_file_with_unknown_columns_is_imported_once_assigned(
    make_rig: Callable[..., GuiRig], qtbot: object, tmp_path: Path
) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    path = tmp_path / "export.csv"
    path.write_text("Wer\tDurchwahl\tRaum\nAnna Berg\t4711\t3.14\n", encoding="utf-8")
    dialog = open_dialog(rig)
    dialog.open_path(path)
    assert dialog.separator.currentText() == "Automatic (Tab)"
    assert dialog.problem_label.isVisible() and "Assign at least one column" in (
        dialog.problem_label.text()
    )
    assert not dialog.import_button.isEnabled()
    for column, field in (("Wer", "Display name"), ("Durchwahl", "Phone: business")):
        combo = combo_for(dialog, column)
        combo.setCurrentIndex(combo.findText(field))
    assert not dialog.problem_label.isVisible() and dialog.import_button.isEnabled()
    dialog.start_import()
    rig.wait(dialog.result_label.isVisible)
    assert dialog.result_label.text() == "Imported: 1. Skipped: 0."
    rig.wait(lambda: names(rig) == ["Anna Berg"])
