"""Sound devices against a real PortAudio device: the JACK dummy backend.

Each test starts its own ``jackd -d dummy`` (48 kHz, 960-frame periods, no
real-time scheduling) under a unique server name and stops it by pid. The
dummy driver is paced in real time like a sound card; ``jack_connect`` loops
our output port into our input port, so what the bridge plays comes back as
the "microphone". Missing jackd, or a PortAudio without the JACK host API,
skips (fails under CI=true).
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from parley.media import devices
from parley.media.bridge import AudioBridge
from parley.media.clock import MediaClock
from parley.media.ports import FilePlayer, WavRecorder
from parley.media.wavfile import read_wav, write_wav
from peers.common import missing_peer, wait_until
from peers.jack import Jack, portaudio_on_jack, start_jack

pytestmark = pytest.mark.interop


@pytest.fixture
def jack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Jack]:
    """A jackd for this test, with PortAudio in this process re-initialised to see it."""
    with portaudio_on_jack(tmp_path, "inproc", monkeypatch) as server:
        yield server


def test_enumeration_sees_jack_and_the_system_default(jack: Jack) -> None:
    info = devices.portaudio_info()
    print(info)
    inputs, outputs = devices.list_devices("input"), devices.list_devices("output")
    assert any(d.host_api.startswith("JACK") for d in inputs)
    default_in = devices.find_device(devices.SYSTEM_DEFAULT, "input")
    assert default_in.is_default_input and default_in.default_samplerate == 48000
    assert devices.find_device("SYSTEM", "output").name == "system"  # case-insensitive
    assert outputs
    with pytest.raises(devices.AudioDeviceError, match="no audio input device called"):
        devices.find_device("no such headset", "input")


def test_loopback_through_the_bridge_driven_by_the_device_clock(jack: Jack, tmp_path: Path) -> None:
    t = np.arange(16000) / 16000
    write_wav(tmp_path / "tone.wav", (np.sin(2 * np.pi * 1000 * t) * 8000).astype(np.int16), 16000)

    async def main() -> tuple[MediaClock, float]:
        bridge = AudioBridge(48000, 20)
        clock = MediaClock(bridge, 20)
        player = FilePlayer(tmp_path / "tone.wav", loop=True)
        recorder = WavRecorder(tmp_path / "heard.wav", 16000)
        device = devices.DevicePort(
            devices.SYSTEM_DEFAULT, devices.SYSTEM_DEFAULT, on_period=clock.signal_threadsafe
        )
        assert device.sample_rate == 48000
        outs, ins = jack.ports("output"), jack.ports("input")
        assert outs and ins, jack.run("jack_lsp", "-p").stdout
        assert jack.run("jack_connect", outs[0], ins[0]).returncode == 0
        p, d, r = bridge.add_port(player), bridge.add_port(device), bridge.add_port(recorder)
        bridge.connect(p, d)  # play the tone on the "speaker"
        bridge.connect(d, r)  # record the "microphone"
        clock.set_device_mode(True)
        clock.start()
        deadline = time.monotonic() + 30
        while clock.ticks - clock.fallback_ticks < 150 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        level = bridge.rx_level_db(d)
        clock.stop()
        device.close()
        recorder.close()
        return clock, level

    clock, mic_level = asyncio.run(main())
    print(clock.stats)
    assert clock.ticks - clock.fallback_ticks >= 150  # the device paced the bridge
    heard, rate = read_wav(tmp_path / "heard.wav")
    steady = heard[rate // 2 :].astype(np.float64)  # after the start-up latency
    assert len(steady) > rate
    spectrum = np.abs(np.fft.rfft(steady * np.hanning(len(steady))))
    peak = float(np.fft.rfftfreq(len(steady), 1 / rate)[int(np.argmax(spectrum))])
    assert abs(peak - 1000) < 10
    level_db = 20 * np.log10(np.sqrt(np.mean(steady**2)) / (8000 / np.sqrt(2)))
    assert abs(level_db) < 1.5, f"loopback level {level_db:.1f} dB"
    assert mic_level > -20


def test_a_failed_stream_falls_back_to_the_default_and_audio_goes_on(jack: Jack) -> None:
    events: list[devices.DeviceEvent] = []
    device = devices.DevicePort("system", "system", on_event=events.append)
    bridge = AudioBridge(48000, 20)
    slot = bridge.add_port(device)
    try:

        def tick() -> bool:
            bridge.tick()
            time.sleep(0.02)
            return bool(events)

        assert wait_until(lambda: device.get_frame() is not None, timeout=10)
        device._streams[0].abort()  # PortAudio stops the stream, as on an unplug
        assert wait_until(tick, timeout=10, interval=0)
        event = events[0]
        assert event.kind == "fallback" and event.device == "system"
        assert event.replacement == "system" and "system default" in event.message
        assert wait_until(lambda: device.get_frame() is not None, timeout=10)  # capturing again
        assert bridge.port(slot) is device and not device.lost
    finally:
        device.close()


CHILD = """
import dataclasses, json, sys, time
from parley.media.devices import DevicePort
port = DevicePort("system", "system")
print("opened", flush=True)
sys.stdin.readline()  # the test has killed the sound server
for _ in range(500):
    port.get_frame()
    if port.events:
        break
    time.sleep(0.02)
