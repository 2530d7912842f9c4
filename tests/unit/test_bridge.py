"""Audio bridge: routing, mixing, levels, resampling, meters, robustness."""

from __future__ import annotations

import math

import numpy as np
import pytest

from parley.media.bridge import AudioBridge, Resampler, rms_dbfs
from parley.media.ports import Frame, Port


def sine(freq: float, rate: int, samples: int, amp: float = 10000.0, start: int = 0) -> Frame:
    t = (np.arange(samples) + start) / rate
    return np.rint(amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


class Source(Port):
    """Gives a continuous sine (or a constant) frame after frame."""

    def __init__(self, name: str, rate: int, freq: float = 0.0, value: int = 0) -> None:
        super().__init__(name, rate)
        self.freq = freq
        self.value = value
        self.pos = 0
        self.pulls = 0
        self.silent = False
        self.last: Frame | None = None

    def get_frame(self) -> Frame | None:
        self.pulls += 1
        if self.silent:
            return None
        n = self.samples_per_frame
        if self.freq:
            frame = sine(self.freq, self.sample_rate, n, start=self.pos)
        else:
            frame = np.full(n, self.value, dtype=np.int16)
        self.pos += n
        self.last = frame
        return frame


class Sink(Port):
    def __init__(self, name: str, rate: int) -> None:
        super().__init__(name, rate)
        self.frames: list[Frame] = []

    def put_frame(self, frame: Frame) -> None:
        self.frames.append(frame.copy())

    @property
    def audio(self) -> Frame:
        return np.concatenate(self.frames) if self.frames else np.zeros(0, np.int16)


def peak_freq(x: Frame, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(np.argmax(spectrum))])


def rms(x: Frame) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def test_same_rate_single_source_passes_through_unchanged() -> None:
    bridge = AudioBridge(48000, 20)
    src, dst = Source("src", 48000, freq=440), Sink("dst", 48000)
    a, b = bridge.add_port(src), bridge.add_port(dst)
    bridge.connect(a, b)
    for _ in range(5):
        bridge.tick()
    expected = sine(440, 48000, 5 * 960)
    assert np.array_equal(dst.audio, expected)


def test_resampling_keeps_frequency_level_and_frame_size() -> None:
    bridge = AudioBridge(48000, 20)
    src, dst = Source("call8k", 8000, freq=1000), Sink("rec16k", 16000)
    bridge.connect(bridge.add_port(src), bridge.add_port(dst))
    for _ in range(50):
        bridge.tick()
    assert {len(f) for f in dst.frames} == {320}
    steady = dst.audio[1600:]
    assert abs(peak_freq(steady, 16000) - 1000) < 20
    assert rms(steady) == pytest.approx(10000 / math.sqrt(2), rel=0.02)


def test_mix_adds_sources_and_saturates_instead_of_wrapping() -> None:
    bridge = AudioBridge(8000, 20)
    s1, s2 = Source("a", 8000, value=1000), Source("b", 8000, value=2500)
    loud1, loud2 = Source("c", 8000, value=30000), Source("d", 8000, value=30000)
    out, clip = Sink("out", 8000), Sink("clip", 8000)
    slots = {p.name: bridge.add_port(p) for p in (s1, s2, loud1, loud2, out, clip)}
    bridge.connect(slots["a"], slots["out"])
    bridge.connect(slots["b"], slots["out"])
    bridge.connect(slots["c"], slots["clip"])
    bridge.connect(slots["d"], slots["clip"])
    bridge.tick()
    assert np.all(out.frames[0] == 3500)
    assert np.all(clip.frames[0] == 32767)


