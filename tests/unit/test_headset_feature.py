"""The app's headset feature (app/headset.py) with a replayed device and a stand-in
Application: which devices the setting lets it take, call events to LEDs, buttons to
the calls facade, a device that goes away. The real call is in
tests/interop/test_headset_replay.py."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from headset_descriptors import GENERIC_CIRCUITPYTHON, PLANTRONICS_BLACKWIRE_3220
from parley.app.headset import Headset
from parley.media.headset_device import ReplayDevice
from parley.phone.events import CallStateChanged

WAIT = 10.0


def until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@dataclass
class Info:
    id: int
    direction: str
    state: str
    muted: bool = False


def done() -> concurrent.futures.Future[None]:
    f: concurrent.futures.Future[None] = concurrent.futures.Future()
    f.set_result(None)
    return f


@dataclass
class FakeCalls:
    app: FakeApp
    log: list[tuple[str, Any]] = field(default_factory=list)

    def answer(self, call: int) -> concurrent.futures.Future[None]:
        self.log.append(("answer", call))
        self.app.set_calls([Info(call, "incoming", "connected")])
        return done()

    def hangup(self, call: int) -> concurrent.futures.Future[None]:
        self.log.append(("hangup", call))
        self.app.set_calls([])
        return done()

    def mute(self, on: bool) -> concurrent.futures.Future[None]:
        self.log.append(("mute", on))
        return done()


class FakeApp:
    """What the feature uses of Application: subscribe, list_calls, calls."""

    def __init__(self) -> None:
        self.calls = FakeCalls(self)
        self._calls: list[Info] = []
        self._subs: list[Callable[[Any], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, cb: Callable[[Any], None]) -> Callable[[], None]:
        self._subs.append(cb)
        return lambda: self._subs.remove(cb)

    def list_calls(self) -> list[Info]:
        with self._lock:
            return list(self._calls)

    def set_calls(self, calls: list[Info]) -> None:
        with self._lock:
            self._calls = calls
        for cb in list(self._subs):
            cb(
                CallStateChanged(
                    call=calls[0].id if calls else 0,
                    account="office",
                    direction="incoming",
                    state="connected",
                    remote="sip:1002@127.0.0.1",
                )
            )


def test_setting_decides_which_device_and_buttons_drive_calls() -> None:
    app = FakeApp()
    poly = ReplayDevice(PLANTRONICS_BLACKWIRE_3220, vendor_id=0x047F, path="replay:poly")
    generic = ReplayDevice(GENERIC_CIRCUITPYTHON, vendor_id=0x239A, path="replay:generic")
    choice = ["jabra"]
    feature = Headset(app, lambda: choice[0], source=lambda: [poly, generic])  # type: ignore[arg-type]
    feature.start()
    try:
        time.sleep(0.3)
        assert feature.device is None  # "jabra": neither is taken
        choice[0] = "plantronics"
        until(lambda: feature.device is poly, "the Plantronics device taken")
        until(
            lambda: poly.written[-4:] == [b"\x09\x00", b"\x17\x00", b"\x18\x00", b"\x20\x00"],
            "LEDs off",
        )

        app.set_calls([Info(7, "incoming", "incoming")])
        until(lambda: b"\x18\x01" in poly.written, "the ring LED")
        poly.push(b"\x08\x02")  # off hook
        until(lambda: ("answer", 7) in app.calls.log, "answered")
        poly.push(b"\x08\x03", b"\x08\x02")  # mute press and release
        until(lambda: ("mute", True) in app.calls.log, "muted")
        until(lambda: b"\x09\x01" in poly.written, "the mute LED")
        poly.push(b"\x08\x00")  # on hook
        until(lambda: ("hangup", 7) in app.calls.log, "hung up")
        assert app.calls.log == [("answer", 7), ("mute", True), ("hangup", 7)]

        poly.unplug()  # gone: closed, and the next one looked for
        choice[0] = "any"
        until(lambda: poly.closed, "the gone device closed")
        until(lambda: feature.device is generic, "the generic device taken")
        until(lambda: generic.written[-1:] == [b"\x02\x00"], "its LEDs off")

        choice[0] = "none"  # switched off in the settings: the device is let go
        until(lambda: feature.device is None and generic.closed, "the device let go")
    finally:
        feature.stop()
