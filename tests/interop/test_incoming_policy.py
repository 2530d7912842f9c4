"""Incoming-call policy with real callers: SIPp calls a Phone running in this process.

The Phone accepts direct calls (no registrar needed); SIPp scenarios check what goes over
the wire (a 486 with no 180 before it, a hold re-INVITE with a=sendonly), and the tests
look at what the phone did inside: the events it reported, the tone ports that were put
on the audio bridge, and which calls the bridge connects to the microphone and speaker.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from direct_phone import Rig, finish, running_phone, state

from parley.phone.call import Call
from parley.sip.message import Response
from parley.sip.parser import parse_message

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]


def audio_of(rig: Rig, call: Call) -> tuple[bool, bool]:
    """(microphone -> call, call -> speaker) on the bridge."""
    assert call.media is not None
    bridge, device = rig.phone.media.bridge, rig.phone.media.device_slot
    return bridge.is_connected(device, call.media.slot), bridge.is_connected(
        call.media.slot, device
    )


async def test_busy_is_decided_before_anything_rings(tmp_path: Path) -> None:
    """Call waiting off: the second caller gets 486 with no 180 first (the scenario
    fails on a 180), and the phone neither announces nor signals that call."""
    async with running_phone(tmp_path, auto_answer=True, call_waiting=False) as rig:
        first = rig.caller("call_answered.xml")
        up = await rig.wait_event(state("connected"))
        tones_before = list(rig.tones)
        second = rig.caller("call_busy_no_ring.xml")
        await finish(second)
        others = [e for e in rig.call_events() if e.call != up.call]
        assert others, "the refused call is still reported (as ended, for the history)"
        assert [e.state for e in others] == ["ended"], others
        assert others[0].status == 486, others
        assert rig.tones == tones_before, rig.tones  # no call-waiting tone, no ringtone
        rig.call(up.call).hangup()
        await finish(first)


async def test_auto_answer_holds_the_call_that_is_up_first(tmp_path: Path) -> None:
    """Auto-answer during a call: the first call is held (re-INVITE a=sendonly, checked
    by the scenario) before the 200 OK of the second goes out, and only the second is
    connected to the microphone and speaker."""
    async with running_phone(tmp_path, auto_answer=True) as rig:
        first = rig.caller("call_answered_then_held.xml")
        one = await rig.wait_event(state("connected"))
        assert audio_of(rig, rig.call(one.call)) == (True, True)
        second = rig.caller("call_answered.xml")
        two = await rig.wait_event(lambda e: e.state == "connected" and e.call != one.call)
        await rig.wait_event(state("held", call=one.call, held="us"))
        assert audio_of(rig, rig.call(one.call)) == (False, False)
        assert audio_of(rig, rig.call(two.call)) == (True, True)
        # On the wire: the hold re-INVITE before the second call's 200 OK.
        second_id = rig.call(two.call).session.call_id
        reinvite = next(i for i, m in enumerate(rig.wire) if m.startswith("INVITE "))
        answer = next(
            i
            for i, m in enumerate(rig.wire)
            if m.startswith("SIP/2.0 200") and second_id in m and "INVITE" in m
        )
        assert reinvite < answer, rig.wire
        assert "a=sendonly" in rig.wire[reinvite]
        rig.call(two.call).hangup()
        rig.call(one.call).hangup()
        await finish(first)
        await finish(second)


@pytest.mark.parametrize("silenced", [True, False])
async def test_silenced_waiting_call_stays_silent(tmp_path: Path, silenced: bool) -> None:
    """A waiting call whose ringing was silenced does not ring when the active call ends;
    one that was not silenced does (the rig can see a ringtone start)."""
    async with running_phone(tmp_path, auto_answer=False) as rig:
        first = rig.caller("call_answered.xml")
        one = await rig.wait_event(state("incoming"))
        rig.call(one.call).answer()
        await rig.wait_event(state("connected", call=one.call))
        second = rig.caller("call_rejected.xml")
        two = await rig.wait_event(lambda e: e.state == "incoming" and e.call != one.call)
        assert rig.tones[-1] == "call_waiting", rig.tones
        if silenced:
            rig.phone.stop_ringing(rig.call(two.call))  # what the GUI's silence button does
        mark = len(rig.tones)
        rig.call(one.call).hangup()
        await finish(first)  # the BYE was answered: the first call has ended
        await rig.wait_event(state("ended", call=one.call))
        assert rig.tones[mark:] == ([] if silenced else ["ringtone"]), rig.tones
        rig.call(two.call).reject()
        await finish(second)


def _options(call_id: str, *, length: int | None = None, via: bool = True) -> bytes:
    lines = [
        "OPTIONS sip:1001@127.0.0.1 SIP/2.0",
        "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-raw-" + call_id + ";rport",
        "From: <sip:probe@127.0.0.1>;tag=probe",
        "To: <sip:1001@127.0.0.1>",
        "Call-ID: " + call_id,
        "CSeq: 7 OPTIONS",
        "Max-Forwards: 70",
        f"Content-Length: {length if length is not None else 0}",
    ]
    if not via:
        lines.pop(1)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def test_malformed_requests_get_400_and_the_phone_goes_on(tmp_path: Path) -> None:
    """RFC 3261 §18.3 at the running phone: a request whose Content-Length is larger than
    its datagram gets 400 with a Warning; one without a Via gets nothing; then an OPTIONS
    is answered 200 and a call still works."""
    async with running_phone(tmp_path, auto_answer=True) as rig:
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
            raw.bind(("127.0.0.1", 0))
            raw.setblocking(False)
            where = ("127.0.0.1", rig.port)
            raw.sendto(b"\x16\x03\x01 not sip at all\r\n\r\n", where)
            raw.sendto(_options("novia", length=500, via=False), where)
            raw.sendto(_options("short", length=500), where)
            first = parse_message(await asyncio.wait_for(loop.sock_recv(raw, 65535), 10))
            assert first.call_id == "short" and isinstance(first, Response)
            assert first.status == 400 and "Content-Length" in first.reason
            assert "Content-Length 500" in (first.headers.get("Warning") or "")
            raw.sendto(_options("fine"), where)
            ok = parse_message(await asyncio.wait_for(loop.sock_recv(raw, 65535), 10))
            assert isinstance(ok, Response) and (ok.call_id, ok.status) == ("fine", 200)
        caller = rig.caller("call_answered.xml")
        up = await rig.wait_event(state("connected"))
        rig.call(up.call).hangup()
        await finish(caller)
