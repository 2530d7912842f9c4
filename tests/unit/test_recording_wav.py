"""The call recorder of the media layer (`parley.media.recording`) on a real bridge:
both sides in the file (mono mixed, stereo us left / them right), the WAV header true
after every chunk (what `kill -9` leaves), and a write that fails stops the recording
instead of the audio clock."""

from __future__ import annotations

import resource
import signal
import struct
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from parley.media.bridge import AudioBridge
from parley.media.ports import Frame, Port, TonePort
from parley.media.recording import CallRecorder, CrashSafeWav, RecordingError


def tone(freq: float, rate: int) -> TonePort:
    t = [0]

    def make(n: int) -> Frame:
        x = np.arange(t[0], t[0] + n) / rate
        t[0] += n
        return (8000 * np.sin(2 * np.pi * freq * x)).astype(np.int16)

    return TonePort(make, rate, name=f"{freq} Hz")


def level_at(samples: np.ndarray, rate: int, freq: float) -> float:
    """RMS amplitude of `samples` in a 40 Hz band around `freq`."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    band = (freqs > freq - 20) & (freqs < freq + 20)
    return float(np.sqrt(np.sum(spectrum[band] ** 2)) / len(samples))


def read(path: Path) -> tuple[np.ndarray, int, int]:
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.reshape(-1, w.getnchannels()), w.getframerate(), w.getnchannels()


def header_sizes(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:44]
    return struct.unpack_from("<I", head, 4)[0], struct.unpack_from("<I", head, 40)[0]


def rig(tmp_path: Path, channels: str = "mono", **kw: object) -> tuple[AudioBridge, CallRecorder]:
    bridge = AudioBridge(48000, 20)
    near = bridge.add_port(tone(700, 48000))  # "the microphone"
    far = bridge.add_port(tone(1500, 8000))  # "the far end", at a narrowband call's rate
    rec = CallRecorder(bridge, tmp_path / "r.wav", channels=channels, **kw)  # type: ignore[arg-type]
    rec.set_near([near])
    rec.set_far([far])
    return bridge, rec


@pytest.mark.parametrize("channels", ["mono", "stereo"])
def test_both_sides_are_in_the_file(tmp_path: Path, channels: str) -> None:
    bridge, rec = rig(tmp_path, channels)
    for _ in range(150):  # 3 s
        bridge.tick()
    rec.close().result(5)
    data, rate, n = read(tmp_path / "r.wav")
    assert rate == 16000 and n == (2 if channels == "stereo" else 1)
    assert len(data) == 150 * 320
    body = data[1600:]  # after the resamplers' start
    if channels == "mono":
        assert level_at(body[:, 0], rate, 700) > 1000
        assert level_at(body[:, 0], rate, 1500) > 1000
    else:
        left, right = body[:, 0], body[:, 1]
        assert level_at(left, rate, 700) > 1000 and level_at(left, rate, 1500) < 10
        assert level_at(right, rate, 1500) > 1000 and level_at(right, rate, 700) < 10


def test_several_far_ends_are_summed(tmp_path: Path) -> None:
    """A conference: the far side hears every participant."""
    bridge, rec = rig(tmp_path, "stereo")
    third = bridge.add_port(tone(2500, 16000))
    rec.set_far([s for s, p in bridge.slots.items() if p.name in ("1500 Hz", "2500 Hz")])
    assert third in {src for src, dst, _ in bridge.connections() if dst == rec.far_slot}
    for _ in range(100):
        bridge.tick()
    rec.close().result(5)
    data, rate, _ = read(tmp_path / "r.wav")
    right = data[1600:, 1]
    assert level_at(right, rate, 1500) > 1000 and level_at(right, rate, 2500) > 1000


def test_header_is_true_after_every_chunk(tmp_path: Path) -> None:
    """What a crash leaves: the header counts exactly the chunks written so far, and the
    file reads without the recorder ever being closed."""
    bridge, rec = rig(tmp_path, "stereo", chunk_seconds=0.5)
    path = tmp_path / "r.wav"
    assert header_sizes(path) == (36, 0)
    for _ in range(130):  # 2.6 s: five whole chunks of 0.5 s, 0.1 s still in memory
        bridge.tick()
    assert rec.seconds == pytest.approx(2.6)
    # The writer thread has the chunks; wait until the fifth is in the file.
    deadline = threading.Event()
    for _ in range(100):
        if header_sizes(path)[1] == 5 * 8000 * 4:
            break
        deadline.wait(0.05)
    riff, data = header_sizes(path)
    assert data == 5 * 8000 * 4 and riff == 36 + data
    assert path.stat().st_size == 44 + data
    frames, rate, n = read(path)  # a reader that trusts the header, as sox and players do
    assert (len(frames), rate, n) == (40000, 16000, 2)
    rec.close().result(5)
    assert header_sizes(path)[1] == 130 * 320 * 4


def test_a_side_without_sources_is_silence(tmp_path: Path) -> None:
    """The far end's slot went away (codec change): the near side goes on, in step."""
    bridge, rec = rig(tmp_path, "stereo")
    for _ in range(10):
        bridge.tick()
    rec.set_far([])
    for _ in range(40):
        bridge.tick()
    rec.close().result(5)
    data, _, _ = read(tmp_path / "r.wav")
    assert len(data) == 50 * 320
    assert np.abs(data[-30 * 320 :, 1]).max() == 0
    assert np.abs(data[-30 * 320 :, 0]).max() > 1000


