"""Who paces the bridge: the sound device when there is one, else the timer.

On the virtual-time loop of ``test_clock`` (no wall-clock assertions). A fake
``open_audio`` stands in for PortAudio: the test calls the ``on_period`` the engine
handed to the device, from another thread, as a device callback would.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_clock import VirtualLoop

from parley.media import engine as media_module
from parley.media.clock import MediaClock
from parley.media.devices import DeviceEvent
from parley.media.engine import AudioConfig, MediaEngine
from parley.media.ports import DuplexPort, NullPort, Port, WavRecorder
from parley.media.wavfile import read_wav, write_wav


@pytest.fixture
def loop() -> Iterator[VirtualLoop]:
    lp = VirtualLoop()
    try:
        yield lp
    finally:
        lp.close()


def from_thread(fn: Callable[[], None]) -> None:
    thread = threading.Thread(target=fn)
    thread.start()
    thread.join()


class FakeDevice:
    """What ``open_audio`` was given for the one "sound card" of a test."""

    def __init__(self) -> None:
        self.on_period: Callable[[], None] | None = None
        self.on_event: Callable[[DeviceEvent], None] | None = None
        self.frames_played = 0
        self.opened = 0

    def open(self, input_spec: str, output_spec: str, **options: Any) -> Port:
        self.opened += 1
        self.on_period = options.get("on_period")
        self.on_event = options.get("on_event")
        device = self

        class Speaker(NullPort):
            def put_frame(self, frame: Any) -> None:
                device.frames_played += 1

        return Speaker("fake device", 48000)


@pytest.fixture
def device(monkeypatch: pytest.MonkeyPatch) -> FakeDevice:
    fake = FakeDevice()
    monkeypatch.setattr(media_module, "open_audio", fake.open)
    return fake


def device_config() -> AudioConfig:
    return AudioConfig(
        input="Headset",
        output="Headset",
        echo_cancellation=False,
        auto_gain_control=False,
        noise_suppression=False,
    )


def test_a_sound_device_paces_the_bridge_and_the_timer_waits(
    loop: VirtualLoop, device: FakeDevice
) -> None:
    engine = MediaEngine(device_config())
    tone = engine.bridge.add_port(NullPort("source", 48000))
    engine.bridge.connect(tone, engine.device_slot)

    async def main() -> None:
        engine.start()
        assert device.on_period is not None
        for _ in range(40):  # the device's periods, 15 ms apart on the loop's clock
            await asyncio.sleep(0.015)
            from_thread(device.on_period)
            await asyncio.sleep(0)
        engine.stop()

    loop.run_until_complete(main())
    # One frame played per device period: 40, not the 30 a 20 ms timer would give.
    assert device.frames_played == 40
    assert engine.clock.stats.interval_p50_ms == pytest.approx(15.0)


def test_when_the_device_is_lost_the_timer_paces_and_late_callbacks_are_ignored(
    loop: VirtualLoop, device: FakeDevice
) -> None:
    engine = MediaEngine(device_config())
    tone = engine.bridge.add_port(NullPort("source", 48000))
    engine.bridge.connect(tone, engine.device_slot)

    async def main() -> tuple[int, int]:
        engine.start()
        assert device.on_period is not None and device.on_event is not None
        for _ in range(10):
            await asyncio.sleep(0.015)
            from_thread(device.on_period)
            await asyncio.sleep(0)
        played = device.frames_played
        device.on_event(DeviceEvent("lost", "input", "Headset", None, "gone"))
        for _ in range(50):  # 1 s of loop time; a stray callback every 15 ms
            await asyncio.sleep(0.02)
            from_thread(device.on_period)
        engine.stop()
        return played, device.frames_played - played

    before, after = loop.run_until_complete(main())
    assert before == 10
    assert after in (49, 50, 51)  # the 20 ms timer: callbacks of the lost device add nothing


def test_a_replaced_device_no_longer_drives_the_ticks(loop: VirtualLoop) -> None:
    clock = MediaClock(lambda: None, ptime_ms=20)
    clock.set_device_mode(True)
    old = clock.device_signal()
    new = clock.device_signal()

    async def main() -> int:
        clock.start()
        for _ in range(20):
            await asyncio.sleep(0.01)
            from_thread(new)
            from_thread(old)  # the old device still calls back while it closes
            await asyncio.sleep(0)
        clock.stop()
        return clock.ticks

    ticks = loop.run_until_complete(main())
    assert ticks == 20  # one per signal of the new device, none for the old


def test_a_device_that_never_starts_leaves_the_timer_in_charge_after_a_grace(
    loop: VirtualLoop,
) -> None:
    times: list[float] = []
    clock = MediaClock(lambda: times.append(loop.time()), ptime_ms=20, watchdog_periods=3)
    clock.set_device_mode(True)

    async def main() -> float:
        clock.start()
        start = loop.time()
        await asyncio.sleep(0.5)
        clock.stop()
        return start

    start = loop.run_until_complete(main())
    # No tick before the device had its chance (3 periods), then every 20 ms.
    assert round((times[0] - start) / 0.02) in (3, 4)
    assert len(times) in (21, 22, 23)
    assert all(b - a == pytest.approx(0.02) for a, b in itertools.pairwise(times))
    assert clock.fallback_ticks == len(times)


def test_a_file_source_is_sent_on_the_timer(loop: VirtualLoop, tmp_path: Path) -> None:
    """No device at all (a WAV as the microphone, a WAV as the speaker): the timer
    paces, and a device signal (there is none to give one) changes nothing."""
    source = tmp_path / "in.wav"
    write_wav(source, (np.ones(48000) * 1000).astype(np.int16), 48000)
    heard = tmp_path / "out.wav"
    engine = MediaEngine(AudioConfig(input=f"file:{source}", output=f"file:{heard}"))
    assert isinstance(engine.device, DuplexPort) and isinstance(engine.device.sink, WavRecorder)
    engine.bridge.connect(engine.device_slot, engine.device_slot)  # the file heard on the speaker
    signal = engine.clock.device_signal()

    async def main() -> None:
        engine.start()
        for _ in range(25):  # 0.5 s of loop time; stray signals every 20 ms
            await asyncio.sleep(0.02)
            from_thread(signal)
        engine.stop()

    loop.run_until_complete(main())
    samples, rate = read_wav(heard)
    assert rate == 48000
    assert len(samples) // 960 in (24, 25)  # one 20 ms frame per timer tick, no more
