"""A contact source's password typed in the settings dialog without a keyring: kept in
the settings file only when plain-text passwords are allowed, refused (and said so)
otherwise — as an account's password."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from parley.app import Application
from parley.contacts.source import SourceKind
from parley.gui.settings_dialog import SettingsDialog
from parley.media.engine import AudioConfig
from parley.settings import Settings, save_settings


@pytest.mark.parametrize("allowed", [True, False])
def test_a_typed_source_password_without_a_keyring(
    qtbot: Any, tmp_path: Path, allowed: bool
) -> None:
    path = tmp_path / "settings.toml"
    save_settings(Settings(allow_plaintext_passwords=allowed), path)
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )
    app.start().result(20)
    try:
        dialog = SettingsDialog(app, devices={"input": [], "output": []})
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.select_page("contacts")
        page = dialog.contacts_page
        page.add_source(SourceKind.CARDDAV)
        page.fields["location"].setText("http://127.0.0.1:5232/")
        page.fields["location"].editingFinished.emit()
        page.password.setText("typed-secret")
        page.password.editingFinished.emit()
        saved = dialog.apply()
        text = path.read_text()
        if allowed:
            assert saved, dialog.message.text()
            source = tomllib.loads(text)["contacts"]["sources"][1]
            assert (source["type"], source["password"]) == ("carddav", "typed-secret")
        else:
            assert not saved
            assert page.message.text() == "Passwords are not kept in the keyring here."
            assert "typed-secret" not in text and "carddav" not in text
    finally:
        app.stop()
