"""The HID telephony core with report descriptors and report streams of real headsets
(tests/headset_descriptors.py says where each comes from)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headset_descriptors import (
    GENERIC_CIRCUITPYTHON,
    JABRA_SPEAK_510,
    PLANTRONICS_BLACKWIRE_3220,
)
from parley.media.headset_control import (
    Answer,
    CallView,
    Hangup,
    HeadsetController,
    Hold,
    Resume,
    SetMute,
    accepts,
    quirks_for,
)
from parley.media.headset_device import (
    HIDIOCGRAWINFO,
    HIDIOCGRDESC,
    HIDIOCGRDESCSIZE,
    HidrawDevice,
    ReplayDevice,
    discover_hidraw,
)
from parley.media.headset_hid import (
    BUTTON_REJECT,
    FLASH,
    HOOK_SWITCH,
    LED_HOLD,
    LED_MICROPHONE,
    LED_MUTE,
    LED_OFF_HOOK,
    LED_ONLINE,
    LED_RING,
    LINE_BUSY_TONE,
    PHONE_MUTE,
    REDIAL,
    ControlType,
    DescriptorError,
    Flash,
    HookSwitch,
    InputDecoder,
    LedState,
    LineBusy,
    MuteToggle,
    Redial,
    ReportDescriptor,
    ReportKind,
    TelephonyMap,
    control_type,
    encode_leds,
)


def test_plantronics_descriptor_fields() -> None:
    d = ReportDescriptor.parse(PLANTRONICS_BLACKWIRE_3220)
    assert d.is_telephony and d.uses_report_ids
    m = TelephonyMap.from_descriptor(d)
    mute, hook, flash = m.inputs[PHONE_MUTE], m.inputs[HOOK_SWITCH], m.inputs[FLASH]
    assert (mute.report_id, mute.bit_offset, mute.bit_size) == (8, 0, 1)
    assert (hook.report_id, hook.bit_offset) == (8, 1)
    assert (flash.report_id, flash.bit_offset) == (8, 2)
    assert not mute.absolute and hook.absolute
    assert control_type(mute) is ControlType.TOGGLE_BUTTON
    assert control_type(hook) is ControlType.TOGGLE_SWITCH
    assert {u: f.report_id for u, f in m.leds.items()} == {
        LED_MUTE: 0x09,
        LED_OFF_HOOK: 0x17,
        LED_RING: 0x18,
        LED_HOLD: 0x20,
        LED_ONLINE: 0x2A,
    }
    assert LED_MICROPHONE not in m.leds
    assert d.report_length(ReportKind.INPUT, 8) == 2  # id + 3 bits padded by 5 to a byte
    assert d.report_length(ReportKind.OUTPUT, 0x17) == 2


def test_generic_and_jabra_layouts() -> None:
    g = TelephonyMap.from_descriptor(GENERIC_CIRCUITPYTHON)
    assert {u: (f.report_id, f.bit_offset) for u, f in g.leds.items()} == {
        LED_MUTE: (2, 0),
        LED_OFF_HOOK: (2, 1),
        LED_RING: (2, 2),
    }
    j = TelephonyMap.from_descriptor(JABRA_SPEAK_510)
    assert set(j.inputs) == {HOOK_SWITCH, LINE_BUSY_TONE, PHONE_MUTE, FLASH, REDIAL, BUTTON_REJECT}
    assert {u: f.bit_offset for u, f in j.inputs.items()} == {
        HOOK_SWITCH: 0,
        LINE_BUSY_TONE: 1,
        PHONE_MUTE: 3,
        FLASH: 4,
        REDIAL: 5,
        BUTTON_REJECT: 7,
    }
    # the consumer collection's report 1 is not taken for telephony
    assert all(f.report_id == 3 for f in j.inputs.values())
    assert j.descriptor.report_length(ReportKind.INPUT, 3) == 3
    assert j.descriptor.collections == (0x000C0001, 0x000B0005)


@pytest.mark.parametrize(
    "data",
    [
        b"\x05",
        b"\x06\x0b",
        b"\xb4",
        b"\xfe\x02\x00\x00\x00",
        # Usage (Hook Switch), Report Size 8, Report Count 0xFFFFFFFF, Input: a report of
        # 32 Gbit, which a naive parser would expand into 4 billion fields
        bytes.fromhex("050b0920750897ffffffff8102"),
    ],
    ids=["truncated", "truncated-2", "pop-without-push", "long-item", "huge-report"],
)
def test_bad_descriptors_are_refused(data: bytes) -> None:
    with pytest.raises(DescriptorError):
        ReportDescriptor.parse(data)


def test_plantronics_stream_mute_one_shot_and_hook() -> None:
    # Recorded order of a Blackwire 3220 (report 8: bit0 mute, bit1 hook, bit2 flash):
    # lift the boom (off hook), mute press, release, flash press, release, on hook.
    dec = InputDecoder(TelephonyMap.from_descriptor(PLANTRONICS_BLACKWIRE_3220))
    stream = [b"\x08\x02", b"\x08\x03", b"\x08\x02", b"\x08\x06", b"\x08\x02", b"\x08\x00"]
    events = [dec.feed(r) for r in stream]
    assert events == [[HookSwitch(True)], [MuteToggle()], [], [Flash()], [], [HookSwitch(False)]]
    assert dec.feed(b"\x09\x01") == []  # another report id: not ours


def test_jabra_speak_510_stream() -> None:
    # As recorded by inspired-futures/jabra-speak-webhid: off hook, a mute press while off
    # hook (0x09) and its release, on hook; the consumer report (volume) is not ours.
    dec = InputDecoder(TelephonyMap.from_descriptor(JABRA_SPEAK_510))
    assert dec.feed(b"\x01\x02") == []  # volume up on the consumer report
    assert dec.feed(b"\x03\x01\x00") == [HookSwitch(True)]
    assert dec.feed(b"\x03\x09\x00") == [MuteToggle()]
    assert dec.feed(b"\x03\x01\x00") == []
    assert dec.feed(b"\x03\x21\x00") == [Redial()]
    assert dec.feed(b"\x03\x03\x00") == [LineBusy(True)]
    assert dec.feed(b"\x03\x00\x00") == [HookSwitch(False), LineBusy(False)]
    assert dec.feed(b"\x03\x08\x00") == [MuteToggle()]  # pressed on hook: 0x08


def test_led_reports_bytes() -> None:
    plt = TelephonyMap.from_descriptor(PLANTRONICS_BLACKWIRE_3220)
    assert encode_leds(plt, LedState(ring=True)) == [
        b"\x09\x00",
        b"\x17\x00",
        b"\x18\x01",
        b"\x20\x00",
    ]
    assert encode_leds(plt, LedState(off_hook=True, hold=True))[3] == b"\x20\x01"
    gen = TelephonyMap.from_descriptor(GENERIC_CIRCUITPYTHON)
    assert encode_leds(gen, LedState(off_hook=True, mute=True)) == [b"\x02\x03"]
    jab = TelephonyMap.from_descriptor(JABRA_SPEAK_510)
    # the bytes the Jabra Speak 510's driver sends: 0x01 off hook, 0x05 + mute, 0x09 + hold
    assert encode_leds(jab, LedState(off_hook=True)) == [b"\x03\x01"]
    assert encode_leds(jab, LedState(off_hook=True, mute=True)) == [b"\x03\x05"]
    assert encode_leds(jab, LedState(off_hook=True, hold=True)) == [b"\x03\x09"]
    assert encode_leds(jab, LedState(ring=True)) == [b"\x03\x02"]


def _call(state: str, muted: bool = False, call_id: int = 1) -> CallView:
    return CallView(call_id, "incoming", state, muted)


def test_whole_call_through_the_state_machine() -> None:
    tmap = TelephonyMap.from_descriptor(PLANTRONICS_BLACKWIRE_3220)
    c = HeadsetController(tmap, quirks_for(0x047F))
    assert c.start().reports[2] == b"\x18\x00"
    out = c.calls_changed([_call("incoming")])
    assert b"\x18\x01" in out.reports  # ring LED on
    out = c.feed(b"\x08\x02")  # off hook: answer, acknowledged with the LEDs at once
    assert out.commands == (Answer(1),)
    assert b"\x17\x01" in out.reports and b"\x18\x00" in out.reports
    assert c.calls_changed([_call("connected")]).reports == ()  # already shown
    out = c.feed(b"\x08\x03")  # mute pressed: toggle, answered with the mute LED at once
    assert out.commands == (SetMute(True),)
    assert b"\x09\x01" in out.reports
    assert c.feed(b"\x08\x02").commands == ()  # the release does nothing
    assert c.calls_changed([_call("connected", muted=True)]).reports == ()  # already shown
    out = c.feed(b"\x08\x03")
    assert out.commands == (SetMute(False),) and b"\x09\x00" in out.reports
    c.feed(b"\x08\x02")
    c.calls_changed([_call("connected")])
    assert c.feed(b"\x08\x06").commands == (Hold(1),)  # flash
    out = c.calls_changed([_call("held")])
    assert b"\x20\x01" in out.reports
    c.feed(b"\x08\x02")
    assert c.feed(b"\x08\x06").commands == (Resume(1),)
    c.calls_changed([_call("connected")])
    out = c.feed(b"\x08\x00")  # on hook
    assert out.commands == (Hangup(1),)
    assert out.reports == (b"\x09\x00", b"\x17\x00", b"\x18\x00", b"\x20\x00")
    assert c.calls_changed([_call("ended")]).reports == ()


def test_hook_follows_leds_when_answered_in_the_app() -> None:
    """Answered with the mouse: the off-hook LED goes on, the headset (Jabra's
    request/acknowledge) follows; putting it back on hook then hangs up."""
    c = HeadsetController(TelephonyMap.from_descriptor(JABRA_SPEAK_510), quirks_for(0x0B0E))
    c.calls_changed([_call("incoming")])
    out = c.calls_changed([_call("connected")])
    assert out.reports == (b"\x03\x01",)
    assert c.feed(b"\x03\x01\x00").commands == ()  # the device's acknowledgement
    assert c.feed(b"\x03\x00\x00").commands == (Hangup(1),)


def test_mute_without_a_call_is_answered_unmuted_and_idle_hook_does_nothing() -> None:
    c = HeadsetController(TelephonyMap.from_descriptor(GENERIC_CIRCUITPYTHON))
    out = c.feed(b"\x01\x02")
    assert out.commands == () and out.reports == (b"\x02\x00",)
    assert c.feed(b"\x01\x01").commands == ()  # off hook with nothing ringing


def test_setting_choices() -> None:
    assert accepts("any", 0x1234) and not accepts("none", 0x0B0E)
    assert accepts("jabra", 0x0B0E) and not accepts("jabra", 0x047F)
    assert accepts("plantronics", 0x047F) and accepts("sennheiser", 0x1395)
    assert quirks_for(0x047F).vendor == "plantronics" and quirks_for(1).vendor == "generic"


def test_discovery_from_sysfs(tmp_path: Path) -> None:
    for name, desc, hid_id in (
        ("hidraw0", bytes.fromhex("05010902a101c0"), "0003:0000046D:0000C077"),  # a mouse
        ("hidraw1", PLANTRONICS_BLACKWIRE_3220, "0003:0000047F:0000C056"),
    ):
        dev = tmp_path / name / "device"
        dev.mkdir(parents=True)
        (dev / "report_descriptor").write_bytes(desc)
        (dev / "uevent").write_text(f"HID_ID={hid_id}\nHID_NAME=Plantronics Blackwire 3220\n")
    found = discover_hidraw(tmp_path)
    assert [(d.path, d.vendor_id, d.product_id) for d in found] == [
        ("/dev/hidraw1", 0x047F, 0xC056)
    ]


def test_replay_device_interface() -> None:
    dev = ReplayDevice(GENERIC_CIRCUITPYTHON, reports=[b"\x01\x01"])
    assert dev.read(0.01) == b"\x01\x01" and dev.read(0.01) is None
    dev.write(b"\x02\x02")
    assert dev.written == [b"\x02\x02"]
    dev.unplug()
    with pytest.raises(OSError):
        dev.read(0.01)


def test_hidraw_ioctl_numbers() -> None:
    # linux/hidraw.h: _IOR('H', 0x01, int), _IOR('H', 0x02, struct hidraw_report_descriptor
    # {__u32 size; __u8 value[4096];}), _IOR('H', 0x03, struct hidraw_devinfo)
    assert HIDIOCGRDESCSIZE == 0x80044801
    assert HIDIOCGRDESC == 0x90044802
    assert HIDIOCGRAWINFO == 0x80084803


def test_hidraw_device_reads_and_writes_reports(tmp_path: Path) -> None:
    """The hidraw read/write path on a FIFO standing in for /dev/hidrawN (one report per
    read, None after the timeout); the ioctls are for real nodes only."""
    fifo = tmp_path / "hidraw9"
    os.mkfifo(fifo)
    dev = HidrawDevice(str(fifo), vendor_id=0x047F, product_id=0xC056)
    try:
        assert dev.read(0.05) is None
        dev.write(b"\x08\x02")
        assert dev.read(1.0) == b"\x08\x02"
        with pytest.raises(OSError):
            dev.report_descriptor()  # not a HID device: the ioctl fails cleanly
    finally:
        dev.close()


# A telephony device without report ids, written for this test (not a device dump): one
# input byte with Hook Switch and Phone Mute, one output byte with the Off-Hook and Mute
# LEDs.
NO_IDS = bytes.fromhex(
    "050b 0905 a101 1500 2501 7501 0920 092f 9502 8122 9506 8101"
    "0508 0917 0909 9502 9122 9506 9101 c0"
)


def test_device_without_report_ids() -> None:
    m = TelephonyMap.from_descriptor(NO_IDS)
    assert not m.descriptor.uses_report_ids
    dec = InputDecoder(m)
    assert dec.feed(b"\x01") == [HookSwitch(True)]  # reads carry no id byte
    # writes do: 0 for "no report id", then the byte (hidraw's and hidapi's rule)
    assert encode_leds(m, LedState(off_hook=True, mute=True)) == [b"\x00\x03"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_refused(data: bytes) -> None:
    """A device's descriptor comes from outside: it parses, or DescriptorError."""
    try:
        d = ReportDescriptor.parse(data)
    except DescriptorError:
        return
    m = TelephonyMap.from_descriptor(d)
    encode_leds(m, LedState(off_hook=True, ring=True, mute=True, hold=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=20))
def test_any_report_stream_decodes(reports: list[bytes]) -> None:
    c = HeadsetController(TelephonyMap.from_descriptor(JABRA_SPEAK_510))
    c.calls_changed([_call("incoming")])
    for r in reports:
        c.feed(r)
