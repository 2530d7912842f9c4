"""Media › "Automatic microphone selection" with real devices: JACK's dummy backend.

A call's audio path is the bridge with the sound device port and a far-end port that
keeps what the microphone sends. A JACK client that appears is a headset plugged in:
`jack_metro -n headset` has one output port, so to PortAudio it is a new device with a
microphone (beeps at 1500 Hz). The "desk" microphone is PortAudio's default device,
fed by another metronome (700 Hz) wired into our input port. The watcher (its child
process looks at the devices) notices the headset, the call's microphone becomes the
headset — the far end hears 1500 Hz, no more 700 Hz — then the headset's client exits
and the call falls back to the default device: the far end, still on the same bridge
slot, hears the desk's 700 Hz again.
"""

from __future__ import annotations

import os
import types
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from parley.app.audio_devices import AudioDevices
from parley.app.context import AppContext
from parley.app.engine import Engine
from parley.app.events import AudioDeviceChange, AudioDeviceChanged
from parley.app.tracker import Tracker
from parley.media import devices
from parley.media.codecs.base import Frame
from parley.media.engine import AudioConfig, MediaEngine
from parley.media.ports import Port
from parley.phone.events import PhoneEvent
from parley.settings import Settings
from peers.common import Process, wait_until
from peers.jack import Jack, metronome, portaudio_on_jack

pytestmark = pytest.mark.interop

DESK_HZ = 700.0
HEADSET_HZ = 1500.0
RATE = 48000


class FarEnd(Port):
    """The far end of the call: keeps what it is sent."""

    def __init__(self) -> None:
        super().__init__("far end", RATE, 20)
        self.frames: list[Frame] = []

    def get_frame(self) -> Frame | None:
        return None

    def put_frame(self, frame: Frame) -> None:
        self.frames.append(frame.copy())

    def take(self) -> np.ndarray:
        frames, self.frames = self.frames, []
        return np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)


def tone_level(samples: np.ndarray, hz: float) -> float:
    """The amplitude of `hz` in `samples` (a windowed DFT bin, full scale 32768)."""
    x = samples.astype(np.float64) * np.hanning(len(samples))
    t = np.arange(len(samples)) / RATE
    return float(
        abs(np.sum(x * np.exp(-2j * np.pi * hz * t))) * 2 / np.sum(np.hanning(len(samples)))
    )


@pytest.fixture
def jack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Jack]:
    with portaudio_on_jack(tmp_path, "autoselect", monkeypatch) as server:
        yield server


def our_input_ports(jack: Jack) -> list[str]:
    """The input ports of this process's PortAudio client (the microphone stream)."""
    return [p for p in jack.ports("input") if not p.startswith(("desk:", "headset:"))]


