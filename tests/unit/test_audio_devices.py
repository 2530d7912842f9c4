"""Device watching and the automatic microphone selection's choices, with a list of
devices the test changes and a media engine stand-in that records the switches (the
real devices and the audio: tests/interop/test_device_autoselect_jack.py)."""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest

from parley.app.audio_devices import AudioDevices
from parley.app.context import AppContext
from parley.app.engine import Engine
from parley.app.events import AudioDeviceChange, AudioDeviceChanged
from parley.app.tracker import Tracker
from parley.media.device_watch import DeviceWatcher, SeenDevice, changes
from parley.phone.events import PhoneEvent
from parley.settings import Settings

SYSTEM = SeenDevice("system", "JACK", 2, 2)
HEADSET = SeenDevice("USB Headset", "ALSA", 1, 2)
SPEAKERS = SeenDevice("HDMI", "ALSA", 0, 2)
MIC = SeenDevice("Desk Mic", "ALSA", 1, 0)


def test_changes_between_two_looks() -> None:
    assert changes([SYSTEM], [SYSTEM, HEADSET]) == ([HEADSET], [])
    assert changes([SYSTEM, HEADSET], [SYSTEM]) == ([], [HEADSET])
    more = SeenDevice("USB Headset", "ALSA", 2, 2)  # other channels: gone and back
    assert changes([HEADSET], [more]) == ([more], [HEADSET])


def test_the_first_look_is_the_baseline_and_a_failed_look_is_skipped() -> None:
    seen: list[tuple[list[SeenDevice], list[SeenDevice]]] = []
    looks: list[list[SeenDevice] | OSError] = [[SYSTEM, HEADSET], OSError("no"), [SYSTEM]]

    def look() -> list[SeenDevice]:
        item = looks.pop(0)
        if isinstance(item, OSError):
            raise item
        return item

    watcher = DeviceWatcher(lambda a, r: seen.append((a, r)), look=look)
    watcher.check()
    watcher.check()
    assert seen == []
    watcher.check()
    assert seen == [([], [HEADSET])]


def test_a_device_held_open_here_is_not_removed_when_a_look_misses_it() -> None:
    """ALSA hides a device another process holds open: while our stream on it runs, a
    look without it is no removal (and the next look with it no addition)."""
    seen: list[tuple[list[SeenDevice], list[SeenDevice]]] = []
    looks = [[SYSTEM, HEADSET], [SYSTEM], [SYSTEM, HEADSET], [SYSTEM]]
    held = {HEADSET}
    watcher = DeviceWatcher(
        lambda a, r: seen.append((a, r)), look=lambda: looks.pop(0), holds=held.__contains__
    )
    for _ in range(3):
        watcher.check()
    assert seen == []
    held.clear()  # our stream on it stopped: now the look is believed
    watcher.check()
    assert seen == [([], [HEADSET])]


class FakeMedia:
    def __init__(self, input: str, output: str) -> None:
        self.config = types.SimpleNamespace(input=input, output=output)
        self.switches: list[tuple[str, str]] = []

    def switch_devices(self, input_spec: str, output_spec: str, *, rescan: bool = False) -> None:
        assert rescan  # a new device is only known to PortAudio after a rescan
        self.switches.append((input_spec, output_spec))
        self.config.input, self.config.output = input_spec, output_spec


@pytest.fixture
def engine() -> Iterator[Engine]:
    e = Engine()
    e.start()
    yield e
    e.stop(5)


def rig(
    engine: Engine, media: FakeMedia, settings: Settings, seen: list[SeenDevice]
) -> tuple[AudioDevices, list[PhoneEvent]]:
    events: list[PhoneEvent] = []
    phone = types.SimpleNamespace(media=media)
    ctx = AppContext(
        engine=engine,
        phone=lambda: phone,  # type: ignore[arg-type,return-value]
        settings=lambda: settings,
        dispatch=events.append,
        tracker=Tracker(lambda _n: None),
    )
    watch = AudioDevices(ctx, look=lambda: list(seen))
    watch.watcher.check()
    return watch, events


