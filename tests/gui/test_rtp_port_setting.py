"""The account's RTP port in the settings dialog (Accounts › Network: the manual's
"Port" and "Open random port above 32000" of the RTP options): empty, 0 and a number
are kept after a restart; the field's help says what 0 means, in German too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.app.application import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.settings import AccountSettings, Settings

DEVICES = {"input": [], "output": []}


def one_account() -> Settings:
    return Settings(
        accounts=[AccountSettings(name="office", domain="127.0.0.1:5060", username="1001")]
    )


def test_rtp_port_random_fixed_and_empty_are_kept(
    qtbot: Any, make_app: Callable[..., Application]
) -> None:
    app = make_app(one_account())
    dialog = SettingsDialog(app, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_account("office")
    row = dialog.rows["account.rtp_port"]
    assert row.editor.value() == ""  # not set: the media range
    row.editor.set_value("0")
    assert dialog.apply(), dialog.message.text()
    app.stop()

    again = make_app()
    assert again.settings.account("office").rtp_port == 0
    dialog = SettingsDialog(again, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.select_account("office")
    row = dialog.rows["account.rtp_port"]
    assert row.editor.value() == "0"
    row.editor.set_value("40000")
    assert dialog.apply(), dialog.message.text()
    assert again.settings.account("office").rtp_port == 40000
    row.editor.set_value("")
    assert dialog.apply(), dialog.message.text()
    assert again.settings.account("office").rtp_port is None
    row.editor.set_value("70000")
    assert "65534" in row.error_text()
    assert not dialog.apply()


def test_rtp_port_field_says_what_0_means_in_german(
    qtbot: Any, make_app: Callable[..., Application]
) -> None:
    set_language("de")
    dialog = SettingsDialog(make_app(one_account()), devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.select_account("office")
    row = dialog.rows["account.rtp_port"]
    assert row.label is not None and row.label.text() == "Lokaler RTP-Port"
    assert "zufälliger Port über 32000" in row.label.toolTip()
