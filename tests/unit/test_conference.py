"""The local conference's wiring in a real audio bridge, and music on hold.

Calls are stand-ins with the attributes the conference uses; their audio is a real
`CallMedia` in a real `MediaEngine` bridge, whose ports each play a tone of their own
and keep what they are given. The bridge is ticked by hand, and what each port heard
is judged by the power at each tone's frequency.
"""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from audio_tools import write_wav
from parley.media.engine import AudioConfig, CallMedia, MediaEngine
from parley.media.music import MELODY_NOTES, MUSIC_RATE, melody
from parley.media.ports import Port
from parley.media.recording import RECORDING_RATE, CallRecorder
from parley.phone.conference import Conference, ConferenceContext, ConferenceError
from parley.phone.events import ConferenceChanged, PhoneEvent

RATE = 8000
DEVICE_HZ = 2350.0
CALL_HZ = (440.0, 1090.0, 1600.0, 1850.0, 2900.0)


class ToneTap(Port):
    """Plays a tone (None: nothing) and keeps every frame it is given."""

    def __init__(self, name: str, freq: float | None, rate: int = RATE) -> None:
        super().__init__(name, rate)
        self.freq = freq
        self._n = 0
        self.heard: list[np.ndarray] = []

    def get_frame(self) -> np.ndarray | None:
        if self.freq is None:
            return None
        n = self.samples_per_frame
        t = (self._n + np.arange(n)) / self.sample_rate
        self._n += n
        return (0.2 * 32767 * np.sin(2 * np.pi * self.freq * t)).astype(np.int16)

    def put_frame(self, frame: np.ndarray) -> None:
        self.heard.append(frame.copy())

    def take(self) -> np.ndarray:
        out = np.concatenate(self.heard) if self.heard else np.zeros(0, dtype=np.int16)
        self.heard.clear()
        return out


