"""The real main window phoning through a real Kamailio with baresip as the far phone.

Each test drives the window as a person would (typing into the search field, clicking
the call menu's buttons) and checks what the window shows and what the far phone saw:
an outgoing call with hold/resume, DTMF from the keypad, statistics, mute, loudspeaker
and hang-up; an incoming call answered, one rejected, one missed; call waiting with
switching between two calls. Durations are checked against what the test itself
measured (never against a fixed wall-clock figure).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import Qt

from parley.history.model import CallType
from parley.settings import Settings
from peers.baresip import Baresip
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


def registered_rig(make_rig: Callable[..., GuiRig], kam: Kamailio) -> GuiRig:
    settings = Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}")])
    # The loudspeaker button switches to these devices (silence, as the normal ones).
    settings.media.speaker_input_device = "null"
    settings.media.speaker_output_device = "null"
    rig = make_rig(settings, passwords={"office": PASSWORDS["1001"]})
    rig.start()
    rig.wait_registered()
    return rig


def our_uri(kam: Kamailio) -> str:
    return f"sip:1001@127.0.0.1:{kam.udp_port}"


def newest_entry(rig: GuiRig) -> tuple[str, int, CallType | None]:
    kind, entry_id, row = rig.window.items()[0]
    return kind, entry_id, row.call_type


def test_outgoing_call_from_the_search_field(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: object,
) -> None:
    rig = registered_rig(make_rig, kamailio)
    w = rig.window
    assert "registered" in w.account_list.tooltip("office").lower()
    far = far_phones(kamailio, auto_answer=True)
    panel = w.call_panel

    dialled_at = time.monotonic()
    qtbot.keyClicks(w.search, "1002")  # type: ignore[attr-defined]
    qtbot.keyClick(w.search, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    connected_at = time.monotonic()
    far.wait_call_state("CALL_ESTABLISHED")
    assert w.right_visible and w.right.currentWidget() is panel
    assert panel.name_label.text() == "1002"
    assert panel.state_label.text() == "Connected"

    # Hold and resume with the call menu's button.
    qtbot.mouseClick(panel.hold_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: panel.current is not None and panel.current.held in ("us", "both"))
    assert panel.state_label.text() == "On hold" and panel.hold_button.isChecked()
    qtbot.mouseClick(panel.hold_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: panel.current is not None and panel.current.held is None)
    assert panel.state_label.text() == "Connected" and not panel.hold_button.isChecked()

    # DTMF from the call menu's keypad and from the PC keyboard.
    qtbot.mouseClick(panel.keypad_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert panel.keypad.isVisible()
    for key in "12#":
        qtbot.mouseClick(panel.keypad.buttons[key], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        time.sleep(0.3)  # keep the RFC 4733 events apart, as a person would
    panel.setFocus()
    qtbot.keyClick(panel, "5")  # type: ignore[attr-defined]
    rig.wait(lambda: far.dtmf_received() == "12#5")

    # Live statistics, mute and loudspeaker.
    qtbot.mouseClick(panel.stats_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: panel.stat_labels["codec"].text().upper().startswith("PCMU"))
    rig.wait(lambda: panel.stat_labels["packets"].text() != "0 / 0")
    qtbot.mouseClick(panel.mute_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: panel.current is not None and panel.current.muted)
    qtbot.mouseClick(panel.speaker_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: rig.app.loudspeaker)
    qtbot.mouseClick(panel.speaker_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: not rig.app.loudspeaker)
    assert panel.duration_label.text()  # the running time is shown

    time.sleep(1.0)
    held_for = time.monotonic() - connected_at
    qtbot.mouseClick(panel.hangup_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    far.wait_call_state("CALL_CLOSED")
    rig.wait(lambda: not panel.calls)

    # The history: the newest entry of the recent calls, with type and duration.
    w.views.setCurrentIndex(2)
    rig.wait(lambda: w.items() and newest_entry(rig)[2] is CallType.SUCCESSFUL_OUTGOING)
    waited = time.monotonic() - dialled_at
    _kind, entry_id, _type = newest_entry(rig)
    entry = rig.app.history.get(entry_id)
    assert entry is not None and entry.number == "1002" and entry.account == "office"
    assert held_for <= entry.duration <= waited, (entry.duration, held_for, waited)
    # After the call the call window shows its information.
    rig.wait(lambda: w.right.currentWidget() is w.call_window)
    assert w.call_window.type_label.text() == "Successful outgoing call"
    assert w.call_window.fields["number"].text() == "1002"
    assert w.call_window.fields["account"].text() == "office"


def test_incoming_call_accepted(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: object,
) -> None:
    rig = registered_rig(make_rig, kamailio)
    w, panel = rig.window, rig.window.call_panel
    far = far_phones(kamailio)
    far.dial(our_uri(kamailio))
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    call_id = panel.calls[0].id
    ringing = panel.incoming_widget(call_id)
    assert ringing is not None
    assert ringing.title.text() == "Incoming call" and ringing.name_label.text() == "1002"
    assert w.right_visible
    # No tray offscreen: the window is brought to the front and flashes instead.
    assert w.last_incoming_actions == ["activate", "flash"]
    qtbot.mouseClick(ringing.accept_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    far.wait_call_state("CALL_ESTABLISHED")
    assert panel.incoming_widget(call_id) is None
    time.sleep(0.5)
    far.hangup()
    rig.wait(lambda: not panel.calls)
    w.views.setCurrentIndex(2)
    rig.wait(lambda: w.items() and newest_entry(rig)[2] is CallType.ACCEPTED_INCOMING)


def test_incoming_call_rejected(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: object,
) -> None:
    rig = registered_rig(make_rig, kamailio)
    w, panel = rig.window, rig.window.call_panel
    w.views.setCurrentIndex(2)
    far = far_phones(kamailio)
    far.dial(our_uri(kamailio))
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    ringing = panel.incoming_widget(panel.calls[0].id)
    assert ringing is not None
    qtbot.mouseClick(ringing.reject_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    far.wait_call_state("CALL_CLOSED")
    rig.wait(lambda: w.items() and newest_entry(rig)[2] is CallType.REJECTED_INCOMING)
    rig.wait(lambda: w.call_window.type_label.text() == "Rejected incoming call")
    assert w.items()[0][2].name_label.text() == "1002"


def test_incoming_call_missed_after_silencing(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: object,
) -> None:
    rig = registered_rig(make_rig, kamailio)
    w, panel = rig.window, rig.window.call_panel
    w.views.setCurrentIndex(2)
    far = far_phones(kamailio)
    far.dial(our_uri(kamailio))
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    call_id = panel.calls[0].id
    ringing = panel.incoming_widget(call_id)
    assert ringing is not None
    qtbot.mouseClick(ringing.silence_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert ringing.silenced and panel.is_silenced(call_id)
    far.hangup()  # the caller gives up
    rig.wait(lambda: w.items() and newest_entry(rig)[2] is CallType.MISSED)
    assert w.call_window.type_label.text() == "Missed call"
    assert not panel.calls


def test_call_waiting_and_switching(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: object,
) -> None:
    rig = registered_rig(make_rig, kamailio)
    w, panel = rig.window, rig.window.call_panel
    first = far_phones(kamailio, "1002", auto_answer=True)
    second = far_phones(kamailio, "1003")
    qtbot.keyClicks(w.search, "1002")  # type: ignore[attr-defined]
    qtbot.keyClick(w.search, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    first_id = panel.current.id if panel.current else -1

    second.dial(our_uri(kamailio))
    rig.wait(lambda: len(panel.calls) == 2 and panel.incoming_widget(panel.calls[1].id))
    second_id = panel.calls[1].id
    waiting = panel.incoming_widget(second_id)
    assert waiting is not None and waiting.title.text() == "Call waiting"
    assert panel.call_list.isVisible() and panel.call_list.count() == 2

    # Taking the waiting call holds the first one.
    qtbot.mouseClick(waiting.accept_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    second.wait_call_state("CALL_ESTABLISHED")

    def state(call_id: int) -> tuple[str, str | None] | None:
        call = next((c for c in panel.calls if c.id == call_id), None)
        return (call.state, call.held) if call else None

    rig.wait(lambda: state(first_id) in (("held", "us"), ("connected", "us")))
    rig.wait(lambda: panel.current is not None and panel.current.id == second_id)

    # Picking the first call in the list resumes it and holds the second.
    panel.switch_to(first_id)
    rig.wait(lambda: state(first_id) == ("connected", None))
    rig.wait(lambda: state(second_id) is not None and state(second_id)[1] == "us")  # type: ignore[index]
    assert panel.current is not None and panel.current.id == first_id

    qtbot.mouseClick(panel.hangup_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    first.wait_call_state("CALL_CLOSED")
    rig.wait(lambda: len(panel.calls) == 1)
    rig.wait(lambda: panel.current is not None and panel.current.id == second_id)
    qtbot.mouseClick(panel.hangup_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    rig.wait(lambda: not panel.calls)
