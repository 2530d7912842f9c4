"""Functions › Headset against a real call: baresip calls a Parley Application through
Kamailio, and a replayed Plantronics Blackwire 3220 (its real report descriptor, the
report stream its buttons send) answers with the hook switch, mutes and unmutes with the
mute button and hangs up by going on hook — through the same `HidDevice` interface the
hidraw device implements (this kernel has no uhid for a virtual device).

baresip plays a tone and Parley's microphone is a 2350 Hz tone: what baresip records
says whether Parley's voice reaches it (muted: the band is silent). The LED output
reports written to the device are checked byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from headset_descriptors import PLANTRONICS_BLACKWIRE_3220
from parley.app import Application
from parley.app.headset import Headset
from parley.media.engine import AudioConfig
from parley.media.headset_device import ReplayDevice
from parley.settings.model import AccountSettings, Settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from tone_rig import listen, tone_phone_options, tone_wav

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002"}
PARLEY_HZ = 2350.0
FAR_HZ = 1090.0
NAMED = {"parley": PARLEY_HZ, "far": FAR_HZ}
WAIT = 30.0

# The Blackwire 3220's telephony input report 8: bit0 Phone Mute (one-shot), bit1 Hook
# Switch, bit2 Flash.
OFF_HOOK, MUTE_PRESS, MUTE_RELEASE, ON_HOOK = b"\x08\x02", b"\x08\x03", b"\x08\x02", b"\x08\x00"
# Its LEDs: one-byte output reports 0x09 Mute, 0x17 Off-Hook, 0x18 Ring, 0x20 Hold.
ALL_OFF = [b"\x09\x00", b"\x17\x00", b"\x18\x00", b"\x20\x00"]
RINGING = [b"\x09\x00", b"\x17\x00", b"\x18\x01", b"\x20\x00"]
CONNECTED = [b"\x09\x00", b"\x17\x01", b"\x18\x00", b"\x20\x00"]
MUTED = [b"\x09\x01", b"\x17\x01", b"\x18\x00", b"\x20\x00"]


@dataclass
class Rig:
    app: Application
    far: Baresip
    device: ReplayDevice
    headset: Headset
    uri: str


def wait_for(predicate, what: str, timeout: float = WAIT) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def wait_written(dev: ReplayDevice, reports: list[bytes], since: int) -> int:
    """Wait until `reports` were written (in this order, after index `since`); the index
    after them."""

    def where() -> int | None:
        w = dev.written
        for i in range(since, len(w) - len(reports) + 1):
            if w[i : i + len(reports)] == reports:
                return i + len(reports)
        return None

    wait_for(lambda: where() is not None, f"LED reports {reports}; written {dev.written[since:]}")
    found = where()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("headset")
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
            **tone_phone_options(tmp, "1002", FAR_HZ, play_seconds=300.0),
        )
        far.start(timeout=30)
        account = AccountSettings(
            name="office", domain=registrar, username="1001", transport="udp", codecs=["pcmu"]
        )
        app = Application(
            settings=Settings(accounts=[account], media={"headset": "plantronics"}),
            passwords={"office": USERS["1001"]},
            use_keyring=False,
            data_dir=tmp / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(
                input=f"file:{tone_wav(tmp / 'tone-parley.wav', PARLEY_HZ)}",
                output=f"file:{tmp / 'parley-speaker.wav'}",
            ),
        )
        app.start().result(WAIT)
        wait_for(lambda: app.accounts()[0].state == "registered", "Parley registered")
        device = ReplayDevice(PLANTRONICS_BLACKWIRE_3220, vendor_id=0x047F, product_id=0xC056)
        # the Application's own headset feature, its device search replaced by the replay
        headset = app.headset
        headset.source = lambda: [device]
        wait_for(lambda: headset.device is device, "the replayed headset opened")
        yield Rig(app, far, device, headset, f"sip:1001@{registrar}")
    finally:
        if app is not None:
            app.stop()
        if far is not None:
            far.stop()
        kam.stop()


def test_hook_switch_answers_mute_button_mutes_on_hook_hangs_up(rig: Rig) -> None:
    dev, far = rig.device, rig.far
    seen = wait_written(dev, ALL_OFF, 0)  # opened: LEDs in step with no call

    mark = far.mark()
    far.dial(rig.uri)
    seen = wait_written(dev, RINGING, seen)  # Parley rings: the ring LED

    dev.push(OFF_HOOK)  # the user lifts the boom: answers
    far.wait_call_state("CALL_ESTABLISHED", timeout=WAIT, since=mark)
    seen = wait_written(dev, CONNECTED, seen)
    heard = listen({"far": far}, NAMED)["far"]
    assert heard.hears(PARLEY_HZ), heard

    dev.push(MUTE_PRESS, MUTE_RELEASE)  # mute: answered with the mute LED at once
    seen = wait_written(dev, MUTED, seen)
    wait_for(lambda: rig.app.list_calls()[0].muted, "the call muted")
    heard = listen({"far": far}, NAMED)["far"]
    assert heard.silent_at(PARLEY_HZ), heard

    dev.push(MUTE_PRESS, MUTE_RELEASE)  # and back
    seen = wait_written(dev, CONNECTED, seen)
    heard = listen({"far": far}, NAMED)["far"]
    assert heard.hears(PARLEY_HZ), heard

    dev.push(ON_HOOK)  # back on hook: hangs up
    far.wait_call_state("CALL_CLOSED", timeout=WAIT, since=mark)
    wait_written(dev, ALL_OFF, seen)
    wait_for(lambda: not [c for c in rig.app.list_calls() if c.state != "ended"], "call ended")


def test_unplugged_during_a_call_then_back(rig: Rig) -> None:
    """The device goes away: the feature closes it, looks again and takes the new one."""
    old = rig.device
    new = ReplayDevice(PLANTRONICS_BLACKWIRE_3220, vendor_id=0x047F, path="replay:1")
    devices = [new]
    rig.headset.source = lambda: devices  # the test plugs in another device
    old.unplug()
    wait_for(lambda: old.closed, "the gone device closed")
    wait_for(lambda: rig.headset.device is new, "the new device taken", timeout=WAIT)
    wait_written(new, ALL_OFF, 0)
