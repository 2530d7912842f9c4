"""The settings pages of call control — forwarding, automatic acceptance, transfer
requests, music on hold, recording and per-account InterCom — write the settings model,
survive saving and a restart (a new Application on the same file), show the model's
reason for a wrong recording file name, and ask the legal notice before recording every
call. In English and German."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.settings import AccountSettings, Settings, load_settings

DEVICES: dict[str, list[str]] = {"input": [], "output": []}


def one_account() -> Settings:
    return Settings(
        accounts=[AccountSettings(name="office", domain="127.0.0.1:5060", username="1001")]
    )


@pytest.fixture
def dialog(qtbot: Any, make_app: Callable[..., Application]) -> SettingsDialog:
    dlg = SettingsDialog(make_app(one_account()), devices=DEVICES)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def reopen(qtbot: Any, dialog: SettingsDialog, make_app: Callable[..., Application]) -> Settings:
    assert dialog.apply(), dialog.message.text()
    dialog.app.stop()
    again = make_app()
    fresh = SettingsDialog(again, devices=DEVICES)
    qtbot.addWidget(fresh)
    return again.settings


def test_forwarding_and_automatic_acceptance_pages_and_their_reset_at_restart(
    qtbot: Any, dialog: SettingsDialog, make_app: Callable[..., Application]
) -> None:
    rows = dialog.rows
    dialog.select_page("functions")
    # Greyed out until the choice they belong to is made.
    assert not rows["functions.forward_to"].container.isEnabled()
    assert not rows["functions.forward_after"].container.isEnabled()
    assert not rows["functions.auto_answer_after"].container.isEnabled()
    rows["functions.forwarding"].editor.set_value("delayed")
    assert rows["functions.forward_to"].container.isEnabled()
    assert rows["functions.forward_after"].container.isEnabled()
    rows["functions.forward_to"].editor.set_value("1003")
    rows["functions.forward_after"].editor.set_value(25)
    # The manual's off / instantly / after N seconds, in one choice.
    mode = rows["functions.auto_answer_mode"]
    assert mode.editor.value() == "off"
    mode.editor.set_value("delayed")
    after = rows["functions.auto_answer_after"]
    assert after.container.isEnabled() and after.editor.value() == 10
    after.editor.set_value(7)
    rows["functions.auto_answer_sound"].editor.set_value(True)
    rows["functions.keep_after_restart"].editor.set_value(False)
    rows["functions.transfer_requests"].editor.set_value("reject")
    rows["functions.follow_redirects"].editor.set_value(False)

    settings = reopen(qtbot, dialog, make_app)
    f = settings.functions
    # "Keep settings after restart" was switched off: the restart switched forwarding and
    # the automatic answer off, and kept where and when they would act.
    assert (f.forwarding, f.forward_to, f.forward_after) == ("off", "1003", 25)
    assert (f.auto_answer, f.auto_answer_after, f.auto_answer_sound) == (False, 7, True)
    assert f.keep_after_restart is False
    assert f.transfer_requests == "reject"
    assert f.follow_redirects is False


def test_instant_acceptance_is_after_zero_seconds(
    qtbot: Any, dialog: SettingsDialog, make_app: Callable[..., Application]
) -> None:
    mode = dialog.rows["functions.auto_answer_mode"]
    mode.editor.set_value("instant")
    assert not dialog.rows["functions.auto_answer_after"].container.isEnabled()
    settings = reopen(qtbot, dialog, make_app)
    assert (settings.functions.auto_answer, settings.functions.auto_answer_after) == (True, 0)
    fresh = SettingsDialog(make_app(), devices=DEVICES)
    qtbot.addWidget(fresh)
    assert fresh.rows["functions.auto_answer_mode"].editor.value() == "instant"


def test_music_on_hold_with_a_file(
    qtbot: Any, dialog: SettingsDialog, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    music = tmp_path / "hold.wav"
    music.write_bytes(b"RIFF")
    rows = dialog.rows
    assert rows["media.music_on_hold"].editor.value() == "builtin"
    assert not rows["media.music_on_hold_file"].container.isEnabled()
    rows["media.music_on_hold"].editor.set_value("file")
    assert rows["media.music_on_hold_file"].container.isEnabled()
    rows["media.music_on_hold_file"].editor.set_value(str(music))
    settings = reopen(qtbot, dialog, make_app)
    assert settings.media.music_on_hold == "file"
    assert settings.media.music_on_hold_file == music


def test_recording_settings_and_a_wrong_file_name(
    qtbot: Any,
    dialog: SettingsDialog,
    make_app: Callable[..., Application],
    tmp_path: Path,
) -> None:
    before = (tmp_path / "settings.toml").read_bytes()
    rows = dialog.rows
    dialog.select_page("functions")
    name = rows["functions.recording_name"]
    name.editor.set_value("call_{YYYY}_{nonsense}")
    assert "{nonsense} is not a field of the recording name" in name.error_text()
    assert name.error.isVisible()
    assert not dialog.apply()
    assert (tmp_path / "settings.toml").read_bytes() == before
    name.editor.set_value("call_{YYYY}-{MM}-{DD}_{number}_part{recording_part}")
    assert name.error_text() == ""
    folder = tmp_path / "recordings"
    rows["functions.recording_dir"].editor.set_value(str(folder))
    rows["functions.recording_channels"].editor.set_value("stereo")
    settings = reopen(qtbot, dialog, make_app)
    f = settings.functions
    assert f.recording_name == "call_{YYYY}-{MM}-{DD}_{number}_part{recording_part}"
    assert f.recording_dir == folder
    assert f.recording_channels == "stereo"


@pytest.mark.parametrize("accept", [True, False], ids=["accepted", "refused"])
def test_recording_every_call_asks_the_legal_notice_first(
    qtbot: Any,
    dialog: SettingsDialog,
    make_app: Callable[..., Application],
    tmp_path: Path,
    accept: bool,
) -> None:
    record_all = dialog.rows["functions.record_all_calls"]
    record_all.editor.set_value(True)
    notice = dialog.notice
    assert notice is not None and notice.isVisible()
    button = notice.record_button if accept else notice.cancel_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert record_all.editor.value() is accept  # refused: back off
    settings = reopen(qtbot, dialog, make_app)
    assert settings.functions.record_all_calls is accept
    assert settings.functions.recording_notice_accepted is accept
    assert load_settings(tmp_path / "settings.toml").functions.record_all_calls is accept


def test_intercom_per_account(
    qtbot: Any, dialog: SettingsDialog, make_app: Callable[..., Application]
) -> None:
    dialog.select_account("office")
    dialog.rows["account.intercom"].editor.set_value(True)
    dialog.rows["account.intercom_prefix"].editor.set_value("*9")
    settings = reopen(qtbot, dialog, make_app)
    office = settings.account("office")
    assert office.intercom is True and office.intercom_prefix == "*9"


def test_the_pages_read_german(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    try:
        dlg = SettingsDialog(make_app(one_account()), devices=DEVICES)
        qtbot.addWidget(dlg)
        titles = {box.title() for boxes in dlg.page_groups.values() for box in boxes}
        assert {"Rufumleitung", "Vermittlung", "Aufzeichnung", "Wartemusik", "InterCom"} <= titles
        mode = dlg.rows["functions.auto_answer_mode"].editor
        assert [mode.combo.itemText(i) for i in range(3)] == [  # type: ignore[attr-defined]
            "Aus",
            "Sofort",
            "Nach einigen Sekunden",
        ]
        assert dlg.show_search("Wartemusik") >= 1
    finally:
        set_language("en")
