"""Screen readers and keyboard-only use of the main window, in one place.

- Names and descriptions of the main window's controls and the call controls (a table
  of attribute paths, applied after the window is built and again after every call
  snapshot, since ringing calls bring new widgets), plus a fallback for every other
  control: its tooltip, or a line edit's placeholder, becomes its accessible name.
- The Tab order of the left column follows the layout (the call bar sits below the
  search field but is built later), and the call menu's buttons can be reached with Tab
  (they still never take the focus on a click, so typed digits keep going out as DTMF).
- Announcements: a ringing call is announced assertively (who calls, on which line);
  mute and hold changes of the current call politely.
"""

from __future__ import annotations

import itertools
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from parley.gui.i18n import N_, tr
from parley.gui.shortcuts import key_text

if TYPE_CHECKING:
    from parley.app.snapshots import CallInfo
    from parley.gui.main_window import MainWindow

log = logging.getLogger(__name__)

# attribute path below the main window → (name, description, setting of the key named
# in the description as {key}, or "").
MAIN_WINDOW_NAMES: dict[str, tuple[str, str, str]] = {
    "settings_button": (N_("Settings"), N_("Open the settings (Ctrl+,)"), ""),
    "search": (
        N_("Search or dial"),
        N_("Type a name to find contacts and calls, or a number; Enter dials it"),
        "",
    ),
    "views": (N_("Lists"), N_("Contacts, favourites or recent calls"), ""),
    "more_button": (N_("More"), N_("More actions: compact mode, keyboard shortcuts"), ""),
    "add_contact_button": (N_("Add contact"), N_("Create a new contact"), ""),
    "entry_list": (
        N_("Contacts and calls"),
        N_("Enter calls the selected entry; Delete removes selected calls"),
        "",
    ),
    "compact_call": (N_("Call"), N_("Call the selected entry"), ""),
    "compact_edit": (N_("Edit contact"), N_("Edit the selected contact"), ""),
    "compact_close": (N_("Close"), N_("Close this bar"), ""),
    "keypad_button": (N_("Keypad"), N_("Show or hide the dial pad"), ""),
    "dialpad.dial_button": (N_("Dial"), N_("Call the number in the search field"), ""),
    "dialpad.back_button": (
        N_("Delete the last digit"),
        N_("Remove the last character of the search field"),
        "",
    ),
    "call_panel.mute_button": (
        N_("Mute"),
        N_("Switch the microphone off or on ({key})"),
        "key_mute",
    ),
    "call_panel.speaker_button": (N_("Loudspeaker"), N_("Use the loudspeaker device"), ""),
    "call_panel.keypad_button": (
        N_("Keypad (DTMF)"),
        N_("Show the keypad; digits typed during a call are sent as tones"),
        "",
    ),
    "call_panel.stats_button": (N_("Call statistics"), N_("Show codec, loss, jitter"), ""),
    "call_panel.hold_button": (N_("Hold"), N_("Hold the call or resume it ({key})"), "key_hold"),
    "call_panel.chat_button": (N_("Instant Messaging"), N_("Write to the other party"), ""),
    "call_panel.hangup_button": (N_("Hang up"), N_("End the current call ({key})"), "key_hangup"),
    "call_panel.call_list": (N_("Calls"), N_("Pick a call to switch to it"), ""),
    "call_panel.controls.transfer_button": (
        N_("Transfer the call"),
        N_("Choose a number to transfer the call to"),
        "",
    ),
    "call_panel.controls.add_button": (
        N_("Add a participant"),
        N_("Call another party into a conference"),
        "",
    ),
    "call_panel.controls.record_button": (
        N_("Record the call"),
        N_("Start or stop recording"),
        "",
    ),
}

# The ringing call's buttons (built for each call).
INCOMING_NAMES: dict[str, tuple[str, str, str]] = {
    "accept_button": (N_("Accept"), N_("Answer the call ({key})"), "key_answer"),
    "reject_button": (N_("Reject"), N_("Reject the call ({key})"), "key_decline"),
    "silence_button": (
        N_("Silence ringing for this call"),
        N_("Stop the ringing; the call can still be answered"),
        "",
    ),
    "deflect_button": (N_("Forward"), N_("Forward the call to another number"), ""),
    "voicemail_button": (N_("To voicemail"), N_("Send the call to your voicemail"), ""),
}

