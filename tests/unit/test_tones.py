"""Call progress tones, DTMF feedback tone, WAV ringtones."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from parley.media.dtmf import InbandDetector
from parley.media.tones import (
    REGIONS,
    TONES,
    ToneGenerator,
    WavAudio,
    WavError,
    WavLoop,
    dtmf_feedback_spec,
    load_wav,
    tone_spec,
)


def on_off_pattern(x: np.ndarray, rate: int, step_ms: int = 10) -> list[bool]:
    """Loudness per 10 ms block: True where a tone sounds."""
    n = rate * step_ms // 1000
    return [bool(np.max(np.abs(x[i : i + n])) > 500) for i in range(0, len(x) - n + 1, n)]


def run_lengths(pattern: list[bool]) -> list[tuple[bool, int]]:
    out: list[tuple[bool, int]] = []
    for v in pattern:
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1] + 1)
        else:
            out.append((v, 1))
    return out


def generate(spec_kind: str, region: str, rate: int, seconds: float) -> np.ndarray:
    gen = ToneGenerator(tone_spec(spec_kind, region), rate)
    frames = [gen.frame() for _ in range(int(seconds * 50))]
    assert all(f.shape == (rate // 50,) and f.dtype == np.int16 for f in frames)
    return np.concatenate(frames)


def dominant_freqs(x: np.ndarray, rate: int, count: int) -> list[float]:
    spectrum = np.abs(np.fft.rfft(x.astype(float) * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    peaks = [
        i
        for i in range(1, len(spectrum) - 1)
        if spectrum[i] >= spectrum[i - 1] and spectrum[i] >= spectrum[i + 1]
    ]
    peaks.sort(key=lambda i: spectrum[i], reverse=True)
    return sorted(round(float(freqs[i])) for i in peaks[:count])


@pytest.mark.parametrize(
    ("region", "kind", "freqs", "runs"),
    [
        ("europe", "ringback", [425], [(True, 100), (False, 400), (True, 100)]),
        ("europe", "busy", [425], [(True, 48), (False, 48), (True, 48)]),
        ("europe", "call_waiting", [425], [(True, 20), (False, 20), (True, 20), (False, 500)]),
        ("north_america", "ringback", [440, 480], [(True, 200), (False, 400), (True, 200)]),
        ("north_america", "busy", [480, 620], [(True, 50), (False, 50), (True, 50)]),
        ("north_america", "call_waiting", [440], [(True, 30), (False, 970), (True, 30)]),
    ],
)
def test_cadence_and_frequencies(
    region: str, kind: str, freqs: list[int], runs: list[tuple[bool, int]]
) -> None:
    rate = 8000
    seconds = sum(n for _, n in runs) / 100 + 0.02
    x = generate(kind, region, rate, seconds)
    got = run_lengths(on_off_pattern(x, rate))
    # The first len(runs) runs match within one 10 ms block (edges are ramped).
    assert len(got) >= len(runs)
    for (on, n), (gon, gn) in zip(runs, got, strict=False):
        assert on == gon and abs(n - gn) <= 1, (runs, got[: len(runs)])
    first_on = x[: rate * runs[0][1] // 100]
    assert dominant_freqs(first_on, rate, len(freqs)) == pytest.approx(freqs, abs=3)


def test_tone_is_phase_continuous_across_frames_and_rates() -> None:
    for rate in (8000, 16000, 48000):
        gen = ToneGenerator(TONES["europe"]["busy"], rate)
        x = np.concatenate([gen.frame(rate // 100) for _ in range(20)])  # 10 ms frames
        ref = ToneGenerator(TONES["europe"]["busy"], rate).frame(len(x))
        assert np.array_equal(x, ref)
        on = x[rate // 100 : rate * 4 // 10].astype(float)
        assert np.max(np.abs(np.diff(on))) < 32767 * 2 * np.pi * 425 / rate  # no clicks


def test_tone_level() -> None:
    gen = ToneGenerator(tone_spec("ringback", "north_america"), 48000)
    x = gen.frame(48000)
    assert np.max(np.abs(x)) <= 32767 * 10 ** (-12 / 20) + 1
    assert np.max(np.abs(x)) > 32767 * 10 ** (-12 / 20) * 0.9


def test_unknown_tone_or_region() -> None:
    with pytest.raises(ValueError, match="region"):
        tone_spec("busy", "mars")
    with pytest.raises(ValueError, match="unknown tone"):
        tone_spec("dial", "europe")
    assert tone_spec("call-waiting").name == "call_waiting"
    assert set(REGIONS) == set(TONES)


def test_dtmf_feedback_is_one_shot_and_detectable() -> None:
    gen = ToneGenerator(dtmf_feedback_spec("9", ms=100), 16000)
    frames = [gen.frame() for _ in range(10)]
    assert gen.finished
    assert not any(np.any(f) for f in frames[6:])
    assert InbandDetector(16000).feed(np.concatenate(frames)) == ["9"]


# -- WAV ----------------------------------------------------------------------------


def write_wav(path: Path, data: bytes, *, channels: int, width: int, rate: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)
    return path


def test_load_wav_16bit_stereo_downmix(tmp_path: Path) -> None:
    left = np.array([1000, -2000, 3000], dtype="<i2")
    right = np.array([3000, 0, -3000], dtype="<i2")
    data = np.stack([left, right], axis=1).tobytes()
    audio = load_wav(write_wav(tmp_path / "s.wav", data, channels=2, width=2, rate=44100))
    assert audio.sample_rate == 44100
    assert audio.samples.tolist() == [2000, -1000, 0]


def test_load_wav_8bit_and_24bit(tmp_path: Path) -> None:
    a8 = load_wav(
        write_wav(tmp_path / "a.wav", bytes([128, 255, 0]), channels=1, width=1, rate=8000)
    )
    assert a8.samples.tolist() == [0, 127 << 8, -32768]
    raw24 = b"".join(v.to_bytes(3, "little", signed=True) for v in (0x123456, -0x100000))
    a24 = load_wav(write_wav(tmp_path / "b.wav", raw24, channels=1, width=3, rate=48000))
    assert a24.samples.tolist() == [0x1234, -0x1000]
    assert a24.duration == pytest.approx(2 / 48000)


@pytest.mark.parametrize(
    ("setup", "problem"),
    [
        ("missing", "file not found"),
        ("directory", "directory"),
        ("text", "not a PCM WAV file"),
        ("empty_audio", "contains no audio"),
        ("truncated", "not a PCM WAV|truncated|no audio"),
    ],
)
def test_load_wav_errors_name_file_and_problem(tmp_path: Path, setup: str, problem: str) -> None:
    path = tmp_path / "ring.wav"
    if setup == "directory":
        path.mkdir()
    elif setup == "text":
        path.write_text("this is not audio at all, just some text\n" * 4)
    elif setup == "empty_audio":
        write_wav(path, b"", channels=1, width=2, rate=8000)
    elif setup == "truncated":
        write_wav(path, b"\x01\x02" * 100, channels=1, width=2, rate=8000)
        path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(WavError, match=problem) as err:
        load_wav(path)
    assert str(path) in str(err.value)


def test_wav_loop_repeats_with_gap() -> None:
    audio = WavAudio(np.array([1, 2, 3], dtype=np.int16), 8000)
    loop = WavLoop(audio, gap_s=2 / 8000)
    assert loop.frame(12).tolist() == [1, 2, 3, 0, 0] * 2 + [1, 2]
    assert loop.frame(3).tolist() == [3, 0, 0]
    assert loop.frame().shape == (160,)


def test_wav_loop_from_file(tmp_path: Path) -> None:
    tone = ToneGenerator(tone_spec("busy"), 16000).frame(1600)
    path = write_wav(
        tmp_path / "r.wav", tone.astype("<i2").tobytes(), channels=1, width=2, rate=16000
    )
    loop = WavLoop.from_file(path)
    assert loop.sample_rate == 16000
    assert np.array_equal(loop.frame(1600), tone)
