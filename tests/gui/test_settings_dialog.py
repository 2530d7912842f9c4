"""The settings dialog on a real Application (not started: no network needed): search,
saving through update_settings, errors shown on the field, codec priority, accounts,
and settings kept across a restart (a new Application on the same file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from parley.app import Application
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.settings_editors import CodecEditor
from parley.settings import AccountSettings, Settings, load_settings

DEVICES = {"input": ["USB Headset Mic"], "output": ["USB Headset", "Speakers"]}


def two_accounts() -> Settings:
    return Settings(
        accounts=[
            AccountSettings(name="office", domain="127.0.0.1:5060", username="1001"),
            AccountSettings(name="home", domain="127.0.0.1:5070", username="1002"),
        ]
    )


@pytest.fixture
def dialog(qtbot: Any, make_app: Callable[..., Application]) -> SettingsDialog:
    dlg = SettingsDialog(make_app(two_accounts()), devices=DEVICES)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_tree_has_the_manuals_pages_in_order(dialog: SettingsDialog) -> None:
    titles = [item.text(0) for item in dialog._tree_items()]
    # The manual's order (Contacts: the contact sources, issue #10).
    assert titles == ["Accounts", "Contacts", "Media", "GUI", "Functions"]
    media = dialog._tree_items()[2]
    assert "Device settings" in [c.text(0) for c in dialog._tree_items(media)]


def test_search_finds_echo_on_the_media_page(dialog: SettingsDialog) -> None:
    assert dialog.current_page() == "accounts"
    found = dialog.show_search("echo")
    assert found == 1
    assert dialog.current_page() == "media"
    echo = dialog.rows["media.echo_cancellation"]
    assert echo.form is not None and echo.form.isRowVisible(echo.container)
    assert "background" in echo.editor.text_widget.styleSheet()  # highlighted
    waiting = dialog.rows["media.call_waiting"]
    assert waiting.form is not None and not waiting.form.isRowVisible(waiting.container)
    hidden = {item.text(0): item.isHidden() for item in dialog._tree_items()}
    assert hidden == {
        "Accounts": True,
        "Contacts": True,
        "Media": False,
        "GUI": True,
        "Functions": True,
    }
    assert dialog.search_result.text() == "1 found"
    dialog.show_search("")
    assert waiting.form.isRowVisible(waiting.container)
    assert not any(item.isHidden() for item in dialog._tree_items())


def test_search_spans_pages_and_says_when_nothing_matches(dialog: SettingsDialog) -> None:
    assert dialog.show_search("port") >= 3
    keys = {row.key for row in dialog.matching_rows()}
    assert {"account.local_port", "media.rtp_port_min", "media.rtp_port_max"} <= keys
    assert dialog.show_search("no such setting anywhere") == 0
    assert dialog.search_result.text() == "Nothing found"


def test_ctrl_f_puts_the_cursor_in_the_search(qtbot: Any, dialog: SettingsDialog) -> None:
    dialog.activateWindow()
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(dialog.search.hasFocus, timeout=2000)


def test_only_existing_features_are_shown(dialog: SettingsDialog) -> None:
    assert "media.ringtone" in dialog.rows  # incoming calls ring with it
    assert "media.ring_device" in dialog.rows  # calls ring there (phone/media.py)
    assert "media.ring_also_pc_speaker" in dialog.rows
    assert "account.rport_media" in dialog.rows  # used in the SDP (phone/call.py)
    # Instant messages, presence, BLF and voicemail counts have their rows on their pages
    # (issue #9), not in the generic "Other" group.
    assert dialog.rows["gui.notify_message"].page == "gui"
    assert dialog.rows["account.use_blf"].page == "accounts"
    assert dialog.rows["functions.auto_reject_presence"].page == "functions"
    # The local store refuses contacts without a name or a number: filters for them could
    # never hide anything, so they are not offered (they stay in the settings model).
    assert "gui.hide_contacts_without_name" not in dialog.rows
    assert "gui.hide_contacts_without_number" not in dialog.rows
    # The filters are per contact source now: a search for them finds the Contacts page.
    dialog.show_search("hide contacts without")
    assert dialog.current_page() == "contacts"
    assert dialog.search_result.text() == "2 found"


def test_changed_setting_is_kept_after_a_restart(
    qtbot: Any, dialog: SettingsDialog, make_app: Callable[..., Application]
) -> None:
    dialog.select_page("media")
    dialog.rows["media.echo_cancellation"].editor.set_value(False)
    dialog.rows["media.input_device"].editor.set_value("USB Headset Mic")
    dialog.rows["functions.reject_with"].editor.set_value("decline")
    dialog.rows["gui.theme"].editor.set_value("dark")
    dialog.select_account("home")
    dialog.rows["account.expires"].editor.set_value(300)
    dialog.rows["account.srtp"].editor.set_value("mandatory")  # the Encryption group
    assert dialog.apply(), dialog.message.text()
    dialog.app.stop()

    again = make_app()  # a new Application on the same settings file
    assert again.settings.media.echo_cancellation is False
    assert again.settings.media.input_device == "USB Headset Mic"
    assert again.settings.functions.reject_with == "decline"
    assert again.settings.gui.theme == "dark"
    assert again.settings.account("home").expires == 300
    assert again.settings.account("home").srtp == "mandatory"
    assert again.settings.account("office").srtp == "off"
    assert again.settings.account("office").expires == 600
    fresh = SettingsDialog(again, devices=DEVICES)
    qtbot.addWidget(fresh)
    assert fresh.rows["media.echo_cancellation"].editor.value() is False


def test_wrong_value_shows_the_error_and_keeps_the_old_file(
    dialog: SettingsDialog, tmp_path: Path
) -> None:
    before = (tmp_path / "settings.toml").read_bytes()
    dialog.select_account("office")
    domain = dialog.rows["account.domain"]
    domain.editor.set_value("pbx example com")
    assert "not a valid domain" in domain.error_text()
    assert domain.error.isVisible()
    assert not dialog.apply()
    assert "correct the marked settings" in dialog.message.text()
    assert (tmp_path / "settings.toml").read_bytes() == before
    domain.editor.set_value("pbx.example.com")
    assert domain.error_text() == ""
    assert dialog.apply()
    assert load_settings(tmp_path / "settings.toml").account("office").domain == "pbx.example.com"


def test_an_error_found_on_saving_is_shown_on_its_field(
    dialog: SettingsDialog, tmp_path: Path
) -> None:
    # retry_interval alone is fine; only the whole account shows it exceeds the maximum.
    before = (tmp_path / "settings.toml").read_bytes()
    dialog.select_account("home")
    dialog.rows["account.retry_interval"].editor.set_value(900)
    dialog.select_account("office")
    assert not dialog.apply()
    assert dialog.selected_account() is not None
    assert dialog.selected_account().name == "home"  # type: ignore[union-attr]
    assert "retry interval" in dialog.rows["account.retry_max_interval"].error_text()
    assert (tmp_path / "settings.toml").read_bytes() == before


def test_codec_priority_by_drag_and_drop_is_saved_in_order(
    qtbot: Any, dialog: SettingsDialog, tmp_path: Path
) -> None:
    dialog.select_account("office")
    editor = dialog.rows["account.codecs"].editor
    assert isinstance(editor, CodecEditor)
    assert editor.value() == ["opus", "g722", "pcma", "pcmu"]
    # A drop inside "selected" is a row move in its model: pcmu to the top.
    editor.selected.model().moveRow(QModelIndex(), 3, QModelIndex(), 0)
    # A drag to "available" takes g722 out; the dialog settles after the event loop runs.
    editor.selected.setCurrentRow(2)
    editor.remove_button.click()
    qtbot.waitUntil(lambda: dialog.draft.account("office").codecs == ["pcmu", "opus", "pcma"])
    assert [editor.available.item(i).text() for i in range(editor.available.count())] == [
        "G.722 (wideband)"
    ]
    assert dialog.apply()
    assert load_settings(tmp_path / "settings.toml").account("office").codecs == [
        "pcmu",
        "opus",
        "pcma",
    ]


def test_codec_list_cannot_be_emptied(qtbot: Any, dialog: SettingsDialog) -> None:
    dialog.select_account("office")
    row = dialog.rows["account.codecs"]
    editor = row.editor
    assert isinstance(editor, CodecEditor)
    while editor.selected.count():
        editor.selected.setCurrentRow(0)
        editor.remove_button.click()
    qtbot.waitUntil(lambda: bool(row.error_text()))
    assert "at least 1" in row.error_text()
    assert not dialog.apply()


def test_delete_account_removes_it_from_the_file(dialog: SettingsDialog, tmp_path: Path) -> None:
    dialog.select_account("home")
    dialog.delete_account(confirm=False)
    assert [
        dialog.accounts_page.list.item(i).text() for i in range(dialog.accounts_page.list.count())
    ] == ["office"]
    assert dialog.apply()
    assert [a.name for a in load_settings(tmp_path / "settings.toml").accounts] == ["office"]


def test_password_goes_to_the_file_only_with_consent(
    dialog: SettingsDialog, tmp_path: Path
) -> None:
    dialog.rows["allow_plaintext_passwords"].editor.set_value(True)
    dialog.select_account("office")
    dialog.rows["account.password"].editor.set_value("s3cret")
    assert dialog.apply()
    saved = load_settings(tmp_path / "settings.toml")
    password = saved.account("office").password
    assert password is not None and password.get_secret_value() == "s3cret"
    assert dialog.rows["account.password"].editor.value() == ""  # never shown again


def test_cancel_keeps_the_file(qtbot: Any, dialog: SettingsDialog, tmp_path: Path) -> None:
    before = (tmp_path / "settings.toml").read_bytes()
    dialog.rows["media.call_waiting"].editor.set_value(False)
    dialog.cancel_button.click()
    assert (tmp_path / "settings.toml").read_bytes() == before
    assert dialog.app.settings.media.call_waiting is True


def test_screenshot_hook_shows_a_search(qtbot: Any, dialog: SettingsDialog) -> None:
    assert dialog.show_search("noise") >= 1
    QApplication.processEvents()
    assert dialog.search.text() == "noise"
    assert dialog.current_page() == "media"


@pytest.mark.interop
def test_new_password_reregisters_and_buttons_unregister_at_kamailio(
    qtbot: Any, make_app: Callable[..., Application], kamailio: Any
) -> None:
    domain = f"127.0.0.1:{kamailio.udp_port}"
    settings = Settings(
        accounts=[AccountSettings(name="office", domain=domain, username="1003", codecs=["pcmu"])]
    )
    app = make_app(settings, passwords={"office": "wrong"})
    app.start().result(20)
    dlg = SettingsDialog(app, devices=DEVICES)
    qtbot.addWidget(dlg)
    dlg.show()
    item = dlg.accounts_page.list.item(0)
    qtbot.waitUntil(lambda: "registration failed" in item.toolTip(), timeout=20_000)
    dlg.rows["account.password"].editor.set_value("pass1003")
    assert dlg.apply(), dlg.message.text()
    qtbot.waitUntil(lambda: item.toolTip().startswith("registered"), timeout=20_000)
    assert kamailio.lookup("1003")
    dlg.accounts_page.unregister_button.click()
    qtbot.waitUntil(lambda: item.toolTip() == "not registered", timeout=20_000)
    assert not kamailio.lookup("1003")


def test_log_settings_from_the_dialog_reach_the_log_at_once(
    dialog: SettingsDialog, tmp_path: Path
) -> None:
    """SIP trace and log level are set on the Functions page; saved, they are in the file
    and the running app's log follows them (no restart)."""
    import io
    import logging

    from parley.app.logs import TRACE_LOGGER, configure_logging

    out = io.StringIO()
    configure_logging(dialog.app.settings.log, stream=out)  # the default: info
    try:
        logging.getLogger("parley.test").info("info before")
        dialog.select_page("functions")
        dialog.rows["log.sip_trace"].editor.set_value(True)
        dialog.rows["log.log_level"].editor.set_value("warning")
        assert dialog.apply(), dialog.message.text()
        logging.getLogger(TRACE_LOGGER).info("trace after")  # the trace, even at "warning"
        logging.getLogger("parley.test").info("info after")
    finally:
        configure_logging(Settings().log, stream=io.StringIO())
        logging.getLogger().setLevel(logging.WARNING)
    saved = load_settings(tmp_path / "settings.toml").log
    assert saved.sip_trace is True and saved.log_level == "warning"
    text = out.getvalue()
    assert "info before" in text and "trace after" in text
    assert "info after" not in text
