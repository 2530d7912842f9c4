"""The keyboard shortcuts without a far phone: F1 and the "more" menu open the help that
lists every key (the call keys as set now), Escape closes it and leaves the main window
open; Ctrl+, opens the settings, whose "Keyboard" group records a new key that is saved,
used and listed; nothing in the German help is cut off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gui_rig import GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

from parley.app.snapshots import CallInfo
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.help_view import ShortcutsHelp
from parley.gui.i18n import set_language
from parley.gui.key_editor import KeyEditor
from parley.settings import Settings, load_settings
from parley.settings.model import GuiSettings


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def ready(make_rig: Callable[..., GuiRig], qtbot: Any) -> GuiRig:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    rig.window.activateWindow()
    rig.window.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is rig.window.search)
    return rig


def ringing() -> CallInfo:
    return CallInfo(
        id=7,
        account="office",
        direction="incoming",
        state="incoming",
        remote="sip:1003@127.0.0.1",
        number="1003",
        started_at=datetime.now(UTC),
    )


def test_f1_and_the_more_menu_open_the_help(make_rig: Callable[..., GuiRig], qtbot: Any) -> None:
    rig = ready(make_rig, qtbot)
    w = rig.window
    qtbot.keyClick(focused(), Qt.Key.Key_F1)
    help_view = w.shortcuts.help_view
    assert isinstance(help_view, ShortcutsHelp)
    qtbot.waitUntil(help_view.isVisible)
    rows = {(key, action) for _section, key, action in help_view.rows}
    assert ("Return", "Answer a ringing call") in rows
    assert ("Esc", "Reject a ringing call") in rows
    assert ("Ctrl+Shift+E", "Hang up the current call") in rows
    assert ("Ctrl+Shift+M", "Mute or unmute the microphone") in rows
    assert ("Ctrl+Shift+H", "Hold or resume the current call") in rows
    assert ("Ctrl+L", "Go to the search field") in rows  # keys that were there before
    assert ("Ctrl+F", "Search the settings") in rows
    assert ("Del", "In the recent calls: delete the selected calls") in rows
    qtbot.waitUntil(lambda: QApplication.activeWindow() is help_view)
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not help_view.isVisible())
    assert w.isVisible()

    menu = w.more_menu()
    action = next(a for a in menu.actions() if a.text().startswith("Keyboard shortcuts"))
    assert action.text().endswith("\tF1")  # the key is shown in the menu
    action.trigger()
    again = w.shortcuts.help_view
    assert again is not help_view and isinstance(again, ShortcutsHelp)
    qtbot.waitUntil(again.isVisible)
    again.close()


def test_a_key_set_in_the_settings_is_saved_used_and_listed(
    make_rig: Callable[..., GuiRig], qtbot: Any, tmp_path: Path
) -> None:
    rig = ready(make_rig, qtbot)
    rig.start()
    w = rig.window
    qtbot.keyClick(focused(), Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(w, "settings_dialog", None) is not None)
    dialog = w.settings_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.select_page("gui")
    row = dialog.rows["gui.key_answer"]
    editor = row.editor
    assert isinstance(editor, KeyEditor) and editor.value() == "Return"
    assert QAccessible.queryAccessibleInterface(editor.keys).text(QAccessible.Text.Name) == (
        "Answer a call"
    )
    editor.keys.setFocus()
    qtbot.keyClick(editor.keys, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: editor.value() == "F5")
    # The hold key switched off with "No key".
    hold = dialog.rows["gui.key_hold"].editor
    assert isinstance(hold, KeyEditor)
    qtbot.mouseClick(hold.none_button, Qt.MouseButton.LeftButton)
    assert hold.value() == ""
    assert dialog.apply(), dialog.message.text()
    dialog.close()
    saved = load_settings(next(tmp_path.glob("settings-*.toml")))
    assert saved.gui.key_answer == "F5" and saved.gui.key_hold == ""
    qtbot.waitUntil(lambda: w.gui.key_answer == "F5")

    # The ringing call's Accept button now tells a screen reader about F5 …
    w.call_panel.update_calls([ringing()])
    accept = w.call_panel.incoming_widget(7)
    assert accept is not None
    qtbot.waitUntil(
        lambda: (
            "F5"
            in QAccessible.queryAccessibleInterface(accept.accept_button).text(
                QAccessible.Text.Description
            )
        )
    )
    # … and the help lists it, and the hold key as off.
    help_view = w.shortcuts.show_help()
    assert isinstance(help_view, ShortcutsHelp)
    rows = {(key, action) for _section, key, action in help_view.rows}
    assert ("F5", "Answer a ringing call") in rows
    assert ("—", "Hold or resume the current call") in rows
    help_view.close()


def test_german_help_is_not_cut_off(qtbot: Any) -> None:
    set_language("de")
    view = ShortcutsHelp(GuiSettings())
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(view.isVisible)
    assert view.windowTitle() == "Tastenkürzel"
    tree = view.tree
    metrics = tree.fontMetrics()
    width = tree.header().sectionSize(1)
    too_long = [a for _s, _k, a in view.rows if metrics.horizontalAdvance(a) + 8 > width]
    assert not too_long, (width, too_long)
    assert ("Anrufe", "Esc", "Klingelnden Anruf abweisen") in view.rows


def test_the_list_works_from_the_keyboard(make_rig: Callable[..., GuiRig], qtbot: Any) -> None:
    """Tab into the list, arrow keys pick an entry, the menu key opens its actions (as a
    right click does), Escape closes the menu; Enter on it calls it."""
    rig = ready(make_rig, qtbot)
    w = rig.window
    rig.app.contacts.add(
        Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("201"),))
    )
    rig.app.contacts.add(
        Contact(first_name="Max", last_name="Muster", numbers=(PhoneNumber("202"),))
    )
    w.refresh_list()
    for _ in range(8):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        if focused() is w.entry_list:
            break
    assert focused() is w.entry_list
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert w.selected_key() is not None
    chosen = w.call_window.fields["number"].text() if "number" in w.call_window.fields else ""
    qtbot.keyClick(focused(), Qt.Key.Key_Menu)
    menu = w.last_menu
    assert menu is not None
    qtbot.waitUntil(menu.isVisible)
    assert any(a.text() == "Call" for a in menu.actions())
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert w.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # calls the selected entry
    qtbot.waitUntil(lambda: "Calling" in w.status.message.text())
    assert chosen == "" or chosen in w.status.message.text()