# The call menu's buttons: reachable with Tab, but a click leaves the focus where it is.
TAB_ONLY = (
    "call_panel.mute_button",
    "call_panel.speaker_button",
    "call_panel.keypad_button",
    "call_panel.stats_button",
    "call_panel.hold_button",
    "call_panel.chat_button",
    "call_panel.controls.transfer_button",
    "call_panel.controls.add_button",
    "call_panel.controls.record_button",
)


def _find(root: object, path: str) -> object | None:
    obj: object | None = root
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


# Buttons whose accessible name says their state (gui/call_states.py names them on
# every change: "Microphone muted", "Resume"); here they get only the description.
STATE_NAMED = ("call_panel.mute_button", "call_panel.hold_button")


def _describe(
    widget: QWidget,
    name: str,
    description: str,
    key_setting: str,
    gui: object,
    *,
    named: bool = True,
) -> None:
    if named:
        widget.setAccessibleName(tr(name))
    keys = key_text(str(getattr(gui, key_setting, ""))) if key_setting else ""
    widget.setAccessibleDescription(tr(description, key=keys) if key_setting else tr(description))


# Controls of other windows and widgets without a visible label: class name →
# attribute → (name, description). Applied wherever such a widget is.
CLASS_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "BlfPanel": {"list": (N_("Busy lamps"), N_("Watched extensions and their state"))},
    "ConferenceView": {"list": (N_("Conference participants"), "")},
    "CallWindow": {"earlier": (N_("Earlier calls"), N_("Earlier calls with this party"))},
    "ChatView": {"input": (N_("Message"), N_("Type a message; Enter sends it"))},
    "ChatPanel": {"list": (N_("Conversations"), N_("Pick a conversation to read it"))},
    "SettingsDialog": {"tree": (N_("Settings pages"), N_("Pick a page of the settings"))},
    "AccountsPage": {"list": (N_("Accounts"), N_("Pick an account to edit it"))},
    "CodecEditor": {
        "available": (N_("Available codecs"), N_("Codecs not in use")),
        "selected": (N_("Codecs in use"), N_("Codecs in use, the first one preferred")),
    },
    "TargetDialog": {"calls": (N_("Calls"), N_("Pick a call"))},
}

_CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox,
             QPlainTextEdit, QKeySequenceEdit)  # fmt: skip


def _label_text(label: QLabel) -> str:
    return label.text().replace("&", "").strip().rstrip(":").strip()


