"""Vendor quirks and the reject button, over report descriptors and report streams
shaped like the real devices (tests/headset_descriptors.py says where each comes from)."""

from __future__ import annotations

from headset_descriptors import (
    GAMEPAD_BUTTONS,
    GENERIC_CIRCUITPYTHON,
    GENERIC_WITH_DROP,
    JABRA_SPEAK_510,
    PLANTRONICS_BLACKWIRE_3220,
    SENNHEISER_SC,
)
from parley.media.headset_control import (
    SENNHEISER,
    SENNHEISER_DECT,
    Answer,
    CallView,
    Hangup,
    HeadsetController,
    Reject,
    SetMute,
    quirks_for,
)
from parley.media.headset_hid import BUTTON_REJECT, DROP, HOOK_SWITCH, TelephonyMap


def _call(state: str, muted: bool = False, call_id: int = 1) -> CallView:
    return CallView(call_id, "incoming", state, muted)


def sennheiser(product_id: int = 0x0039) -> HeadsetController:
    return HeadsetController(
        TelephonyMap.from_descriptor(SENNHEISER_SC), quirks_for(0x1395, product_id)
    )


def test_sennheiser_quirks_chosen_by_vendor_and_product() -> None:
    assert quirks_for(0x1395) is SENNHEISER and quirks_for(0x1395, 0x0039) is SENNHEISER
    assert quirks_for(0x1395, 0x740A) is SENNHEISER_DECT
    assert quirks_for(0x0B0E, 0x740A).vendor == "jabra"


def test_sennheiser_talk_button_answers_and_ends_once_per_press() -> None:
    c = sennheiser()
    assert c.start().reports == (b"\x03\x00",)
    assert c.calls_changed([_call("incoming")]).reports == (b"\x03\x04",)  # ring
    assert c.feed(b"\x02\x01").commands == ()  # talk pressed: nothing until released
    out = c.feed(b"\x02\x00")  # released: one talk press answers
    assert out.commands == (Answer(1),)
    assert out.reports == (b"\x03\x09",)  # Off-Hook and On-Line at once
    assert c.calls_changed([_call("connected")]).reports == ()
    out = c.feed(b"\x02\x02")  # mute pressed (1, then 0): one toggle
    assert out.commands == (SetMute(True),) and out.reports == (b"\x03\x0b",)
    assert c.feed(b"\x02\x00").commands == ()
    c.calls_changed([_call("connected", muted=True)])
    c.feed(b"\x02\x02")
    c.feed(b"\x02\x00")
    c.calls_changed([_call("connected")])
    c.feed(b"\x02\x01")
    out = c.feed(b"\x02\x00")  # the next talk press ends the call
    assert out.commands == (Hangup(1),) and out.reports == (b"\x03\x00",)


def test_a_standard_reading_of_that_stream_would_hang_up_at_once() -> None:
    """Why the quirk exists: read as a standard hook switch, the release of the talk
    button that answered would end the call again."""
    c = HeadsetController(TelephonyMap.from_descriptor(SENNHEISER_SC), quirks_for(0x1234))
    c.calls_changed([_call("incoming")])
    assert c.feed(b"\x02\x01").commands == (Answer(1),)
    c.calls_changed([_call("connected")])
    assert c.feed(b"\x02\x00").commands == (Hangup(1),)


def test_sennheiser_dect_base_flips_its_hook_and_gets_leds_off_then_on() -> None:
    c = sennheiser(0x740A)
    c.start()
    c.calls_changed([_call("incoming")])
    out = c.feed(b"\x02\x01")  # the base flips to off hook: talk
    assert out.commands == (Answer(1),)
    assert out.reports == (b"\x03\x08", b"\x03\x09")  # Off-Hook written off, then on
    c.calls_changed([_call("connected")])
    out = c.feed(b"\x02\x03")  # mute pressed, the hook still off
    assert out.commands == (SetMute(True),)
    assert out.reports == (b"\x03\x09", b"\x03\x0b")  # Mute written off, then on
    assert c.feed(b"\x02\x01").commands == ()  # mute released


def test_sennheiser_dect_second_press_ends_the_call() -> None:
    c = sennheiser(0x740A)
    c.calls_changed([_call("incoming")])
    c.feed(b"\x02\x01")
    c.calls_changed([_call("connected")])
    assert c.feed(b"\x02\x00").commands == (Hangup(1),)


def test_jabra_button_7_rejects_a_ringing_call_only() -> None:
    tmap = TelephonyMap.from_descriptor(JABRA_SPEAK_510)
    assert BUTTON_REJECT in tmap.inputs
    c = HeadsetController(tmap, quirks_for(0x0B0E))
    assert c.feed(b"\x03\x80\x00").commands == ()  # nothing rings: nothing to reject
    c.feed(b"\x03\x00\x00")
    c.calls_changed([_call("incoming")])
    out = c.feed(b"\x03\x80\x00")
    assert out.commands == (Reject(1),)
    assert out.reports == (b"\x03\x00",)  # ring LED off at once
    assert c.feed(b"\x03\x00\x00").commands == ()  # the release does nothing


def test_reject_while_talking_refuses_the_waiting_call_not_the_current_one() -> None:
    c = HeadsetController(TelephonyMap.from_descriptor(JABRA_SPEAK_510), quirks_for(0x0B0E))
    c.calls_changed([_call("connected", call_id=1), _call("incoming", call_id=2)])
    assert c.feed(b"\x03\x81\x00").commands == (Reject(2),)  # hook stays off, button 7


def test_drop_rejects_on_a_generic_device() -> None:
    tmap = TelephonyMap.from_descriptor(GENERIC_WITH_DROP)
    assert DROP in tmap.inputs and HOOK_SWITCH in tmap.inputs
    c = HeadsetController(tmap)
    c.calls_changed([_call("incoming")])
    assert c.feed(b"\x01\x02").commands == (Reject(1),)


def test_no_reject_button_outside_a_telephony_collection() -> None:
    assert BUTTON_REJECT not in TelephonyMap.from_descriptor(GAMEPAD_BUTTONS).inputs
    for descriptor in (PLANTRONICS_BLACKWIRE_3220, GENERIC_CIRCUITPYTHON):
        assert BUTTON_REJECT not in TelephonyMap.from_descriptor(descriptor).inputs


def test_on_line_led_only_for_devices_that_need_it() -> None:
    """The Blackwire has an On-Line LED of its own report: Parley leaves it alone."""
    c = HeadsetController(TelephonyMap.from_descriptor(PLANTRONICS_BLACKWIRE_3220))
    assert all(r[0] != 0x2A for r in c.start().reports)
