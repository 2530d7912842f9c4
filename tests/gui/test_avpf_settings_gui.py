"""The "RTCP feedback (AVPF)" account setting in the settings dialog (issue #11): its
checkbox on the account's page, in English and German, saved per account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.settings_editors import BoolEditor
from parley.settings import AccountSettings, Settings, load_settings

DEVICES = {"input": ["USB Headset Mic"], "output": ["USB Headset"]}


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


def open_dialog(qtbot: Any, app: Application) -> SettingsDialog:
    dialog = SettingsDialog(app, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def two_accounts() -> Settings:
    return Settings(
        accounts=[
            AccountSettings(name="office", domain="127.0.0.1:5060", username="1001"),
            AccountSettings(name="home", domain="127.0.0.1:5070", username="1002"),
        ]
    )


def test_checkbox_turns_it_on_for_one_account(
    qtbot: Any, make_app: Callable[..., Application], tmp_path: Any
) -> None:
    dialog = open_dialog(qtbot, make_app(two_accounts()))
    dialog.select_account("home")
    row = dialog.rows["account.rtcp_feedback"]
    assert row.page == "accounts"
    assert isinstance(row.editor, BoolEditor)
    box = row.editor.box
    assert box.text() == "RTCP feedback (AVPF)"
    assert not box.isChecked()  # off by default: some PBXs refuse calls that offer it
    dialog.show_search("RTCP feedback")  # brings its row into view, as a person would
    assert box.isVisible()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().bottomLeft() + QPoint(4, -4))
    assert box.isChecked()
    assert dialog.apply(), dialog.message.text()
    saved = load_settings(tmp_path / "settings.toml")
    assert saved.account("home").rtcp_feedback is True
    assert saved.account("office").rtcp_feedback is False


def test_german_label(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    dialog = open_dialog(qtbot, make_app(two_accounts()))
    box = dialog.rows["account.rtcp_feedback"].editor.box  # type: ignore[attr-defined]
    assert box.text() == "RTCP-Feedback (AVPF)"
    assert dialog.show_search("AVPF") >= 1
