"""The translation scheme: every tr()/N_() literal in the GUI source has a German entry
with the same {fields}, and the German UI loads."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import parley.gui
from parley.app import Application
from parley.gui.i18n import N_, current_language, load_catalog, set_language, tr
from parley.media.engine import AudioConfig
from parley.settings import AccountSettings, Settings

GUI_DIR = Path(parley.gui.__file__).parent


def source_literals() -> dict[str, list[str]]:
    """Every string literal passed to tr() or N_() in src/parley/gui, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted(GUI_DIR.rglob("*.py")):
        if "locale" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                where = f"{path.relative_to(GUI_DIR)}:{node.lineno}"
                found.setdefault(node.args[0].value, []).append(where)
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def test_the_scan_sees_the_gui_strings() -> None:
    literals = source_literals()
    assert "Echo cancellation" in literals  # N_ in the settings table
    assert "Search settings (Ctrl+F)" in literals  # tr in the dialog


def test_every_gui_string_has_a_german_entry() -> None:
    german = load_catalog("de")
    missing = {text: where for text, where in source_literals().items() if text not in german}
    assert not missing, "no German entry for:\n" + "\n".join(
        f"  {text!r}  ({', '.join(where)})" for text, where in sorted(missing.items())
    )


def test_german_entries_keep_the_fields_and_are_not_empty() -> None:
    german = load_catalog("de")
    wrong = {k: v for k, v in german.items() if not v.strip() or fields(k) != fields(v)}
    assert not wrong


def test_tr_translates_formats_and_falls_back() -> None:
    assert tr("Settings") == "Settings"
    assert tr("{count} found", count=3) == "3 found"
    assert set_language("de") == "de"
    assert current_language() == "de"
    assert tr("Settings") == "Einstellungen"
    assert tr("{count} found", count=3) == "3 gefunden"
    assert tr("A text nobody translated") == "A text nobody translated"
    assert N_("Echo cancellation") == "Echo cancellation"  # marked, not translated
    assert set_language("fr") == "en"  # unknown: English
    assert tr("Settings") == "Settings"


def test_german_settings_dialog_loads(qtbot: Any, tmp_path: Path) -> None:
    from parley.gui.settings_dialog import SettingsDialog

    set_language("de")
    app = Application(
        settings=Settings(
            accounts=[AccountSettings(name="office", domain="127.0.0.1", username="1001")]
        ),
        use_keyring=False,
        data_dir=tmp_path,
        audio=AudioConfig(),
    )
    try:
        dialog = SettingsDialog(app, devices={"input": [], "output": []})
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.windowTitle() == "Einstellungen"
        assert [i.text(0) for i in dialog._tree_items()] == [
            "Konten",
            "Kontakte",
            "Medien",
            "Oberfläche",
            "Funktionen",
        ]
        echo = dialog.rows["media.echo_cancellation"]
        assert echo.editor.text_widget.property("text") == "Echounterdrückung"
        # English search words still find the setting in German.
        assert dialog.show_search("echo") == 1
        assert dialog.show_search("Rauschunterdrückung") == 1
        assert dialog.search_result.text() == "1 gefunden"
    finally:
        app.stop()


def test_german_wizard_and_assistant_load(qtbot: Any, tmp_path: Path) -> None:
    from parley.gui.audio_assistant import AudioAssistant
    from parley.gui.wizard import AccountWizard

    set_language("de")
    app = Application(
        settings=Settings(), use_keyring=False, data_dir=tmp_path, audio=AudioConfig()
    )
    try:
        wizard = AccountWizard(app, first_start=True)
        qtbot.addWidget(wizard)
        assert wizard.windowTitle() == "Konto einrichten"
        assert wizard.register_button.text() == "Registrieren"
        assistant = AudioAssistant(app, devices={"input": [], "output": []})
        qtbot.addWidget(assistant)
        assert assistant.windowTitle() == "Audio-Assistent"
        assistant.reject()
    finally:
        app.stop()
