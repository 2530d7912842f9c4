"""What the settings show, looked at: the local SIP port 0 reads "automatic" (and stays
0 in the file), unticked checkboxes can be seen in the dark theme (pixels measured on
a grab of the real widget), and the reworded labels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QSpinBox, QStyle, QStyleOptionButton

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.theme import apply_theme
from parley.settings import AccountSettings, Settings, load_settings

DEVICES: dict[str, list[str]] = {"input": [], "output": []}


@pytest.fixture
def light_again() -> Iterator[None]:
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")


def one_account() -> Settings:
    return Settings(
        accounts=[AccountSettings(name="office", domain="127.0.0.1:5060", username="1001")]
    )


def open_dialog(qtbot: Any, application: Application) -> SettingsDialog:
    dialog = SettingsDialog(application, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize(("language", "word"), [("en", "automatic"), ("de", "automatisch")])
def test_local_port_zero_reads_automatic_and_stays_zero(
    qtbot: Any,
    make_app: Callable[..., Application],
    tmp_path: Path,
    language: str,
    word: str,
) -> None:
    set_language(language)
    dialog = open_dialog(qtbot, make_app(one_account()))
    spin = dialog.rows["account.local_port"].editor.findChild(QSpinBox)
    assert spin is not None
    assert spin.value() == 0
    assert spin.text() == word  # what the field shows
    keepalive = dialog.rows["account.keepalive_interval"].editor.findChild(QSpinBox)
    assert keepalive is not None
    keepalive.setValue(0)
    assert keepalive.text() == {"en": "off", "de": "aus"}[language]
    spin.setValue(5070)
    assert spin.text() == "5070"
    spin.setValue(0)
    assert spin.text() == word
    assert dialog.apply(), dialog.message.text()
    saved = load_settings(tmp_path / "settings.toml").account("office")
    assert saved.local_port == 0
    assert saved.keepalive_interval == 0


def luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def indicator_edge_contrast(box: QCheckBox) -> float:
    """How well the square of an unticked checkbox stands out: on a grab of the widget,
    each side of the square (a 2-pixel band where the style draws it) is compared with
    the window colour beside the text; the weakest side counts."""
    option = QStyleOptionButton()
    option.initFrom(box)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image: QImage = box.grab().toImage()
    ratio = image.devicePixelRatio()
    background = image.pixelColor(image.width() - 2, 1)  # right of the text: the window

    def pixel(x: int, y: int) -> QColor:
        return image.pixelColor(int(x * ratio), int(y * ratio))

    left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
    sides = [
        [pixel(x, y) for x in (left, left + 1) for y in range(top, bottom + 1)],
        [pixel(x, y) for x in (right - 1, right) for y in range(top, bottom + 1)],
        [pixel(x, y) for y in (top, top + 1) for x in range(left, right + 1)],
        [pixel(x, y) for y in (bottom - 1, bottom) for x in range(left, right + 1)],
    ]
    return min(max(contrast(c, background) for c in side) for side in sides)


@pytest.mark.usefixtures("light_again")
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_unticked_checkboxes_stand_out_from_the_window(
    qtbot: Any, make_app: Callable[..., Application], theme: str
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    dialog = open_dialog(qtbot, make_app(one_account()))
    dialog.select_page("gui")
    box = dialog.rows["gui.compact_mode"].editor.findChild(QCheckBox)
    assert box is not None and not box.isChecked() and box.isVisible()
    # WCAG asks 3:1 for the edge of a control against what is around it.
    assert indicator_edge_contrast(box) >= 3.0


def test_odd_labels_are_reworded(qtbot: Any, make_app: Callable[..., Application]) -> None:
    dialog = open_dialog(qtbot, make_app(one_account()))
    texts = {
        row.key: (row.label or row.editor.text_widget).property("text")
        for row in dialog.rows.values()
    }
    assert texts["gui.hide_avatars"] == "Hide pictures and initials"
    assert texts["gui.collapse_on_hangup"] == "Close the call window after hanging up"
    assert texts["media.disable_dtmf_sounds"] == "No key tones during calls"
    assert "Deactivate avatars" not in texts.values()
    assert not [t for t in texts.values() if "Instant Message" in t]
