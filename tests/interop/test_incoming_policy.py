"""Incoming-call policy with real callers: SIPp calls a Phone running in this process.

The Phone accepts direct calls (no registrar needed); SIPp scenarios check what goes over
the wire (a 486 with no 180 before it, a hold re-INVITE with a=sendonly), and the tests
look at what the phone did inside: the events it reported, the tone ports that were put
on the audio bridge, and which calls the bridge connects to the microphone and speaker.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from parley.media.engine import AudioConfig
from parley.media.ports import Port
from parley.phone.call import Call
from parley.phone.events import CallStateChanged, PhoneEvent
from parley.phone.phone import Phone
from parley.settings.model import Settings
from parley.sip.message import Response
from parley.sip.parser import parse_message
from peers.common import free_port
from peers.sipp import SCENARIOS, Sipp

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]

TONES = ("ringtone", "call_waiting")


@dataclass
class Rig:
    phone: Phone
    port: int
    tmp: Path
    events: list[PhoneEvent]
    tones: list[str] = field(default_factory=list)  # tone ports added to the bridge, in order
    wire: list[str] = field(default_factory=list)  # SIP messages sent, in order
    sipps: list[Sipp] = field(default_factory=list)

    def caller(self, scenario: str) -> Sipp:
        sipp = Sipp(
            SCENARIOS / scenario,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            remote=f"127.0.0.1:{self.port}",
            extra_args=["-s", "1001"],
            workdir=self.tmp,
        )
        self.sipps.append(sipp)
        sipp.start()
        return sipp

    def call_events(self, call: int | None = None) -> list[CallStateChanged]:
        return [
            e
            for e in self.events
            if isinstance(e, CallStateChanged) and (call is None or e.call == call)
        ]

    async def wait_event(
        self, match: Callable[[CallStateChanged], bool], timeout: float = 30.0
    ) -> CallStateChanged:
        async def poll() -> CallStateChanged:
            while True:
                for e in self.call_events():
                    if match(e):
                        return e
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(poll(), timeout)

    def call(self, call_id: int) -> Call:
        return self.phone.calls[call_id]


async def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    code = await asyncio.to_thread(sipp.wait, timeout)
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"


def state(name: str, **fields: Any) -> Callable[[CallStateChanged], bool]:
    def match(e: CallStateChanged) -> bool:
        return e.state == name and all(getattr(e, k) == v for k, v in fields.items())

    return match


class _Wire(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(">>"):
            self.sink.append(text.split("\n", 1)[1])


@asynccontextmanager
async def running_phone(
    tmp_path: Path, *, auto_answer: bool, call_waiting: bool = True
) -> AsyncIterator[Rig]:
    port = free_port("udp")
    settings = Settings.model_validate(
        {
            "accounts": [
                {
                    "name": "office",
                    "domain": "127.0.0.1:9",
                    "username": "1001",
                    "transport": "udp",
                    "local_port": port,
                    "register_on_startup": False,
                    "codecs": ["pcmu"],
                }
            ],
            "functions": {"allow_direct_calls": True},
            "media": {"call_waiting": call_waiting},
        }
    )
    events: list[PhoneEvent] = []
    phone = Phone(
        settings,
        {},
        events.append,
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        auto_answer=auto_answer,
    )
    rig = Rig(phone, port, tmp_path, events)
    trace = logging.getLogger("parley.sip.trace")
    handler = _Wire(rig.wire)
    trace.addHandler(handler)
    old_level = trace.level
    trace.setLevel(logging.INFO)
    phone.driver.trace_enabled = True
    await phone.start()
    bridge = phone.media.bridge
    add_port = bridge.add_port

    def spy(port: Port) -> int:  # every tone that is put on the bridge, by name
        if port.name in TONES:
            rig.tones.append(port.name)
        return add_port(port)

    bridge.add_port = spy  # type: ignore[method-assign]
    try:
        yield rig
    finally:
        await phone.stop(timeout=5)
        trace.removeHandler(handler)
        trace.setLevel(old_level)
        for sipp in rig.sipps:
            sipp.stop()


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
