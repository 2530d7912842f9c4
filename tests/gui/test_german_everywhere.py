"""The German desktop app shows no English: every window and dialog a person can open,
walked widget by widget (`german_walk`), during a real call through Kamailio with
baresip as the far phones, with an error in the status bar. One assertion lists every
English text found.

The walk picks up whatever top-level windows exist after each step, so windows added
later are checked without changing this test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from german_walk import EnglishFinder, MenuCatcher, all_windows, english_in, walk
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QSystemTrayIcon, QWidget

from parley.contacts.model import Contact, PhoneNumber
from parley.gui import tray as tray_module
from parley.gui.i18n import install_qt_translations, set_language
from parley.phone.events import (
    AccountStateChanged,
    MessageReceived,
    MwiChanged,
    PhoneError,
    PhoneErrorCode,
    PresenceChanged,
    PresenceState,
    RegCause,
    RegState,
)
from parley.settings import Settings
from peers.baresip import Baresip
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture(autouse=True)
def german(qapp: QApplication) -> Iterator[None]:
    set_language("de")
    install_qt_translations(qapp)  # Qt's own buttons and menus, as `run_gui` does
    yield
    set_language("en")
    install_qt_translations(qapp)


def test_the_word_list_tells_english_from_german() -> None:
    assert english_in("Please check the settings of your account") == [
        "Please",
        "check",
        "the",
        "settings",
        "of",
        "your",
        "account",
    ]
    assert english_in("Bitte prüfen Sie die Einstellungen Ihres Kontos") == []
    # Names, numbers, URIs, units and codec names are no English.
    assert english_in("Parley · sip:1002@127.0.0.1:5060 · G.722, PCMU, Opus 48 kHz") == []
    assert english_in("<b>Anruf</b> an 1002 (486)") == []


def settings_for(kam: Kamailio) -> Settings:
    office = account(
        f"127.0.0.1:{kam.udp_port}",
        voicemail_extension="*98",
        use_blf=True,
        blf_extensions=["1003"],
        subscribe_presence=True,
        mwi=True,
    )
    settings = Settings(accounts=[office])
    settings.gui.compact_mode = False
    return settings


def walk_everything(finder: EnglishFinder, menus: MenuCatcher, context: str) -> None:
    finder.walk(all_windows(), context)
    finder.walk(menus.menus, f"{context} (menu)")
    menus.menus.clear()


def settle(rig: GuiRig, ms: int = 200) -> None:
    rig.qtbot.wait(ms)


def open_dialogs(rig: GuiRig, kam: Kamailio, finder: EnglishFinder, menus: MenuCatcher) -> None:
    """Settings with every page, the wizard, the audio assistant, the contact editor,
    the menus of the main window; each walked while open, then closed."""
    w = rig.window
    w.open_settings("")
    dialog = w.settings_dialog
    settle(rig)
    tree = dialog.tree
    items = []
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop(0)
        items.append(item)
        stack.extend(item.child(i) for i in range(item.childCount()))
    for item in items:
        tree.setCurrentItem(item)
        settle(rig, 50)
        finder.walk([dialog], f"settings › {item.text(0)}")
    dialog.search.setText("port")
    settle(rig, 50)
    finder.walk([dialog], "settings search")
    dialog.search.setText("")
    # Values the settings refuse: the errors shown under the fields are German too.
    dialog.select_account("office")
    refused = {
        "account.domain": "pbx example",
        "account.username": "10 01",
        "account.voicemail_extension": "* 98",
    }
    for key, value in refused.items():
        dialog.rows[key].editor.set_value(value)
    settle(rig, 50)
    errors = [dialog.rows[key].error_text() for key in refused]
    assert all(errors), errors  # each was refused, and said so
    finder.texts(errors, "settings errors")
    finder.walk([dialog], "settings with errors")
    dialog.apply()  # refused: the message says why
    finder.walk([dialog], "settings not saved")
    dialog.reject()

    from parley.gui.audio_assistant import AudioAssistant
    from parley.gui.contact_editor import ContactEditor
    from parley.gui.wizard import AccountWizard

    # The wizard saying what is missing, then what the server refused.
    wizard = AccountWizard(rig.app, w)
    wizard.open()
    wizard.register_button.click()  # nothing filled in
    finder.walk([wizard], "wizard, fields missing")
    wizard.domain.setText(f"127.0.0.1:{kam.udp_port}")
    wizard.username.setText("1003")
    wizard.password.setText("wrong password")
    wizard.register_button.click()
    rig.wait(lambda: wizard.register_button.isEnabled() and bool(wizard.status.text()))
    finder.walk([wizard], "wizard, wrong password")
    wizard.cancel_button.click()
    rig.wait(lambda: len(rig.app.settings.accounts) == 1)  # the try is forgotten

    for dialog in (
        AccountWizard(rig.app, w, first_start=True),
        AudioAssistant(rig.app, w),
        ContactEditor(rig.app.contacts, None, w),
    ):
        dialog.open()
        settle(rig)
        finder.walk([dialog], type(dialog).__name__)
        dialog.reject()
        dialog.deleteLater()

    # Menus: "More", the context menu of an entry, the search field's, the tray's.
    for view in range(w.views.count()):
        w.views.setCurrentIndex(view)
        settle(rig, 50)
        finder.walk([w], f"main window, view {w.views.tabText(view)}")
        w.more_button.click()
        if w.entry_list.count():
            w.entry_list.setCurrentRow(w.entry_list.count() - 1)
            rect = w.entry_list.visualItemRect(w.entry_list.item(w.entry_list.count() - 1))
            w.entry_list.customContextMenuRequested.emit(rect.center())
        walk_everything(finder, menus, f"menus of view {view}")
    w.search.customContextMenuRequested.emit(w.search.rect().center())
    for button in w.findChildren(QWidget):
        # Tool buttons with a drop-down menu (presence, voicemail): their menus.
        menu = getattr(button, "menu", None)
        if callable(menu) and button.isVisible():
            found = menu()
            if found is not None:
                found.aboutToShow.emit()
                finder.walk([found], f"menu of {type(button).__name__}")
    walk_everything(finder, menus, "main window menus")
    # Compact mode with an entry selected, and the call window closed.
    w.set_compact(True)
    if w.items():
        w.select(*w.items()[0][:2])
    settle(rig)
    walk_everything(finder, menus, "compact mode")
    w.set_compact(False)
    w.set_call_window_closed(True)
    settle(rig)
    walk_everything(finder, menus, "call window closed")
    w.set_call_window_closed(False)


def test_no_english_in_the_german_app(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    answers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A tray, as on a desktop that has one: its menu is built and walked too.
    monkeypatch.setattr(
        tray_module.QSystemTrayIcon,
        "isSystemTrayAvailable",
        staticmethod(lambda: True),
    )
    menus = MenuCatcher(monkeypatch)
    finder = EnglishFinder()
    far = far_phones(kamailio, "1002", auto_answer=True)
    far3 = far_phones(kamailio, "1003", auto_answer=True)
    rig = make_rig(settings_for(kamailio), passwords={"office": PASSWORDS["1001"]})
    rig.start()
    rig.wait_registered()
    w = rig.window
    rig.app.contacts.add(
        Contact(
            first_name="Erika",
            last_name="Mustermann",
            company="Beispiel GmbH",
            numbers=(PhoneNumber("1002"),),
        )
    )
    w.refresh_list()
    # What the engine reports of voicemail, presence and messages (as it would).
    far_uri = f"sip:1002@127.0.0.1:{kamailio.udp_port}"
    for event in (
        MwiChanged(account="office", new=2, old=1, urgent_new=1, waiting=True),
        PresenceChanged(uri=far_uri, state=PresenceState.LUNCH, note="", account="office"),
        MessageReceived(sender=far_uri, text="Hallo!", account="office", sender_name="Erika"),
    ):
        rig.app._on_phone_event(event)
    settle(rig, 500)
    walk_everything(finder, menus, "registered")
    tray_menu = getattr(w.tray, "_menu", None)
    assert tray_menu is not None  # the tray said to be there: its menu is built
    finder.walk([tray_menu], "tray menu")
    if isinstance(w.tray.icon, QSystemTrayIcon):
        finder.check("tray icon tooltip", w.tray.icon.toolTip())

    open_dialogs(rig, kamailio, finder, menus)

    # A call: the call panel, its keypad and statistics, transfer and add dialogs.
    panel = w.call_panel
    qtbot.keyClicks(w.search, "1002")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    far.wait_call_state("CALL_ESTABLISHED")
    panel.keypad_button.click()
    panel.stats_button.click()
    panel.refresh_stats()
    settle(rig, 1500)
    walk_everything(finder, menus, "call connected")
    panel.hold_button.click()
    rig.wait(lambda: panel.current is not None and panel.current.held in ("us", "both"))
    panel.mute_button.click()
    settle(rig, 300)
    walk_everything(finder, menus, "call held and muted")
    panel.hold_button.click()
    rig.wait(lambda: panel.current is not None and panel.current.held is None)
    panel.mute_button.click()

    controls = panel.controls
    for button in (controls.transfer_button, controls.add_button):
        button.click()
        settle(rig)
        dialog = getattr(controls, "dialog", None)
        walk_everything(finder, menus, f"{button.toolTip()} dialog")
        if isinstance(dialog, QDialog):
            dialog.reject()
    # The chat with the far end, during the call.
    if panel.chat_button.isVisible():
        panel.chat_button.click()
        settle(rig, 300)
        walk_everything(finder, menus, "chat during the call")
        w.features.close_chat()  # back to the call

    # A second call, joined into a conference with the first.
    first = panel.current.id
    qtbot.keyClicks(w.search, "1003")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    rig.wait(lambda: any(c.id != first and c.state == "connected" for c in panel.calls))
    second = next(c.id for c in panel.calls if c.id != first)
    controls.join(first, second)
    rig.wait(lambda: len(controls.conference.participants) == 2)
    settle(rig, 500)
    walk_everything(finder, menus, "conference")
    # Recording: the notice before the first recording, and the recording note.
    controls.record_button.click()
    settle(rig, 500)
    walk_everything(finder, menus, "recording")
    for dialog in QApplication.topLevelWidgets():
        if isinstance(dialog, QDialog) and dialog.isVisible():
            dialog.reject()

    panel.hang_up()
    rig.wait(lambda: len(panel.calls) < 2)
    for call in list(panel.calls):
        rig.app.hangup(call.id)
    rig.wait(lambda: not panel.calls)
    settle(rig, 500)
    walk_everything(finder, menus, "calls ended")

    # An incoming call: the ringing panel; then declined.
    far3.dial(f"sip:1001@127.0.0.1:{kamailio.udp_port}")
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    settle(rig, 300)
    walk_everything(finder, menus, "incoming call")
    # The question when the far end asks to transfer us (built as the window builds it).
    from parley.gui.call_dialogs import TransferRequestDialog

    asking = TransferRequestDialog(panel.calls[0].id, "Erika Mustermann", "1003", w)
    asking.show()
    finder.walk([asking], "transfer request")
    asking.reject()
    panel.reject(panel.calls[0].id)
    rig.wait(lambda: not panel.calls)
    settle(rig, 300)
    walk_everything(finder, menus, "incoming call declined")

    # A call that fails (nobody is 1009), and engine errors: the status bar is German.
    qtbot.keyClicks(w.search, "1009")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    rig.wait(lambda: bool(w.status.message.text()) and not panel.calls)
    settle(rig, 300)
    walk_everything(finder, menus, "failed call")
    # A pickup where nothing rings: the app's PickupFailed, worded here.
    blf = w.features.blf
    blf.run(blf.facade.pickup("1003"))  # as the panel does when it rings
    rig.wait(lambda: "1003" in w.status.message.text())
    walk_everything(finder, menus, "pickup failed")
    for code in [None, *PhoneErrorCode]:
        english = "Cannot open the SIP port 5060: the address is already in use"
        w.on_event(PhoneError(text=english, code=code, subject="5060", detail="Jabra Evolve 40"))
        assert w.status.message.text() and w.status.message.text() != english
    rig.app._on_phone_event(
        AccountStateChanged(
            account="office",
            state=RegState.FAILED,
            status=503,
            reason="Service Unavailable",
            cause=RegCause.REFUSED,
            user="1001",
            domain="127.0.0.1",
        )
    )
    settle(rig, 300)
    walk_everything(finder, menus, "status bar with errors")
    finder.texts([text for _when, text in w.status.errors], "status bar error list")
    finder.check("status bar error details", w.status.error_details())

    # The texts of message boxes shown on the way (answered by the `answers` fixture).
    finder.texts(answers, "message box")
    # The walk reached what a person meets (a renamed class: update this list).
    expected = {
        "SettingsDialog",
        "AccountWizard",
        "AudioAssistant",
        "ContactEditor",
        "CallPanel",
        "DtmfKeypad",
        "CallControls",
        "ConferenceView",
        "TargetDialog",
        "IncomingCallWidget",
        "TransferRequestDialog",
        "BlfPanel",
        "PresenceSelector",
        "MwiIndicator",
        "StatusBar",
        "RecordingNotice",
        "ChatView",
        "CallWindow",
    }
    assert expected <= finder.seen, sorted(expected - finder.seen)
    assert not finder.found, finder.report()


def test_walk_reports_english(qtbot: Any) -> None:
    """The walk can fail: an English label and tool tip in a German window are found."""
    from PySide6.QtWidgets import QLabel, QVBoxLayout

    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    label = QLabel("Anruf beenden")
    label.setToolTip("Hang up the call")
    layout.addWidget(label)
    layout.addWidget(QLabel("Registration failed"))
    finder = EnglishFinder()
    finder.walk([box], "test")
    assert set(finder.found) == {"Hang up the call", "Registration failed"}, finder.report()
    assert all(text for _where, text in walk(box) if text)
