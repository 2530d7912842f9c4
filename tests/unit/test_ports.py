"""Bridge ports and the WAV helpers."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from parley.media.bridge import AudioBridge
from parley.media.devices import open_audio
from parley.media.ports import (
    CallPort,
    DuplexPort,
    FilePlayer,
    Frame,
    NullPort,
    SampleRing,
    TonePort,
    WavRecorder,
)
from parley.media.wavfile import WavError, WavWriter, read_wav, write_wav


def ramp(n: int) -> Frame:
    return (np.arange(n) % 1000).astype(np.int16)


def write_raw_wav(path: Path, tag: int, channels: int, rate: int, bits: int, data: bytes) -> None:
    fmt = struct.pack(
        "<HHIIHH", tag, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits
    )
    riff = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    riff += b"LIST" + struct.pack("<I", 3) + b"abc\x00"  # odd chunk with pad byte
    riff += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(riff)) + riff)


# WAV reading and writing


def test_wav_roundtrip(tmp_path: Path) -> None:
    x = ramp(1234)
    write_wav(tmp_path / "a.wav", x, 16000)
    y, rate = read_wav(tmp_path / "a.wav")
    assert rate == 16000 and np.array_equal(x, y)
    with wave.open(str(tmp_path / "a.wav")) as w:  # a standard reader agrees
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (
            1,
            2,
            16000,
            1234,
        )


def test_wav_stereo_8bit_24bit_float_are_converted_to_mono_int16(tmp_path: Path) -> None:
    stereo = np.array([[1000, 3000], [-2000, -4000]], dtype="<i2")
    write_raw_wav(tmp_path / "s.wav", 1, 2, 8000, 16, stereo.tobytes())
    assert read_wav(tmp_path / "s.wav")[0].tolist() == [2000, -3000]

    write_raw_wav(tmp_path / "u8.wav", 1, 1, 8000, 8, bytes([128, 255, 0]))
    assert read_wav(tmp_path / "u8.wav")[0].tolist() == [0, 127 * 256, -32768]

    def s24(v: int) -> bytes:
        return (v & 0xFFFFFF).to_bytes(3, "little")

    write_raw_wav(tmp_path / "24.wav", 1, 1, 8000, 24, s24(256 * 1000) + s24(-256 * 1000))
    assert read_wav(tmp_path / "24.wav")[0].tolist() == [1000, -1000]

    floats = np.array([0.5, -0.25, 2.0], dtype="<f4")
    write_raw_wav(tmp_path / "f.wav", 3, 1, 48000, 32, floats.tobytes())
    assert read_wav(tmp_path / "f.wav")[0].tolist() == [16384, -8192, 32767]


def test_wav_extensible_and_resample_on_read(tmp_path: Path) -> None:
    x = (np.sin(np.arange(44100) * 2 * np.pi * 440 / 44100) * 8000).astype("<i2")
    fmt = struct.pack("<HHIIHH", 0xFFFE, 1, 44100, 88200, 2, 16)
    fmt += struct.pack("<HHI", 22, 16, 4) + struct.pack("<H", 1) + b"\x00" * 14
    body = (
        b"WAVEfmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(x) * 2)
        + x.tobytes()
    )
    (tmp_path / "ext.wav").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    y, rate = read_wav(tmp_path / "ext.wav", rate=48000)
    assert rate == 48000 and abs(len(y) - 48000) <= 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "not a WAV"),
        (b"RIFF\x00\x00\x00\x00WAVE", "no 'fmt '"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt \x02\x00\x00\x00ab", "too short"),
    ],
)
def test_bad_wav_errors_name_the_file(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(content)
    with pytest.raises(WavError) as err:
        read_wav(path)
    assert "broken.wav" in str(err.value) and needle in str(err.value)


def test_unsupported_encoding_and_missing_file(tmp_path: Path) -> None:
    write_raw_wav(tmp_path / "alaw.wav", 6, 1, 8000, 8, b"\x55" * 10)
    with pytest.raises(WavError, match=r"alaw\.wav.*unsupported"):
        read_wav(tmp_path / "alaw.wav")
    with pytest.raises(WavError, match=r"missing\.wav"):
        read_wav(tmp_path / "missing.wav")
    with pytest.raises(WavError, match="nodir"):
        WavWriter(tmp_path / "nodir" / "x.wav", 8000)


def test_writer_flush_leaves_a_readable_file(tmp_path: Path) -> None:
    w = WavWriter(tmp_path / "live.wav", 8000)
    w.write(ramp(800))
    w.flush()
    assert len(read_wav(tmp_path / "live.wav")[0]) == 800  # readable while still open
    w.write(ramp(200))
    w.close()
    w.close()
    assert len(read_wav(tmp_path / "live.wav")[0]) == 1000
    with pytest.raises(WavError, match="closed"):
        w.write(ramp(1))


# ports


def test_sample_ring_wraps_and_counts() -> None:
    ring = SampleRing(10)
    assert ring.write(ramp(7)) == 7
    assert ring.read(5) is not None
    assert ring.write(np.arange(100, 108, dtype=np.int16)) == 8  # wraps around the end
    assert len(ring) == 10 and ring.free == 0
    assert ring.write(ramp(3)) == 0 and ring.overruns == 1
    out = np.empty(12, np.int16)
    assert ring.read_into(out) == 10 and ring.underruns == 1
    assert out.tolist() == [5, 6, *range(100, 108), 0, 0]
    assert ring.read(1) is None and ring.underruns == 2


def test_call_port_two_way_ring() -> None:
    port = CallPort("call", 8000, capacity_ms=60)  # room for three 20 ms frames
    assert port.get_frame() is None
    assert port.stats.rx_underruns == 0  # nothing received yet: not an underrun
    for i in range(4):
        port.push_decoded(np.full(160, i, np.int16))
    assert port.stats.rx_overruns == 1  # the fourth did not fit
    assert [int(port.get_frame()[0]) for _ in range(3)] == [0, 1, 2]  # type: ignore[index]
    assert port.get_frame() is None and port.stats.rx_underruns == 1
    # uplink: the stream may pull 10 ms at a time from 20 ms bridge frames
    port.put_frame(ramp(160))
    first, second = port.pull_encode(80), port.pull_encode(80)
    assert first is not None and second is not None
    assert np.array_equal(np.concatenate([first, second]), ramp(160))
    assert port.pull_encode() is None and port.stats.tx_underruns == 1
    port.put_frame(ramp(160))
    port.clear()
    assert port.tx_queued == 0 and port.rx_queued == 0


def test_call_port_through_the_bridge() -> None:
    bridge = AudioBridge()
    a, b = CallPort("a", 8000), CallPort("b", 16000)
    sa, sb = bridge.add_port(a), bridge.add_port(b)
    bridge.connect(sa, sb)  # a conference leg: a's far end heard by b's far end
    t = np.arange(8000) / 8000
    speech = (np.sin(2 * np.pi * 700 * t) * 9000).astype(np.int16)
    received = []
    for i in range(0, 8000, 160):
        a.push_decoded(speech[i : i + 160])
        bridge.tick()
        out = b.pull_encode()
        assert out is not None and len(out) == 320
        received.append(out)
    y = np.concatenate(received)[1600:].astype(np.float64)
    assert np.sqrt(np.mean(y**2)) == pytest.approx(9000 / np.sqrt(2), rel=0.02)


def test_file_player_plays_once_pads_and_finishes(tmp_path: Path) -> None:
    write_wav(tmp_path / "p.wav", ramp(400), 8000)
    done: list[FilePlayer] = []
    player = FilePlayer(tmp_path / "p.wav", on_finished=done.append)
    assert player.sample_rate == 8000 and player.duration == 0.05
    frames = [player.get_frame() for _ in range(3)]
    assert player.get_frame() is None and player.finished and done == [player]
    played = np.concatenate([f for f in frames if f is not None])
    assert np.array_equal(played, np.concatenate([ramp(400), np.zeros(80, np.int16)]))
    player.get_frame()
    assert len(done) == 1  # the callback fires once
    player.rewind()
    assert player.get_frame() is not None and not player.finished


def test_file_player_loops_seamlessly(tmp_path: Path) -> None:
    write_wav(tmp_path / "short.wav", ramp(70), 8000)  # shorter than a frame
    player = FilePlayer(tmp_path / "short.wav", loop=True)
    got = np.concatenate([f for f in (player.get_frame() for _ in range(5)) if f is not None])
    assert np.array_equal(got, np.tile(ramp(70), 20)[:800])
    assert not player.finished


def test_file_player_exact_multiple_and_resample(tmp_path: Path) -> None:
    write_wav(tmp_path / "x.wav", ramp(320), 8000)
    looping = FilePlayer(tmp_path / "x.wav", loop=True)
    frames = [looping.get_frame() for _ in range(3)]
    assert np.array_equal(frames[2], ramp(160))  # type: ignore[arg-type]
    player = FilePlayer(tmp_path / "x.wav", sample_rate=16000)
    assert player.sample_rate == 16000 and player.duration == pytest.approx(0.04, abs=0.001)


def test_recorder_writes_as_frames_come(tmp_path: Path) -> None:
    rec = WavRecorder(tmp_path / "r.wav", 16000)
    for _ in range(60):  # 1.2 s: the header is patched after one second
        rec.put_frame(ramp(320))
    assert len(read_wav(tmp_path / "r.wav")[0]) >= 16000
    rec.close()
    rec.put_frame(ramp(320))  # after close: ignored
    audio, rate = read_wav(tmp_path / "r.wav")
    assert rate == 16000 and len(audio) == 60 * 320 == rec.samples_written


def test_player_to_recorder_through_the_bridge(tmp_path: Path) -> None:
    t = np.arange(44100) / 44100
    write_wav(tmp_path / "in.wav", (np.sin(2 * np.pi * 500 * t) * 12000).astype(np.int16), 44100)
    bridge = AudioBridge()
    player = FilePlayer(tmp_path / "in.wav")
    rec = WavRecorder(tmp_path / "out.wav", 8000)
    bridge.connect(bridge.add_port(player), bridge.add_port(rec))
    while not player.finished:
        bridge.tick()
    rec.close()
    out, rate = read_wav(tmp_path / "out.wav")
    assert rate == 8000 and abs(len(out) - 8000) <= 160
    y = out[800:7000].astype(np.float64)
    assert np.sqrt(np.mean(y**2)) == pytest.approx(12000 / np.sqrt(2), rel=0.02)


class Gen:
    sample_rate = 16000

    def __init__(self) -> None:
        self.asked: list[int] = []

    def next_frame(self, samples: int) -> Frame:
        self.asked.append(samples)
        return np.ones(samples, np.int16)


def test_tone_port_accepts_generator_objects_and_callables() -> None:
    gen = Gen()
    port = TonePort(gen)
    assert port.sample_rate == 16000
    assert port.get_frame() is not None and gen.asked == [320]
    port.playing = False
    assert port.get_frame() is None
    plain = TonePort(lambda n: np.zeros(n, np.float64), 8000, name="beep")
    frame = plain.get_frame()
    assert frame is not None and frame.dtype == np.int16 and len(frame) == 160
    assert TonePort(lambda n: None).get_frame() is None
    with pytest.raises(TypeError):
        TonePort(42)  # type: ignore[arg-type]


def test_null_port_and_headless_audio(tmp_path: Path) -> None:
    null = NullPort()
    null.put_frame(ramp(960))
    assert null.get_frame() is None and null.frames_received == 1
    write_wav(tmp_path / "mic.wav", ramp(8000), 8000)
    audio = open_audio(f"file:{tmp_path / 'mic.wav'}", f"file:{tmp_path / 'spk.wav'}")
    assert isinstance(audio, DuplexPort) and audio.sample_rate == 48000
    bridge = AudioBridge(48000, 10)
    slot = bridge.add_port(audio)
    bridge.connect(slot, slot)  # echo: the "microphone" file into the "speaker" recorder
    for _ in range(10):
        bridge.tick()
    audio.close()
    recorded, rate = read_wav(tmp_path / "spk.wav")
    assert rate == 48000 and len(recorded) == 4800 and recorded.any()
    quiet = open_audio("null", "null")
    assert quiet.get_frame() is None
    with pytest.raises(ValueError):
        DuplexPort(NullPort("a", 8000), NullPort("b", 16000))
