"""Microphone processing with livekit's WebRTC APM: measured, not assumed."""

from __future__ import annotations

import numpy as np
import pytest

from parley.media.bridge import AudioBridge
from parley.media.dsp import MicProcessor, ProcessedPort
from parley.media.ports import Frame, Port

RATE = 48000


def speechlike(seconds: float, rms: float, seed: int) -> Frame:
    """Low-passed noise in syllable-like bursts: enough like speech for AEC/AGC."""
    rng = np.random.default_rng(seed)
    n = int(RATE * seconds)
    x = np.convolve(rng.standard_normal(n), np.ones(6) / 6, mode="same")
    t = np.arange(n) / RATE
    x *= np.clip(np.sin(2 * np.pi * 2.5 * t) + 0.3, 0, None)
    x *= rms / np.sqrt(np.mean(x**2))
    return np.clip(x, -32768, 32767).astype(np.int16)


def level_db(x: Frame) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-9))


def run(proc: MicProcessor, mic: Frame, far: Frame | None = None) -> Frame:
    out = []
    for i in range(0, len(mic), 960):
        if far is not None:
            proc.process_render(far[i : i + 960])
        out.append(proc.process_capture(mic[i : i + 960]))
    return np.concatenate(out)


def echo_of(far: Frame, delay_s: float, gain: float) -> Frame:
    d = int(delay_s * RATE)
    mic = np.zeros(len(far))
    mic[d:] = far[:-d] * gain
    return mic.astype(np.int16)


def test_echo_cancellation_removes_a_delayed_attenuated_copy() -> None:
    far = speechlike(8, 6000, seed=1)
    mic = echo_of(far, 0.030, 0.4)
    out = run(MicProcessor(aec=True, agc=False, ns=False, delay_ms=30), mic, far)
    tail = 3 * RATE  # after convergence
    reduction = level_db(mic[-tail:]) - level_db(out[-tail:])
    print(f"echo reduction: {reduction:.1f} dB")
    assert reduction > 25


def test_echo_cancellation_keeps_the_near_end_talker() -> None:
    far = speechlike(8, 6000, seed=1)
    near = speechlike(8, 3000, seed=2)
    near[: 5 * RATE] = 0  # the local talker starts after the canceller converged
    mic = np.clip(echo_of(far, 0.030, 0.4).astype(np.int32) + near, -32768, 32767).astype(np.int16)
    out = run(MicProcessor(aec=True, agc=False, ns=False, delay_ms=30), mic, far)
    # The APM's band-split filter delays its output by a few ms, and its
    # suppressor ducks a little in double talk: compare levels, not waveforms.
    kept = level_db(out[-2 * RATE :]) - level_db(near[-2 * RATE :])
    print(f"near-end talker level after AEC: {kept:+.1f} dB")
    assert kept > -12  # (the echo alone is cut by far more, see above)


def test_automatic_gain_raises_a_quiet_talker() -> None:
    quiet = speechlike(8, 300, seed=3)
    out = run(MicProcessor(aec=False, agc=True, ns=False), quiet)
    gain = level_db(out[-3 * RATE :]) - level_db(quiet[-3 * RATE :])
    print(f"AGC gain: {gain:.1f} dB")
    assert gain > 6


def test_noise_suppression_lowers_stationary_noise() -> None:
    noise = (np.random.default_rng(4).standard_normal(6 * RATE) * 1000).astype(np.int16)
    out = run(MicProcessor(aec=False, agc=False, ns=True), noise)
    drop = level_db(noise[-2 * RATE :]) - level_db(out[-2 * RATE :])
    print(f"noise suppression: {drop:.1f} dB")
    assert drop > 6


def test_everything_off_is_a_bypass_and_features_switch() -> None:
    proc = MicProcessor(aec=False, agc=False, ns=False)
    frame = speechlike(0.02, 1000, seed=5)
    assert not proc.active and proc.process_capture(frame) is frame
    proc.configure(ns=True)
    assert proc.active and proc.ns and not proc.aec
    assert len(proc.process_capture(frame)) == 960
    with pytest.raises(ValueError):
        proc.process_capture(frame[:100])
    with pytest.raises(ValueError):
        MicProcessor(sample_rate=44100)


class EchoRoom(Port):
    """A fake sound card: what it plays comes back into its microphone 40 ms later."""

    def __init__(self) -> None:
        super().__init__("room", RATE)
        self.delay = [np.zeros(960, np.int16), np.zeros(960, np.int16)]
        self.raw_mic: list[Frame] = []

    def put_frame(self, frame: Frame) -> None:
        self.delay.append((frame * 0.5).astype(np.int16))

    def get_frame(self) -> Frame | None:
        frame = self.delay.pop(0)
        self.raw_mic.append(frame)
        return frame


class Collect(Port):
    def __init__(self, rate: int) -> None:
        super().__init__("call uplink", rate)
        self.frames: list[Frame] = []

    def put_frame(self, frame: Frame) -> None:
        self.frames.append(frame.copy())


class Far(Port):
    def __init__(self) -> None:
        super().__init__("call downlink", RATE)
        self.audio = speechlike(8, 6000, seed=6)
        self.pos = 0

    def get_frame(self) -> Frame | None:
        frame = self.audio[self.pos : self.pos + 960]
        self.pos += 960
        return frame


def test_processed_port_cancels_the_echo_of_what_the_bridge_plays() -> None:
    bridge = AudioBridge(RATE, 20)
    room = EchoRoom()
    device = ProcessedPort(room, MicProcessor(aec=True, agc=False, ns=False, delay_ms=40))
    far, uplink = Far(), Collect(RATE)
    d, f, u = bridge.add_port(device), bridge.add_port(far), bridge.add_port(uplink)
    bridge.connect(f, d)  # the far end is heard on the speaker
    bridge.connect(d, u)  # the microphone goes to the far end
    for _ in range(400):
        bridge.tick()
    sent = np.concatenate(uplink.frames[-150:])
    picked_up = np.concatenate(room.raw_mic[-150:])
    reduction = level_db(picked_up) - level_db(sent)
    print(f"echo reduction through the bridge: {reduction:.1f} dB")
    assert reduction > 25
