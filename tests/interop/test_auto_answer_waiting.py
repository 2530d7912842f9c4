"""Automatic answer after N seconds while another call is up, against SIPp callers: a
Phone runs in this process (direct calls allowed) so that the order of what it sent —
the hold re-INVITE of the first call, then the 200 of the second — is read from its own
SIP trace; the SIPp scenarios check the rest on their side (the first call must receive
a re-INVITE with a=sendonly; a refused call gets 486 with no 180)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import direct_phone
import pytest
from direct_phone import Rig, finish

from parley.phone.events import CallStateChanged

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]


@asynccontextmanager
async def running_phone(tmp_path: Path, *, call_waiting: bool) -> AsyncIterator[Rig]:
    """The phone answers by itself after 1 s (the settings' automatic answer)."""
    functions = {"auto_answer": True, "auto_answer_after": 1}
    async with direct_phone.running_phone(
        tmp_path, auto_answer=None, call_waiting=call_waiting, functions=functions
    ) as rig:
        yield rig


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