def test_connection_and_port_levels() -> None:
    bridge = AudioBridge(8000, 20)
    src = Source("src", 8000, value=8000)
    half, muted, quiet = Sink("half", 8000), Sink("muted", 8000), Sink("quiet", 8000)
    s = bridge.add_port(src)
    h, m, q = bridge.add_port(half), bridge.add_port(muted), bridge.add_port(quiet)
    bridge.connect(s, h, level=0.5)
    bridge.connect(s, m, level=0.0)
    bridge.connect(s, q)
    bridge.set_tx_level(q, 0.25)
    bridge.tick()
    assert np.all(half.frames[-1] == 4000)
    assert np.all(muted.frames[-1] == 0)  # muted connection: silence, still a frame
    assert np.all(quiet.frames[-1] == 2000)
    bridge.set_rx_level(s, 2.0)  # source gain applies to every sink
    bridge.set_level(s, m, 1.0)
    bridge.tick()
    assert np.all(half.frames[-1] == 8000)
    assert np.all(muted.frames[-1] == 16000)
    with pytest.raises(KeyError):
        bridge.set_level(q, h, 1.0)
    with pytest.raises(ValueError):
        bridge.connect(s, h, level=-1)


def test_connected_sink_gets_silence_unconnected_sink_gets_nothing() -> None:
    bridge = AudioBridge(48000, 20)
    src = Source("src", 8000, freq=500)
    src.silent = True
    connected, lonely = Sink("connected", 16000), Sink("lonely", 16000)
    s = bridge.add_port(src)
    bridge.connect(s, bridge.add_port(connected))
    bridge.add_port(lonely)
    bridge.tick()
    assert len(connected.frames) == 1 and not connected.frames[0].any()
    assert len(connected.frames[0]) == 320
    assert lonely.frames == []


def test_unconnected_source_is_still_pulled_every_tick() -> None:
    bridge = AudioBridge(48000, 20)
    src = Source("mic", 44100, freq=300)
    slot = bridge.add_port(src)
    for _ in range(3):
        bridge.tick()
    assert src.pulls == 3
    assert bridge.rx_level_db(slot) > -20  # the meter works without connections


def test_ports_can_come_and_go_between_ticks() -> None:
    bridge = AudioBridge(48000, 20)
    a, b, c = Source("a", 48000, value=100), Sink("b", 48000), Sink("c", 48000)
    sa, sb, sc = bridge.add_port(a), bridge.add_port(b), bridge.add_port(c)
    bridge.connect(sa, sb)
    bridge.connect(sa, sc)
    bridge.tick()
    assert bridge.remove_port(sb) is b
    assert bridge.connections() == [(sa, sc, 1.0)]
    bridge.tick()
    assert len(b.frames) == 1 and len(c.frames) == 2
    bridge.remove_port(sa)
    assert bridge.connections() == []
    bridge.tick()
    assert len(c.frames) == 2  # no connection left: nothing delivered
    new = bridge.add_port(Source("d", 48000))
    assert new not in (sa, sb, sc)  # slot numbers are never reused
    with pytest.raises(KeyError):
        bridge.connect(sa, sc)
    with pytest.raises(ValueError):
        bridge.add_port(c)  # already in


def test_disconnect_is_hold() -> None:
    bridge = AudioBridge(48000, 20)
    mic, call = Source("mic", 48000, value=7), Sink("call", 8000)
    m, c = bridge.add_port(mic), bridge.add_port(call)
    bridge.connect(m, c)
    bridge.tick()
    bridge.disconnect(m, c)
    bridge.disconnect(m, c)  # twice is harmless
    bridge.tick()
    assert len(call.frames) == 1
    assert not bridge.is_connected(m, c)


def test_meters_report_rms_dbfs() -> None:
    bridge = AudioBridge(48000, 20)
    full = Source("full", 48000, freq=1000)
    full.get_frame = lambda: sine(1000, 48000, 960, amp=32767)  # type: ignore[method-assign]
    out = Sink("out", 48000)
    f, o = bridge.add_port(full), bridge.add_port(out)
    assert bridge.rx_level_db(f) == -math.inf  # nothing yet
    bridge.connect(f, o, level=0.1)
    bridge.tick()
    assert bridge.rx_level_db(f) == pytest.approx(-3.01, abs=0.05)
    assert bridge.tx_level_db(o) == pytest.approx(-23.01, abs=0.05)
    assert rms_dbfs(np.zeros(10, np.int16)) == -math.inf


class Broken(Port):
    def get_frame(self) -> Frame | None:
        raise RuntimeError("boom")

    def put_frame(self, frame: Frame) -> None:
        raise RuntimeError("boom")


class Short(Port):
    def get_frame(self) -> Frame | None:
        return np.full(100, 5, dtype=np.int16)