def test_a_headset_plugged_in_mid_call_takes_the_call_and_its_removal_falls_back(
    jack: Jack, tmp_path: Path
) -> None:
    desk = metronome(jack, tmp_path, "desk", DESK_HZ)  # there before the watcher starts
    settings = Settings()
    settings.media.input_device = devices.SYSTEM_DEFAULT
    settings.media.output_device = devices.SYSTEM_DEFAULT
    settings.media.auto_select_device = True
    events: list[PhoneEvent] = []
    engine = Engine()
    engine.start()
    config = AudioConfig(
        input=devices.SYSTEM_DEFAULT,
        output=devices.SYSTEM_DEFAULT,
        echo_cancellation=False,
        auto_gain_control=False,
        noise_suppression=False,
    )
    far = FarEnd()

    def start_media() -> MediaEngine:
        media = MediaEngine(config)
        slot = media.bridge.add_port(far)
        media.bridge.connect(media.device_slot, slot)  # the call hears the microphone
        media.start()
        return media

    media = engine.submit(start_media).result(10)
    phone = types.SimpleNamespace(media=media)
    ctx = AppContext(
        engine=engine,
        phone=lambda: phone,  # type: ignore[arg-type,return-value]
        settings=lambda: settings,
        dispatch=events.append,
        tracker=Tracker(lambda _n: None),
    )
    watch = AudioDevices(ctx, interval=0.3)
    headset: Process | None = None
    try:

        def desk_into_microphone() -> None:
            assert wait_until(lambda: bool(our_input_ports(jack)), timeout=10)
            for port in our_input_ports(jack):
                jack.run("jack_connect", "desk:300_bpm", port)

        def hear(seconds: float = 1.5) -> np.ndarray:
            far.take()
            assert wait_until(lambda: len(far.frames) * 960 >= seconds * RATE, timeout=30)
            return far.take()

        desk_into_microphone()
        before = hear()
        print("desk call", tone_level(before, DESK_HZ), tone_level(before, HEADSET_HZ))
        assert tone_level(before, DESK_HZ) > 20 * max(tone_level(before, HEADSET_HZ), 1.0)

        watch.start()
        assert wait_until(lambda: watch.watcher.devices is not None, timeout=30)
        headset = metronome(jack, tmp_path, "headset", HEADSET_HZ)

        def changed(change: AudioDeviceChange) -> list[AudioDeviceChanged]:
            return [
                e
                for e in events
                if isinstance(e, AudioDeviceChanged)
                and e.change is change
                and e.device == "headset"
            ]

        assert wait_until(lambda: bool(changed(AudioDeviceChange.ADDED)), timeout=30)
        added = changed(AudioDeviceChange.ADDED)[0]
        assert (added.inputs, added.outputs, added.microphone) == (1, 0, "headset")
        assert engine.submit(lambda: devices.running_devices(media.device)).result(5) == {
            "headset",
            "system",
        }
        during = hear()
        print("headset", tone_level(during, DESK_HZ), tone_level(during, HEADSET_HZ))
        assert tone_level(during, HEADSET_HZ) > 20 * max(tone_level(during, DESK_HZ), 1.0)

        headset.stop()  # unplugged
        assert wait_until(lambda: bool(changed(AudioDeviceChange.REMOVED)), timeout=30)
        removed = changed(AudioDeviceChange.REMOVED)[0]
        assert removed.microphone == devices.SYSTEM_DEFAULT
        desk_into_microphone()  # the default device's new stream, fed by the desk again
        after = hear()
        print("back to desk", tone_level(after, DESK_HZ), tone_level(after, HEADSET_HZ))
        assert tone_level(after, DESK_HZ) > 20 * max(tone_level(after, HEADSET_HZ), 1.0)
    finally:
        watch.stop()
        if headset is not None:
            headset.stop()
        engine.submit(media.stop).result(10)
        engine.stop(5)
        desk.stop()
        assert os.environ.get("JACK_DEFAULT_SERVER") == jack.name


def test_the_running_app_takes_a_headset_and_gives_it_back(jack: Jack, tmp_path: Path) -> None:
    """The same through `Application`: its watcher starts with the phone (the settings
    name sound devices) and the level meter hears the headset, then the default again."""
    from parley.app import Application
    from parley.settings import save_settings

    desk = metronome(jack, tmp_path, "desk", DESK_HZ)
    settings = Settings()
    settings.media.auto_select_device = True
    settings.media.echo_cancellation = False
    settings.media.auto_gain_control = False
    settings.media.noise_suppression = False
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    app = Application(path, use_keyring=False, data_dir=tmp_path / "data", bind_host="127.0.0.1")
    events: list[PhoneEvent] = []
    app.subscribe(events.append)
    headset: Process | None = None

    def loud() -> bool:
        return app.input_level_db().result(5) > -30

    def changed(change: AudioDeviceChange) -> list[AudioDeviceChanged]:
        return [
            e
            for e in events
            if isinstance(e, AudioDeviceChanged) and e.change is change and e.device == "headset"
        ]

    try:
        app.start().result(20)
        assert wait_until(lambda: app.audio_devices.watcher.devices is not None, timeout=30)
        assert not loud()  # the dummy "system" capture is silent
        headset = metronome(jack, tmp_path, "headset", HEADSET_HZ)
        assert wait_until(lambda: bool(changed(AudioDeviceChange.ADDED)), timeout=30)
        assert changed(AudioDeviceChange.ADDED)[0].microphone == "headset"
        assert wait_until(loud, timeout=10)
        headset.stop()
        assert wait_until(lambda: bool(changed(AudioDeviceChange.REMOVED)), timeout=30)
        assert changed(AudioDeviceChange.REMOVED)[0].microphone == devices.SYSTEM_DEFAULT
        assert wait_until(lambda: bool(our_input_ports(jack)), timeout=10)
        for port in our_input_ports(jack):
            jack.run("jack_connect", "desk:300_bpm", port)
        assert wait_until(loud, timeout=10)  # the default device's stream carries audio
    finally:
        app.stop()
        if headset is not None:
            headset.stop()
        desk.stop()