def test_a_headset_is_taken_and_given_back(engine: Engine) -> None:
    settings = Settings()
    settings.media.input_device = settings.media.output_device = "system"
    settings.media.auto_select_device = True
    media, seen = FakeMedia("system", "system"), [SYSTEM]
    watch, events = rig(engine, media, settings, seen)
    seen += [HEADSET, SPEAKERS]
    watch.watcher.check()
    assert media.switches == [("USB Headset", "USB Headset")]  # the speakers: not taken
    seen.remove(HEADSET)
    watch.watcher.check()
    assert media.switches[-1] == ("system", "system")
    assert [(e.change, e.device, e.microphone, e.speaker) for e in events] == [
        (AudioDeviceChange.ADDED, "HDMI", None, None),
        (AudioDeviceChange.ADDED, "USB Headset", "USB Headset", "USB Headset"),
        (AudioDeviceChange.REMOVED, "USB Headset", "system", "system"),
    ]
    assert all(isinstance(e, AudioDeviceChanged) for e in events)


def test_a_microphone_alone_keeps_the_speaker(engine: Engine) -> None:
    settings = Settings()
    settings.media.auto_select_device = True
    media, seen = FakeMedia("system default", "system default"), [SYSTEM]
    watch, _events = rig(engine, media, settings, seen)
    seen.append(MIC)
    watch.watcher.check()
    assert media.switches == [("Desk Mic", "system default")]


def test_switched_off_nothing_changes_but_the_events_come(engine: Engine) -> None:
    settings = Settings()
    media, seen = FakeMedia("system default", "system default"), [SYSTEM]
    watch, events = rig(engine, media, settings, seen)
    seen.append(HEADSET)
    watch.watcher.check()
    assert media.switches == []
    assert [(e.change, e.microphone) for e in events] == [(AudioDeviceChange.ADDED, None)]


def test_the_settings_own_device_gone_falls_back_to_the_system_default(engine: Engine) -> None:
    settings = Settings()
    settings.media.input_device = "usb headset"  # found case-insensitively
    media, seen = FakeMedia("usb headset", "system default"), [SYSTEM, HEADSET]
    watch, events = rig(engine, media, settings, seen)
    seen.remove(HEADSET)
    watch.watcher.check()
    assert media.switches == [("system default", "system default")]
    assert isinstance(events[0], AudioDeviceChanged)
    assert (events[0].microphone, events[0].speaker) == ("system default", None)


def test_the_console_says_it() -> None:
    from parley.cli.texts import event_data

    event = AudioDeviceChanged(
        AudioDeviceChange.ADDED, "USB Headset", 1, 2, "USB Headset", "USB Headset"
    )
    data = event_data(event)
    assert data["event"] == "audio_device" and data["change"] == "added"
    assert data["text"] == (
        "Audio device 'USB Headset' connected; now using microphone 'USB Headset' and "
        "speaker 'USB Headset'."
    )
    gone = AudioDeviceChanged(AudioDeviceChange.REMOVED, "HDMI", 0, 2)
    assert event_data(gone)["text"] == "Audio device 'HDMI' disconnected."


def test_the_full_look_runs_when_the_cheap_sign_changes_or_is_old() -> None:
    from parley.media.device_watch import look_due

    sign = (("controlC0", "pcmC0D0c"), " 0 [PCH ]: HDA-Intel\n")
    plugged = (("controlC0", "controlC1", "pcmC0D0c", "pcmC1D0c"), sign[1] + " 1 [Headset]\n")
    assert not look_due(sign, sign, since_look=2.0, full_every=10.0)  # nothing new: skip
    assert look_due(plugged, sign, since_look=2.0, full_every=10.0)  # a USB device came
    assert look_due(sign, plugged, since_look=2.0, full_every=10.0)  # ...and went
    assert look_due(sign, sign, since_look=10.0, full_every=10.0)  # JACK etc.: now and then
    assert look_due(None, None, since_look=0.0, full_every=10.0)  # no sign on this OS


def test_the_cheap_sign_is_read_without_a_child_process() -> None:
    import sys

    from parley.media.device_watch import os_signature

    sign = os_signature()
    if sys.platform.startswith("linux"):
        nodes, cards = sign
        assert isinstance(nodes, tuple) and isinstance(cards, str)
    else:
        assert sign is None
