"""MediaEngine's device switching with two distinct devices (file-backed: a WAV each as
microphone, a WAV recording each as speaker), through a real RTP call on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from parley.media.codecs import get_codec
from parley.media.engine import AudioConfig, MediaEngine
from parley.media.stream import RtpStream
from parley.media.wavfile import read_wav, write_wav

RATE = 48000


def write_tone(path: Path, freq: float, seconds: float = 4.0) -> None:
    t = np.arange(int(RATE * seconds)) / RATE
    write_wav(path, (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16), RATE)


def peak_hz(audio: np.ndarray, rate: int) -> float:
    x = audio.astype(np.float64)
    return float(np.argmax(np.abs(np.fft.rfft(x * np.hanning(len(x))))) * rate / len(x))


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))


def test_loudspeaker_moves_the_call_to_the_hands_free_devices(tmp_path: Path) -> None:
    """The far end says 1 kHz. Before the switch it comes out of the headset and the
    headset's microphone (500 Hz) is what the far end hears; after it, it comes out of
    the hands-free speaker, the hands-free microphone (1500 Hz) is sent, and the
    headset gets nothing more. The speaker volume set before the switch holds after."""
    headset_mic, hands_free_mic = tmp_path / "headset-mic.wav", tmp_path / "hf-mic.wav"
    headset_out, hands_free_out = tmp_path / "headset-out.wav", tmp_path / "hf-out.wav"
    write_tone(headset_mic, 500)
    write_tone(hands_free_mic, 1500)
    frames = 50

    async def run() -> tuple[list[np.ndarray], list[np.ndarray], bool]:
        engine = MediaEngine(AudioConfig(input=f"file:{headset_mic}", output=f"file:{headset_out}"))
        codec = get_codec("pcmu")
        ours, far = RtpStream(codec, 0), RtpStream(codec, 0)
        p_ours = await ours.open("127.0.0.1", (50000, 50999))
        p_far = await far.open("127.0.0.1", (51000, 51999))
        ours.set_remote("127.0.0.1", p_far)
        far.set_remote("127.0.0.1", p_ours)
        call = engine.add_call(ours, "call")
        call.connect()
        engine.set_speaker_level(0.5)
        loop = asyncio.get_running_loop()
        start = loop.time()
        heard: list[list[np.ndarray]] = [[], []]
        n = far.samples_per_frame
        for i in range(2 * frames):
            if i == frames:
                engine.set_loudspeaker(True, (f"file:{hands_free_mic}", f"file:{hands_free_out}"))
            t = (np.arange(n) + i * n) / 8000
            far.put_frame((8000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16))
            engine.bridge.tick()
            frame = far.get_frame()
            if frame is not None:
                heard[i // frames].append(frame)
            await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - loop.time()))
        on = engine.loudspeaker
        call.close()
        ours.close()
        far.close()
        engine.stop()
        return heard[0], heard[1], on

    before, after, on = asyncio.run(run())
    assert on
    # What the far end heard: the headset microphone, then the hands-free one.
    assert abs(peak_hz(np.concatenate(before[-25:]), 8000) - 500) < 20
    assert abs(peak_hz(np.concatenate(after[-25:]), 8000) - 1500) < 20
    # What the speakers played: the far end on the headset until the switch, then on
    # the hands-free speaker only.
    headset, rate = read_wav(headset_out)
    hands_free, rate2 = read_wav(hands_free_out)
    assert rate == rate2 == RATE
    assert len(headset) <= frames * RATE // 50  # nothing after the switch
    assert len(hands_free) >= (frames - 5) * RATE // 50
    assert abs(peak_hz(headset[-RATE // 2 :], RATE) - 1000) < 10
    steady = hands_free[RATE // 5 :]  # after the jitter buffer's start and the resampler
    assert abs(peak_hz(steady, RATE) - 1000) < 10
    # The volume carried over: both speakers at the same level (1.0 would be 6 dB up).
    ratio_db = 20 * np.log10(rms(steady) / rms(headset[-RATE // 2 :]))
    assert abs(ratio_db) < 1.0, ratio_db


def test_switching_back_restores_the_normal_devices(tmp_path: Path) -> None:
    a_mic, b_mic = tmp_path / "a.wav", tmp_path / "b.wav"
    write_tone(a_mic, 500, 1.0)
    write_tone(b_mic, 1500, 1.0)
    engine = MediaEngine(AudioConfig(input=f"file:{a_mic}", output="null"))
    levels = []
    for on in (True, False):
        engine.set_loudspeaker(on, (f"file:{b_mic}", "null"))
        for _ in range(3):
            engine.bridge.tick()
        levels.append((engine.loudspeaker, engine.config.input, engine.input_level_db()))
    engine.stop()
    assert [lv[:2] for lv in levels] == [(True, f"file:{b_mic}"), (False, f"file:{a_mic}")]
    assert all(lv[2] > -20 for lv in levels)  # the meter reads the device in use
