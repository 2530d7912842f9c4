"""Media › "Automatic microphone selection" and the audio device pop-ups' events.

A `DeviceWatcher` (media/device_watch.py) looks at the sound devices every few seconds
off the engine thread. Each device that appears or goes away becomes an
`AudioDeviceChanged` event on the application's event stream (the GUI's pop-up, the
console's JSON line). On the engine thread:

- a new device with a microphone, when `media.auto_select_device` is on, becomes the
  microphone of the running calls and of the calls after them; when it has a speaker
  too (a headset) it becomes the speaker as well. A device with only a speaker (new
  loudspeakers, a screen's HDMI sound) is not taken: the setting is about the
  microphone. The switch holds until that device goes away or the settings change the
  devices; the settings themselves are not rewritten.
- a device in use that goes away gives way to the devices of the settings (or the
  system default when the settings name that very device); the calls go on.

The device port keeps its bridge slot through a switch, so the calls, tones and
recordings connected to it carry over (`MediaEngine.switch_devices`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from parley.app.context import AppContext, AppError
from parley.app.events import AudioDeviceChange, AudioDeviceChanged
from parley.media.device_watch import POLL_SECONDS, DeviceWatcher, SeenDevice, probe
from parley.media.devices import SYSTEM_DEFAULT, running_devices
from parley.media.engine import MediaEngine
from parley.settings.model import MediaSettings

log = logging.getLogger(__name__)

SWITCH_TIMEOUT = 30.0  # the watcher waits this long for the engine to apply a change


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


class AudioDevices:
    """The device watching of one Application (see the module text)."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        interval: float = POLL_SECONDS,
        look: Callable[[], list[SeenDevice]] = probe,
    ) -> None:
        self._ctx = ctx
        self.watcher = DeviceWatcher(self._changed, interval=interval, look=look, holds=self._holds)

    def start(self) -> None:
        self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()

    def _holds(self, dev: SeenDevice) -> bool:
        """Whether our device port runs a stream on `dev` (read from the watcher thread:
        attribute reads only). JACK devices are shared, never hidden from a look."""
        if "jack" in dev.host_api.lower():
            return False
        media = self._media()
        if media is None:
            return False
        try:
            return any(_same(name, dev.name) for name in running_devices(media.device))
        except Exception:  # the port changed under us: the next look decides
            return False

    def _changed(self, added: list[SeenDevice], removed: list[SeenDevice]) -> None:
        """On the watcher thread: the engine applies the change, the watcher waits (a
        second change must not overtake a switch still running)."""
        future = self._ctx.engine.submit(self._apply, added, removed)
        try:
            future.result(SWITCH_TIMEOUT)
        except Exception as exc:  # the engine stopped meanwhile, or a switch failed
            log.warning("audio device change not applied: %s", exc)

    def _media(self) -> MediaEngine | None:
        try:
            return self._ctx.phone().media
        except AppError:  # the phone is not started (yet)
            return None

    def _apply(self, added: list[SeenDevice], removed: list[SeenDevice]) -> None:
        settings = self._ctx.settings().media
        for dev in removed:
            mic, speaker = self._removed(dev, settings)
            self._ctx.dispatch(
                AudioDeviceChanged(
                    AudioDeviceChange.REMOVED, dev.name, dev.inputs, dev.outputs, mic, speaker
                )
            )
        for dev in added:
            mic, speaker = self._added(dev, settings)
            self._ctx.dispatch(
                AudioDeviceChanged(
                    AudioDeviceChange.ADDED, dev.name, dev.inputs, dev.outputs, mic, speaker
                )
            )

    def _added(self, dev: SeenDevice, m: MediaSettings) -> tuple[str | None, str | None]:
        media = self._media()
        if media is None or not m.auto_select_device or dev.inputs < 1:
            return None, None
        speaker = dev.name if dev.outputs > 0 else media.config.output
        log.info("automatic microphone selection: %r", dev.name)
        media.switch_devices(dev.name, speaker, rescan=True)
        return dev.name, (dev.name if dev.outputs > 0 else None)

    def _removed(self, dev: SeenDevice, m: MediaSettings) -> tuple[str | None, str | None]:
        media = self._media()
        if media is None:
            return None, None
        in_use_in = _same(media.config.input, dev.name)
        in_use_out = _same(media.config.output, dev.name)
        if not (in_use_in or in_use_out):
            return None, None

        def fallback(setting: str) -> str:
            # The settings' own device may be the one that went away.
            gone = setting.strip().lower() in dev.name.lower() and setting.strip() != ""
            return SYSTEM_DEFAULT if gone else setting

        mic = fallback(m.input_device) if in_use_in else media.config.input
        speaker = fallback(m.output_device) if in_use_out else media.config.output
        log.info("audio device %r went away: using %r and %r", dev.name, mic, speaker)
        media.switch_devices(mic, speaker, rescan=True)
        return (mic if in_use_in else None), (speaker if in_use_out else None)
