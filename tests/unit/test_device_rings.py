"""A device-paced ``DevicePort`` holds no more audio than its own block: measured as
the delay of a loopback (what the "microphone" captured, played straight back).

PortAudio is replaced by a fake whose streams the test drives by hand, one cycle at
a time like JACK: the input callback gets the next block of a sample counter (each
sample's value is its capture index), then the output callback is asked for a block.
Whenever the port signals a period, the test runs the bridge's tick on it (read the
captured frame, write it to the speaker). What the speaker plays is the capture
index of each sample (plus one: zero is silence), so the playing index minus the
value is the delay in samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from parley.media import devices

N = 960  # one 20 ms frame at 48 kHz


class FakeStream:
    def __init__(self, *, callback: Any, channels: int, **_: Any) -> None:
        self.callback = callback
        self.channels = channels
        self.active = False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active = False


class FakeSd:
    """The part of sounddevice that DevicePort uses: one duplex card at 48 kHz."""

    CARD = {
        "index": 0,
        "name": "Fake card",
        "hostapi": 0,
        "max_input_channels": 1,
        "max_output_channels": 1,
        "default_samplerate": 48000.0,
    }

    def __init__(self) -> None:
        self.default = SimpleNamespace(device=(0, 0))
        self.streams: list[FakeStream] = []

    def query_hostapis(self) -> list[dict[str, str]]:
        return [{"name": "Fake"}]

    def query_devices(self, kind: str | None = None) -> Any:
        return dict(self.CARD) if kind else [dict(self.CARD)]

    def check_input_settings(self, **_: Any) -> None:
        return None

    def check_output_settings(self, **_: Any) -> None:
        return None

    def InputStream(self, **kw: Any) -> FakeStream:
        stream = FakeStream(**kw)
        self.streams.append(stream)
        return stream

    def OutputStream(self, **kw: Any) -> FakeStream:
        stream = FakeStream(**kw)
        self.streams.append(stream)
        return stream


@pytest.fixture
def sd(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSd]:
    fake = FakeSd()
    monkeypatch.setattr(devices, "_sd", lambda: fake)
    yield fake


class Card:
    """Drives the fake card's callbacks cycle by cycle; the bridge tick is a loopback."""

    def __init__(self, sd: FakeSd, block: int) -> None:
        self.block = block
        self.signals = 0
        self.port = devices.DevicePort(
            "Fake card", "Fake card", on_period=lambda: setattr(self, "signals", self.signals + 1)
        )
        self.input, self.output = sd.streams[-2:]
        self.captured = 0
        self.played: list[np.ndarray] = []
        self.extra_ticks = 0  # ticks to run once more than signalled (a stray timer tick)

    def tick(self) -> None:
        frame = self.port.get_frame()
        self.port.put_frame(frame if frame is not None else np.zeros(N, dtype=np.int16))

    def cycle(self, ticking: bool = True) -> None:
        b = self.block
        indata = ((self.captured + np.arange(b)) % 30000 + 1).astype(np.int16).reshape(-1, 1)
        self.captured += b
        self.input.callback(indata, b, None, 0)
        outdata = np.zeros((b, 1), dtype=np.int16)
        self.output.callback(outdata, b, None, 0)
        self.played.append(outdata[:, 0].copy())
        if ticking:
            for _ in range(self.signals + self.extra_ticks):
                self.tick()
            self.extra_ticks = 0
        self.signals = 0

    def delays(self, last: int) -> np.ndarray:
        """Delay in samples of each of the last ``last`` samples played (-1: silence)."""
        played = np.concatenate(self.played).astype(np.int64)
        index = np.arange(len(played)) % 30000
        delay = (index - (played - 1)) % 30000
        delay[played == 0] = -1  # silence
        result: np.ndarray = delay[-last:]
        return result


@pytest.mark.parametrize("block", [64, 256, 441, 960, 1024])
def test_a_paced_loopback_is_delayed_by_at_most_a_frame_and_a_block(sd: FakeSd, block: int) -> None:
    card = Card(sd, block)
    for _ in range(48000 * 3 // block):  # 3 s
        card.cycle()
    delays = card.delays(48000)
    assert (delays >= 0).all()  # no gap in the last second
    # Constant: nothing dropped or repeated; small: the frame being filled, and one block.
    assert len(set(delays.tolist())) == 1
    assert delays[0] <= N + 2 * block
    assert card.port.input_dropped == card.port.output_dropped == 0


@pytest.mark.parametrize("block", [256, 960])
def test_audio_captured_before_the_first_tick_adds_no_delay(sd: FakeSd, block: int) -> None:
    reference = Card(sd, block)
    for _ in range(48000 * 3 // block):
        reference.cycle()
    late = Card(sd, block)
    for _ in range(48000 // block):  # 1 s of capture while the media clock has not started
        late.cycle(ticking=False)
    for _ in range(48000 * 2 // block):
        late.cycle()
    assert late.port.input_dropped > 0  # the backlog was thrown away...
    assert late.delays(24000)[0] == reference.delays(24000)[0]  # ...so the delay is as usual
    assert len(set(late.delays(24000).tolist())) == 1


def test_a_frame_too_many_on_the_speaker_is_taken_out_again(sd: FakeSd) -> None:
    card = Card(sd, 256)
    for _ in range(48000 // 256):
        card.cycle()
    normal = int(card.delays(1)[0])
    card.extra_ticks = 1  # one tick more than the device asked for: a frame of extra delay
    card.cycle()
    for _ in range(100):
        card.cycle()
    assert int(card.delays(1)[0]) == normal + N  # it held for a while...
    for _ in range(48000 * 2 // 256):
        card.cycle()
    assert card.port.output_dropped == N  # ...then one frame was left out
    assert int(card.delays(1)[0]) == normal
