"""The desktop app's "when an audio device is (dis)connected" pop-up: the device watcher
(with real devices in tests/interop/test_device_autoselect_jack.py) sees a headset come
and go — here its look is a list the test changes — and the window says so (offscreen
there is no tray: the status bar says it), in English and German; nothing is said when
the setting is off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gui_rig import GuiRig

from parley.app import Application
from parley.app.events import AudioDeviceChanged
from parley.gui.i18n import set_language
from parley.media.device_watch import SeenDevice
from parley.settings import Settings
from parley.settings.model import GuiSettings

SYSTEM = SeenDevice("system", "JACK Audio Connection Kit", 2, 2)
HEADSET = SeenDevice("USB Headset", "ALSA", 1, 2)


def rig_for(
    make_app: Callable[..., Application], qtbot: Any, seen: list[SeenDevice], **gui: Any
) -> GuiRig:
    app = make_app(Settings(gui=GuiSettings(**gui)))
    app.audio_devices.watcher.look = lambda: list(seen)
    rig = GuiRig(app, qtbot)
    rig.start()
    app.audio_devices.watcher.check()  # the first look: what is there at start
    return rig


def test_a_headset_plugged_in_and_out_is_said(
    make_app: Callable[..., Application], qtbot: Any
) -> None:
    seen = [SYSTEM]
    rig = rig_for(make_app, qtbot, seen)
    try:
        status = rig.window.status.message
        seen.append(HEADSET)
        rig.app.audio_devices.watcher.check()
        rig.wait(lambda: "USB Headset" in status.text())
        assert status.text() == "Audio device connected: USB Headset is connected."
        seen.remove(HEADSET)
        rig.app.audio_devices.watcher.check()
        rig.wait(lambda: "disconnected" in status.text())
        assert status.text() == "Audio device disconnected: USB Headset is gone."
    finally:
        rig.close()


def test_in_german(make_app: Callable[..., Application], qtbot: Any) -> None:
    set_language("de")
    try:
        seen = [SYSTEM]
        rig = rig_for(make_app, qtbot, seen)
        try:
            seen.append(HEADSET)
            rig.app.audio_devices.watcher.check()
            rig.wait(lambda: "USB Headset" in rig.window.status.message.text())
            assert rig.window.status.message.text() == (
                "Audiogerät angeschlossen: USB Headset ist angeschlossen."
            )
        finally:
            rig.close()
    finally:
        set_language("en")


def test_switched_off_nothing_is_said(make_app: Callable[..., Application], qtbot: Any) -> None:
    seen = [SYSTEM]
    rig = rig_for(make_app, qtbot, seen, notify_audio_device=False)
    events: list[object] = []
    rig.app.subscribe(events.append)
    try:
        seen.append(HEADSET)
        rig.app.audio_devices.watcher.check()
        seen.remove(HEADSET)
        rig.app.audio_devices.watcher.check()
        rig.wait(lambda: len([e for e in events if isinstance(e, AudioDeviceChanged)]) == 2)
        qtbot.wait(300)
        assert "Headset" not in rig.window.status.message.text()
        assert rig.window.features.last_actions == []
    finally:
        rig.close()
