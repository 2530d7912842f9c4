"""Call control from the desktop app against real phones through Kamailio: a contact
dragged onto the transfer area transfers the call (a second Parley is the transferee
and is asked in its own window), a ringing call dropped onto the transfer area is
deflected, a call dropped onto the conference area makes a conference whose view
mutes a participant (the other phone stops hearing it) and ends it, and the record
button records both sides after the legal notice.

These need the engine's call-control facades (app.transfers, app.conference,
app.recordings, app.calls.deflect); on a branch without them they fail by design.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_rig import GuiRig, account, registered_rig
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

import tone_rig
from audio_tools import read_wav, write_wav
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.call_control import CallControls
from parley.media.engine import AudioConfig
from parley.settings import Settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp
from tone_rig import MUSIC_NAMED, Heard, tone_phone_options, tone_wav

pytestmark = pytest.mark.interop

RATE = 48000


def tone(path: Path, freq: float, seconds: float = 30.0) -> Path:
    t = np.arange(int(RATE * seconds)) / RATE
    return write_wav(path, 0.25 * 32767 * np.sqrt(2) * np.sin(2 * np.pi * freq * t), RATE)


def level(samples: np.ndarray, rate: int, freq: float) -> float:
    """The share of the signal's energy within ±20 Hz of `freq`."""
    if len(samples) < rate // 10:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    band = spectrum[(freqs > freq - 20) & (freqs < freq + 20)].sum()
    return float(band / max(spectrum.sum(), 1e-9))


# The conference test's tones (as in tests/interop/test_conference_baresip.py): no
# product of two of them through G.711 comes near another or a music-on-hold note.
PARLEY_HZ = 2350.0
CONF_HZ = {"1002": 440.0, "1003": 1090.0}
NAMED = {"parley": PARLEY_HZ, **CONF_HZ, **MUSIC_NAMED}


def listen(rig: GuiRig, phones: dict[str, Baresip]) -> dict[str, Heard]:
    """Let a step settle (the GUI's event loop runs meanwhile), then what each far phone
    hears for LISTEN_S, cut from its recording (written in real time) by file size."""
    return tone_rig.listen(phones, NAMED, lambda seconds: rig.qtbot.wait(int(seconds * 1000)))


