"""Keyboard shortcuts in the settings file: Qt's key names, checked without Qt, so a
misspelt key is refused with a message that names it; "" switches a key off."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from parley.settings.keys import check_key_sequence
from parley.settings.model import GuiSettings


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Return", "Return"),
        ("Esc", "Esc"),
        ("Escape", "Escape"),
        ("Ctrl+Shift+e", "Ctrl+Shift+E"),
        ("F12", "F12"),
        ("Ctrl++", "Ctrl++"),
        ("Ctrl+,", "Ctrl+,"),
        ("Alt+Space", "Alt+Space"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_key_names_are_accepted_and_written_as_qt_writes_them(written: str, kept: str) -> None:
    assert check_key_sequence(written) == kept


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("ctrl+x", "'ctrl' is not a modifier"),
        ("Ctrl+Shift+Bogus", "'Bogus' is not a key name"),
        ("Ctrl+Ctrl+A", "repeated"),
        ("F99", "'F99' is not a key name"),
    ],
)
def test_wrong_keys_are_refused_with_the_reason(written: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        check_key_sequence(written)


def test_defaults_and_a_wrong_key_in_the_model() -> None:
    gui = GuiSettings()
    assert (gui.key_answer, gui.key_decline) == ("Return", "Esc")
    assert (gui.key_hangup, gui.key_mute, gui.key_hold) == (
        "Ctrl+Shift+E",
        "Ctrl+Shift+M",
        "Ctrl+Shift+H",
    )
    with pytest.raises(ValidationError, match="key_mute"):
        GuiSettings(key_mute="Strg+M")
    assert GuiSettings(key_hold="").key_hold == ""
