"""What a screen reader reads: every interactive control of every window and dialog has
an accessible name (Qt's accessibility interface answers `text(Name)`: the name given
with setAccessibleName, or the visible text / buddy label Qt takes instead), the
interactive controls carry a description where their name alone does not say what they
do, the Tab order of the main window follows its layout, and a ringing call is
announced to screen readers (the announcement handed to Qt's accessibility layer).

The windows are built on a real Application that is not started (no network needed);
the call window is fed a snapshot with a ringing call and a connected one so that its
call controls are built and shown."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from gui_rig import GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QKeySequenceEdit,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTextEdit,
    QWidget,
)

from parley.app.snapshots import CallInfo
from parley.gui.audio_assistant import AudioAssistant
from parley.gui.call_dialogs import RecordingNotice, TargetDialog, TransferRequestDialog
from parley.gui.contact_editor import ContactEditor
from parley.gui.help_view import ShortcutsHelp
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.wizard import AccountWizard
from parley.settings import Settings

DEVICES = {"input": ["USB Headset Mic"], "output": ["USB Headset", "Speakers"]}
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
    QSlider,
    QTabBar,
    QKeySequenceEdit,
)


def spoken_name(widget: QWidget) -> str:
    """The name a screen reader reads for `widget`."""
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None, widget
    return iface.text(QAccessible.Text.Name).strip()


def spoken_description(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None, widget
    return iface.text(QAccessible.Text.Description).strip()


def is_inner_part(widget: QWidget) -> bool:
    """Parts Qt builds inside a control (a spin box's line edit, a combo box's list, the
    scroll bars' buttons): the screen reader reads the control that holds them."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(
            parent, QComboBox | QAbstractSpinBox | QKeySequenceEdit | QLineEdit | QTabBar
        ):
            return True  # a line edit's clear button, a tab bar's scroll arrows: Qt's own,
            # never in the Tab chain
        if isinstance(widget, QHeaderView):
            return True  # the column headers of a list: read with the list
        parent = parent.parentWidget()
    name = widget.objectName()
    return name.startswith("qt_") or type(widget).__name__ in ("QScrollBar",)