def screenshot(widget: QWidget, name: str) -> None:
    """With PARLEY_SCREENSHOTS=docs/screenshots, the docs' pictures of a real state."""
    folder = os.environ.get("PARLEY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))


def add_contact(rig: GuiRig, name: str, number: str) -> Contact:
    first, _, last = name.partition(" ")
    return rig.app.contacts.add(
        Contact(first_name=first, last_name=last, numbers=(PhoneNumber(number),))
    )


def rig_for(
    make_rig: Callable[..., GuiRig],
    kam: Kamailio,
    user: str = "1001",
    audio: AudioConfig | None = None,
    music: str = "builtin",
    account_extra: dict[str, Any] | None = None,
    **functions: Any,
) -> GuiRig:
    settings = Settings(
        accounts=[account(f"127.0.0.1:{kam.udp_port}", user=user, **(account_extra or {}))]
    )
    settings.media.music_on_hold = music  # type: ignore[assignment]
    for key, value in functions.items():
        setattr(settings.functions, key, value)
    return registered_rig(make_rig, settings, user, audio=audio)


def controls(rig: GuiRig) -> CallControls:
    return rig.window.call_panel.controls


def dial(rig: GuiRig, qtbot: Any, number: str) -> int:
    known = {c.id for c in rig.window.call_panel.calls}
    qtbot.keyClicks(rig.window.search, number)
    qtbot.keyClick(rig.window.search, Qt.Key.Key_Return)
    panel = rig.window.call_panel

    def new_connected() -> bool:
        return any(c.id not in known and c.state == "connected" for c in panel.calls)

    rig.wait(new_connected)
    return next(c.id for c in panel.calls if c.id not in known)


def contact_mime(rig: GuiRig, name: str, number: str) -> QMimeData:
    stored = add_contact(rig, name, number)
    w = rig.window
    w.views.setCurrentIndex(0)
    w.refresh_list()
    assert stored.id is not None
    w.select("contact", stored.id)
    return w.entry_list.mimeData(w.entry_list.selectedItems())


def call_mime(rig: GuiRig, call_id: int) -> QMimeData:
    calls = rig.window.call_panel.call_list
    for i in range(calls.count()):
        if calls.item(i).data(Qt.ItemDataRole.UserRole) == call_id:
            return calls.mimeData([calls.item(i)])
    raise KeyError(call_id)


def test_contact_dropped_on_the_transfer_area_transfers_the_call(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    """Parley 1001 talks to Parley 1002 and drops contact 1003 (baresip) on the transfer
    area: 1002 is asked in its window, accepts, and ends up talking to 1003; 1001's call
    ends."""
    target = far_phones(kamailio, "1003", auto_answer=True)
    us = rig_for(make_rig, kamailio, "1001")
    them = rig_for(make_rig, kamailio, "1002", transfer_requests="ask")
    add_contact(us, "Erika Mustermann", "1002")
    qtbot.keyClicks(us.window.search, "1002")
    qtbot.keyClick(us.window.search, Qt.Key.Key_Return)
    their_panel = them.window.call_panel
    them.wait(lambda: their_panel.calls and their_panel.incoming_widget(their_panel.calls[0].id))
    ringing = their_panel.incoming_widget(their_panel.calls[0].id)
    assert ringing is not None
    qtbot.mouseClick(ringing.accept_button, Qt.MouseButton.LeftButton)
    panel = us.window.call_panel
    us.wait(lambda: panel.current is not None and panel.current.state == "connected")

    controls(us).transfer_area.drop_mime(contact_mime(us, "Max Muster", "1003"))
    asked = controls(them)
    them.wait(lambda: asked.request_dialogs)
    dialog = next(iter(asked.request_dialogs.values()))
    assert "1003" in dialog.text.text()
    us.wait(lambda: "1003" in controls(us).message.text())
    screenshot(us.window.call_panel, "transfer.png")
    screenshot(dialog, "transfer-request.png")
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    target.wait_call_state("CALL_ESTABLISHED", timeout=20)
    us.wait(lambda: not panel.calls)  # the transferor's call has ended
    them.wait(lambda: any(c.number == "1003" and c.state == "connected" for c in their_panel.calls))
    assert "1003" in controls(us).message.text()


def test_ringing_call_dropped_on_the_transfer_area_is_deflected(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    target = far_phones(kamailio, "1003", auto_answer=True)
    us = rig_for(make_rig, kamailio, "1001")
    caller = rig_for(make_rig, kamailio, "1002")
    qtbot.keyClicks(caller.window.search, "1001")
    qtbot.keyClick(caller.window.search, Qt.Key.Key_Return)
    panel = us.window.call_panel
    us.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id))
    controls(us).transfer_area.drop_mime(contact_mime(us, "Max Muster", "1003"))
    target.wait_call_state("CALL_ESTABLISHED", timeout=20)  # the caller followed the 302
    us.wait(lambda: not panel.calls)
    caller_panel = caller.window.call_panel
    caller.wait(
        lambda: (
            any(c.state == "connected" and c.number == "1003" for c in caller_panel.calls)
            or bool(caller_panel.calls and caller_panel.calls[0].state == "connected")
        )
    )


def test_call_dropped_on_the_conference_area_makes_a_conference_the_view_controls(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    tmp_path: Path,
) -> None:
    """Parley (microphone: 2350 Hz) calls 1002 (440 Hz), holds it, calls 1003 (1090 Hz)
    and drops the first call on the conference area. Each far phone records what it
    hears; every button of the conference view is judged by those recordings:

    - joined: each far phone hears the other and Parley, not itself;
    - the whole conference's mute: neither hears Parley, they still hear each other;
    - the participant mute of 1002: 1003 no longer hears 1002 (still Parley), 1002
      still hears both;
    - the participant hold of 1002: 1002 hears music on hold and nothing of the
      conference; 1003 goes on with Parley and hears no music;
    - end conference: both calls end."""
    phones = {
        user: far_phones(kamailio, user, **tone_phone_options(tmp_path, user, freq))
        for user, freq in CONF_HZ.items()
    }
    mic = tone_wav(tmp_path / "tone-parley.wav", PARLEY_HZ)
    us = rig_for(
        make_rig, kamailio, "1001", audio=AudioConfig(input=f"file:{mic}"), music="builtin"
    )
    add_contact(us, "Erika Mustermann", "1002")
    add_contact(us, "Max Muster", "1003")
    panel = us.window.call_panel
    first = dial(us, qtbot, "1002")
    qtbot.mouseClick(panel.hold_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: any(c.id == first and c.held == "us" for c in panel.calls))
    second = dial(us, qtbot, "1003")
    assert phones["1003"].wait_audio(20)
    c = controls(us)
    c.conference_area.drop_mime(call_mime(us, first))
    view = c.conference
    us.wait(lambda: set(view.participants) == {first, second} and view.isVisible())

    heard = listen(us, phones)
    assert heard["1003"].hears(CONF_HZ["1002"]) and heard["1003"].hears(PARLEY_HZ), heard
    assert heard["1003"].silent_at(CONF_HZ["1003"]), heard
    assert heard["1002"].hears(CONF_HZ["1003"]) and heard["1002"].hears(PARLEY_HZ), heard
    assert heard["1002"].silent_at(CONF_HZ["1002"]), heard

    # The whole conference's mute (A): our microphone leaves it.
    qtbot.mouseClick(view.mute_all_button, Qt.MouseButton.LeftButton)
    us.wait(view.mute_all_button.isChecked)
    heard = listen(us, phones)
    for user, other in (("1002", "1003"), ("1003", "1002")):
        assert heard[user].silent_at(PARLEY_HZ), (user, heard)
        assert heard[user].hears(CONF_HZ[other]), (user, heard)
    qtbot.mouseClick(view.mute_all_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: not view.mute_all_button.isChecked())

    # The selected participant's mute (C): its voice leaves the mix.
    view.select(first)
    qtbot.mouseClick(view.mute_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: first in view.muted and view.mute_button.isChecked())
    heard = listen(us, phones)
    assert heard["1003"].silent_at(CONF_HZ["1002"]) and heard["1003"].hears(PARLEY_HZ), heard
    assert heard["1002"].hears(CONF_HZ["1003"]) and heard["1002"].hears(PARLEY_HZ), heard
    screenshot(panel, "conference-view.png")
    qtbot.mouseClick(view.mute_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: first not in view.muted)

    # The selected participant's hold (C): it hears music on hold, the others go on.
    view.select(first)
    qtbot.mouseClick(view.hold_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: any(c.id == first and c.held == "us" for c in panel.calls))
    us.wait(view.hold_button.isChecked)
    assert set(view.participants) == {first, second}
    heard = listen(us, phones)
    assert heard["1002"].hears_music(), heard
    assert heard["1002"].silent_at(CONF_HZ["1003"]) and heard["1002"].silent_at(PARLEY_HZ), heard
    assert heard["1003"].hears(PARLEY_HZ) and heard["1003"].silent_at(CONF_HZ["1002"]), heard
    assert heard["1003"].no_music(), heard
    qtbot.mouseClick(view.hold_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: any(c.id == first and c.held is None for c in panel.calls))
    us.wait(lambda: not view.hold_button.isChecked())
    heard = listen(us, phones)
    assert heard["1002"].no_music() and heard["1002"].hears(CONF_HZ["1003"]), heard
    assert heard["1003"].hears(CONF_HZ["1002"]), heard

    qtbot.mouseClick(view.end_conference_button, Qt.MouseButton.LeftButton)
    phones["1002"].wait_call_state("CALL_CLOSED", timeout=15)
    phones["1003"].wait_call_state("CALL_CLOSED", timeout=15)
    us.wait(lambda: not panel.calls and not view.isVisible())


def test_record_button_records_both_sides_after_the_notice(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    tmp_path: Path,
) -> None:
    far_phones(kamailio, "1002", auto_answer=True, play_wav=tone(tmp_path / "600.wav", 600))
    mic = tone(tmp_path / "1000.wav", 1000)
    us = rig_for(make_rig, kamailio, "1001", audio=AudioConfig(input=f"file:{mic}"))
    dial(us, qtbot, "1002")
    c = controls(us)
    qtbot.mouseClick(c.record_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(c.dialog.record_button, Qt.MouseButton.LeftButton)  # the legal notice
    us.wait(c.record_button.isChecked)
    call_id = us.window.call_panel.current.id  # type: ignore[union-attr]
    path = Path(c.recording[call_id])
    time.sleep(3.0)
    qtbot.mouseClick(c.record_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: not c.record_button.isChecked())
    assert us.app.settings.functions.recording_notice_accepted
    samples, rate = read_wav(path)
    assert len(samples) > rate * 2
    assert level(samples, rate, 600) > 0.1 and level(samples, rate, 1000) > 0.1


@pytest.mark.parametrize("answer", ["accept", "refuse"])
def test_transfer_request_is_asked_in_a_dialog(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    answer: str,
) -> None:
    """transfer_requests = "ask": baresip 1002 transfers our call to 1003; the desktop
    app asks in a dialog. Accept: the new call to 1003 is placed and answered. Refuse:
    baresip's REFER gets 603 on the wire and our call with 1002 goes on."""
    alice = far_phones(kamailio, "1002", auto_answer=True, sip_trace=True)
    carol = far_phones(kamailio, "1003", auto_answer=True)
    us = rig_for(make_rig, kamailio, "1001", transfer_requests="ask")
    first = dial(us, qtbot, "1002")
    alice.wait_call_state("CALL_ESTABLISHED", timeout=20)
    alice.command("transfer", f"sip:1003@127.0.0.1:{kamailio.udp_port}")
    asked = controls(us)
    us.wait(lambda: first in asked.request_dialogs and asked.request_dialogs[first].isVisible())
    dialog = asked.request_dialogs[first]
    assert "1003" in dialog.text.text() and "1003" in dialog.accept_button.text()
    panel = us.window.call_panel
    if answer == "accept":
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        carol.wait_call_state("CALL_ESTABLISHED", timeout=20)
        us.wait(lambda: any(c.number == "1003" and c.state == "connected" for c in panel.calls))
        us.wait(lambda: all(c.id != first for c in panel.calls))  # the old call ended
    else:
        qtbot.mouseClick(dialog.refuse_button, Qt.MouseButton.LeftButton)
        # baresip read the REFER's final answer: 603 Decline.
        us.wait(lambda: "call: transfer failed: 603" in alice.log_text())
        assert "SIP/2.0 603 Decline" in alice.log_text()
        assert not any(e.get("type") == "CALL_INCOMING" for e in carol.events())
        assert [c.id for c in panel.calls if c.state == "connected"] == [first]
    assert not dialog.isVisible() and first not in asked.request_dialogs


def intercom_action(rig: GuiRig, menu: QMenu | None) -> QAction:
    assert menu is not None
    return next(a for a in menu.actions() if a.text() == "InterCom call")


def test_intercom_call_from_the_dial_fields_menu_dials_the_prefix(
    kamailio: Kamailio, make_rig: Callable[..., GuiRig], qtbot: Any, tmp_path: Path
) -> None:
    """The dial field's menu has "InterCom call" when the account has an intercom
    prefix: SIPp gets INVITE sip:551003@…. Without a prefix the action is disabled."""
    uas = Sipp(
        SCENARIOS / "call_uas.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=tmp_path,
    ).start()
    try:
        us = rig_for(make_rig, kamailio, "1001", account_extra={"intercom_prefix": "55"})
        w = us.window
        qtbot.keyClicks(w.search, f"sip:1003@127.0.0.1:{uas.local_port}")
        w.search.customContextMenuRequested.emit(QPoint(5, 5))
        action = intercom_action(us, w.last_menu)
        assert action.isEnabled()
        action.trigger()
        panel = w.call_panel
        us.wait(lambda: any(c.state == "connected" for c in panel.calls))
        qtbot.mouseClick(panel.hangup_button, Qt.MouseButton.LeftButton)
        us.wait(lambda: not panel.calls)
        assert uas.wait(timeout=30) == 0, uas.errors()
    finally:
        uas.stop()
    assert f"INVITE sip:551003@127.0.0.1:{uas.local_port}" in uas.messages(), uas.messages()[:3000]

    # An account without a prefix: no intercom call from the menu (nor the list's).
    plain = rig_for(make_rig, kamailio, "1002")
    qtbot.keyClicks(plain.window.search, "1003")
    plain.window.search.customContextMenuRequested.emit(QPoint(5, 5))
    assert not intercom_action(plain, plain.window.last_menu).isEnabled()
