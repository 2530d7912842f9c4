"""Functions › Headset in the settings dialog (issue #12): the device choice of the
manual (none, any standard USB device, Jabra, Plantronics, Sennheiser), in English and
German, saved; the manual's headset entries are no longer listed as "not yet"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.settings_editors import ChoiceEditor
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


def test_choice_saved(qtbot: Any, make_app: Callable[..., Application], tmp_path: Any) -> None:
    dialog = open_dialog(qtbot, make_app(Settings(media={"headset": "none"})))
    row = dialog.rows["media.headset"]
    assert isinstance(row.editor, ChoiceEditor)
    combo = row.editor.combo
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names == [
        "None",
        "Any standard USB device",
        "Jabra device",
        "Plantronics (Poly) device",
        "Sennheiser (EPOS) device",
    ]
    assert combo.currentText() == "None"
    assert dialog.show_search("headset") >= 1
    assert combo.isVisible()
    combo.setCurrentIndex(combo.findData("jabra"))
    assert dialog.apply(), dialog.message.text()
    assert load_settings(tmp_path / "settings.toml").media.headset == "jabra"


def test_german(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    dialog = open_dialog(qtbot, make_app(Settings()))
    combo = dialog.rows["media.headset"].editor.combo  # type: ignore[attr-defined]
    assert combo.currentText() == "Beliebiges Standard-USB-Gerät"  # the default: any
    assert combo.itemText(combo.findData("sennheiser")) == "Sennheiser-Gerät (EPOS)"


def test_headsets_no_longer_not_yet() -> None:
    assert not [n for n in NOT_YET if "headset" in n.name.lower()]
