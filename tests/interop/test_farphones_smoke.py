"""The far phones of the call tests work on their own, without Parley.

baresip <-> baresip and linphonec <-> baresip through Kamailio (and directly):
calls come up, audio goes both ways and is recorded well enough to score, DTMF
arrives, hold and resume work, and a baresip far phone stays light on the CPU
(the paced speaker, not ALSA's busy-looping null device). A failure here means
the test rig is broken, not the softphone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audio_tools import pesq_score, read_wav, rms_windows, speech_wav
from peers.baresip import Baresip
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio
from peers.linphone import CONNECTED, ENDED, MEDIA_UP, PAUSED, Linphone

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}

# A loopback PCMU call scores close to the codec's offline ceiling (about 3.9);
# this floor only proves the rig delivers intelligible, aligned speech.
MIN_PESQ = 3.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _speech_seconds() -> float:
    samples, rate = read_wav(speech_wav(8000))
    return samples.size / rate


@pytest.fixture
def make_baresip(tmp_path: Path) -> Iterator[list[Baresip]]:
    started: list[Baresip] = []
    yield started
    for phone in started:
        phone.stop()


def _baresip(
    started: list[Baresip], tmp_path: Path, user: str, registrar: str | None, **kw: object
) -> Baresip:
    phone = Baresip(
        tmp_path / f"baresip-{user}",
        sip_port=free_port("both"),
        user=user,
        password=PASSWORDS.get(user),
        registrar=registrar,
        codecs=["PCMU/8000/1"],
        play_wav=speech_wav(8000),
        record_wav=tmp_path / f"heard-by-{user}.wav",
        **kw,  # type: ignore[arg-type]
    )
    started.append(phone)
    return phone.start()


def test_baresip_to_baresip_through_kamailio(
    kamailio: Kamailio, tmp_path: Path, make_baresip: list[Baresip]
) -> None:
    registrar = f"{kamailio.host}:{kamailio.udp_port}"
    caller = _baresip(make_baresip, tmp_path, "1001", registrar)
    callee = _baresip(make_baresip, tmp_path, "1002", registrar, auto_answer=True)
    assert kamailio.lookup("1002"), "the callee is not registered"

    caller.dial(f"sip:1002@{registrar}")
    caller.wait_call_state("CALL_ESTABLISHED", timeout=10)
    callee.wait_call_state("CALL_ESTABLISHED", timeout=10)
    assert caller.wait_audio(10) and callee.wait_audio(10)
    assert caller.process is not None and callee.process is not None
    cpu_before = _cpu_seconds(callee.process.pid or 0)
    wall_before = time.monotonic()

    time.sleep(_speech_seconds() + 0.5)  # let the whole sentence play both ways
    caller.send_dtmf("19#")
    assert callee.wait_event(
        lambda e: e.get("type") == "CALL_DTMF_END" and callee.dtmf_received() == "19#", 5
    ), f"DTMF received: {callee.dtmf_received()!r}"

    cpu = (_cpu_seconds(callee.process.pid or 0) - cpu_before) / (time.monotonic() - wall_before)
    mark = callee.mark()
    caller.hangup()
    callee.wait_call_state("CALL_CLOSED", timeout=10, since=mark)
    caller.stop()
    callee.stop()

    assert pesq_score(speech_wav(8000), tmp_path / "heard-by-1002.wav", "nb") >= MIN_PESQ
    assert pesq_score(speech_wav(8000), tmp_path / "heard-by-1001.wav", "nb") >= MIN_PESQ
    # A paced player: a far phone in a call uses a small part of one core.
    assert cpu < 0.5, f"baresip used {cpu:.0%} of a core during the call"


def test_baresip_direct_call_hold_and_resume(tmp_path: Path, make_baresip: list[Baresip]) -> None:
    caller = _baresip(make_baresip, tmp_path, "alice", None)
    callee = _baresip(make_baresip, tmp_path, "bob", None, auto_answer=True)

    caller.dial(callee.contact_uri)
    caller.wait_call_state("CALL_ESTABLISHED", timeout=10)
    callee.wait_call_state("CALL_ESTABLISHED", timeout=10)
    assert callee.wait_audio(10)
    time.sleep(2.0)

    mark = callee.mark()
    caller.hold()
    # The held side gets a re-INVITE (a=sendonly) and says so as a new remote SDP.
    callee.wait_call_state("CALL_REMOTE_SDP", timeout=5, since=mark)
    time.sleep(1.5)
    mark = callee.mark()
    caller.resume()
    callee.wait_call_state("CALL_REMOTE_SDP", timeout=5, since=mark)
    time.sleep(1.5)
    caller.hangup()
    callee.wait_call_state("CALL_CLOSED", timeout=10)
    callee.stop()

    assert callee.first_audio_at is not None
    samples, rate = read_wav(tmp_path / "heard-by-bob.wav")
    levels = rms_windows(samples, rate, 0.25)
    # Speech before the hold, near-silence while held, speech again after resume.
    assert levels[:8].max() > 500
    assert (levels < 50).sum() >= 3, "no silent stretch while the call was on hold"
    assert levels[-6:].max() > 500


@pytest.fixture
def linphone_1003(kamailio: Kamailio, tmp_path: Path) -> Iterator[Linphone]:
    phone = Linphone(
        tmp_path / "linphone-1003",
        sip_port=free_port("both"),
        user="1003",
        password=PASSWORDS["1003"],
        registrar=f"{kamailio.host}:{kamailio.udp_port}",
        codecs=["PCMU"],
        play_wav=speech_wav(8000),
        record_wav=tmp_path / "heard-by-1003.wav",
        auto_answer=True,
    )
    phone.start()
    try:
        yield phone
    finally:
        phone.stop()


def test_linphone_calls_baresip_through_kamailio(
    kamailio: Kamailio, linphone_1003: Linphone, tmp_path: Path, make_baresip: list[Baresip]
) -> None:
    registrar = f"{kamailio.host}:{kamailio.udp_port}"
    lp = linphone_1003
    bare = _baresip(make_baresip, tmp_path, "1002", registrar, auto_answer=True)
    assert kamailio.lookup("1003"), "linphonec did not register"

    lp.call(f"sip:1002@{registrar}")
    lp.wait_output(CONNECTED, timeout=10)
    lp.wait_output(MEDIA_UP, timeout=10)
    bare.wait_call_state("CALL_ESTABLISHED", timeout=10)
    assert bare.wait_audio(10)
    time.sleep(_speech_seconds() + 0.5)

    lp.send_dtmf("42")
    bare.send_dtmf("7*")
    assert bare.wait_event(
        lambda e: e.get("type") == "CALL_DTMF_END" and bare.dtmf_received() == "42", 5
    ), f"baresip received {bare.dtmf_received()!r}"
    assert wait_until(lambda: lp.tones_received() == "7*", timeout=5), lp.tones_received()

    mark = lp.mark()
    bare.hangup()
    lp.wait_output(ENDED, timeout=10, since=mark)
    bare.stop()

    assert pesq_score(speech_wav(8000), tmp_path / "heard-by-1002.wav", "nb") >= MIN_PESQ


def test_baresip_calls_linphone_with_hold(
    kamailio: Kamailio, linphone_1003: Linphone, tmp_path: Path, make_baresip: list[Baresip]
) -> None:
    registrar = f"{kamailio.host}:{kamailio.udp_port}"
    lp = linphone_1003
    bare = _baresip(make_baresip, tmp_path, "1001", registrar)

    bare.dial(f"sip:1003@{registrar}")
    bare.wait_call_state("CALL_ESTABLISHED", timeout=10)
    lp.wait_output(CONNECTED, timeout=10)
    time.sleep(_speech_seconds() + 0.5)

    mark = lp.mark()
    lp.pause()
    lp.wait_output(PAUSED, timeout=5, since=mark)
    mark = lp.mark()
    lp.resume()
    lp.wait_output(MEDIA_UP, timeout=5, since=mark)

    mark = lp.mark()
    lp.terminate()
    lp.wait_output(ENDED, timeout=10, since=mark)
    bare.wait_call_state("CALL_CLOSED", timeout=10)
    lp.stop()  # linphonec completes its recording when the call ends

    assert pesq_score(speech_wav(8000), tmp_path / "heard-by-1003.wav", "nb") >= MIN_PESQ
