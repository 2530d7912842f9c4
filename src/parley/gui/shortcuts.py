"""Keyboard shortcuts of the main window: answer and reject a ringing call, hang up,
mute, hold (keys from the settings, `gui.key_*`), plus the fixed ones (F1 shows them
all, Ctrl+, opens the settings, Enter on a list entry calls it).

The answer and reject keys work only while a call rings: Enter in the search field
dials what is typed at any other time, and Escape never closes the window. While a call
rings, Enter in a search field that holds text still dials that text (the person was
typing a number); otherwise it answers the oldest ringing call. Every key acts through
the same button a mouse would click, so what is shown stays the same.

`install_shortcuts(window)` builds them once; they follow setting changes by themselves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QListWidgetItem, QWidget

from parley.app.events import SettingsApplied
from parley.gui.global_keys import GlobalHotkeys, problem_text
from parley.gui.i18n import N_, tr
from parley.settings.model import GuiSettings

if TYPE_CHECKING:
    from parley.gui.incoming import IncomingCallWidget
    from parley.gui.main_window import MainWindow
    from parley.phone.events import PhoneEvent

log = logging.getLogger(__name__)

# The configurable keys: setting name → what the key does (shown in the help view and
# on the settings page).
CALL_KEYS: dict[str, str] = {
    "key_answer": N_("Answer a ringing call"),
    "key_decline": N_("Reject a ringing call"),
    "key_hangup": N_("Hang up the current call"),
    "key_mute": N_("Mute or unmute the microphone"),
    "key_hold": N_("Hold or resume the current call"),
}

HELP_KEY = "F1"
SETTINGS_KEY = "Ctrl+,"
SEARCH_KEY = "Ctrl+L"


@dataclass(frozen=True)
class KeyHelp:
    """One row of the help view: where it works, the keys (Qt's portable text, or a
    phrase marked for translation when `phrase`), what it does."""

    section: str
    keys: str
    action: str
    phrase: bool = False


SECTION_CALLS = N_("Calls")
SECTION_MAIN = N_("Main window")
SECTION_CALL_WINDOW = N_("During a call")
SECTION_SETTINGS = N_("Settings")
SECTION_EVERYWHERE = N_("Everywhere")
SECTION_GLOBAL = N_("In every program (global hotkeys)")

# Keys that are not settings (kept here so the help view lists every key of the app).
FIXED_KEYS: tuple[KeyHelp, ...] = (
    KeyHelp(SECTION_MAIN, SEARCH_KEY, N_("Go to the search field")),
    KeyHelp(
        SECTION_MAIN,
        "Return",
        N_("In the search field: dial what is typed, or the only contact found"),
    ),
    KeyHelp(SECTION_MAIN, "Return", N_("In the list: call the selected contact or number")),
    KeyHelp(SECTION_MAIN, "Del", N_("In the recent calls: delete the selected calls")),
    KeyHelp(SECTION_MAIN, "Menu", N_("In the list: open the entry's actions (or Shift+F10)")),
    KeyHelp(SECTION_MAIN, SETTINGS_KEY, N_("Open the settings")),
    KeyHelp(SECTION_MAIN, HELP_KEY, N_("Show the keyboard shortcuts")),
    KeyHelp(
        SECTION_CALL_WINDOW, N_("0–9, *, #"), N_("Send the digit as a tone (DTMF)"), phrase=True
    ),
    KeyHelp(SECTION_SETTINGS, "Ctrl+F", N_("Search the settings")),
    KeyHelp(SECTION_EVERYWHERE, "Tab", N_("Next control")),
    KeyHelp(SECTION_EVERYWHERE, "Shift+Tab", N_("Previous control")),
    KeyHelp(SECTION_EVERYWHERE, "Space", N_("Press the button or tick the box that has the focus")),
    KeyHelp(SECTION_EVERYWHERE, "Esc", N_("Close a dialog or menu without saving")),
)


def key_text(keys: str) -> str:
    """`keys` (portable text such as "Ctrl+Shift+E") as this platform and language
    write it; "" (off) as "—"."""
    if not keys:
        return "—"
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys


def all_keys(gui: GuiSettings) -> list[KeyHelp]:
    """Every shortcut of the app, the configurable ones first (as now set)."""
    rows = [KeyHelp(SECTION_CALLS, getattr(gui, name), label) for name, label in CALL_KEYS.items()]
    if gui.global_hotkeys:
        rows += [
            KeyHelp(SECTION_GLOBAL, gui.global_key_answer, CALL_KEYS["key_answer"]),
            KeyHelp(SECTION_GLOBAL, gui.global_key_hangup, CALL_KEYS["key_hangup"]),
        ]
    return rows + list(FIXED_KEYS)


def _shortcut(parent: QWidget, keys: QKeySequence | None = None, widget: bool = False) -> QShortcut:
    shortcut = QShortcut(parent)
    shortcut.setContext(
        Qt.ShortcutContext.WidgetShortcut if widget else Qt.ShortcutContext.WindowShortcut
    )
    if keys is not None:
        shortcut.setKey(keys)
    return shortcut


def _sequence(keys: str) -> QKeySequence:
    return QKeySequence(keys) if keys else QKeySequence()


class Shortcuts(QObject):
    """The main window's shortcuts (see the module doc). `help_view` is the help dialog
    last opened."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.help_view: QObject | None = None
        self.answer = _shortcut(window)
        self.answer_keypad = _shortcut(window)  # the keypad's Enter too
        self.decline = _shortcut(window)
        self.hangup = _shortcut(window)
        self.mute = _shortcut(window)
        self.hold = _shortcut(window)
        self.help = _shortcut(window, QKeySequence(HELP_KEY))
        self.settings = _shortcut(window, QKeySequence(SETTINGS_KEY))
        # Enter on an entry of the list calls it, as a double-click does.
        self.call_entry = _shortcut(window.entry_list, QKeySequence(Qt.Key.Key_Return), True)
        self.call_entry_keypad = _shortcut(window.entry_list, QKeySequence(Qt.Key.Key_Enter), True)
        self.answer.activated.connect(self._answer)
        self.answer_keypad.activated.connect(self._answer)
        self.decline.activated.connect(self._decline)
        self.hangup.activated.connect(self._hangup)
        self.mute.activated.connect(self._mute)
        self.hold.activated.connect(self._hold)
        self.help.activated.connect(self.show_help)
        self.settings.activated.connect(lambda: window.open_settings(""))
        self.call_entry.activated.connect(self._call_entry)
        # The menu key (or Shift+F10) opens the entry's actions, as a right click does.
        self.entry_menu = _shortcut(window.entry_list, QKeySequence(Qt.Key.Key_Menu), True)
        self.entry_menu_f10 = _shortcut(window.entry_list, QKeySequence("Shift+F10"), True)
        self.entry_menu.activated.connect(self._entry_menu)
        self.entry_menu_f10.activated.connect(self._entry_menu)
        self.call_entry_keypad.activated.connect(self._call_entry)
        for shortcut in self.call_shortcuts():
            shortcut.activatedAmbiguously.connect(self._ambiguous)
        window.call_panel.calls_shown.connect(self.refresh)
        window.bridge.event.connect(self._on_event)
        # System-wide answer / hang-up keys (off unless gui.global_hotkeys).
        self.global_keys = GlobalHotkeys(self)
        self.global_keys.pressed.connect(self._global_key)
        window.quit_requested.connect(self.global_keys.stop)  # let go of the keys
        window.destroyed.connect(self.global_keys.stop)
        self._global_config: tuple[str, str] | None = None
        self.global_problem: str = ""  # what the person was told when they could not be had
        self.apply(window.gui)

    def call_shortcuts(self) -> tuple[QShortcut, ...]:
        return (self.answer, self.answer_keypad, self.decline, self.hangup, self.mute, self.hold)

    # ------------------------------------------------------------------ settings

    def apply(self, gui: GuiSettings) -> None:
        """Take the keys from the settings."""
        self.answer.setKey(_sequence(gui.key_answer))
        # "Return" means both Enter keys: the big one and the keypad's.
        self.answer_keypad.setKey(
            QKeySequence(Qt.Key.Key_Enter) if gui.key_answer == "Return" else QKeySequence()
        )
        self.decline.setKey(_sequence(gui.key_decline))
        self.hangup.setKey(_sequence(gui.key_hangup))
        self.mute.setKey(_sequence(gui.key_mute))
        self.hold.setKey(_sequence(gui.key_hold))
        self._apply_global(gui)
        self.refresh()

    def _apply_global(self, gui: GuiSettings) -> None:
        config = (gui.global_key_answer, gui.global_key_hangup) if gui.global_hotkeys else None
        if config == self._global_config:
            return
        self._global_config = config
        self.global_problem = ""
        if config is None:
            self.global_keys.stop()
            return
        problem = self.global_keys.start({"answer": config[0], "hangup": config[1]})
        if problem is not None:
            self.global_problem = problem_text(*problem)
            log.warning("global hotkeys: %s", problem[0].value)
            self.window.status.add_error(self.global_problem)  # kept in the error list

    def _global_key(self, action: str) -> None:
        """A system-wide key: answer the ringing call, or hang up (reject when only a
        call rings)."""
        ringing = self.ringing()
        if action == "answer":
            if ringing is not None:
                ringing.accept_button.click()
        elif self.window.call_panel.current is not None:
            self.window.call_panel.hangup_button.click()
        elif ringing is not None:
            ringing.reject_button.click()

    def _on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, SettingsApplied):
            self.apply(self.window.gui)

    # ------------------------------------------------------------------ state

    def ringing(self) -> IncomingCallWidget | None:
        """The oldest ringing call's widget (None: nothing rings)."""
        panel = self.window.call_panel
        for call in panel.calls:
            if call.direction == "incoming" and call.state == "incoming":
                widget = panel.incoming_widget(call.id)
                if widget is not None:
                    return widget
        return None

    def refresh(self) -> None:
        """Answer and reject only while a call rings; hang up, mute and hold only while
        there is a call (otherwise the keys keep their usual meaning)."""
        ringing = self.ringing() is not None
        current = self.window.call_panel.current is not None
        self.answer.setEnabled(ringing)
        self.answer_keypad.setEnabled(ringing)
        self.decline.setEnabled(ringing)
        self.hangup.setEnabled(current)
        self.mute.setEnabled(current)
        self.hold.setEnabled(current)
        enter_answers = ringing and self.window.gui.key_answer in ("Return", "Enter")
        self.call_entry.setEnabled(not enter_answers)
        self.call_entry_keypad.setEnabled(not enter_answers)

    # ------------------------------------------------------------------ actions

    def _answer(self) -> None:
        w = self.window
        if (
            QApplication.focusWidget() is w.search
            and w.search.text().strip()
            and w.gui.key_answer in ("Return", "Enter")
        ):
            w.dial_typed()  # a number typed while a call rings: Enter dials it
            return
        ringing = self.ringing()
        if ringing is not None:
            ringing.accept_button.click()

    def _decline(self) -> None:
        ringing = self.ringing()
        if ringing is not None:
            ringing.reject_button.click()

    def _hangup(self) -> None:
        panel = self.window.call_panel
        if panel.current is not None:
            panel.hangup_button.click()

    def _mute(self) -> None:
        button = self.window.call_panel.mute_button
        if button.isEnabled():
            button.click()

    def _hold(self) -> None:
        button = self.window.call_panel.hold_button
        if button.isEnabled():
            button.click()

    def _call_entry(self) -> None:
        if self.window.entry_list.selectedItems():
            self.window._compact_call()

    def _entry_menu(self) -> None:
        listing = self.window.entry_list
        item: QListWidgetItem | None = listing.currentItem()
        if item is None or not item.isSelected():
            selected = listing.selectedItems()
            item = selected[0] if selected else None
        if item is not None:
            self.window._context_menu(listing.visualItemRect(item).center())

    def _ambiguous(self) -> None:
        shortcut = self.sender()
        keys = shortcut.key().toString() if isinstance(shortcut, QShortcut) else ""
        self.window.status.show_message(
            tr("The key {key} is set for two actions: change one in the settings.", key=keys)
        )

    def show_help(self) -> QObject:
        """Open the list of all keyboard shortcuts (F1, or "Keyboard shortcuts" in the
        "more" menu)."""
        from parley.gui.help_view import ShortcutsHelp

        view = ShortcutsHelp(self.window.gui, self.window)
        view.settings_requested.connect(lambda: self.window.open_settings("gui"))
        view.open()
        self.help_view = view
        return view


def install_shortcuts(window: MainWindow) -> Shortcuts:
    """Build the shortcuts and the accessibility helpers of `window` (call once, after
    the window is built)."""
    from parley.gui.accessibility import install_accessibility

    shortcuts = Shortcuts(window)
    install_accessibility(window)
    return shortcuts