def test_a_failing_or_misbehaving_port_does_not_stop_the_others() -> None:
    bridge = AudioBridge(48000, 20)
    broken, short, good = Broken("broken", 48000), Short("short", 48000), Sink("good", 48000)
    b, s, g = bridge.add_port(broken), bridge.add_port(short), bridge.add_port(good)
    bridge.connect(b, g)
    bridge.connect(s, g)
    bridge.connect(s, b)
    bridge.tick()
    assert bridge.slot_stats(b).errors == 2
    assert bridge.slot_stats(s).misfits == 1
    frame = good.frames[0]
    assert len(frame) == 960 and np.all(frame[:100] == 5) and not frame[100:].any()


def test_port_rate_change_rebuilds_resamplers() -> None:
    bridge = AudioBridge(48000, 20)
    src, dst = Source("dev", 48000, freq=1000), Sink("dst", 48000)
    s = bridge.add_port(src)
    bridge.connect(s, bridge.add_port(dst))
    bridge.tick()
    src.sample_rate = 44100  # a device reopened at another rate
    for _ in range(10):
        bridge.tick()
    assert {len(f) for f in dst.frames} == {960}
    assert abs(peak_freq(dst.audio[-4800:], 48000) - 1000) < 20


def test_ptime_is_set_by_the_bridge() -> None:
    bridge = AudioBridge(48000, 10)
    src, dst = Source("s", 16000, value=3), Sink("d", 8000)
    bridge.connect(bridge.add_port(src), bridge.add_port(dst))
    bridge.tick()
    assert src.samples_per_frame == 160 and len(dst.frames[0]) == 80
    with pytest.raises(ValueError):
        AudioBridge(44100, 15)


@pytest.mark.parametrize(
    ("a", "b"), [(8000, 48000), (48000, 8000), (16000, 48000), (48000, 16000), (44100, 48000)]
)
def test_resampler_gives_exact_frame_lengths_and_flat_passband(a: int, b: int) -> None:
    r = Resampler(a, b)
    n = a // 50
    x = sine(1000, a, a)  # one second
    out = [r.process(x[i : i + n]) for i in range(0, len(x), n)]
    assert {len(o) for o in out} == {b // 50}
    y = np.concatenate(out)[b // 10 :]
    assert rms(y) == pytest.approx(10000 / math.sqrt(2), rel=0.01)
    assert abs(peak_freq(y, b) - 1000) < 10


def test_resampler_removes_what_the_lower_rate_cannot_carry() -> None:
    # soxr's streaming 'QQ' would fold this 6 kHz tone down to 2 kHz at full level.
    r = Resampler(48000, 8000)
    x = sine(6000, 48000, 48000)
    y = np.concatenate([r.process(x[i : i + 960]) for i in range(0, len(x), 960)])[800:]
    attenuation_db = 20 * math.log10(max(rms(y), 1e-3) / (10000 / math.sqrt(2)))
    assert attenuation_db < -60


def test_resampler_delay_is_small() -> None:
    r = Resampler(8000, 48000)
    impulse = np.zeros(160, np.int16)
    impulse[0] = 20000
    y = r.process(impulse)
    assert abs(int(np.argmax(y)) - r.delay_seconds * 48000) <= 1
    assert r.delay_seconds < 0.003


def test_same_rate_ports_bypass_the_bridge_rate_entirely() -> None:
    class Keep(Sink):
        def put_frame(self, frame: Frame) -> None:
            self.frames.append(frame)  # keeps the very object

    bridge = AudioBridge(48000, 20)
    src, dst, wide = Source("a", 8000, freq=300), Keep("b", 8000), Sink("c", 16000)
    s = bridge.add_port(src)
    bridge.connect(s, bridge.add_port(dst))
    bridge.tick()
    assert bridge.port(s) is src and np.array_equal(dst.frames[0], sine(300, 8000, 160))
    bridge.tick()
    assert dst.frames[-1] is src.last  # no copy, no resampling round trip
    bridge.connect(s, bridge.add_port(wide))  # a sink at another rate still gets it resampled
    for _ in range(5):
        bridge.tick()
    assert {len(f) for f in wide.frames} == {320}
