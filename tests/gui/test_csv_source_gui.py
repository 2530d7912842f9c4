"""A CSV file added as a contact source in the settings dialog (Add › CSV file): its
access data (path, encoding, separator) saved in the file's names, read by the real
fetcher, its contacts answering a caller's number; the German names of its fields."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from parley.app import Application
from parley.gui.i18n import load_catalog
from parley.gui.settings_dialog import SettingsDialog
from parley.media.engine import AudioConfig
from parley.settings import Settings, save_settings


def test_add_a_csv_file_as_a_source(qtbot: Any, tmp_path: Path) -> None:
    book = tmp_path / "team.csv"
    book.write_bytes(
        "Name;Telefon\nJürgen Weiß;030 5550177\nAnna Berg;030 5550178\n".encode("cp1252")
    )
    path = tmp_path / "settings.toml"
    save_settings(Settings(), path)
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
    )
    app.start().result(20)
    try:
        dialog = SettingsDialog(app, devices={"input": [], "output": []})
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.select_page("contacts")
        page = dialog.contacts_page
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        assert page.last_menu is not None
        [csv_action] = [a for a in page.last_menu.actions() if a.text() == "CSV file"]
        csv_action.trigger()
        assert page.fields["location"].isVisible() and page.fields["encoding"].isVisible()
        assert page.fields["separator"].isVisible() and not page.fields["host"].isVisible()
        assert not page.password.isVisible()
        for key, value in (("location", str(book)), ("encoding", "cp1252"), ("separator", ";")):
            page.fields[key].setText(value)
            page.fields[key].editingFinished.emit()
        page.fields["encoding"].setText("klingon")
        page.fields["encoding"].editingFinished.emit()
        assert "not an encoding" in page.message.text()
        page.fields["encoding"].setText("cp1252")
        page.fields["encoding"].editingFinished.emit()
        assert dialog.apply(), dialog.message.text()
        saved = tomllib.loads(path.read_text())["contacts"]["sources"][1]
        assert (saved["type"], saved["path"], saved["encoding"], saved["separator"]) == (
            "csv",
            str(book),
            "cp1252",
            ";",
        )
        qtbot.waitUntil(
            lambda: "2 contacts, synchronised" in page.status_label.text(), timeout=20_000
        )
        match = app.caller("+49 30 5550177")
        assert match is not None and match.contact.name == "Jürgen Weiß"
    finally:
        app.stop()


def test_the_csv_fields_have_german_names() -> None:
    german = load_catalog("de")
    assert german["CSV file"] == "CSV-Datei"
    assert german["e.g. utf-8, utf-16, cp1252; empty: guessed."].startswith("z. B.")
