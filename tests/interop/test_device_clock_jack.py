"""The media clock follows the sound device (JACK's dummy backend).

jackd's dummy driver runs with 256-frame periods (5.3 ms, so a 20 ms bridge frame
never lines up with one callback). The engine's event loop gets a clock that runs
10 % slow against the machine's (and so against the dummy driver, paced by it): the
same as a sound card whose crystal is fast - far more than any real one, so that a
few seconds show it even when a busy machine makes the dummy driver lose some time
at its xruns. jackd's own ``-w`` does not change the dummy driver's pace in jack2,
hence the slow loop instead.

With the device's clock driving the bridge, every captured sample is read exactly
once: the ticks follow the frames the device delivered, nothing is dropped or
repeated. A timer-paced bridge on the same device has to throw captured audio away
(it reads 20 ms while the device delivers 22 ms). The counts are audio samples,
not wall-clock durations.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

from parley.media import devices
from parley.media.bridge import AudioBridge
from parley.media.clock import MediaClock
from parley.media.engine import AudioConfig, MediaEngine
from parley.media.ports import FilePlayer
from parley.media.wavfile import write_wav
from peers.common import Process, missing_peer, require_binary, wait_until
from peers.jack import Jack

pytestmark = pytest.mark.interop

T = TypeVar("T")

PERIOD = 256  # frames per JACK cycle
SLOW = 0.9  # the loop's clock against the machine's
FRAME = 960  # one 20 ms bridge frame at 48 kHz


class SlowClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` runs ``SLOW`` times as fast as the machine's."""

    def __init__(self) -> None:
        super().__init__()
        self._origin = time.monotonic()

    def time(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * SLOW


def run_slow(coro: Coroutine[Any, Any, T]) -> T:
    loop = SlowClockLoop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def start_jack_256(tmp_path: Path) -> Jack:
    jackd = require_binary("jackd")
    require_binary("jack_lsp")
    name = f"parley-clock-{os.getpid()}"
    env = {"JACK_DEFAULT_SERVER": name, "JACK_NO_START_SERVER": "1"}
    argv = [jackd, "-n", name, "-r", "-d", "dummy", "-r", "48000", "-p", str(PERIOD)]
    process = Process(argv, log_path=tmp_path / "jackd.log", name="jackd", env=env)
    process.start()
    jack = Jack(name, process, env)
    if not wait_until(lambda: jack.run("jack_lsp").returncode == 0, timeout=15):
        process.stop()
        raise RuntimeError(f"jackd did not come up; log:\n{process.log_tail()}")
    return jack


@pytest.fixture
def jack256(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Jack]:
    server = start_jack_256(tmp_path)
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    import sounddevice as sd

    devices.rescan()
    if "JACK" not in devices.portaudio_info():
        server.process.stop()
        missing_peer(f"PortAudio has no JACK host API: {devices.portaudio_info()}")
    try:
        yield server
    finally:
        assert devices.wait_for_closers(10.0), "a PortAudio stream close is stuck"
        sd._terminate()
        server.process.stop()
        monkeypatch.undo()
        sd._initialize()


def tone(path: Path) -> Path:
    t = np.arange(48000) / 48000
    write_wav(path, (np.sin(2 * np.pi * 440 * t) * 6000).astype(np.int16), 48000)
    return path


async def wait_ticks(clock: MediaClock, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    target = clock.ticks + count
    while clock.ticks < target and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def test_the_device_clock_paces_the_bridge_without_drops_or_repeats(
    jack256: Jack, tmp_path: Path
) -> None:
    """MediaEngine on a real device: one bridge tick per 960 captured samples."""
    config = AudioConfig(
        input="system",
        output="system",
        echo_cancellation=False,
        auto_gain_control=False,
        noise_suppression=False,
    )

    async def main() -> dict[str, int]:
        engine = MediaEngine(config)
        device = engine.device
        assert isinstance(device, devices.DevicePort)
        # Something to hear: a tone played on the speaker, looped back into the microphone.
        player = engine.bridge.add_port(FilePlayer(tone(tmp_path / "tone.wav"), loop=True))
        engine.bridge.connect(player, engine.device_slot)
        outs, ins = jack256.ports("output"), jack256.ports("input")
        assert jack256.run("jack_connect", outs[0], ins[0]).returncode == 0
        engine.start()
        try:
            await wait_ticks(engine.clock, 25)  # settled
            before = snapshot(engine, device)
            await wait_ticks(engine.clock, 250)  # 5 s of device time
            after = snapshot(engine, device)
        finally:
            engine.stop()
        return {k: after[k] - before[k] for k in after} | {"level": int(after["level"])}

    d = run_slow(main())
    print(d)
    assert d["ticks"] >= 250
    # Every tick was a device period, and every device period made a tick.
    assert d["fallback_ticks"] == 0
    assert d["device_ticks"] == d["ticks"]
    assert abs(d["captured"] - d["ticks"] * FRAME) <= 2 * FRAME
    # No captured sample was thrown away, nothing to play was left out.
    assert d["input_dropped"] == 0
    assert d["output_dropped"] == 0
    assert d["level"] > -30  # and audio went round: the tone came back


def snapshot(engine: MediaEngine, device: devices.DevicePort) -> dict[str, float]:
    clock = engine.clock
    return {
        "ticks": clock.ticks,
        "device_ticks": clock.device_ticks,
        "fallback_ticks": clock.fallback_ticks,
        "captured": device.frames_captured,
        "input_dropped": device.input_dropped,
        "output_dropped": device.output_dropped,
        "level": engine.bridge.rx_level_db(engine.device_slot),
    }


def test_a_timer_paced_bridge_on_the_same_device_drops_what_the_device_runs_ahead(
    jack256: Jack,
) -> None:
    """The contrast that makes the test above able to fail: 20 ms ticks from the
    timer read less than the fast device captures, and the excess is discarded."""

    async def main() -> tuple[int, int, int]:
        bridge = AudioBridge(48000, 20)
        clock = MediaClock(bridge, 20)
        device = devices.DevicePort("system", "system")
        slot = bridge.add_port(device)
        bridge.connect(slot, slot)
        clock.start()
        try:
            await wait_ticks(clock, 25)
            captured0, dropped0, ticks0 = device.frames_captured, device.input_dropped, clock.ticks
            await wait_ticks(clock, 250)
            return (
                device.frames_captured - captured0,
                device.input_dropped - dropped0,
                clock.ticks - ticks0,
            )
        finally:
            clock.stop()
            device.close()

    captured, dropped, ticks = run_slow(main())
    print(captured, dropped, ticks)
    ahead = captured - ticks * FRAME
    if ahead <= 4 * FRAME:
        pytest.skip(f"the dummy driver lost more time than the slow loop gave away ({ahead})")
    # What the device ran ahead of the timer was thrown away, all but what the ring holds.
    assert dropped >= ahead - 3 * FRAME


def test_the_timer_takes_over_while_the_device_is_reopened_and_the_device_again_after(
    jack256: Jack,
) -> None:
    """A stream that fails mid-call: the watchdog timer keeps the bridge ticking
    while the port reopens the default device, whose callbacks then pace again."""
    config = AudioConfig(
        input="system",
        output="system",
        echo_cancellation=False,
        auto_gain_control=False,
        noise_suppression=False,
    )
    events: list[str] = []

    async def main() -> tuple[int, int, int]:
        engine = MediaEngine(config, lambda notice: events.append(str(notice)))
        device = engine.device
        assert isinstance(device, devices.DevicePort)
        engine.start()
        try:
            await wait_ticks(engine.clock, 10)
            device._streams[0].abort()  # PortAudio stops the stream, as on an unplug
            deadline = time.monotonic() + 30
            while not events and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            fallback = engine.clock.fallback_ticks
            device_ticks = engine.clock.device_ticks
            await wait_ticks(engine.clock, 50)
            return fallback, device_ticks, engine.clock.device_ticks
        finally:
            engine.stop()

    fallback, device_before, device_after = run_slow(main())
    assert events and "stopped working" in events[0]
    assert fallback > 0  # the timer ticked while no device did
    assert device_after - device_before >= 40  # the reopened device paces again
