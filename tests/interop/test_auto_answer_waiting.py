"""Automatic answer after N seconds while another call is up, against SIPp callers: a
Phone runs in this process (direct calls allowed) so that the order of what it sent —
the hold re-INVITE of the first call, then the 200 of the second — is read from its own
SIP trace; the SIPp scenarios check the rest on their side (the first call must receive
a re-INVITE with a=sendonly; a refused call gets 486 with no 180)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from parley.media.engine import AudioConfig
from parley.phone.events import CallStateChanged, PhoneEvent
from parley.phone.phone import Phone
from parley.settings.model import Settings
from peers.common import free_port
from peers.sipp import SCENARIOS, Sipp

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]


@dataclass
class Rig:
    phone: Phone
    port: int
    tmp: Path
    events: list[PhoneEvent]
    wire: list[str] = field(default_factory=list)
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
        return sipp.start()

    async def wait_event(
        self, match: Callable[[CallStateChanged], bool], timeout: float = 30.0
    ) -> CallStateChanged:
        async def poll() -> CallStateChanged:
            while True:
                for e in self.events:
                    if isinstance(e, CallStateChanged) and match(e):
                        return e
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(poll(), timeout)


class _Wire(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(">>"):
            self.sink.append(text.split("\n", 1)[1])


@asynccontextmanager
async def running_phone(tmp_path: Path, *, call_waiting: bool) -> AsyncIterator[Rig]:
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
            "functions": {
                "allow_direct_calls": True,
                "auto_answer": True,
                "auto_answer_after": 1,
            },
            "media": {"call_waiting": call_waiting},
        }
    )
    events: list[PhoneEvent] = []
    phone = Phone(settings, {}, events.append, bind_host="127.0.0.1", audio=AudioConfig())
    rig = Rig(phone, port, tmp_path, events)
    trace = logging.getLogger("parley.sip.trace")
    handler = _Wire(rig.wire)
    trace.addHandler(handler)
    old_level = trace.level
    trace.setLevel(logging.INFO)
    phone.driver.trace_enabled = True
    await phone.start()
    try:
        yield rig
    finally:
        await phone.stop(timeout=5)
        trace.removeHandler(handler)
        trace.setLevel(old_level)
        for sipp in rig.sipps:
            sipp.stop()


async def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    code = await asyncio.to_thread(sipp.wait, timeout)
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"


def connected(e: CallStateChanged) -> bool:
    return e.state == "connected" and e.held is None


async def test_with_call_waiting_the_active_call_is_held_before_the_answer(
    tmp_path: Path,
) -> None:
    """Auto answer after 1 s during a call, call waiting on: the second call rings
    (180), then the first is held (its scenario requires a=sendonly) and only after that
    does the second get its 200."""
    async with running_phone(tmp_path, call_waiting=True) as rig:
        first = rig.caller("call_answered_then_held.xml")
        one = await rig.wait_event(connected)
        assert one.note == "auto answered", one
        second = rig.caller("call_answered.xml")
        two = await rig.wait_event(lambda e: connected(e) and e.call != one.call)
        assert two.note == "auto answered", two
        await rig.wait_event(lambda e: e.call == one.call and e.state == "held")
        second_id = rig.phone.calls[two.call].session.call_id
        ringing = next(
            i for i, m in enumerate(rig.wire) if m.startswith("SIP/2.0 180") and second_id in m
        )
        reinvite = next(i for i, m in enumerate(rig.wire) if m.startswith("INVITE "))
        answer = next(
            i
            for i, m in enumerate(rig.wire)
            if m.startswith("SIP/2.0 200") and second_id in m and "INVITE" in m
        )
        assert ringing < reinvite < answer, rig.wire
        assert "a=sendonly" in rig.wire[reinvite]
        rig.phone.calls[two.call].hangup()
        rig.phone.calls[one.call].hangup()
        await finish(first)
        await finish(second)


async def test_without_call_waiting_a_second_call_is_not_answered(tmp_path: Path) -> None:
    """Call waiting off: the second caller gets 486 with no 180 (the scenario fails on
    a 180 or a 200); the first call is not held."""
    async with running_phone(tmp_path, call_waiting=False) as rig:
        first = rig.caller("call_answered.xml")
        one = await rig.wait_event(connected)
        second = rig.caller("call_busy_no_ring.xml")
        await finish(second)
        assert not any(m.startswith("INVITE ") for m in rig.wire), rig.wire
        assert rig.phone.calls[one.call].state == "connected"
        rig.phone.calls[one.call].hangup()
        await finish(first)
