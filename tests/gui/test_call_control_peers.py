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

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import QMimeData, Qt

from audio_tools import read_wav, write_wav
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.call_control import CallControls
from parley.media.engine import AudioConfig
from parley.settings import Settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

RATE = 48000


@pytest.fixture
def far_phones(tmp_path: Path) -> Iterator[Callable[..., Baresip]]:
    started: list[Baresip] = []

    def make(kam: Kamailio, user: str, **options: Any) -> Baresip:
        phone = Baresip(
            tmp_path / f"baresip-{user}",
            sip_port=free_port("both"),
            user=user,
            password=PASSWORDS[user],
            registrar=f"127.0.0.1:{kam.udp_port}",
            codecs=["PCMU/8000/1"],
            **options,
        )
        started.append(phone)
        phone.start()
        return phone

    yield make
    for phone in started:
        phone.stop()


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


def rig_for(
    make_rig: Callable[..., GuiRig],
    kam: Kamailio,
    user: str = "1001",
    audio: AudioConfig | None = None,
    **functions: Any,
) -> GuiRig:
    settings = Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}", user=user)])
    for key, value in functions.items():
        setattr(settings.functions, key, value)
    rig = make_rig(settings, passwords={"office": PASSWORDS[user]}, audio=audio)
    rig.start()
    rig.wait_registered()
    return rig


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
    first, _, last = name.partition(" ")
    stored = rig.app.contacts.add(
        Contact(first_name=first, last_name=last, numbers=(PhoneNumber(number),))
    )
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
    """1002 plays 600 Hz; 1003 records. After the drop 1003 hears 1002; after muting
    1002 in the conference view it does not; end conference ends both calls."""
    heard = tmp_path / "1003-heard.wav"
    one = far_phones(kamailio, "1002", auto_answer=True, play_wav=tone(tmp_path / "600.wav", 600))
    two = far_phones(kamailio, "1003", auto_answer=True, record_wav=heard)
    us = rig_for(make_rig, kamailio, "1001")
    first = dial(us, qtbot, "1002")
    qtbot.mouseClick(us.window.call_panel.hold_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: any(c.id == first and c.held == "us" for c in us.window.call_panel.calls))
    dial(us, qtbot, "1003")
    assert two.wait_audio()
    c = controls(us)
    c.conference_area.drop_mime(call_mime(us, first))
    view = c.conference
    us.wait(lambda: len(view.participants) == 2 and view.isVisible())
    joined_at = time.monotonic()
    time.sleep(3.0)
    view.select(first)
    qtbot.mouseClick(view.mute_button, Qt.MouseButton.LeftButton)
    us.wait(lambda: first in view.muted)
    muted_at = time.monotonic()
    time.sleep(3.0)
    qtbot.mouseClick(view.end_conference_button, Qt.MouseButton.LeftButton)
    one.wait_call_state("CALL_CLOSED", timeout=15)
    two.wait_call_state("CALL_CLOSED", timeout=15)
    us.wait(lambda: not us.window.call_panel.calls and not view.isVisible())
    two.stop()
    samples, rate = read_wav(heard)
    start = two.first_audio_at()
    assert start is not None
    joined = samples[int((joined_at - start + 1.0) * rate) : int((muted_at - start) * rate)]
    after_mute = samples[
        int((muted_at - start + 1.0) * rate) : int((muted_at - start + 2.5) * rate)
    ]
    assert level(joined, rate, 600) > 0.5, "1003 did not hear 1002 in the conference"
    assert level(after_mute, rate, 600) < 0.05, "1003 still heard the muted participant"


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
