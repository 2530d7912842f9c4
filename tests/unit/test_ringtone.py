"""The ringtone an incoming call plays: built-in or from a WAV file, on the speaker port."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from parley.media.engine import AudioConfig, MediaEngine


def speaker_audio(engine: MediaEngine, ticks: int) -> np.ndarray:
    got: list[np.ndarray] = []
    sink = engine.device

    original = sink.put_frame

    def capture(frame: np.ndarray) -> None:
        got.append(frame.copy())
        original(frame)

    sink.put_frame = capture  # type: ignore[method-assign]
    for _ in range(ticks):
        engine.bridge.tick()
    return np.concatenate(got) if got else np.zeros(0, np.int16)


def dominant_hz(samples: np.ndarray, rate: int = 48000) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.argmax(spectrum) * rate / len(samples))


def test_builtin_ringtone_plays_until_stopped() -> None:
    engine = MediaEngine(AudioConfig(input="null", output="null"))
    owner = object()
    engine.play_ringtone(owner)
    ringing = speaker_audio(engine, 20)  # 0.4 s: the first burst
    assert np.abs(ringing).max() > 1000
    assert dominant_hz(ringing) in (880.0, 1100.0) or 850 < dominant_hz(ringing) < 1130
    engine.stop_tone(owner)
    quiet = speaker_audio(engine, 10)  # an unconnected speaker gets no frames at all
    assert quiet.size == 0 or np.abs(quiet).max() == 0


def test_wav_ringtone_is_used(tmp_path: Path) -> None:
    path = tmp_path / "ring.wav"
    t = np.arange(16000) / 16000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16).tobytes())
    engine = MediaEngine(AudioConfig(input="null", output="null"))
    engine.play_ringtone("call", path)
    audio = speaker_audio(engine, 25)
    assert abs(dominant_hz(audio[4800:]) - 600) < 15


def test_unreadable_wav_falls_back_to_the_builtin_tone(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav file")
    engine = MediaEngine(AudioConfig(input="null", output="null"))
    engine.play_ringtone("call", bad)
    assert np.abs(speaker_audio(engine, 20)).max() > 1000


def test_ringing_device_apart_from_the_output(tmp_path: Path) -> None:
    """With a ringing device of its own, calls ring there and not in the headset; with
    "ring also through the PC speaker" on both."""
    for also in (False, True):
        ring_file = tmp_path / f"ring-{also}.wav"
        engine = MediaEngine(
            AudioConfig(
                input="null", output="null", ring=f"file:{ring_file}", ring_also_output=also
            )
        )
        engine.play_ringtone("call")
        on_output = speaker_audio(engine, 20)
        engine.stop_tone("call")
        engine.stop()
        with wave.open(str(ring_file)) as w:
            rung = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        assert np.abs(rung).max() > 1000  # the ringing device rang
        if also:
            assert on_output.size and np.abs(on_output).max() > 1000
        else:
            assert on_output.size == 0 or np.abs(on_output).max() == 0
