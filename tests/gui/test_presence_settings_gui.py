"""The settings of issue #9 in the settings dialog: the account's Functions (MWI,
presence, BLF with its list of lines, subscription expiry, typing notification, pickup
prefix), our presence and the states that reject calls, and the pop-ups and sounds —
each written to the settings file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QListWidget

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.settings_editors import BoolEditor, LinesEditor, StatesEditor
from parley.settings import AccountSettings, Settings

DEVICES: dict[str, list[str]] = {"input": [], "output": []}


def one_account() -> Settings:
    return Settings(
        accounts=[AccountSettings(name="office", domain="127.0.0.1:5060", username="1001")]
    )


def test_account_functions_are_saved(qtbot: Any, make_app: Callable[..., Application]) -> None:
    dialog = SettingsDialog(make_app(one_account()), devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    group = dialog.rows["account.mwi"].group
    assert group is not None and group.title() == "Functions"
    labels = [
        dialog.rows[f"account.{k}"].editor.text_widget.text()  # type: ignore[attr-defined]
        for k in ("mwi", "subscribe_presence", "publish_presence", "use_blf")
    ]
    assert labels == [
        "MWI for incoming voice messages",
        "Subscribe presence",
        "Publish presence",
        "Use BLF",
    ]
    lines = dialog.rows["account.blf_extensions"]
    assert isinstance(lines.editor, LinesEditor)
    assert not lines.container.isEnabled()  # greyed out until BLF is on
    dialog.rows["account.use_blf"].editor.set_value(True)
    assert lines.container.isEnabled()
    dialog.rows["account.mwi"].editor.set_value(True)
    lines.editor.add_entry("1002")
    lines.editor.add_entry("sip:1003@127.0.0.1")
    lines.editor.add_entry("1004")
    lines.editor.list.setCurrentRow(2)
    lines.editor.up_button.click()
    lines.editor.list.setCurrentRow(0)
    lines.editor.remove_button.click()
    dialog.rows["account.subscription_expiry"].editor.set_value(900)
    dialog.rows["account.typing_notification"].editor.set_value(False)
    dialog.rows["account.pickup_prefix"].editor.set_value("*8")
    assert dialog.apply(), dialog.message.text()
    account = dialog.app.settings.account("office")
    assert account.use_blf and account.mwi
    assert account.blf_extensions == ["1004", "sip:1003@127.0.0.1"]
    assert account.subscription_expiry == 900
    assert account.typing_notification is False
    assert account.pickup_prefix == "*8"


def test_presence_functions_and_notifications_are_saved(
    qtbot: Any, make_app: Callable[..., Application]
) -> None:
    dialog = SettingsDialog(make_app(one_account()), devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_page("functions")
    states = dialog.rows["functions.auto_reject_presence"]
    assert isinstance(states.editor, StatesEditor)
    names = [b.text() for b in states.editor.findChildren(QCheckBox)]
    assert names == [
        "Online",
        "Invisible",
        "Away",
        "Busy",
        "Offline",
        "Lunch break",
        "On the phone",
        "Briefly absent",
    ]
    states.editor.boxes["busy"].click()
    states.editor.boxes["lunch"].click()
    dialog.rows["functions.presence_on_the_phone"].editor.set_value(False)
    dialog.rows["functions.presence"].editor.set_value("away")
    dialog.select_page("gui")
    for key in (
        "notify_contact_online",
        "notify_message",
        "notify_voicemail",
        "message_sound",
        "voicemail_sound",
        "activate_on_message",
        "flash_on_message",
    ):
        row = dialog.rows[f"gui.{key}"]
        assert isinstance(row.editor, BoolEditor)
        assert row.group is not None and row.group.title() != "Other"
    dialog.rows["gui.notify_contact_online"].editor.set_value(False)
    dialog.rows["gui.activate_on_message"].editor.set_value(True)
    assert dialog.apply(), dialog.message.text()
    settings = dialog.app.settings
    assert settings.functions.auto_reject_presence == ["busy", "lunch"]
    assert settings.functions.presence_on_the_phone is False
    assert settings.functions.presence == "away"
    assert settings.gui.notify_contact_online is False
    assert settings.gui.activate_on_message is True


def test_the_settings_in_german(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    try:
        dialog = SettingsDialog(make_app(one_account()), devices=DEVICES)
        qtbot.addWidget(dialog)
        assert dialog.rows["account.use_blf"].editor.text_widget.text() == "BLF verwenden"  # type: ignore[attr-defined]
        states = dialog.rows["functions.auto_reject_presence"].editor
        assert "Mittagspause" in [b.text() for b in states.findChildren(QCheckBox)]
        lines = dialog.rows["account.blf_extensions"].editor
        assert isinstance(lines, LinesEditor)
        assert lines.add_button.text() == "Hinzufügen"
        assert lines.findChild(QListWidget) is not None
    finally:
        set_language("en")