print(json.dumps([dataclasses.asdict(e) for e in port.events]), flush=True)
"""


def read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().strip() if ready else ""


def test_sound_server_killed_mid_call_is_reported_and_does_not_hang(tmp_path: Path) -> None:
    """In a child process: a PortAudio whose JACK server died cannot be used
    again by this process, and would hang the test run if it were this one."""
    server = start_jack(tmp_path, "killed")
    child: subprocess.Popen[str] | None = None
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, **server.env},
            start_new_session=True,
        )
        first = read_line(child, 30)
        if first != "opened":
            missing_peer(f"the child could not open the JACK device (said {first!r})")
        server.process.stop()
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.flush()
        reported = json.loads(read_line(child, 30) or "[]")
        assert child.wait(timeout=30) == 0  # exit did not hang on the dead server
        assert len(reported) == 1
        event = reported[0]
        # JACK was the only device here, so there is nothing to fall back to.
        assert event["kind"] == "lost" and event["device"] == "system"
        assert "stopped working" in event["message"]
    finally:
        if child is not None and child.poll() is None:
            child.kill()  # by pid (Popen.kill)
            child.wait(timeout=10)
        server.process.stop()


def test_loudspeaker_switches_a_call_between_two_distinct_devices(
    jack: Jack, tmp_path: Path
) -> None:
    """The headset is a pair of files (a 500 Hz "voice" as its microphone, a recording
    as its speaker); the hands-free device is JACK, with its speaker looped into its
    microphone. The far end says 1 kHz. With the loudspeaker on, the far end's voice
    goes out through JACK and comes back to the far end through the JACK microphone,
    and the headset's speaker gets nothing more; off again, the headset is back."""
    from parley.media.codecs import get_codec
    from parley.media.engine import AudioConfig, MediaEngine
    from parley.media.stream import RtpStream

    t = np.arange(48000 * 8) / 48000
    mic = tmp_path / "headset-mic.wav"
    write_wav(mic, (np.sin(2 * np.pi * 500 * t) * 8000).astype(np.int16), 48000)
    headset_out = tmp_path / "headset-out.wav"
    phases = 3
    frames = 120

    async def main() -> tuple[list[list[np.ndarray]], list[float], list[int]]:
        config = AudioConfig(
            input=f"file:{mic}",
            output=f"file:{headset_out}",
            echo_cancellation=False,
            auto_gain_control=False,
            noise_suppression=False,
        )
        engine = MediaEngine(config)
        codec = get_codec("pcmu")
        ours, far = RtpStream(codec, 0), RtpStream(codec, 0)
        p_ours = await ours.open("127.0.0.1", (52000, 52999))
        p_far = await far.open("127.0.0.1", (53000, 53999))
        ours.set_remote("127.0.0.1", p_far)
        far.set_remote("127.0.0.1", p_ours)
        call = engine.add_call(ours, "call")
        call.connect()
        heard: list[list[np.ndarray]] = [[] for _ in range(phases)]
        jack_out: list[float] = []  # what the bridge gave the device, per phase
        jack_ports: list[int] = []
        loop = asyncio.get_running_loop()
        start = loop.time()
        n = far.samples_per_frame
        for i in range(phases * frames):
            phase = i // frames
            if i % frames == 0 and phase > 0:
                engine.set_loudspeaker(phase == 1, (devices.SYSTEM_DEFAULT, "system"))
                outs, ins = jack.ports("output"), jack.ports("input")
                jack_ports.append(len(outs) + len(ins))
                if phase == 1:
                    assert outs and ins, jack.run("jack_lsp", "-p").stdout
                    assert jack.run("jack_connect", outs[0], ins[0]).returncode == 0
            tt = (np.arange(n) + i * n) / 8000
            far.put_frame((8000 * np.sin(2 * np.pi * 1000 * tt)).astype(np.int16))
            engine.bridge.tick()
            frame = far.get_frame()
            if frame is not None:
                heard[phase].append(frame)
            if i % frames == frames - 1:
                jack_out.append(engine.bridge.tx_level_db(engine.device_slot))
            await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - loop.time()))
        call.close()
        ours.close()
        far.close()
        engine.stop()
        return heard, jack_out, jack_ports

    heard, out_levels, jack_ports = asyncio.run(main())

    def peak(frames: list[np.ndarray]) -> float:
        x = np.concatenate(frames[-40:]).astype(np.float64)
        return float(np.argmax(np.abs(np.fft.rfft(x * np.hanning(len(x))))) * 8000 / len(x))

    # What the far end heard: the headset's voice, its own voice back through JACK's
    # loop (so it went out of the hands-free speaker), then the headset again.
    assert abs(peak(heard[0]) - 500) < 20
    assert abs(peak(heard[1]) - 1000) < 20
    assert abs(peak(heard[2]) - 500) < 20
    assert out_levels[1] > -20  # the far end's voice was given to the JACK device
    assert jack_ports[0] > 0 and jack_ports[1] == 0  # opened on switch, closed on return
    # Back on the headset, the far end comes out of its speaker again: its recorder,
    # opened afresh on return, holds the last phase only.
    headset, rate = read_wav(headset_out)
    assert len(headset) <= frames * rate // 50
    tail = headset[-rate // 2 :].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(tail * np.hanning(len(tail))))
    assert abs(float(np.argmax(spectrum)) * rate / len(tail) - 1000) < 10