def test_muted_near_side(tmp_path: Path) -> None:
    bridge, rec = rig(tmp_path, "stereo")
    rec.set_near([s for s, p in bridge.slots.items() if p.name == "700 Hz"], 0.0)
    for _ in range(20):
        bridge.tick()
    rec.close().result(5)
    data, _, _ = read(tmp_path / "r.wav")
    assert np.abs(data[:, 0]).max() == 0 and np.abs(data[:, 1]).max() > 1000


def test_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "r.wav").write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        CrashSafeWav(tmp_path / "r.wav", 16000, 1)
    assert (tmp_path / "r.wav").read_bytes() == b"keep"


def test_missing_folder_is_a_recording_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot create"):
        CrashSafeWav(tmp_path / "nope" / "r.wav", 16000, 1)


def test_full_disk_when_starting(tmp_path: Path) -> None:
    """/dev/full answers every write with ENOSPC: no recorder, a clear error."""
    with pytest.raises(RecordingError, match="No space left"):
        CallRecorder(AudioBridge(48000, 20), Path("/dev/full"), exclusive=False)


def test_full_disk_stops_the_recording(tmp_path: Path) -> None:
    """The file may not grow past 40 kB (RLIMIT_FSIZE: writes beyond fail with EFBIG,
    as a full disk fails them): the recorder reports it once (on the writer thread),
    drops further audio, and the bridge goes on ticking."""
    bridge = AudioBridge(48000, 20)
    errors: list[RecordingError] = []
    reported = threading.Event()

    def on_error(exc: RecordingError) -> None:
        errors.append(exc)
        reported.set()

    rec = CallRecorder(bridge, tmp_path / "r.wav", on_error=on_error, chunk_seconds=0.5)
    rec.set_near([bridge.add_port(tone(700, 48000))])
    old_signal = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, old_limit[1]))
    try:
        for _ in range(100):  # 2 s = 64 kB
            bridge.tick()
        assert reported.wait(5)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_signal)
    assert len(errors) == 1 and "cannot write" in str(errors[0])
    assert rec.error is errors[0]
    for _ in range(30):
        bridge.tick()  # no exception, nothing more queued
    rec.close().result(5)
    assert len(errors) == 1
    data, _, _ = read(tmp_path / "r.wav")  # what was written before still plays
    assert len(data) == 16000  # two chunks (1 s, 32 kB) fitted; the third did not


def test_folder_removed_while_recording(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    bridge = AudioBridge(48000, 20)
    reported = threading.Event()
    errors: list[RecordingError] = []
    rec = CallRecorder(
        bridge,
        folder / "r.wav",
        chunk_seconds=0.2,
        on_error=lambda e: (errors.append(e), reported.set()),  # type: ignore[func-returns-value]
    )
    rec.set_near([bridge.add_port(Port("silence", 48000))])
    (folder / "r.wav").unlink()
    folder.rmdir()
    for _ in range(20):
        bridge.tick()
    assert reported.wait(5)
    assert "folder is gone" in str(errors[0])
    rec.close().result(5)
