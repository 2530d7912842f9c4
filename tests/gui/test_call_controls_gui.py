"""The main window's own call controls, and call settings whose effect is seen in the
window or heard at the far end: the main window's hold and hang-up, mute (the far end
records silence), bring to front / flash on an incoming call (on and off), and the
caller ID of an incoming call (From, or the PBX's P-Asserted-Identity) in the window."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from audio_tools import read_wav, rms_windows, write_wav
from parley.media.engine import AudioConfig
from parley.settings import Settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop

TONE_RMS = 0.25 * 32767  # -12 dBFS


def registered_rig(
    make_rig: Callable[..., GuiRig],
    kam: Kamailio,
    *,
    audio: AudioConfig | None = None,
    **account_options: Any,
) -> GuiRig:
    settings = Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}", **account_options)])
    settings.functions.allow_direct_calls = True
    rig = make_rig(settings, passwords={"office": PASSWORDS["1001"]}, audio=audio)
    rig.start()
    rig.wait_registered()
    return rig


def dial_1002(rig: GuiRig, qtbot: Any) -> None:
    qtbot.keyClicks(rig.window.search, "1002")
    qtbot.keyClick(rig.window.search, Qt.Key.Key_Return)
    panel = rig.window.call_panel
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")


def test_main_window_holds_and_hangs_up_the_active_call(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    rig = registered_rig(make_rig, kamailio)
    w = rig.window
    assert w.call_bar.isHidden()  # no call: nothing to end
    far = far_phones(kamailio, auto_answer=True)
    dial_1002(rig, qtbot)
    far.wait_call_state("CALL_ESTABLISHED")
    bar = w.call_bar
    rig.wait(lambda: bar.isVisible() and "Connected" in bar.label.text())
    assert bar.label.text().startswith("1002")
    # Its hold button holds the call the call menu shows (the far end is held) ...
    mark = far.mark()
    qtbot.mouseClick(bar.hold_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: w.call_panel.current is not None and w.call_panel.current.held == "us")
    rig.wait(lambda: "On hold" in bar.label.text() and bar.hold_button.isChecked())
    qtbot.mouseClick(bar.hold_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: w.call_panel.current is not None and w.call_panel.current.held is None)
    assert far.events()[mark:], "the far end saw no re-INVITE"
    # ... and its hang-up button ends the call: the far phone gets the BYE.
    qtbot.mouseClick(bar.hangup_button, Qt.MouseButton.LeftButton)
    far.wait_call_state("CALL_CLOSED")
    rig.wait(lambda: not w.call_panel.calls)
    rig.wait(bar.isHidden)


def test_mute_sends_silence_and_unmute_sends_the_microphone_again(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    tmp_path: Path,
) -> None:
    """The far phone records what it hears: our microphone (a steady 1 kHz tone), then
    silence while muted, then the tone again."""
    rate = 48000
    t = np.arange(rate * 4) / rate
    tone = write_wav(
        tmp_path / "mic.wav", TONE_RMS * np.sqrt(2) * np.sin(2 * np.pi * 1000 * t), rate
    )
    rig = registered_rig(make_rig, kamailio, audio=AudioConfig(input=f"file:{tone}"))
    heard = tmp_path / "far-heard.wav"
    far = far_phones(kamailio, auto_answer=True, record_wav=heard)
    panel = rig.window.call_panel
    dial_1002(rig, qtbot)
    assert far.wait_audio()
    time.sleep(1.5)
    qtbot.mouseClick(panel.mute_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: panel.current is not None and panel.current.muted)
    time.sleep(2.0)
    qtbot.mouseClick(panel.mute_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: panel.current is not None and not panel.current.muted)
    time.sleep(1.5)
    qtbot.mouseClick(panel.hangup_button, Qt.MouseButton.LeftButton)
    far.wait_call_state("CALL_CLOSED")
    far.stop()  # completes the recording

    samples, far_rate = read_wav(heard)
    loud = rms_windows(samples, far_rate, 0.1) > TONE_RMS / 4  # within 12 dB of the tone
    quiet = rms_windows(samples, far_rate, 0.1) < TONE_RMS / 300  # 50 dB below it
    runs = "".join("T" if x else ("s" if q else "?") for x, q in zip(loud, quiet, strict=True))
    # tone (>= 0.8 s), then a muted stretch of silence (>= 1.2 s), then tone again.
    first = runs.find("T" * 8)
    gap = runs.find("s" * 12, first)
    again = runs.find("T" * 8, gap)
    assert 0 <= first < gap < again, runs


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_incoming_call_brings_the_window_forward_and_flashes_only_when_set(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    on: bool,
) -> None:
    alerts: list[object] = []
    monkeypatch.setattr(QApplication, "alert", lambda widget, msec=0: alerts.append(widget))
    rig = registered_rig(make_rig, kamailio)
    w = rig.window
    gui = rig.app.settings.model_copy(deep=True)
    gui.gui.activate_on_incoming_call = on
    gui.gui.flash_on_incoming_call = on
    rig.app.update_settings(gui).result(10)
    # Another window has the focus and ours is minimised, as when working in another app.
    other = QWidget()
    qtbot.addWidget(other)
    w.showMinimized()
    other.show()
    other.activateWindow()
    rig.wait(lambda: w.isMinimized() and QApplication.activeWindow() is other)
    far = far_phones(kamailio)
    far.dial(f"sip:1001@127.0.0.1:{kamailio.udp_port}")
    panel = w.call_panel
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    if on:
        rig.wait(lambda: not w.isMinimized() and QApplication.activeWindow() is w)
        assert alerts == [w]
    else:
        qtbot.wait(300)  # give a wrong activation the time to show
        assert w.isMinimized() and QApplication.activeWindow() is other
        assert alerts == []
    far.hangup()
    rig.wait(lambda: not panel.calls)


@pytest.mark.parametrize(
    ("from_name", "pai", "name", "number"),
    [
        ("Erika Mustermann", "", "Erika Mustermann", "0301000"),
        (
            "Trunk 7",
            'P-Asserted-Identity: "Max Muster" <sip:0307654@127.0.0.1>',
            "Max Muster",
            "0307654",
        ),
    ],
    ids=["from", "p-asserted-identity"],
)
def test_caller_id_of_an_incoming_call_is_shown(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    qtbot: Any,
    tmp_path: Path,
    from_name: str,
    pai: str,
    name: str,
    number: str,
) -> None:
    port = free_port("udp")
    rig = registered_rig(make_rig, kamailio, local_port=port)
    sipp = Sipp(
        SCENARIOS / "call_caller_id.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        remote=f"127.0.0.1:{port}",
        keys={
            "from_name": from_name,
            "from_user": "0301000",
            "pai_header": pai or "X-Caller-Note: no asserted identity",
        },
        extra_args=["-s", "1001"],
        workdir=tmp_path,
    )
    sipp.start()
    try:
        panel = rig.window.call_panel
        rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
        ringing = panel.incoming_widget(panel.calls[0].id)
        assert ringing is not None
        assert ringing.name_label.text() == name
        assert ringing.detail_label.text().startswith(f"{number}  ·  ")
        qtbot.mouseClick(ringing.reject_button, Qt.MouseButton.LeftButton)
        code = sipp.wait(timeout=30)
        assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"
    finally:
        sipp.stop()


def test_voicemail_button_dials_the_voicemail_extension(
    make_rig: Callable[..., GuiRig], qtbot: Any, tmp_path: Path
) -> None:
    """The INVITE that goes out when the status bar's voicemail button is pressed is for
    the account's voicemail extension at its server (SIPp plays the server)."""
    sipp = Sipp(
        SCENARIOS / "call_voicemail.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        calls=2,  # the REGISTER and the call
        workdir=tmp_path,
    )
    sipp.start()
    try:
        settings = Settings(
            accounts=[account(f"127.0.0.1:{sipp.local_port}", voicemail_extension="*98")]
        )
        rig = make_rig(settings, passwords={"office": PASSWORDS["1001"]})
        rig.start()
        rig.wait_registered()
        qtbot.mouseClick(rig.window.status.voicemail_button, Qt.MouseButton.LeftButton)
        code = sipp.wait(timeout=30)
        assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"
        assert f"INVITE sip:*98@127.0.0.1:{sipp.local_port} SIP/2.0" in sipp.messages()
    finally:
        sipp.stop()