def _spoken(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def name_controls(root: QWidget) -> None:
    """Give every interactive control below `root` that a screen reader would read
    without a name one: from CLASS_NAMES; else the label of the field it is part of (a
    settings row labels its editor, not the line edit inside); else its tooltip, else a
    line edit's placeholder text. A tooltip that says more than the name becomes the
    description."""
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        for attr, (name, description) in CLASS_NAMES.get(type(widget).__name__, {}).items():
            part = getattr(widget, attr, None)
            if isinstance(part, QWidget):
                part.setAccessibleName(tr(name))
                if description:
                    part.setAccessibleDescription(tr(description))
    buddies = {
        label.buddy(): _label_text(label)
        for label in root.findChildren(QLabel)
        if label.buddy() is not None and _label_text(label)
    }
    for form in root.findChildren(QFormLayout):  # rows labelled by a QLabel widget
        for row in range(form.rowCount()):
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if field is None or label is None:
                continue
            field_widget, label_widget = field.widget(), label.widget()
            if isinstance(label_widget, QLabel) and field_widget is not None:
                if _label_text(label_widget):
                    buddies.setdefault(field_widget, _label_text(label_widget))
    for widget in widgets:
        if not isinstance(widget, _CONTROLS):
            continue
        tip = widget.toolTip().strip()
        if not widget.accessibleName() and not _spoken(widget):
            name = ""
            holder: QWidget | None = widget
            for _level in range(3):  # the editor row that holds this control
                holder = holder.parentWidget() if holder is not None else None
                if holder is None:
                    break
                if not tip:
                    tip = holder.toolTip().strip()  # the row's help text
                if holder in buddies:
                    name = buddies[holder]
                    break
            if not name and tip:
                name = tip
            if not name and isinstance(widget, QLineEdit):
                name = widget.placeholderText()
            if name:
                widget.setAccessibleName(name)
        if not widget.accessibleDescription() and tip and tip != widget.accessibleName():
            widget.setAccessibleDescription(tip)


class _NameOnShow(QObject):
    """Names the controls of every window when it is shown and of every control when it
    gets the focus (dialogs are built by other parts of the app)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            name_controls(watched)
        elif kind == QEvent.Type.FocusIn and isinstance(watched, _CONTROLS):
            if not watched.accessibleName() and not _spoken(watched):
                window = watched.window()
                name_controls(window)
        return False


_filter: _NameOnShow | None = None


def install_naming(app: QCoreApplication) -> None:
    """Install the window/focus namer on the application (once)."""
    global _filter
    if _filter is None:
        _filter = _NameOnShow(app)
        app.installEventFilter(_filter)


def _announce(target: QObject, text: str, assertive: bool = False) -> None:
    event = QAccessibleAnnouncementEvent(target, text)
    if assertive:
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


def caller_text(call: CallInfo) -> str:
    name = call.shown_name
    return f"{name} ({call.number})" if call.number and call.number != name else name


class Accessibility(QObject):
    """Applies the names after each call snapshot and says what changed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._announced: set[int] = set()
        self._states: dict[int, tuple[bool, bool]] = {}  # call → (muted, held by us)
        for path in TAB_ONLY:
            button = _find(window, path)
            if isinstance(button, QWidget):
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._tab_order()
        self.apply()
        window.call_panel.calls_shown.connect(self._calls_shown)

    def apply(self) -> None:
        w = self.window
        gui = w.gui
        for path, (name, description, key) in MAIN_WINDOW_NAMES.items():
            widget = _find(w, path)
            if isinstance(widget, QWidget):
                _describe(widget, name, description, key, gui, named=path not in STATE_NAMED)
        panel = w.call_panel
        for call in panel.calls:
            ringing = panel.incoming_widget(call.id)
            if ringing is None:
                continue
            for attr, (name, description, key) in INCOMING_NAMES.items():
                widget = getattr(ringing, attr, None)
                if isinstance(widget, QWidget):
                    _describe(widget, name, description, key, gui)
            ringing.setAccessibleName(
                tr("Call from {caller}", caller=caller_text(call))
                if call.state == "incoming"
                else ""
            )
        name_controls(w)

    def _tab_order(self) -> None:
        """The call bar (built after the lists) comes right after the search field."""
        w = self.window
        chain = [
            w.settings_button,
            w.search,
            *[b for b in w.call_bar.findChildren(QAbstractButton)],
            w.views,
            w.more_button,
            w.add_contact_button,
            w.entry_list,
            w.compact_call,
            w.compact_edit,
            w.compact_close,
            w.keypad_button,
            w.dialpad.dial_button,
            w.dialpad.back_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _keep_focus(self) -> None:
        """A call's controls that had the focus are gone (the call ended, the ringing
        call was answered): give the keyboard a place again — the current call, else
        the search field — instead of leaving nothing focused."""
        w = self.window
        if not w.isActiveWindow():
            return
        focus = QApplication.focusWidget()
        if focus is not None and focus.isVisible() and focus.window() is w:
            return
        if w.call_panel.current is not None and w.call_panel.isVisible():
            w.call_panel.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            w.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def _calls_shown(self) -> None:
        self.apply()
        # After the window has switched its pages for the new state; the window as the
        # context, so the timer dies with it rather than firing at a deleted window.
        QTimer.singleShot(0, self.window, self._keep_focus)
        panel = self.window.call_panel
        calls = panel.calls
        ids = {c.id for c in calls}
        self._announced &= ids
        for gone in [c for c in self._states if c not in ids]:
            self._states.pop(gone)
        talking = any(c.state in ("connected", "held") for c in calls)
        for call in calls:
            if call.direction == "incoming" and call.state == "incoming":
                if call.id not in self._announced:
                    self._announced.add(call.id)
                    text = (
                        tr("Call waiting: {caller}", caller=caller_text(call))
                        if talking
                        else tr("Incoming call: {caller}", caller=caller_text(call))
                    )
                    _announce(self.window, text, assertive=True)
        current = panel.current
        if current is None:
            return
        state = (current.muted, current.held in ("us", "both"))
        before = self._states.get(current.id)
        self._states[current.id] = state
        if before is None or before == state:
            return
        if before[0] != state[0]:
            _announce(self.window, tr("Microphone muted") if state[0] else tr("Microphone on"))
        if before[1] != state[1]:
            _announce(self.window, tr("Call on hold") if state[1] else tr("Call resumed"))


def install_accessibility(window: MainWindow) -> Accessibility:
    app = QCoreApplication.instance()
    if app is not None:
        install_naming(app)
    return Accessibility(window)
