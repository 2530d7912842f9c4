"""The account's phone number modification in the settings dialog: the four settings are
saved, a wrong country is refused on its field, and "try a number" shows what the
account would dial with the values as they stand (before saving)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from parley.app import Application
from parley.gui.dial_preview import DialPreview
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.settings import AccountSettings, Settings, load_settings


@pytest.fixture
def dialog(qtbot: Any, make_app: Callable[..., Application]) -> SettingsDialog:
    settings = Settings(
        accounts=[AccountSettings(name="office", domain="127.0.0.1:5060", username="1001")]
    )
    dlg = SettingsDialog(make_app(settings), devices={"input": [], "output": []})
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.select_account("office")
    return dlg


def preview(dialog: SettingsDialog) -> DialPreview:
    found = dialog.findChildren(DialPreview)
    assert len(found) == 1, found
    return found[0]


def test_the_preview_follows_the_settings_as_they_are_typed(dialog: SettingsDialog) -> None:
    box = preview(dialog)
    assert box.isVisible()
    box.input.setText("030 1234567")
    assert box.result.text() == "Dialled as 0301234567"
    dialog.rows["account.default_country"].editor.set_value("DE")
    dialog.rows["account.use_country_code"].editor.set_value(True)
    assert box.result.text() == "Dialled as +49301234567"
    dialog.rows["account.dial_prefix"].editor.set_value("00")
    assert box.result.text() == "Dialled as 0049301234567"
    box.input.setText("112")
    assert "emergency" in box.result.text()
    assert "112" in box.result.text()


def test_the_rules_are_saved_and_a_wrong_country_is_refused_on_its_field(
    dialog: SettingsDialog, tmp_path: Path
) -> None:
    country = dialog.rows["account.default_country"]
    country.editor.set_value("Germany")
    assert "ISO 3166" in country.error_text()
    assert country.error.isVisible()
    assert not dialog.apply()
    country.editor.set_value("de")
    assert country.error_text() == ""
    dialog.rows["account.use_country_code"].editor.set_value(True)
    dialog.rows["account.dial_prefix"].editor.set_value("00")
    dialog.rows["account.remove_dial_chars"].editor.set_value("#")
    assert dialog.apply(), dialog.message.text()
    saved = load_settings(tmp_path / "settings.toml").account("office")
    assert (saved.default_country, saved.use_country_code, saved.dial_prefix) == ("DE", True, "00")
    assert saved.remove_dial_chars == "#"


def test_the_preview_speaks_german(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    try:
        settings = Settings(
            accounts=[
                AccountSettings(
                    name="office",
                    domain="127.0.0.1:5060",
                    username="1001",
                    default_country="DE",
                    use_country_code=True,
                )
            ]
        )
        dlg = SettingsDialog(make_app(settings), devices={"input": [], "output": []})
        qtbot.addWidget(dlg)
        dlg.show()
        dlg.select_account("office")
        box = preview(dlg)
        assert box.label.text() == "Nummer ausprobieren"
        box.input.setText("1002")
        assert (
            box.result.text() == "Gewählt wird 1002 – eine interne Nebenstelle: unverändert gewählt"
        )
        assert "Rufnummernanpassung" in [g.title() for g in dlg.findChildren(type(box.parent()))]
    finally:
        set_language("en")
