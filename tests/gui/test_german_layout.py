"""Nothing clipped in German: the settings dialog at its default size (tree names in
full, no sideways scrolling on the account page, every label and checkbox as wide as its
text), the compact bar ending long names in "…", and the main window as wide as what it
shows after "<" and in compact mode. Measured on the real widgets: font metrics, sizes,
scroll bars."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gui_rig import GuiRig, account
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QLabel, QScrollArea

from parley.app import Application
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.settings_pages import AccountsPage
from parley.gui.widgets import ElidedLabel
from parley.settings import AccountSettings, Settings

DEVICES = {"input": ["USB Headset Mic"], "output": ["USB Headset", "Speakers"]}


@pytest.fixture
def german_dialog(qtbot: Any, make_app: Callable[..., Application]) -> SettingsDialog:
    set_language("de")
    settings = Settings(
        accounts=[AccountSettings(name="office", domain="127.0.0.1:5060", username="1001")]
    )
    dialog = SettingsDialog(make_app(settings), devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def scroll_area(dialog: SettingsDialog, page: str) -> QScrollArea:
    widget = dialog.pages[page]
    area = widget.scroll_area if isinstance(widget, AccountsPage) else widget
    assert isinstance(area, QScrollArea)
    return area


def test_tree_shows_every_german_page_name_in_full(german_dialog: SettingsDialog) -> None:
    tree = german_dialog.tree
    settle()
    room = tree.viewport().width()
    assert tree.columnWidth(0) <= room or not tree.header().stretchLastSection()
    metrics = tree.fontMetrics()
    names = []
    for top in german_dialog._tree_items():
        for item in [top, *german_dialog._tree_items(top)]:
            start = tree.visualItemRect(item).x()  # after the indentation
            needed = start + metrics.horizontalAdvance(item.text(0))
            names.append(item.text(0))
            assert needed <= room, f"{item.text(0)!r} needs {needed} px, has {room}"
            assert needed <= tree.columnWidth(0)
    assert "Vorkonfigurierte Rufnummern" in names  # the longest
    assert "Automatische Anrufannahme" in names


def test_account_page_needs_no_sideways_scrolling(german_dialog: SettingsDialog) -> None:
    assert german_dialog.width() == 1060  # the default size
    for page in ("accounts", "media", "gui", "functions"):
        german_dialog.select_page(page)
        settle()
        bar = scroll_area(german_dialog, page).horizontalScrollBar()
        assert not bar.isVisible(), f"{page}: horizontal scroll bar shown"


def test_no_german_label_or_button_is_cut(german_dialog: SettingsDialog) -> None:
    """Every visible label, checkbox and button of every page (and the dialog around
    it) is at least as wide as its text."""
    cut = []
    for page in ("accounts", "media", "gui", "functions"):
        german_dialog.select_page(page)
        settle()
        for label in german_dialog.findChildren(QLabel):
            if not label.isVisible() or label.wordWrap() or isinstance(label, ElidedLabel):
                continue
            if label.text() and label.width() < label.minimumSizeHint().width():
                cut.append((page, label.text(), label.width(), label.minimumSizeHint().width()))
        for button in german_dialog.findChildren(QAbstractButton):
            if not button.isVisible() or not button.text():
                continue
            if isinstance(button, QCheckBox):
                if button.width() < button.sizeHint().width():
                    cut.append((page, button.text(), button.width(), button.sizeHint().width()))
            else:
                needed = button.fontMetrics().horizontalAdvance(button.text()) + 8
                if button.width() < needed:
                    cut.append((page, button.text(), button.width(), needed))
    assert not cut


LONG_NAME = "Maximiliane Theodora von Hohenzollern-Sigmaringen-Wittgenstein"


def test_compact_bar_ends_a_long_name_in_an_ellipsis(make_rig: Callable[..., GuiRig]) -> None:
    set_language("de")
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    w = rig.window
    w.show()
    rig.qtbot.waitExposed(w)
    first, last = LONG_NAME.split(" ", 1)
    long = rig.app.contacts.add(
        Contact(first_name=first, last_name=last, numbers=(PhoneNumber("1002"),))
    )
    short = rig.app.contacts.add(Contact(last_name="Berg", numbers=(PhoneNumber("1003"),)))
    w.set_compact(True)
    w.refresh_list()
    settle()
    width_before = w.width()
    assert long.id is not None and short.id is not None
    w.select("contact", long.id)
    settle()
    label = w.compact_name
    assert label.isVisible()
    shown = label.text()
    assert shown.endswith("…") and len(shown) < len(LONG_NAME)
    assert LONG_NAME.startswith(shown[:-1].rstrip())
    assert label.toolTip() == LONG_NAME
    # The text fits the label, the label fits the bar, and the window did not grow.
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.geometry().right() <= w.compact_bar.contentsRect().right()
    assert w.width() == width_before
    # A short name is shown whole, without a tooltip.
    w.select("contact", short.id)
    settle()
    assert label.text() == "Berg" and label.toolTip() == ""


def test_window_is_as_wide_as_what_it_shows(make_rig: Callable[..., GuiRig]) -> None:
    set_language("de")
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    w = rig.window
    w.resize(1100, 640)
    w.show()
    rig.qtbot.waitExposed(w)
    settle()
    assert w.right_visible and w.width() == 1100

    def only_the_left_column() -> bool:
        return not w.right_visible and w.width() == w.left.width()

    # "<" in the status bar: the call window closes and the window shrinks to the column.
    w.status.compact_button.click()
    rig.qtbot.waitUntil(only_the_left_column, timeout=5000)
    assert w.width() < 1100
    # ">" opens it again at the width the person had.
    w.status.compact_button.click()
    rig.qtbot.waitUntil(lambda: w.right_visible and w.width() == 1100, timeout=5000)

    # Compact mode is the same idea, kept in the settings.
    w.set_compact(True)
    rig.qtbot.waitUntil(only_the_left_column, timeout=5000)
    w.set_compact(False)
    rig.qtbot.waitUntil(lambda: w.right_visible and w.width() == 1100, timeout=5000)


def test_started_in_compact_mode_the_window_is_only_the_column(
    make_rig: Callable[..., GuiRig],
) -> None:
    settings = Settings(accounts=[account("127.0.0.1:5999")])
    settings.gui.compact_mode = True
    rig = make_rig(settings)  # sized 800 wide before it is shown, as parley does
    w = rig.window
    rig.qtbot.waitExposed(w)
    rig.qtbot.waitUntil(lambda: w.width() == w.left.width(), timeout=5000)
    assert not w.right_visible
    # Leaving compact mode gives it the width it was started with.
    w.status.compact_button.click()
    rig.qtbot.waitUntil(lambda: w.right_visible and w.width() == 800, timeout=5000)