def unnamed_controls(root: QWidget) -> list[str]:
    """'Class objectName (tooltip)' of each interactive control below `root` (itself
    included) that a screen reader would read without a name."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or is_inner_part(widget):
            continue
        if not spoken_name(widget):
            parent = widget.parentWidget()
            missing.append(
                f"{type(widget).__name__} {widget.objectName()!r} in "
                f"{type(parent).__name__ if parent else None} tip={widget.toolTip()!r}"
            )
    return missing


def undescribed_buttons(root: QWidget) -> list[str]:
    """Icon-only buttons (no visible text) with no description to explain them."""
    out = []
    for widget in root.findChildren(QAbstractButton):
        if is_inner_part(widget) or widget.text().strip():
            continue
        if not spoken_description(widget):
            out.append(f"{type(widget).__name__} {spoken_name(widget)!r}")
    return out


def ringing_and_talking() -> list[CallInfo]:
    now = datetime.now(UTC)
    return [
        CallInfo(
            id=1,
            account="office",
            direction="outgoing",
            state="connected",
            remote="sip:1002@127.0.0.1",
            number="1002",
            started_at=now,
            connected_at=now,
        ),
        CallInfo(
            id=2,
            account="office",
            direction="incoming",
            state="incoming",
            remote="sip:1003@127.0.0.1",
            number="1003",
            remote_name="Anna Berg",
            started_at=now,
        ),
    ]


@pytest.fixture
def rig(make_rig: Callable[..., GuiRig]) -> GuiRig:
    return make_rig(Settings(accounts=[account("127.0.0.1:5999")]))


@pytest.fixture(params=["en", "de"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


def test_main_window_and_call_controls_have_names(
    language: str, make_rig: Callable[..., GuiRig]
) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    w = rig.window
    w.keypad_button.setChecked(True)  # the dial pad's keys too
    w.call_panel.update_calls(ringing_and_talking())
    w.call_panel.keypad_button.setChecked(True)
    w.call_panel.stats_button.setChecked(True)
    assert w.call_panel.incoming_widget(2) is not None
    missing = unnamed_controls(w)
    assert not missing, "\n".join(missing)
    undescribed = undescribed_buttons(w)
    assert not undescribed, "\n".join(undescribed)
    # Names a person can tell apart, in the chosen language.
    assert spoken_name(w.search) == ("Search or dial" if language == "en" else "Suchen oder wählen")
    ringing = w.call_panel.incoming_widget(2)
    assert ringing is not None
    accept = spoken_name(ringing.accept_button)
    assert accept == ("Accept" if language == "en" else "Annehmen")
    # The description says which key does it.
    assert "Return" in spoken_description(ringing.accept_button) or "Eingabe" in (
        spoken_description(ringing.accept_button)
    )


def test_dialogs_have_names(
    language: str, make_rig: Callable[..., GuiRig], qtbot: Any, answers: list[str]
) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    app = rig.app
    dialogs: list[QDialog] = [
        SettingsDialog(app, devices=DEVICES),
        AccountWizard(app, first_start=True),
        AudioAssistant(app, devices=DEVICES),
        ContactEditor(app.contacts, None),
        RecordingNotice(),
        TransferRequestDialog(1, "1002", "1003"),
        TargetDialog(app, "Transfer", "Transfer the call to:", calls=ringing_and_talking()),
        ShortcutsHelp(app.settings.gui),
    ]
    missing: dict[str, list[str]] = {}
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()  # the app names what other parts of it left unnamed
        if isinstance(dialog, SettingsDialog):
            pages = []
            for page in ("accounts", "media", "gui", "functions"):
                dialog.select_page(page)
                pages += unnamed_controls(dialog)
            found = pages
        else:
            found = unnamed_controls(dialog)
        if found:
            missing[type(dialog).__name__] = found
        dialog.close()
    assert not missing, "\n".join(f"{k}: {v}" for k, vs in missing.items() for v in vs)


def test_tab_order_follows_the_layout(rig: GuiRig, qtbot: Any) -> None:
    """Tab from the search field through the left column: each stop is below (or on the
    same row and to the right of) the one before, until the column is left."""
    w = rig.window
    w.activateWindow()
    w.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.search)
    left = w.left
    seen: list[QWidget] = []
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert now is not None
        if now in seen or not left.isAncestorOf(now):
            break
        seen.append(now)
    assert len(seen) >= 4, seen  # views, more, add contact, list, keypad …
    spots = [(wd.mapTo(left, wd.rect().topLeft()), wd) for wd in seen]
    for (before, a), (after, b) in itertools.pairwise(spots):
        same_row = abs(before.y() - after.y()) < max(a.height(), b.height()) // 2
        assert after.y() > before.y() or (same_row and after.x() > before.x()), (
            f"{spoken_name(a)} at {before} before {spoken_name(b)} at {after}"
        )
    # Shift+Tab from the search field reaches the settings button above it.
    w.search.setFocus()
    qtbot.keyClick(w.search, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is not w.search


def test_ringing_call_is_announced_to_screen_readers(
    rig: GuiRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Qt's accessibility layer is handed (it passes it on to AT-SPI, UIA or
    NSAccessibility): one assertive announcement per ringing call, naming the caller."""
    said: list[tuple[str, Any]] = []
    real = QAccessible.updateAccessibility

    def catch(event: Any) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            said.append((event.message(), event.politeness()))
        real(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", catch)
    calls = ringing_and_talking()
    rig.window.call_panel.update_calls(calls)
    rig.window.call_panel.update_calls(calls)  # the same call again: said once
    assert said == [
        ("Call waiting: Anna Berg (1003)", QAccessible.AnnouncementPoliteness.Assertive)
    ]
