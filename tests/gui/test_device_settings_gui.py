"""Media › "Automatic microphone selection" and GUI › "when an audio device is
(dis)connected" in the settings dialog: check boxes in English and German, found by a
search, saved; no longer listed as "not yet"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.settings_editors import BoolEditor
from parley.gui.settings_not_yet import NOT_YET
from parley.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


def open_dialog(qtbot: Any, app: Application) -> SettingsDialog:
    dialog = SettingsDialog(app, devices={"input": [], "output": []})
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_both_saved(qtbot: Any, make_app: Callable[..., Application], tmp_path: Any) -> None:
    dialog = open_dialog(qtbot, make_app(Settings()))
    auto = dialog.rows["media.auto_select_device"].editor
    popup = dialog.rows["gui.notify_audio_device"].editor
    assert isinstance(auto, BoolEditor) and isinstance(popup, BoolEditor)
    assert not auto.box.isChecked() and popup.box.isChecked()  # the defaults
    assert dialog.show_search("microphone selection") >= 1
    assert auto.box.isVisible()
    auto.box.setChecked(True)
    popup.box.setChecked(False)
    assert dialog.apply(), dialog.message.text()
    saved = load_settings(tmp_path / "settings.toml")
    assert saved.media.auto_select_device and not saved.gui.notify_audio_device


def test_german(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    dialog = open_dialog(qtbot, make_app(Settings()))
    auto = dialog.rows["media.auto_select_device"].editor
    assert isinstance(auto, BoolEditor)
    assert auto.box.text() == "Automatische Mikrofonauswahl"
    assert dialog.show_search("Mikrofonauswahl") >= 1


def test_no_longer_not_yet() -> None:
    names = [n.name.lower() for n in NOT_YET]
    assert not [n for n in names if "microphone selection" in n or "audio device" in n]