def level_db(samples: np.ndarray, rate: int, freq: float) -> float:
    """Power within 20 Hz of `freq`, dB relative to a full-scale sine."""
    if samples.size < rate // 4:
        return -200.0
    chunk = samples[-(rate // 2) :].astype(np.float64) / 32768.0
    window = np.hanning(chunk.size)
    spectrum = np.abs(np.fft.rfft(chunk * window)) ** 2
    freqs = np.fft.rfftfreq(chunk.size, 1.0 / rate)
    band = (freqs >= freq - 20) & (freqs <= freq + 20)
    return float(10 * np.log10(max(spectrum[band].sum() / (window.sum() / 2) ** 2, 1e-20)))


class FakeCall:
    """What the conference uses of a `Call`."""

    def __init__(self, call_id: int, engine: MediaEngine, freq: float) -> None:
        self.id = call_id
        self.ended = False
        self.state = "connected"
        self.held_by_us = False
        self.muted = False
        self.tap = ToneTap(f"call {call_id}", freq)
        self.media: CallMedia | None = engine.add_call(self.tap, f"call {call_id}")
        self.media.connect()
        self.audio_hook: Callable[[FakeCall], None] | None = None
        self.holds = 0

    def _changed(self) -> None:
        if self.audio_hook is not None:
            self.audio_hook(self)
        else:
            self.wire_audio()

    def wire_audio(self) -> None:
        assert self.media is not None
        if self.held_by_us:
            self.media.disconnect()
        else:
            self.media.connect()

    def set_mute(self, muted: bool) -> None:
        self.muted = muted
        self._changed()

    def hold(self) -> None:
        if not self.held_by_us:
            self.holds += 1
            self.held_by_us = True
            self._changed()

    def resume(self) -> None:
        if self.held_by_us:
            self.held_by_us = False
            self._changed()

    def hangup(self) -> None:
        self.ended = True
        self.state = "ended"


class Rig:
    def __init__(self, count: int) -> None:
        self.engine = MediaEngine(AudioConfig())
        self.device = ToneTap("device", DEVICE_HZ, 48000)
        self.engine.bridge.replace_port(self.engine.device_slot, self.device)
        self.calls = [FakeCall(i + 1, self.engine, CALL_HZ[i]) for i in range(count)]
        self.events: list[PhoneEvent] = []

        async def no_dial(target: str, account: str | None) -> FakeCall:
            raise AssertionError("no dialling here")

        self.conference = self.make_conference(no_dial)

    def make_conference(self, dial: Callable[[str, str | None], Awaitable[FakeCall]]) -> Conference:
        """A conference on this rig's engine and calls that dials with `dial`."""
        return Conference(
            ConferenceContext(
                emit=self.events.append,
                media=lambda: self.engine,
                calls=lambda: list(self.calls),  # type: ignore[arg-type]
                dial=dial,  # type: ignore[arg-type]
            )
        )

    def run(self, ticks: int = 40) -> dict[str, np.ndarray]:
        for tap in [self.device, *(c.tap for c in self.calls)]:
            tap.heard.clear()
        for _ in range(ticks):
            self.engine.bridge.tick()
        heard = {f"call {c.id}": c.tap.take() for c in self.calls}
        heard["device"] = self.device.take()
        return heard

    def hears(self, heard: dict[str, np.ndarray], who: str, freq: float) -> bool:
        rate = 48000 if who == "device" else RATE
        return level_db(heard[who], rate, freq) > -30

    def silent(self, heard: dict[str, np.ndarray], who: str, freq: float) -> bool:
        rate = 48000 if who == "device" else RATE
        return level_db(heard[who], rate, freq) < -60

    def last_event(self) -> ConferenceChanged:
        changes = [e for e in self.events if isinstance(e, ConferenceChanged)]
        return changes[-1]


@pytest.fixture
def rig3() -> Iterator[Rig]:
    r = Rig(3)
    yield r
    r.engine.stop()


def check_mix(rig: Rig, heard: dict[str, np.ndarray], mix: list[FakeCall]) -> None:
    """Each call in `mix` hears the others and the device, not itself; the device hears
    them all."""
    for c in mix:
        who = f"call {c.id}"
        assert rig.hears(heard, who, DEVICE_HZ), who
        assert rig.silent(heard, who, c.tap.freq or 0), who
        for other in mix:
            if other is not c:
                assert rig.hears(heard, who, other.tap.freq or 0), (who, other.id)
        assert rig.hears(heard, "device", c.tap.freq or 0), c.id


def test_before_a_conference_each_call_hears_only_the_device(rig3: Rig) -> None:
    heard = rig3.run()
    b = rig3.calls[1]
    assert rig3.hears(heard, "call 1", DEVICE_HZ)
    assert rig3.silent(heard, "call 1", b.tap.freq or 0)


def test_join_all_mixes_everyone_but_themselves_and_resumes_held_calls(rig3: Rig) -> None:
    rig3.calls[2].hold()
    rig3.conference.join()
    assert not rig3.calls[2].held_by_us
    check_mix(rig3, rig3.run(), rig3.calls)
    assert rig3.last_event() == ConferenceChanged(calls=(1, 2, 3))
    assert rig3.conference.slots()[0] == rig3.engine.device_slot
    assert len(rig3.conference.slots()) == 4


def test_five_participants(rig3: Rig) -> None:
    rig = Rig(5)
    try:
        rig.conference.join([rig.calls[0], rig.calls[1]])
        rig.conference.join(rig.calls[2:])
        check_mix(rig, rig.run(), rig.calls)
        assert rig.conference.calls == (1, 2, 3, 4, 5)
    finally:
        rig.engine.stop()


def test_participant_mute_takes_only_its_voice_out(rig3: Rig) -> None:
    a, b, c = rig3.calls
    rig3.conference.join()
    rig3.conference.mute_participant(a, True)
    heard = rig3.run()
    for who in ("call 2", "call 3", "device"):
        assert rig3.silent(heard, who, a.tap.freq or 0), who
    assert rig3.hears(heard, "call 1", DEVICE_HZ)
    assert rig3.hears(heard, "call 1", b.tap.freq or 0)
    assert rig3.hears(heard, "call 2", c.tap.freq or 0)
    assert rig3.last_event().muted == (1,)
    assert a.media is not None and a.media.slot not in rig3.conference.slots()
    rig3.conference.mute_participant(a, False)
    check_mix(rig3, rig3.run(), rig3.calls)


def test_our_microphone_mute_keeps_the_participants_hearing_each_other(rig3: Rig) -> None:
    rig3.conference.join()
    for c in rig3.calls:
        c.set_mute(True)
    heard = rig3.run()
    a, b = rig3.calls[0], rig3.calls[1]
    assert rig3.silent(heard, "call 1", DEVICE_HZ)
    assert rig3.hears(heard, "call 1", b.tap.freq or 0)
    assert rig3.hears(heard, "device", a.tap.freq or 0)


def test_participant_hold_takes_it_out_and_resume_brings_it_back(rig3: Rig) -> None:
    a, b, c = rig3.calls
    rig3.conference.join()
    a.hold()
    heard = rig3.run()
    assert rig3.silent(heard, "call 2", a.tap.freq or 0)
    assert rig3.silent(heard, "call 1", b.tap.freq or 0)
    assert rig3.silent(heard, "call 1", DEVICE_HZ)
    check_mix(rig3, heard, [b, c])
    a.resume()
    check_mix(rig3, rig3.run(), rig3.calls)


def test_whole_hold_holds_everyone_and_resume_brings_all_back(rig3: Rig) -> None:
    rig3.conference.join()
    rig3.conference.hold(True)
    assert all(c.held_by_us for c in rig3.calls)
    assert rig3.last_event().held
    heard = rig3.run()
    assert rig3.silent(heard, "call 1", DEVICE_HZ)
    assert rig3.silent(heard, "device", CALL_HZ[0])
    rig3.conference.hold(False)
    assert not rig3.last_event().held
    check_mix(rig3, rig3.run(), rig3.calls)


def test_split_holds_the_call_and_the_rest_goes_on(rig3: Rig) -> None:
    a, b, c = rig3.calls
    rig3.conference.join()
    rig3.conference.split(a)
    assert a.held_by_us and a.audio_hook is None
    assert rig3.conference.calls == (2, 3)
    heard = rig3.run()
    assert rig3.silent(heard, "call 1", DEVICE_HZ)
    check_mix(rig3, heard, [b, c])


def test_one_left_dissolves_into_an_ordinary_call(rig3: Rig) -> None:
    a, b, c = rig3.calls
    rig3.conference.join([a, b])
    b.hangup()
    assert b.media is not None
    b.media.close()
    rig3.conference.call_ended(b)  # type: ignore[arg-type]
    assert rig3.conference.calls == ()
    assert rig3.last_event() == ConferenceChanged(calls=())
    assert a.audio_hook is None
    heard = rig3.run()
    assert rig3.hears(heard, "call 1", DEVICE_HZ)
    assert rig3.hears(heard, "device", a.tap.freq or 0)
    assert rig3.silent(heard, "call 1", c.tap.freq or 0)


def test_end_hangs_up_everyone(rig3: Rig) -> None:
    rig3.conference.join()
    rig3.conference.end()
    assert all(c.ended for c in rig3.calls)
    assert rig3.conference.calls == ()
    with pytest.raises(ConferenceError):
        rig3.conference.hold(True)


def test_a_conference_needs_two_connected_calls(rig3: Rig) -> None:
    with pytest.raises(ConferenceError):
        rig3.conference.join([rig3.calls[0]])
    rig3.calls[1].state = "incoming"
    with pytest.raises(ConferenceError):
        rig3.conference.join([rig3.calls[0], rig3.calls[1]])


def test_query_call_holds_the_active_calls_and_the_conference(rig3: Rig) -> None:
    a, b, c = rig3.calls
    rig3.conference.join([a, b])
    rig3.conference.hold_active(keep=None)
    assert a.held_by_us and b.held_by_us and c.held_by_us
    assert rig3.last_event().held


# ---------------------------------------------------------------------- music on hold


@pytest.fixture
def engine() -> Iterator[tuple[MediaEngine, list[str]]]:
    said: list[str] = []
    e = MediaEngine(AudioConfig(), lambda notice: said.append(str(notice)))
    yield e, said
    e.stop()


def music_heard(e: MediaEngine, media: CallMedia, tap: ToneTap, seconds: float = 2.0) -> np.ndarray:
    tap.heard.clear()
    for _ in range(int(seconds * 50)):
        e.bridge.tick()
    return tap.take()


def test_builtin_music_reaches_a_held_call_and_stops(
    engine: tuple[MediaEngine, list[str]],
) -> None:
    e, said = engine
    tap = ToneTap("held", None)
    media = e.add_call(tap, "held")
    e.hold_music(media, "builtin")
    heard = music_heard(e, media, tap, 1.6)  # one round of the melody: every note
    whole = heard.astype(np.float64)
    for note in MELODY_NOTES:
        spectrum = np.abs(np.fft.rfft(whole * np.hanning(whole.size))) ** 2
        freqs = np.fft.rfftfreq(whole.size, 1.0 / RATE)
        band = spectrum[(freqs > note - 15) & (freqs < note + 15)].sum()
        assert band > 1e-3 * spectrum.sum(), note
    e.hold_music(media, "off")
    assert np.abs(music_heard(e, media, tap, 0.2)).max(initial=0) == 0
    assert len(e.bridge.slots) == 3  # device, call, its DTMF: the music port is gone
    assert said == []


def test_two_held_calls_share_one_music_port(engine: tuple[MediaEngine, list[str]]) -> None:
    e, _ = engine
    one, two = ToneTap("one", None), ToneTap("two", None)
    m1, m2 = e.add_call(one, "one"), e.add_call(two, "two")
    before = len(e.bridge.slots)
    e.hold_music(m1, "builtin")
    e.hold_music(m2, "builtin")
    assert len(e.bridge.slots) == before + 1
    m1.close()
    assert len(e.bridge.slots) == before - 1  # m1's two slots gone; the music plays for m2
    assert e.bridge.find(two) is not None
    e.hold_music(m2, "off")
    assert len(e.bridge.slots) == before - 2  # nobody hears it: the music port is gone


def test_music_from_a_wav_file(engine: tuple[MediaEngine, list[str]], tmp_path: Path) -> None:
    e, said = engine
    t = np.arange(MUSIC_RATE * 2) / MUSIC_RATE
    wav = write_wav(tmp_path / "moh.wav", 8000 * np.sin(2 * np.pi * 700 * t), MUSIC_RATE)
    tap = ToneTap("held", None)
    media = e.add_call(tap, "held")
    e.hold_music(media, "file", wav)
    heard = music_heard(e, media, tap)
    assert level_db(heard, RATE, 700) > -30
    assert said == []


@pytest.mark.parametrize("content", [None, b"not a wav at all", b""])
def test_an_unreadable_music_file_is_said_once_and_gives_silence(
    engine: tuple[MediaEngine, list[str]], tmp_path: Path, content: bytes | None
) -> None:
    e, said = engine
    path = tmp_path / "moh.wav"
    if content is not None:
        path.write_bytes(content)
    tap = ToneTap("held", None)
    media = e.add_call(tap, "held")
    before = len(e.bridge.slots)
    e.hold_music(media, "file", path)
    e.hold_music(media, "file", path)
    assert len(said) == 1 and "Music on hold" in said[0] and str(path) in said[0], said
    assert len(e.bridge.slots) == before
    heard = music_heard(e, media, tap, 0.4)
    assert np.abs(heard).max(initial=0) == 0


def test_music_off_plays_nothing(engine: tuple[MediaEngine, list[str]]) -> None:
    e, said = engine
    tap = ToneTap("held", None)
    media = e.add_call(tap, "held")
    before = len(e.bridge.slots)
    e.hold_music(media, "off")
    assert len(e.bridge.slots) == before and said == []


def test_the_melody_is_our_own_sines() -> None:
    round_ = melody()
    assert round_.dtype == np.int16 and 1.0 < round_.size / MUSIC_RATE < 3.0
    assert np.abs(round_).max() < 32767 * 0.2


def test_pending_join_runs_on_the_loop() -> None:
    """A dialled participant joins on the loop turn after it is answered."""
    rig = Rig(2)
    try:
        b = rig.calls[1]

        async def scenario() -> None:
            async def dial(target: str, account: str | None) -> FakeCall:
                b.state = "dialing"
                return b

            rig.conference = rig.make_conference(dial)
            await rig.conference.add("1003")
            assert rig.conference.calls == ()
            b.state = "connected"
            assert b.audio_hook is not None
            b.audio_hook(b)
            await asyncio.sleep(0)
            assert rig.conference.calls == (1, 2)

        asyncio.run(scenario())
        check_mix(rig, rig.run(), rig.calls)
    finally:
        rig.engine.stop()


# ---------------------------------------------------------------------- recording the mix


def record_mix(rig: Rig, call: FakeCall, path: Path, channels: str) -> CallRecorder:
    """A recorder of `call` wired as `parley.phone.recording` wires it with the phone's
    conference hooks (near: our microphone while the mix hears us; far: the mix)."""
    recorder = CallRecorder(rig.engine.bridge, path, channels=channels)  # type: ignore[arg-type]
    rewire_recorder(rig, call, recorder)
    return recorder


def rewire_recorder(rig: Rig, call: FakeCall, recorder: CallRecorder) -> None:
    near = rig.conference.recorded_near(call)  # type: ignore[arg-type]
    far = rig.conference.recorded_far(call)  # type: ignore[arg-type]
    assert near is not None and far is not None
    recorder.set_near([rig.engine.device_slot], 1.0 if near else 0.0)
    recorder.set_far(far)


def recorded(recorder: CallRecorder) -> np.ndarray:
    recorder.close().result(10)
    with wave.open(str(recorder.path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.reshape(-1, w.getnchannels())


def test_a_participants_recording_holds_the_whole_mix(rig3: Rig, tmp_path: Path) -> None:
    a, b, _ = rig3.calls
    assert rig3.conference.recorded_far(a) is None  # type: ignore[arg-type]
    rig3.conference.join()
    mono = record_mix(rig3, a, tmp_path / "mono.wav", "mono")
    stereo = record_mix(rig3, b, tmp_path / "stereo.wav", "stereo")
    rig3.run(40)
    one, two = recorded(mono)[:, 0], recorded(stereo)
    rate = RECORDING_RATE
    for freq in (DEVICE_HZ, *(x.tap.freq or 0 for x in rig3.calls)):
        assert level_db(one, rate, freq) > -30, freq
    assert level_db(two[:, 0], rate, DEVICE_HZ) > -30
    for x in rig3.calls:  # every participant on the right, none on the left
        assert level_db(two[:, 1], rate, x.tap.freq or 0) > -30, x.id
        assert level_db(two[:, 0], rate, x.tap.freq or 0) < -60, x.id
    assert level_db(two[:, 1], rate, DEVICE_HZ) < -60


def test_a_muted_or_held_participant_leaves_the_recording(rig3: Rig, tmp_path: Path) -> None:
    a, b, c = rig3.calls
    rig3.conference.join()
    recorder = record_mix(rig3, a, tmp_path / "mix.wav", "mono")
    rig3.conference.mute_participant(b, True)
    c.hold()  # held on its own: out of the mix, while the rest goes on
    rewire_recorder(rig3, a, recorder)
    rig3.run(40)
    mix = recorded(recorder)[:, 0]
    assert level_db(mix, RECORDING_RATE, a.tap.freq or 0) > -30
    assert level_db(mix, RECORDING_RATE, DEVICE_HZ) > -30
    assert level_db(mix, RECORDING_RATE, b.tap.freq or 0) < -60
    assert level_db(mix, RECORDING_RATE, c.tap.freq or 0) < -60


def test_our_mute_and_the_whole_hold_silence_our_side_of_the_recording(rig3: Rig) -> None:
    a = rig3.calls[0]
    rig3.conference.join()
    assert rig3.conference.recorded_near(a) is True  # type: ignore[arg-type]
    a.hold()  # the recorded call held on its own: the others still hear us
    assert rig3.conference.recorded_near(a) is True  # type: ignore[arg-type]
    for c in rig3.calls:
        c.set_mute(True)
    assert rig3.conference.recorded_near(a) is False  # type: ignore[arg-type]
    for c in rig3.calls:
        c.set_mute(False)
    rig3.conference.hold(True)
    assert rig3.conference.recorded_near(a) is False  # type: ignore[arg-type]
    assert rig3.conference.recorded_far(a) == []  # type: ignore[arg-type]


def test_a_recording_of_the_conference_passes_to_a_participant_still_up(rig3: Rig) -> None:
    a, b, c = rig3.calls
    assert rig3.conference.recording_heir(a) is None  # type: ignore[arg-type]
    rig3.conference.join()
    b.hangup()  # ended, not yet gone from the conference: a is the heir, never b
    assert rig3.conference.recording_heir(c) is a  # type: ignore[arg-type]
    assert rig3.conference.recording_heir(a) is c  # type: ignore[arg-type]


async def add_while_ringing(rig: Rig, a: FakeCall, b: FakeCall) -> None:
    """Our outgoing call `a` still rings; `b` is dialled by `conference.add` to join it."""
    for call in (a, b):
        call.direction = "outgoing"  # type: ignore[attr-defined]
    a.state = "ringing"
    dialled: list[FakeCall] = []

    async def dial(target: str, account: str | None) -> FakeCall:
        b.state = "dialing"
        dialled.append(b)
        return b

    rig.conference = Conference(
        ConferenceContext(
            emit=rig.events.append,
            media=lambda: rig.engine,
            calls=lambda: [a, *dialled],  # type: ignore[arg-type]
            dial=dial,  # type: ignore[arg-type]
        )
    )
    await rig.conference.add("1003")


def test_a_conference_started_while_our_call_rings_waits_for_every_answer() -> None:
    """Our call to A still rings when B is added: both are participants to be. B answers
    first: we talk to B, no conference is reported; A answers: both join, reported once."""
    rig = Rig(2)
    try:
        a, b = rig.calls

        async def scenario() -> None:
            await add_while_ringing(rig, a, b)
            assert a.audio_hook is not None and b.audio_hook is not None
            b.state = "connected"
            b.audio_hook(b)
            await asyncio.sleep(0)
            assert rig.conference.calls == () and not rig.events  # not set up yet
            assert b.media is not None  # we talk to B meanwhile
            assert rig.engine.bridge.is_connected(rig.engine.device_slot, b.media.slot)
            assert rig.engine.bridge.is_connected(b.media.slot, rig.engine.device_slot)
            a.state = "connected"
            a.audio_hook(a)
            await asyncio.sleep(0)
            assert set(rig.conference.calls) == {1, 2}
            assert [set(e.calls) for e in rig.events] == [{1, 2}]

        asyncio.run(scenario())
        check_mix(rig, rig.run(), rig.calls)
    finally:
        rig.engine.stop()


def test_a_participant_to_be_that_fails_leaves_an_ordinary_call() -> None:
    """Our ringing call and an added one: the added one answers, ours is refused — the
    answered one is an ordinary call, no conference."""
    rig = Rig(2)
    try:
        a, b = rig.calls

        async def scenario() -> None:
            await add_while_ringing(rig, a, b)
            b.state = "connected"
            assert b.audio_hook is not None
            b.audio_hook(b)
            await asyncio.sleep(0)
            a.hangup()
            rig.conference.call_ended(a)  # type: ignore[arg-type]
            await asyncio.sleep(0)
            assert rig.conference.calls == () and b.audio_hook is None and a.audio_hook is None

        asyncio.run(scenario())
    finally:
        rig.engine.stop()


def test_leave_dissolves_a_two_party_conference_and_refuses_more(rig3: Rig) -> None:
    a, b, c = rig3.calls
    rig3.conference.join([a, b, c])  # type: ignore[list-item]
    with pytest.raises(ConferenceError, match="two other participants"):
        rig3.conference.leave()
    c.hangup()
    rig3.conference.call_ended(c)  # type: ignore[arg-type]
    assert rig3.conference.leave() == (a, b)
    assert rig3.conference.calls == () and a.audio_hook is None and b.audio_hook is None
    assert rig3.last_event().calls == ()
