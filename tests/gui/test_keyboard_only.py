"""The phone worked with the keyboard alone, through a real Kamailio with baresip as the
far phone: Tab to the search field, type the number, Enter dials; the hold key holds
(baresip receives the a=sendonly offer) and resumes; the mute key mutes; the hang-up key
ends the call at the far phone. An incoming call is answered with Enter and another one
rejected with Escape — while nothing rings, Escape leaves the window open and Enter in
the search field dials as before. Keys are sent to the widget that has the focus, as a
keyboard would (`QApplication.focusWidget()`), never to a chosen button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gui_rig import GuiRig, account, registered_rig
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from parley.history.model import CallType
from parley.settings import Settings
from peers.baresip import Baresip
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(
    qtbot: Any, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(focused(), key, modifiers)


def start(make_rig: Callable[..., GuiRig], kam: Kamailio, qtbot: Any) -> GuiRig:
    rig = registered_rig(
        make_rig, Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}")]), "1001"
    )
    rig.window.activateWindow()
    rig.window.settings_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is rig.window.settings_button)
    return rig


def test_dial_hold_mute_and_hang_up_with_the_keyboard(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    rig = start(make_rig, kamailio, qtbot)
    w, panel = rig.window, rig.window.call_panel
    far = far_phones(kamailio, auto_answer=True, sip_trace=True)

    press(qtbot, Qt.Key.Key_Escape)  # nothing rings: Escape does nothing to the window
    assert w.isVisible()
    press(qtbot, Qt.Key.Key_Tab)  # from the settings button to the search field
    assert focused() is w.search
    qtbot.keyClicks(focused(), "1002")
    press(qtbot, Qt.Key.Key_Return)
    far.wait_call_state("CALL_ESTABLISHED", timeout=20)
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    assert panel.state_label.text() == "Connected"

    mark = far.mark()
    press(qtbot, Qt.Key.Key_H, CTRL_SHIFT)  # hold
    rig.wait(lambda: panel.state_label.text() == "On hold")
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    assert "a=sendonly" in far.log_text()
    assert panel.hold_button.isChecked()
    mark = far.mark()
    press(qtbot, Qt.Key.Key_H, CTRL_SHIFT)  # resume
    rig.wait(lambda: panel.state_label.text() == "Connected")
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)

    press(qtbot, Qt.Key.Key_M, CTRL_SHIFT)  # mute
    rig.wait(lambda: rig.app.list_calls()[0].muted)  # the engine muted it
    assert panel.mute_button.isChecked()
    press(qtbot, Qt.Key.Key_M, CTRL_SHIFT)
    rig.wait(lambda: not rig.app.list_calls()[0].muted)
    assert not panel.mute_button.isChecked()

    # The call menu's buttons are reachable with Tab as well.
    panel.setFocus()
    reached = set()
    for _ in range(12):
        press(qtbot, Qt.Key.Key_Tab)
        reached.add(focused())
    assert {panel.hold_button, panel.controls.transfer_button} <= reached

    press(qtbot, Qt.Key.Key_E, CTRL_SHIFT)  # hang up
    far.wait_call_state("CALL_CLOSED", timeout=20)
    rig.wait(lambda: not panel.calls)
    assert w.isVisible()


def test_incoming_calls_answered_with_enter_and_rejected_with_escape(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    rig = start(make_rig, kamailio, qtbot)
    w, panel = rig.window, rig.window.call_panel
    far = far_phones(kamailio)
    ours = f"sip:1001@127.0.0.1:{kamailio.udp_port}"

    far.dial(ours)
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    w.search.setFocus()  # where the focus usually is when a call comes in
    press(qtbot, Qt.Key.Key_Return)
    far.wait_call_state("CALL_ESTABLISHED", timeout=20)
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    assert not w.search.text()
    press(qtbot, Qt.Key.Key_E, CTRL_SHIFT)
    far.wait_call_state("CALL_CLOSED", timeout=20)
    rig.wait(lambda: not panel.calls)

    w.views.setCurrentIndex(2)
    mark = far.mark()
    far.dial(ours)
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    press(qtbot, Qt.Key.Key_Escape)
    far.wait_call_state("CALL_CLOSED", timeout=20, since=mark)
    rig.wait(lambda: not panel.calls)
    rig.wait(lambda: w.items() and w.items()[0][2].call_type is CallType.REJECTED_INCOMING)
    assert w.isVisible()
    assert QApplication.activeWindow() is w  # the list's refresh kept the window active

    # Nothing rings any more: Enter in the search field dials again.
    w.search.setFocus()
    qtbot.keyClicks(focused(), "1002")
    mark = far.mark()
    press(qtbot, Qt.Key.Key_Return)
    far.wait_call_state("CALL_INCOMING", timeout=20, since=mark)
    rig.wait(lambda: panel.current is not None and panel.name_label.text() == "1002")
    press(qtbot, Qt.Key.Key_E, CTRL_SHIFT)  # and the hang-up key cancels it
    far.wait_call_state("CALL_CLOSED", timeout=20, since=mark)
    rig.wait(lambda: not panel.calls)


def test_transfer_with_the_keyboard(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    """Tab to "→", Space opens the transfer dialog, type the number, Enter: the other
    party (a second Parley, 1002, that answers by itself and accepts transfers) is sent on
    to 1003 (baresip), which answers it; our call ends."""
    domain = f"127.0.0.1:{kamailio.udp_port}"
    target = far_phones(kamailio, "1003", auto_answer=True)
    theirs = Settings(accounts=[account(domain, "1002")])
    theirs.functions.auto_answer = True
    theirs.functions.transfer_requests = "accept"
    theirs.gui.activate_on_incoming_call = False  # one screen here: ours stays in front
    them = registered_rig(make_rig, theirs, "1002")
    rig = start(make_rig, kamailio, qtbot)
    panel = rig.window.call_panel
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "1002")
    press(qtbot, Qt.Key.Key_Return)
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    rig.wait(lambda: focused() is panel)  # the call has the keyboard once it is connected
    for _ in range(15):
        press(qtbot, Qt.Key.Key_Tab)
        if focused() is panel.controls.transfer_button:
            break
    assert focused() is panel.controls.transfer_button
    press(qtbot, Qt.Key.Key_Space)
    dialog = panel.controls.dialog
    assert dialog is not None
    rig.wait(lambda: dialog.isVisible() and QApplication.focusWidget() is dialog.target)
    qtbot.keyClicks(focused(), "1003")
    press(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible()

    def target_talks_to_1002() -> bool:
        return any(
            e.get("type") == "CALL_ESTABLISHED" and "1002" in str(e.get("peeruri", ""))
            for e in target.events()
        )

    rig.wait(target_talks_to_1002)
    rig.wait(lambda: not panel.calls)  # our call with 1002 ended
    their_panel = them.window.call_panel
    them.wait(lambda: any(c.number == "1003" and c.state == "connected" for c in their_panel.calls))
