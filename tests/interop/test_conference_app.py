"""The local conference through the Application's facades against real far phones:
recording the mix, our microphone's mute, `conference.add`, five parties, a participant
hanging up, call waiting during a conference and music on hold from a WAV file.

One Kamailio; Parley (1001) is an `Application` in this process whose microphone is a
WAV of a 2350 Hz tone and whose speaker is a WAV file; three baresips (1002, 1003, 1004)
and one linphonec (1005) each play a tone of their own and record what they hear; a
SIPp caller is the call that waits. The tones are chosen so that no second-order product
of two of them (sums, differences, 2f1 - f2) comes within 30 Hz of another tone, a
music-on-hold note or the call-waiting tone.

The tests run in order on these module-scoped peers, one conference reused by all:

1. 1002 and 1003 in a conference; the record button on one participant's call: the
   mono file holds all three tones; stereo on another participant's call while the
   first is muted: us left, the others right, the muted one's tone nowhere;
2. our microphone muted for the whole conference: the far phones no longer hear
   Parley, still each other;
3. `conference.add("1004")`: the new participant hears the others, they hear it;
4. `conference.add("1005")` (linphonec): five parties; when linphonec hangs up the
   others keep talking; linphonec's recording held everyone but itself;
5. a call comes in during the conference: Parley plays the call-waiting tone, the call
   is answered with `switch_to` and the conference is held (music on hold), then the
   conference comes back;
6. 1004, then 1003 hang up: the conference goes on, then dissolves into an ordinary
   call that still carries Parley's voice; a recording started on 1004's call goes on
   in the same file with 1002's;
7. music on hold from a WAV file on that single call; an unreadable file: PhoneError
   and silence.

What a far phone heard is cut from its recording between two file sizes taken during a
step (baresip's recording is written in real time) and judged by the power in narrow
bands, with wide margins (a loaded 2-core machine): a tone heard measures about -10 to
-23 dBFS there, one not heard below -55.
"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parley.app import Application
from parley.app.snapshots import CallInfo
from parley.media.engine import AudioConfig
from parley.media.tones import tone_spec
from parley.phone.events import (
    CallStateChanged,
    ConferenceChanged,
    PhoneError,
    PhoneEvent,
    RecordingChanged,
)
from parley.settings.model import AccountSettings, Settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.linphone import CONNECTED, ENDED, Linphone
from peers.sipp import SCENARIOS, Sipp
from tone_rig import (
    ABSENT_DB,
    MUSIC_NAMED,
    PRESENT_DB,
    Heard,
    band_db,
    listen,
    peak_db,
    tone_phone_options,
    tone_wav,
)

pytestmark = pytest.mark.interop

USERS = {f"100{n}": f"pass100{n}" for n in range(1, 6)}
PARLEY_HZ = 2350.0
TONE_HZ = {"1002": 1090.0, "1003": 520.0, "1004": 1470.0}
LINPHONE = "1005"
LINPHONE_HZ = 2030.0
MOH_FILE_HZ = 3260.0
WAITING_HZ = tone_spec("call_waiting", "europe").freqs[0]  # 425 Hz
WAIT = 30.0


NAMED = {
    "parley": PARLEY_HZ,
    **TONE_HZ,
    LINPHONE: LINPHONE_HZ,
    "mohfile": MOH_FILE_HZ,
    **MUSIC_NAMED,
}


def read_wav_file(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.reshape(-1, w.getnchannels()), w.getframerate()


@dataclass
class Rig:
    app: Application
    far: dict[str, Baresip]
    linphone: Linphone
    speaker: Path
    tmp: Path
    events: list[PhoneEvent] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)
    call_of: dict[str, int] = field(default_factory=dict)  # user -> Parley's call id
    seen: int = 0  # events before this index have been waited for

    def on_event(self, event: PhoneEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait(self, predicate: Callable[[PhoneEvent], bool], timeout: float = WAIT) -> Any:
        """The first event matching `predicate` among those not yet waited past."""

        def found() -> PhoneEvent | None:
            for i in range(self.seen, len(self.events)):
                if predicate(self.events[i]):
                    return self.events[i]
            return None

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, timeout)
            event = found()
            assert event is not None, f"no matching event; events: {self.events[-30:]}"
            return event

    def mark(self) -> None:
        """Wait only for events from now on."""
        with self.cond:
            self.seen = len(self.events)

    def listen(self, users: list[str] | None = None) -> dict[str, Heard]:
        """Wait for the step to settle, then what each far phone heard for LISTEN_S."""
        return listen({u: self.far[u] for u in users or list(self.far)}, NAMED)

    def speaker_size(self) -> int:
        return self.speaker.stat().st_size

    def speaker_since(self, size: int) -> np.ndarray:
        data = self.speaker.read_bytes()
        begin = max(size, 44)
        begin += begin % 2
        return np.frombuffer(data[begin : len(data) - (len(data) - begin) % 2], dtype="<i2")

    def change(self, section: str, **values: Any) -> None:
        """Change settings of one section while running."""
        s = self.app.settings
        new = s.model_copy(update={section: getattr(s, section).model_copy(update=values)})
        self.app.update_settings(new).result(WAIT)


def call_state(call: int, state: str) -> Callable[[PhoneEvent], bool]:
    return lambda e: isinstance(e, CallStateChanged) and e.call == call and e.state == state


def conference(calls: list[int] | None = None, **match: Any) -> Callable[[PhoneEvent], bool]:
    def predicate(e: PhoneEvent) -> bool:
        if not isinstance(e, ConferenceChanged):
            return False
        if calls is not None and sorted(e.calls) != sorted(calls):
            return False
        return all(getattr(e, k) == v for k, v in match.items())

    return predicate


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("conference-app")
    port = free_port("both")
    kam = Kamailio(tmp / "kamailio", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    kam.start()
    registrar = f"{kam.host}:{kam.udp_port}"
    phones: dict[str, Baresip] = {}
    lp: Linphone | None = None
    app: Application | None = None
    try:
        for user, freq in TONE_HZ.items():
            phone = Baresip(
                tmp / f"baresip-{user}",
                sip_port=free_port("both"),
                user=user,
                password=USERS[user],
                registrar=registrar,
                codecs=["PCMU/8000/1"],
                **tone_phone_options(tmp, user, freq, play_seconds=600.0),
            )
            phones[user] = phone
            phone.start(timeout=30)
        lp = Linphone(
            tmp / "linphonec",
            sip_port=free_port("both"),
            user=LINPHONE,
            password=USERS[LINPHONE],
            registrar=registrar,
            codecs=["PCMU"],
            play_wav=tone_wav(tmp / "tone-linphonec.wav", LINPHONE_HZ, seconds=300.0),
            record_wav=tmp / "heard-by-linphonec.wav",
            auto_answer=True,
        )
        lp.start(timeout=30)
        account = AccountSettings(
            name="office", domain=registrar, username="1001", transport="udp", codecs=["pcmu"]
        )
        settings = Settings(
            accounts=[account],
            functions={
                "allow_direct_calls": True,  # the SIPp caller calls us directly
                "recording_dir": str(tmp / "recordings"),
                "recording_name": "conference_{number}_{recording_part}",
            },
            media={"music_on_hold": "builtin", "call_waiting": True, "tone_region": "europe"},
        )
        speaker = tmp / "parley-speaker.wav"
        app = Application(
            settings=settings,
            passwords={"office": USERS["1001"]},
            use_keyring=False,
            data_dir=tmp / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(
                input=f"file:{tone_wav(tmp / 'tone-parley.wav', PARLEY_HZ)}",
                output=f"file:{speaker}",
                tone_region="europe",
            ),
        )
        r = Rig(app, phones, lp, speaker, tmp)
        app.subscribe(r.on_event)
        app.start().result(WAIT)
        deadline = time.monotonic() + WAIT
        while app.accounts()[0].state != "registered":
            assert time.monotonic() < deadline, app.accounts()
            time.sleep(0.1)
        yield r
    finally:
        if app is not None:
            app.stop()
        if lp is not None:
            lp.stop()
        for phone in phones.values():
            phone.stop()
        kam.close()


def dial(rig: Rig, user: str) -> int:
    info: CallInfo = rig.app.dial(user).result(WAIT)
    rig.wait(call_state(info.id, "connected"))
    rig.far[user].wait_call_state("CALL_ESTABLISHED", timeout=WAIT)
    assert rig.far[user].wait_audio(20), f"{user} heard nothing"
    rig.call_of[user] = info.id
    return info.id


def check_mix(heard: dict[str, Heard], tones: dict[str, float], parley: bool = True) -> None:
    """Each far phone hears every other tone (and Parley's when `parley`), not its own."""
    for user, h in heard.items():
        assert h.hears(PARLEY_HZ) if parley else h.silent_at(PARLEY_HZ), (user, h.levels())
        assert h.silent_at(tones[user]), (user, h.levels())
        for other, freq in tones.items():
            if other != user:
                assert h.hears(freq), (user, other, h.levels())
        assert h.no_music(), (user, h.levels())


def record(rig: Rig, call: int, seconds: float) -> tuple[np.ndarray, int]:
    """Record `call` for `seconds` with the record button; the file's samples (without
    the first second: the wiring settles) and its rate."""
    rig.mark()
    path = rig.app.recordings.set(call, True).result(WAIT)
    assert path is not None
    rig.wait(lambda e: isinstance(e, RecordingChanged) and e.state == "started")
    time.sleep(seconds)
    rig.app.recordings.set(call, False).result(WAIT)
    rig.wait(lambda e: isinstance(e, RecordingChanged) and e.state == "stopped")
    samples, rate = read_wav_file(Path(path))
    assert samples.shape[0] > (seconds - 1.0) * rate, samples.shape
    return samples[rate:], rate


def test_recording_a_participants_call_records_the_mix(rig: Rig) -> None:
    a, b = dial(rig, "1002"), dial(rig, "1003")
    rig.app.conference.join(None).result(WAIT)
    rig.wait(conference([a, b]))
    check_mix(rig.listen(["1002", "1003"]), {u: TONE_HZ[u] for u in ("1002", "1003")})

    mono, rate = record(rig, a, 4.0)
    levels = {k: round(band_db(mono[:, 0], rate, f), 1) for k, f in NAMED.items()}
    print("mono recording of call", a, levels)
    for freq in (PARLEY_HZ, TONE_HZ["1002"], TONE_HZ["1003"]):
        assert band_db(mono[:, 0], rate, freq) > PRESENT_DB, (freq, levels)

    # Stereo, on the other participant's call, while the first is muted in the mix.
    rig.change("functions", recording_channels="stereo")
    rig.app.conference.mute_participant(a, True).result(WAIT)
    rig.wait(conference(muted=(a,)))
    stereo, rate = record(rig, b, 4.0)
    left, right = stereo[:, 0], stereo[:, 1]
    print("stereo left", {k: round(band_db(left, rate, f), 1) for k, f in NAMED.items()})
    print("stereo right", {k: round(band_db(right, rate, f), 1) for k, f in NAMED.items()})
    assert band_db(left, rate, PARLEY_HZ) > PRESENT_DB
    assert band_db(right, rate, PARLEY_HZ) < ABSENT_DB
    assert band_db(right, rate, TONE_HZ["1003"]) > PRESENT_DB
    assert band_db(left, rate, TONE_HZ["1003"]) < ABSENT_DB
    for side in (left, right):  # the muted participant is in no part of the recording
        assert band_db(side, rate, TONE_HZ["1002"]) < ABSENT_DB

    rig.app.conference.mute_participant(a, False).result(WAIT)
    rig.wait(conference(muted=()))


def test_our_microphone_mute_of_the_whole_conference(rig: Rig) -> None:
    rig.app.mute(True).result(WAIT)
    tones = {u: TONE_HZ[u] for u in ("1002", "1003")}
    check_mix(rig.listen(["1002", "1003"]), tones, parley=False)
    rig.app.mute(False).result(WAIT)
    check_mix(rig.listen(["1002", "1003"]), tones)


def test_add_dials_a_participant_who_joins_when_answered(rig: Rig) -> None:
    rig.mark()
    info = rig.app.conference.add("1004").result(WAIT)
    rig.call_of["1004"] = info.id
    rig.wait(conference([rig.call_of[u] for u in ("1002", "1003", "1004")]))
    assert sorted(rig.app.conference.calls()) == sorted(rig.call_of.values())
    check_mix(rig.listen(), TONE_HZ)


def test_five_parties_with_linphonec_and_one_hanging_up(rig: Rig) -> None:
    rig.mark()
    info = rig.app.conference.add(LINPHONE).result(WAIT)
    rig.linphone.wait_output(CONNECTED, timeout=WAIT)
    five = [*rig.call_of.values(), info.id]
    rig.wait(conference(five))
    check_mix(rig.listen(), {**TONE_HZ, LINPHONE: LINPHONE_HZ})

    # linphonec hangs up: the other four go on, and it is gone from the mix.
    rig.mark()
    mark = rig.linphone.mark()
    rig.linphone.terminate()
    rig.linphone.wait_output(ENDED, timeout=WAIT, since=mark)
    rig.wait(call_state(info.id, "ended"))
    rig.wait(conference(list(rig.call_of.values())))
    heard = rig.listen()
    check_mix(heard, TONE_HZ)
    for user, h in heard.items():
        assert h.silent_at(LINPHONE_HZ), (user, h.levels())

    # What linphonec heard in its part of the conference: everyone but itself.
    rig.linphone.stop()  # completes its recording
    assert rig.linphone.record_wav is not None
    samples, rate = read_wav_file(rig.linphone.record_wav)
    lp = Heard(LINPHONE, samples[:, 0], rate, NAMED)
    print("linphonec heard", lp.levels())
    for freq in (PARLEY_HZ, *TONE_HZ.values()):
        assert lp.hears(freq), (freq, lp.levels())
    assert lp.silent_at(LINPHONE_HZ), lp.levels()


def test_call_waiting_during_the_conference(rig: Rig) -> None:
    before = rig.speaker_since(max(rig.speaker_size() - 2 * 48000 * 2, 44))
    # Before the call: no waiting tone. The speaker plays the conference, whose 440 Hz
    # (1002's tone) leaves about -45 dBFS at 425 Hz when a loaded machine conceals a
    # packet: "not there" is judged against the level that says "there" below.
    assert peak_db(before, 48000, WAITING_HZ) < PRESENT_DB, "a waiting tone before any call"
    rig.mark()
    port = rig.app.phone.sip_ports[0] if rig.app.phone else 0
    sipp = Sipp(
        SCENARIOS / "call_answered.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        remote=f"127.0.0.1:{port}",
        extra_args=["-s", "1001"],
        workdir=rig.tmp,
    ).start()
    try:
        size = rig.speaker_size()
        ringing = rig.wait(
            lambda e: isinstance(e, CallStateChanged) and e.state == "incoming", timeout=WAIT
        )
        time.sleep(1.5)
        tone = peak_db(rig.speaker_since(size), 48000, WAITING_HZ)
        print(f"call-waiting tone at {WAITING_HZ} Hz: {tone:.1f} dBFS")
        assert tone > PRESENT_DB, tone
        assert sorted(rig.app.conference.calls()) == sorted(rig.call_of.values())

        # Accepted as the call window does it: the conference is held first.
        rig.app.switch_to(ringing.call).result(WAIT)
        rig.wait(call_state(ringing.call, "connected"))
        rig.wait(conference(held=True))
        for user, h in rig.listen().items():
            assert h.hears_music(), (user, h.levels())
            assert h.silent_at(PARLEY_HZ), (user, h.levels())
            for other, freq in TONE_HZ.items():
                assert h.silent_at(freq), (user, other, h.levels())

        rig.app.hangup(ringing.call).result(WAIT)
        assert sipp.wait(WAIT) == 0, sipp.errors()
    finally:
        sipp.stop()
    rig.app.switch_to(rig.call_of["1002"]).result(WAIT)
    rig.wait(conference(held=False))
    check_mix(rig.listen(), TONE_HZ)


def test_participants_hang_up_until_the_conference_dissolves(rig: Rig) -> None:
    """Also: a recording of the conference outlives the recorded participant's call."""
    started = time.monotonic()
    rig.mark()
    path = rig.app.recordings.set(rig.call_of["1004"], True).result(WAIT)
    rig.wait(lambda e: isinstance(e, RecordingChanged) and e.state == "started")
    time.sleep(1.5)
    rig.mark()
    rig.far["1004"].hangup()
    rig.wait(call_state(rig.call_of.pop("1004"), "ended"))
    rig.wait(conference(list(rig.call_of.values())))
    moved = rig.wait(lambda e: isinstance(e, RecordingChanged) and e.file == path)
    assert moved.state == "started" and moved.call == rig.call_of["1002"], moved
    tones = {u: TONE_HZ[u] for u in ("1002", "1003")}
    check_mix(rig.listen(["1002", "1003"]), tones)

    # A three-way conference loses one: an ordinary call with the other remains.
    rig.mark()
    rig.far["1003"].hangup()
    rig.wait(call_state(rig.call_of.pop("1003"), "ended"))
    rig.wait(conference([]))
    assert rig.app.conference.calls() == []
    h = rig.listen(["1002"])["1002"]
    assert h.hears(PARLEY_HZ), h.levels()
    assert h.silent_at(TONE_HZ["1003"]) and h.no_music(), h.levels()

    # One file from 1004's hang-up to now (stereo since the first test: us left).
    call = rig.call_of["1002"]
    assert rig.app.recordings.active(call)
    rig.mark()
    rig.app.recordings.set(call, False).result(WAIT)
    rig.wait(lambda e: isinstance(e, RecordingChanged) and e.state == "stopped")
    samples, rate = read_wav_file(Path(path))
    assert samples.shape[0] > (time.monotonic() - started - 1.5) * rate, samples.shape
    first, last = samples[rate // 4 : rate * 5 // 4], samples[-2 * rate :]
    assert band_db(first[:, 1], rate, TONE_HZ["1004"]) > PRESENT_DB
    assert band_db(last[:, 0], rate, PARLEY_HZ) > PRESENT_DB
    assert band_db(last[:, 1], rate, TONE_HZ["1002"]) > PRESENT_DB
    for gone in (TONE_HZ["1003"], TONE_HZ["1004"]):
        assert band_db(last[:, 1], rate, gone) < ABSENT_DB


def test_music_on_hold_from_a_wav_file_and_an_unreadable_one(rig: Rig) -> None:
    call = rig.call_of["1002"]
    music = tone_wav(rig.tmp / "music.wav", MOH_FILE_HZ, seconds=5.0, rate=16000)
    rig.change("media", music_on_hold="file", music_on_hold_file=str(music))
    rig.mark()
    rig.app.hold(call).result(WAIT)
    rig.wait(call_state(call, "held"))
    h = rig.listen(["1002"])["1002"]
    assert h.hears(MOH_FILE_HZ), h.levels()
    assert h.silent_at(PARLEY_HZ) and h.no_music(), h.levels()
    rig.app.resume(call).result(WAIT)
    rig.wait(call_state(call, "connected"))

    broken = rig.tmp / "broken.wav"
    broken.write_bytes(b"RIFF but not a WAV file at all")
    rig.change("media", music_on_hold_file=str(broken))
    rig.mark()
    rig.app.hold(call).result(WAIT)
    error = rig.wait(lambda e: isinstance(e, PhoneError) and "Music on hold" in e.text)
    assert str(broken) in error.text, error
    h = rig.listen(["1002"])["1002"]
    assert h.silent_at(MOH_FILE_HZ) and h.silent_at(PARLEY_HZ) and h.no_music(), h.levels()
    rig.app.hangup(call).result(WAIT)
    rig.wait(call_state(call, "ended"))
    rig.far["1002"].wait_call_state("CALL_CLOSED", timeout=WAIT)
