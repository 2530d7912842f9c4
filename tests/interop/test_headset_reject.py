"""The headset refuses and takes calls in a real call: baresip calls a Parley Application
through Kamailio; a replayed Jabra (Button 7 of its telephony collection: reject) refuses
the ringing call — baresip sees 603 Decline (the settings' "reject with") — and a
replayed Sennheiser SC headset answers with one press of its talk button (1, then 0 at
release) and ends the call with the next. Both through the `HidDevice` interface the
hidraw device implements (this kernel has no /dev/uhid for a virtual device). The LED
output reports written to each device are checked byte for byte."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from headset_descriptors import JABRA_SPEAK_510, SENNHEISER_SC
from parley.app import Application
from parley.app.headset import Headset
from parley.media.engine import AudioConfig
from parley.media.headset_device import ReplayDevice
from parley.settings.model import AccountSettings, Settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002"}
WAIT = 30.0

# Jabra report 3: bit0 Hook Switch, bit7 Button 7 (reject); LEDs: one-byte report 3,
# bit0 Off-Hook, bit1 Ring.
JABRA_REJECT_PRESS, JABRA_REJECT_RELEASE = b"\x03\x80\x00", b"\x03\x00\x00"
JABRA_RINGING, JABRA_IDLE = b"\x03\x02", b"\x03\x00"
# Sennheiser report 2: bit0 Hook Switch (the talk button); LEDs report 3: bit0 Off-Hook,
# bit1 Mute, bit2 Ring, bit3 On-Line.
TALK_PRESS, TALK_RELEASE = b"\x02\x01", b"\x02\x00"
SENN_RINGING, SENN_CALL, SENN_IDLE = b"\x03\x04", b"\x03\x09", b"\x03\x00"


@dataclass
class Rig:
    app: Application
    far: Baresip
    headset: Headset
    uri: str


def wait_for(predicate: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def wait_written(dev: ReplayDevice, report: bytes, since: int) -> int:
    """Wait until `report` is written after index `since`; the index after it."""

    def where() -> int | None:
        for i in range(since, len(dev.written)):
            if dev.written[i] == report:
                return i + 1
        return None

    wait_for(lambda: where() is not None, f"LED report {report!r}; written {dev.written[since:]}")
    found = where()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("headset-reject")
    port = free_port("both")
    kam = Kamailio(tmp / "kamailio", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    kam.start()
    registrar = f"{kam.host}:{kam.udp_port}"
    far: Baresip | None = None
    app: Application | None = None
    try:
        far = Baresip(
            tmp / "baresip",
            sip_port=free_port("both"),
            user="1002",
            password=USERS["1002"],
            registrar=registrar,
            codecs=["PCMU/8000/1"],
        )
        far.start(timeout=30)
        account = AccountSettings(
            name="office", domain=registrar, username="1001", transport="udp", codecs=["pcmu"]
        )
        app = Application(
            settings=Settings(
                accounts=[account],
                media={"headset": "any"},
                functions={"reject_with": "decline"},
            ),
            passwords={"office": USERS["1001"]},
            use_keyring=False,
            data_dir=tmp / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(input="null", output="null"),
        )
        app.start().result(WAIT)
        wait_for(lambda: app.accounts()[0].state == "registered", "Parley registered")
        yield Rig(app, far, app.headset, f"sip:1001@{registrar}")
    finally:
        if app is not None:
            app.stop()
        if far is not None:
            far.stop()
        kam.stop()


def plug(rig: Rig, device: ReplayDevice) -> None:
    rig.headset.source = lambda: [device]
    old = rig.headset.device
    if old is not None and old is not device:
        assert isinstance(old, ReplayDevice)
        old.unplug()  # the previous test's device goes away
    wait_for(lambda: rig.headset.device is device, "the replayed headset opened")


def no_live_call(app: Application) -> bool:
    return not [c for c in app.list_calls() if c.state != "ended"]


def test_jabra_reject_button_refuses_the_ringing_call(rig: Rig) -> None:
    dev = ReplayDevice(JABRA_SPEAK_510, vendor_id=0x0B0E, product_id=0x0422, path="replay:j")
    plug(rig, dev)
    seen = wait_written(dev, JABRA_IDLE, 0)
    mark = rig.far.mark()
    rig.far.dial(rig.uri)
    seen = wait_written(dev, JABRA_RINGING, seen)  # the ring LED: Parley rings

    dev.push(JABRA_REJECT_PRESS, JABRA_REJECT_RELEASE)
    closed = rig.far.wait_call_state("CALL_CLOSED", timeout=WAIT, since=mark)
    assert "603" in str(closed.get("param", "")), closed  # refused, as the settings say
    assert (
        rig.far.wait_event(lambda e: e.get("type") == "CALL_ESTABLISHED", 0.1, since=mark) is None
    )
    wait_written(dev, JABRA_IDLE, seen)
    wait_for(lambda: no_live_call(rig.app), "the call ended in Parley")


def test_sennheiser_talk_button_answers_and_ends(rig: Rig) -> None:
    dev = ReplayDevice(SENNHEISER_SC, vendor_id=0x1395, product_id=0x0039, path="replay:s")
    plug(rig, dev)
    seen = wait_written(dev, SENN_IDLE, 0)
    mark = rig.far.mark()
    rig.far.dial(rig.uri)
    seen = wait_written(dev, SENN_RINGING, seen)

    dev.push(TALK_PRESS, TALK_RELEASE)  # one press: answers (and does not hang up again)
    rig.far.wait_call_state("CALL_ESTABLISHED", timeout=WAIT, since=mark)
    seen = wait_written(dev, SENN_CALL, seen)  # Off-Hook and On-Line
    time.sleep(1.0)  # nothing more comes of that one press
    assert rig.far.wait_event(lambda e: e.get("type") == "CALL_CLOSED", 0.1, since=mark) is None

    dev.push(TALK_PRESS, TALK_RELEASE)  # the next press ends the call
    rig.far.wait_call_state("CALL_CLOSED", timeout=WAIT, since=mark)
    wait_written(dev, SENN_IDLE, seen)
    wait_for(lambda: no_live_call(rig.app), "the call ended in Parley")
