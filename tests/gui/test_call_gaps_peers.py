"""More call control from the desktop app against real phones through Kamailio:

- the contact list's right-click menu transfers the active call to the contact, or
  forwards (deflects) a waiting call to it;
- a contact dropped on the conference area while our own call still rings: both are
  called, and the conference is set up (shown) only once both have answered;
- "leave the conference" connects the two other participants to each other (attended
  transfer) and ends our calls; with three it is disabled and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_rig import GuiRig
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from test_call_control_peers import (
    CONF_HZ,
    PARLEY_HZ,
    Heard,
    contact_mime,
    controls,
    dial,
    listen,
    rig_for,
)

from parley.media.engine import AudioConfig
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp
from tone_rig import tone_wav

pytestmark = pytest.mark.interop


def menu_action(rig: GuiRig, text: str) -> QAction:
    """The action `text` of the right-click menu of the contact selected in the list."""
    w = rig.window
    items = w.entry_list.selectedItems()
    assert items
    w.entry_list.customContextMenuRequested.emit(w.entry_list.visualItemRect(items[0]).center())
    menu = w.last_menu
    assert menu is not None
    found = [a for a in menu.actions() if a.text() == text]
    assert found, [a.text() for a in menu.actions()]
    menu.close()
    return found[0]


def test_contact_list_menu_transfers_the_call_to_the_contact(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    """We talk to baresip 1002 and pick "Transfer the call to 1003" on contact Max
    Muster (1003, baresip) in the contact list: 1002 calls 1003, our call ends."""
    transferee = far_phones(kamailio, "1002", auto_answer=True, call_transfer=True)
    target = far_phones(kamailio, "1003", auto_answer=True)
    us = rig_for(make_rig, kamailio, "1001")
    dial(us, qtbot, "1002")
    transferee.wait_call_state("CALL_ESTABLISHED", timeout=20)
    contact_mime(us, "Max Muster", "1003")  # stored and selected in the list
    menu_action(us, "Transfer the call to 1003").trigger()
    target.wait_call_state("CALL_ESTABLISHED", timeout=20)
    panel = us.window.call_panel
    us.wait(lambda: not panel.calls)  # the transferor's call has ended
    assert any(
        e.get("type") == "CALL_ESTABLISHED" and "1003" in str(e.get("peeruri", ""))
        for e in transferee.events()
    ), transferee.events()


def test_contact_list_menu_forwards_the_waiting_call_to_the_contact(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    tmp_path: Path,
) -> None:
    """We talk to a SIPp phone; Parley 1002 calls and waits. "Forward the waiting call
    to 1003" on contact Max Muster: the caller gets 302 and reaches baresip 1003, and
    our first call goes on."""
    target = far_phones(kamailio, "1003", auto_answer=True)
    uas = Sipp(
        SCENARIOS / "call_uas.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=tmp_path,
    ).start()
    try:
        us = rig_for(make_rig, kamailio, "1001")
        caller = rig_for(make_rig, kamailio, "1002")
        first = dial(us, qtbot, f"sip:1009@127.0.0.1:{uas.local_port}")
        qtbot.keyClicks(caller.window.search, "1001")
        qtbot.keyClick(caller.window.search, Qt.Key.Key_Return)
        panel = us.window.call_panel
        us.wait(lambda: controls(us).ringing() is not None)
        contact_mime(us, "Max Muster", "1003")
        assert menu_action(us, "Transfer the call to 1003").isEnabled()
        menu_action(us, "Forward the waiting call to 1003").trigger()
        target.wait_call_state("CALL_ESTABLISHED", timeout=20)  # the caller followed the 302
        caller_panel = caller.window.call_panel
        caller.wait(lambda: any(c.state == "connected" for c in caller_panel.calls))
        us.wait(lambda: [c.id for c in panel.calls] == [first])
        assert panel.calls[0].state == "connected"
        qtbot.mouseClick(panel.hangup_button, Qt.MouseButton.LeftButton)
        us.wait(lambda: not panel.calls)
    finally:
        uas.stop()


def test_conference_started_while_our_call_rings_is_set_up_when_both_answered(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    tmp_path: Path,
) -> None:
    """We call 1002 (it rings, not answered) and drop contact 1003 on the conference
    area: 1003 is called too. 1003 answers first: no conference yet (the view stays
    hidden, no participants). 1002 answers: the conference is shown with both, and each
    far phone hears the other and Parley."""
    phones = {
        user: far_phones(
            kamailio,
            user,
            play_wav=tone_wav(tmp_path / f"tone-{user}.wav", freq),
            play_loop=True,
            play_seconds=400.0,
            record_wav=tmp_path / f"heard-by-{user}.wav",
        )
        for user, freq in CONF_HZ.items()
    }
    mic = tone_wav(tmp_path / "tone-parley.wav", PARLEY_HZ)
    us = rig_for(make_rig, kamailio, "1001", audio=AudioConfig(input=f"file:{mic}"))
    panel = us.window.call_panel
    qtbot.keyClicks(us.window.search, "1002")
    qtbot.keyClick(us.window.search, Qt.Key.Key_Return)
    us.wait(lambda: panel.current is not None and panel.current.state == "ringing")
    phones["1002"].wait_call_state("CALL_INCOMING", timeout=20)
    c = controls(us)
    assert c.conference_area.isEnabled()
    c.conference_area.drop_mime(contact_mime(us, "Max Muster", "1003"))
    phones["1003"].wait_call_state("CALL_INCOMING", timeout=20)
    phones["1003"].accept()
    us.wait(lambda: any(x.number == "1003" and x.state == "connected" for x in panel.calls))
    qtbot.wait(1500)
    assert not c.conference.participants and not c.conference.isVisible()
    assert us.app.conference.calls() == []
    phones["1002"].accept()
    view = c.conference
    us.wait(lambda: len(view.participants) == 2 and view.isVisible())
    assert len(us.app.conference.calls()) == 2
    heard = listen(us, phones)
    assert heard["1003"].hears(CONF_HZ["1002"]) and heard["1003"].hears(PARLEY_HZ), heard
    assert heard["1002"].hears(CONF_HZ["1003"]) and heard["1002"].hears(PARLEY_HZ), heard
    qtbot.mouseClick(view.end_conference_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: not panel.calls)


def _heard_in(path: Path, start: int, rate: int = 48000) -> Heard:
    data = path.read_bytes()
    begin = max(start, 44)
    begin += begin % 2
    chunk = data[begin : len(data) - (len(data) - begin) % 2]
    samples = np.frombuffer(chunk, dtype="<i2")
    assert samples.size > rate, samples.size
    return Heard(path.stem, samples, rate)


def test_leaving_the_conference_connects_the_other_two(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    tmp_path: Path,
) -> None:
    """A conference of Parley 1001 with baresip 1002 and a second Parley 1003 (each with
    its own tone). "Leave the conference": 1002 is referred to 1003 with Replaces; our
    two calls end, and 1002 and 1003 hear each other (and no longer us)."""
    baresip = far_phones(
        kamailio,
        "1002",
        auto_answer=True,
        call_transfer=True,
        play_wav=tone_wav(tmp_path / "tone-1002.wav", CONF_HZ["1002"]),
        play_loop=True,
        play_seconds=400.0,
        record_wav=tmp_path / "heard-by-1002.wav",
    )
    mic = tone_wav(tmp_path / "tone-parley.wav", PARLEY_HZ)
    us = rig_for(make_rig, kamailio, "1001", audio=AudioConfig(input=f"file:{mic}"))
    their_mic = tone_wav(tmp_path / "tone-1003.wav", CONF_HZ["1003"])
    their_ears = tmp_path / "heard-by-1003.wav"
    them = rig_for(
        make_rig,
        kamailio,
        "1003",
        audio=AudioConfig(input=f"file:{their_mic}", output=f"file:{their_ears}"),
        auto_answer=True,
    )
    panel = us.window.call_panel
    first = dial(us, qtbot, "1002")
    qtbot.mouseClick(panel.hold_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: any(x.id == first and x.held == "us" for x in panel.calls))
    dial(us, qtbot, "1003")
    c = controls(us)
    view = c.conference
    us.wait(lambda: bool(panel.calls))
    us.app.conference.join(None).result(10)
    us.wait(lambda: len(view.participants) == 2 and view.isVisible())
    assert view.leave_button.isEnabled()

    qtbot.mouseClick(view.leave_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: not panel.calls, timeout=30_000)  # both our calls have ended
    their_panel = them.window.call_panel
    them.wait(lambda: any(x.state == "connected" and "1002" in x.number for x in their_panel.calls))
    # What each far phone hears now: the other's tone, not Parley's.
    qtbot.wait(2000)
    mark_b, mark_t = baresip.record_wav.stat().st_size, their_ears.stat().st_size  # type: ignore[union-attr]
    qtbot.wait(2500)
    heard_b = _heard_in(baresip.record_wav, mark_b)  # type: ignore[arg-type]
    heard_t = _heard_in(their_ears, mark_t)
    assert heard_b.hears(CONF_HZ["1003"]) and heard_b.silent_at(PARLEY_HZ), heard_b
    assert heard_t.hears(CONF_HZ["1002"]) and heard_t.silent_at(PARLEY_HZ), heard_t


def test_leave_is_disabled_with_three_participants(qtbot: Any) -> None:
    """With three other participants "leave" cannot connect them all: the button is off
    and its tooltip says why."""
    from parley.gui.conference_view import ConferenceView
    from parley.phone.events import ConferenceChanged

    view = ConferenceView()
    qtbot.addWidget(view)
    view.on_conference(ConferenceChanged(calls=(1, 2, 3)))
    assert not view.leave_button.isEnabled()
    assert "two other participants only" in view.leave_button.toolTip()
    view.on_conference(ConferenceChanged(calls=(1, 2)))
    assert view.leave_button.isEnabled()
