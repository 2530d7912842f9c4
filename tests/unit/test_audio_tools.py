"""The audio measurement tools score, align and find what they should."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import audio_tools as at

pytest.importorskip("pesq")

needs_speech_tools = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="espeak-ng and sox make the test speech",
)


def _noise_burst_signal(rate: int, seconds: float, seed: int) -> np.ndarray:
    """Deterministic noise-like 'speech' for the pure numpy helpers."""
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(0, 3000, int(rate * seconds))).astype(np.int16)


def test_find_delay_recovers_a_positive_and_a_negative_shift() -> None:
    ref = _noise_burst_signal(8000, 1.0, seed=3)
    delayed = np.concatenate([np.zeros(1234, dtype=np.int16), ref])
    assert at.find_delay(ref, delayed) == 1234
    assert at.find_delay(ref, ref[500:]) == -500


def test_align_cuts_the_degraded_signal_to_the_reference() -> None:
    ref = _noise_burst_signal(8000, 0.5, seed=4)
    degraded = np.concatenate([np.zeros(777, dtype=np.int16), ref, np.zeros(300, dtype=np.int16)])
    ref_out, deg_out, delay = at.align(ref, degraded)
    assert delay == 777
    assert np.array_equal(ref_out, deg_out)


def test_click_train_onsets_are_found_at_their_times() -> None:
    rate = 16000
    clicks = at.click_train(rate, count=4, interval=0.5, lead=0.25)
    onsets = at.find_clicks((clicks, rate))
    assert len(onsets) == 4
    # The onset is where the Hann-shaped burst crosses a quarter of its peak.
    for found, expected in zip(onsets, [0.25, 0.75, 1.25, 1.75], strict=True):
        assert expected <= found < expected + 0.005
    shifted = np.concatenate([np.zeros(int(0.1234 * rate), dtype=np.int16), clicks])
    assert at.find_click((shifted, rate)) == pytest.approx(0.25 + 0.1234, abs=0.005)


def test_find_click_raises_on_silence() -> None:
    with pytest.raises(at.AudioToolError):
        at.find_click((np.zeros(8000, dtype=np.int16), 8000))


def test_wav_round_trip_and_resample(tmp_path: Path) -> None:
    tone = np.round(8000 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.int16)
    path = at.write_wav(tmp_path / "tone.wav", tone, 16000)
    samples, rate = at.read_wav(path)
    assert rate == 16000 and np.array_equal(samples, tone)
    down = at.resample(samples, 16000, 8000)
    assert down.size == 8000
    assert at.rms_windows(down, 8000, 0.1).min() == pytest.approx(8000 / np.sqrt(2), rel=0.05)


@needs_speech_tools
def test_speech_is_deterministic_and_about_ten_seconds() -> None:
    path = at.speech_wav(8000)
    samples, rate = at.read_wav(path)
    assert rate == 8000
    assert 8.0 < samples.size / rate < 13.0
    again, _ = at.read_wav(at.speech_wav(8000))
    assert np.array_equal(samples, again)
    wide, wide_rate = at.read_wav(at.speech_wav(16000))
    assert wide_rate == 16000 and abs(wide.size / 16000 - samples.size / 8000) < 0.01


@needs_speech_tools
def test_identical_files_score_at_the_top() -> None:
    speech = at.speech_wav(8000)
    assert at.pesq_score(speech, speech, "nb") > 4.4
    wide = at.speech_wav(16000)
    assert at.pesq_score(wide, wide, "wb") > 4.4


@needs_speech_tools
def test_a_delayed_recording_with_silence_around_is_aligned(tmp_path: Path) -> None:
    samples, rate = at.read_wav(at.speech_wav(8000))
    # As a far phone records it: 1.37 s of silence first, some after, and 48 kHz.
    padded = np.concatenate(
        [np.zeros(int(1.37 * rate), dtype=np.int16), samples, np.zeros(rate, dtype=np.int16)]
    )
    recorded = at.write_wav(tmp_path / "rec.wav", at.resample(padded, rate, 48000), 48000)
    assert at.pesq_score(at.speech_wav(8000), recorded, "nb") > 4.2


@needs_speech_tools
def test_noise_lowers_the_score(tmp_path: Path) -> None:
    samples, rate = at.read_wav(at.speech_wav(8000))
    clean = at.pesq_score(at.speech_wav(8000), at.speech_wav(8000), "nb")
    light = at.write_wav(tmp_path / "light.wav", at.add_noise(samples, 30, seed=1), rate)
    heavy = at.write_wav(tmp_path / "heavy.wav", at.add_noise(samples, 5, seed=1), rate)
    light_score = at.pesq_score(at.speech_wav(8000), light, "nb")
    heavy_score = at.pesq_score(at.speech_wav(8000), heavy, "nb")
    assert clean > light_score > heavy_score
    assert heavy_score < 2.5


@needs_speech_tools
def test_silent_recording_is_an_error(tmp_path: Path) -> None:
    silent = at.write_wav(tmp_path / "silent.wav", np.zeros(8000 * 3, dtype=np.int16), 8000)
    with pytest.raises(at.AudioToolError):
        at.pesq_score(at.speech_wav(8000), silent, "nb")


@needs_speech_tools
@pytest.mark.parametrize("codec", ["pcmu", "pcma"])
def test_g711_ceiling_is_near_the_known_value(codec: str) -> None:
    # About 3.9 for clean G.711 speech (PESQ-NB); the other codecs need parley.media.
    assert 3.6 < at.codec_ceiling(codec) < 4.2


@needs_speech_tools
@pytest.mark.parametrize(("codec", "low", "high"), [("g722", 2.7, 3.5), ("opus", 3.3, 4.3)])
def test_wideband_ceilings_use_parley_codecs(codec: str, low: float, high: float) -> None:
    pytest.importorskip("parley.media.codecs")
    assert low < at.codec_ceiling(codec) < high


def test_tonal_windows_counts_the_windows_of_a_tone() -> None:
    rate = 8000
    t = np.arange(rate) / rate
    tone = 6000 * np.sin(2 * np.pi * 700.0 * t)
    assert at.tonal_windows(tone, rate, [(670.0, 730.0)]) == 50  # 1 s of 20 ms windows
    assert at.tonal_windows(tone, rate, [(670.0, 730.0)], per_second=20) == 20
    assert at.tonal_windows(tone, rate, [(1070.0, 1130.0)]) == 0  # another band
    assert at.tonal_windows(tone / 100, rate, [(670.0, 730.0)]) == 0  # below min_rms
