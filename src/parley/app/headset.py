"""Functions › Headset: a USB telephony headset's buttons drive the calls and its LEDs
follow them.

One background thread owns the device: it polls for a device (hot-plug) as the setting
`media.headset` allows ("none", "any" standard USB device, or only "jabra",
"plantronics", "sennheiser"), reads its input reports into the sans-IO
`HeadsetController`, runs the commands it returns through the calls facade (answer,
hang up, reject, mute, hold, resume), and writes the LED reports. Call events (from
`Application.subscribe`, on the engine thread) only mark the calls as changed; the
thread reads the call snapshots itself, so the engine never waits on a USB write.
A device that goes away is closed and looked for again; the call goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from parley.media.headset_control import (
    Answer,
    CallView,
    Command,
    Hangup,
    HeadsetController,
    Hold,
    Output,
    Reject,
    Resume,
    SetMute,
    accepts,
    quirks_for,
)
from parley.media.headset_device import DeviceInfo, HidDevice, discover, open_device
from parley.media.headset_hid import DescriptorError, ReportDescriptor, TelephonyMap
from parley.phone.events import CallStateChanged, PhoneEvent

if TYPE_CHECKING:
    from parley.app.application import Application

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # how often to look for a plugged-in headset
READ_SECONDS = 0.05  # longest wait for an input report before looking at the calls
REFRESH_SECONDS = 0.5  # the calls are read at least this often, events or not

DeviceSource = Callable[[], Sequence[DeviceInfo | HidDevice]]


class Headset:
    """The headset feature of one Application. `source` lists devices (DeviceInfo to be
    opened, or device objects already open such as a `ReplayDevice`); default: the
    telephony HID devices of this machine."""

    def __init__(
        self,
        app: Application,
        choice: Callable[[], str],
        source: DeviceSource | None = None,
    ) -> None:
        self._app = app
        self._choice = choice
        self.source: DeviceSource = source or discover
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_refresh = 0.0
        self.device: HidDevice | None = None
        self.controller: HeadsetController | None = None
        self._unsubscribe = app.subscribe(self._on_event)

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="parley-headset", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._unsubscribe()
        if self._thread is not None:
            self._thread.join(2.0)
        self._close()

    def _on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, CallStateChanged):
            self._dirty.set()

    # -- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        next_look = 0.0
        while not self._stop.is_set():
            if self.device is None:
                if self._choice() == "none":
                    self._stop.wait(POLL_SECONDS)
                    continue
                now = time.monotonic()
                if now < next_look:
                    self._stop.wait(min(POLL_SECONDS, next_look - now))
                    continue
                next_look = now + POLL_SECONDS
                self._open_first()
                continue
            if not accepts(self._choice(), self.device.vendor_id):
                log.info("headset %s no longer chosen in the settings", self.device.path)
                self._close()
                continue
            try:
                self._step()
            except OSError as exc:
                log.info("headset %s went away: %s", self.device.path, exc)
                self._close()
            except Exception:  # a bug must not end the feature: start over with the device
                log.exception("headset %s: unexpected error", self.device.path)
                self._close()

    def _open_first(self) -> None:
        choice = self._choice()
        try:
            candidates = list(self.source())
        except OSError as exc:
            log.debug("looking for headsets failed: %s", exc)
            return
        for candidate in candidates:
            if not accepts(choice, candidate.vendor_id):
                continue
            try:
                device = open_device(candidate) if isinstance(candidate, DeviceInfo) else candidate
            except OSError as exc:
                log.info("cannot open headset %s: %s", candidate.path, exc)
                continue
            try:
                tmap = TelephonyMap.from_descriptor(
                    ReportDescriptor.parse(device.report_descriptor())
                )
            except (OSError, DescriptorError) as exc:
                log.info("headset %s: unusable report descriptor: %s", device.path, exc)
                device.close()
                continue
            if not tmap.usable:
                device.close()
                continue
            self.device = device
            self.controller = HeadsetController(
                tmap, quirks_for(device.vendor_id, device.product_id)
            )
            self.controller.calls_changed(self._views())
            try:
                self._apply(self.controller.start())
            except OSError as exc:  # gone again already
                log.info("headset %s: %s", device.path, exc)
                self._close()
                continue
            log.info("headset %s (%s) in use", device.name, device.path)
            return

    def _step(self) -> None:
        assert self.device is not None and self.controller is not None
        report = self.device.read(READ_SECONDS)
        if report:
            self._apply(self.controller.feed(report))
        now = time.monotonic()
        if self._dirty.is_set() or now >= self._next_refresh:
            self._dirty.clear()
            self._next_refresh = now + REFRESH_SECONDS
            self._apply(self.controller.calls_changed(self._views()))

    def _views(self) -> list[CallView]:
        return [CallView(c.id, c.direction, c.state, c.muted) for c in self._app.list_calls()]

    def _apply(self, out: Output) -> None:
        assert self.device is not None
        for report in out.reports:
            self.device.write(report)
        for command in out.commands:
            self._run_command(command)

    def _run_command(self, command: Command) -> None:
        calls = self._app.calls
        try:
            if isinstance(command, Answer):
                calls.answer(command.call).result(10)
            elif isinstance(command, Hangup):
                calls.hangup(command.call).result(10)
            elif isinstance(command, Reject):
                calls.reject(command.call).result(10)
            elif isinstance(command, SetMute):
                calls.mute(command.muted).result(10)
            elif isinstance(command, Hold):
                calls.hold(command.call).result(10)
            elif isinstance(command, Resume):
                calls.resume(command.call).result(10)
        except Exception as exc:  # a call that ended meanwhile: nothing to do
            log.info("headset command %s failed: %s", command, exc)
        self._dirty.set()

    def _close(self) -> None:
        if self.device is not None:
            self.device.close()
        self.device = None
        self.controller = None
