"""Phone-level unit tests: two real `Phone`s back to back (`phonepair.py`).

No sockets for SIP, no wall clock: the SIP messages cross a fake network (and are read
back from its log, in delivery order), time is virtual. Each test observes what a
person or the far end would: the messages on the wire and the events the phones emit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from phonepair import FakeNetwork, FakeTransport, PhonePair, Side, VirtualTimeLoop

from parley.net.driver import SipDriver
from parley.phone.call import Call
from parley.phone.events import CallPhase, EndCause, HeldBy, Party, RegState
from parley.sip.core import UserAgentCore
from parley.sip.message import Request
from parley.sip.timers import TimerConfig

Scenario = Callable[[PhonePair], Coroutine[Any, Any, None]]


def sdp_attrs(message: Request) -> list[str]:
    return [line for line in message.body.decode().splitlines() if line.startswith("a=")]


def ended(side: Side, call: Call) -> bool:
    return CallPhase.ENDED in side.phases(call.id)


async def registered(pair: PhonePair) -> None:
    await pair.start()
    await pair.until(
        lambda: all(
            any(e.state is RegState.REGISTERED for e in side.account_events())
            for side in (pair.a, pair.b)
        )
    )


async def connected(pair: PhonePair) -> tuple[Call, Call]:
    """Alice calls Bob, Bob answers; both calls connected."""
    await registered(pair)
    a_call = await pair.a.phone.dial(pair.b.uri)
    await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
    b_call = pair.b.only_call()
    b_call.answer()
    await pair.until(
        lambda: (
            CallPhase.CONNECTED in pair.a.phases(a_call.id)
            and CallPhase.CONNECTED in pair.b.phases(b_call.id)
        )
    )
    return a_call, b_call


# ------------------------------------------------------------------ registration


def test_both_phones_register_with_digest(phone_pair: PhonePair) -> None:
    phone_pair.run(registered(phone_pair))
    net = phone_pair.network
    assert net.labels(src=5061, dst=5060) == ["REGISTER 1", "REGISTER 2"]
    assert net.labels(src=5060, dst=5061) == ["401 REGISTER", "200 REGISTER"]
    first, second = net.requests("REGISTER", src=5061)
    assert first.headers.get("Authorization") is None
    assert 'username="1001"' in (second.headers.get("Authorization") or "")
    # The registrar holds each phone's own address as its binding.
    assert "127.0.0.1:5061" in phone_pair.registrar.bindings["1001"]
    assert "127.0.0.1:5062" in phone_pair.registrar.bindings["1002"]
    event = next(e for e in phone_pair.a.account_events() if e.state is RegState.REGISTERED)
    assert event.status == 200 and event.account == "alice" and event.expires == 3600


def test_wrong_password_fails_with_the_registrars_answer(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_password="wrong")

    async def scenario() -> None:
        await pair.start()
        await pair.until(lambda: any(e.state is RegState.FAILED for e in pair.a.account_events()))

    pair.run(scenario())
    assert pair.network.labels(src=5060, dst=5061)[:2] == ["401 REGISTER", "403 REGISTER"]
    failed = next(e for e in pair.a.account_events() if e.state is RegState.FAILED)
    assert failed.status == 403 and failed.account == "alice"
    assert "1001" not in pair.registrar.bindings


# ------------------------------------------------------------------ calls


def test_dial_ring_answer_connects_both_sides(phone_pair: PhonePair) -> None:
    pair = phone_pair
    a_call, b_call = pair.run(connected(pair))
    net = pair.network
    assert net.labels(src=5061, dst=5062) == ["INVITE 1", "ACK 1"]
    assert net.labels(src=5062, dst=5061) == ["100 INVITE", "180 INVITE", "200 INVITE"]
    assert pair.a.phases(a_call.id) == [CallPhase.DIALING, CallPhase.RINGING, CallPhase.CONNECTED]
    assert pair.b.phases(b_call.id) == [CallPhase.INCOMING, CallPhase.CONNECTED]
    a_up = pair.a.call_events(a_call.id)[-1]
    b_up = pair.b.call_events(b_call.id)[-1]
    assert a_up.codec == b_up.codec == "PCMU/8000"
    assert a_up.direction == "outgoing" and b_up.direction == "incoming"
    assert b_up.remote.startswith("sip:1001@")
    # Audio flows both ways once connected (RTP on loopback, paced by the virtual clock).
    pair.run(pair.settle(1.0))
    assert a_call.stats()["packets_received"] > 0  # type: ignore[operator]
    assert b_call.stats()["packets_received"] > 0  # type: ignore[operator]


def test_hold_and_resume_are_seen_by_the_other_side(phone_pair: PhonePair) -> None:
    pair = phone_pair
    a_call, b_call = pair.run(connected(pair))
    pair.do(a_call.hold)
    pair.run(pair.until(lambda: pair.b.call_events(b_call.id)[-1].state is CallPhase.HELD))
    held = pair.b.call_events(b_call.id)[-1]
    assert held.held is HeldBy.THEM
    assert pair.a.call_events(a_call.id)[-1].held is HeldBy.US
    hold = pair.network.requests("INVITE", src=5061)[-1]
    assert "a=sendonly" in sdp_attrs(hold)
    pair.run(pair.settle(0.5))
    assert pair.network.labels(src=5061, dst=5062)[-1] == "ACK 2"

    pair.do(a_call.resume)
    pair.run(pair.until(lambda: pair.b.call_events(b_call.id)[-1].state is CallPhase.CONNECTED))
    assert pair.b.call_events(b_call.id)[-1].held is None
    resume = pair.network.requests("INVITE", src=5061)[-1]
    assert "a=sendrecv" in sdp_attrs(resume) or "a=sendonly" not in sdp_attrs(resume)
    assert resume.cseq.seq == 3


def test_hangup_ends_both_sides_with_bye(phone_pair: PhonePair) -> None:
    pair = phone_pair
    a_call, b_call = pair.run(connected(pair))
    pair.do(b_call.hangup)
    pair.run(pair.until(lambda: ended(pair.a, a_call)))
    assert pair.network.labels(src=5062, dst=5061)[-1] == "BYE 1"
    pair.run(pair.settle(0.5))
    assert pair.network.labels(src=5061, dst=5062)[-1] == "200 BYE"
    a_end = pair.a.call_events(a_call.id)[-1]
    b_end = pair.b.call_events(b_call.id)[-1]
    assert a_end.cause is EndCause.HANGUP and a_end.ended_by is Party.REMOTE
    assert b_end.cause is EndCause.HANGUP and b_end.ended_by is Party.LOCAL


def test_hangup_right_after_hold_acks_the_hold_before_the_bye(phone_pair: PhonePair) -> None:
    """Issue #7: the 200 to the hold re-INVITE is ACKed, and the BYE comes after it."""
    pair = phone_pair
    a_call, b_call = pair.run(connected(pair))
    pair.do(a_call.hold)
    pair.do(a_call.hangup)  # at once, before the 200 to the re-INVITE came
    pair.run(pair.until(lambda: ended(pair.b, b_call)))
    pair.run(pair.settle(1.0))
    assert pair.network.labels(src=5061, dst=5062) == [
        "INVITE 1",
        "ACK 1",
        "INVITE 2",
        "ACK 2",
        "BYE 3",
    ]
    assert pair.network.labels(src=5062, dst=5061)[-1] == "200 BYE"
    assert pair.b.call_events(b_call.id)[-1].cause is EndCause.HANGUP
    assert pair.a.call_events(a_call.id)[-1].ended_by is Party.LOCAL


def test_reject_sends_486_and_the_caller_hears_busy(phone_pair: PhonePair) -> None:
    pair = phone_pair

    async def scenario() -> Call:
        await registered(pair)
        a_call = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
        pair.b.only_call().reject()
        await pair.until(lambda: ended(pair.a, a_call))
        return a_call

    a_call = pair.run(scenario())
    assert pair.network.labels(src=5062, dst=5061)[-1] == "486 INVITE"
    assert pair.network.labels(src=5061, dst=5062) == ["INVITE 1", "ACK 1"]  # hop-by-hop ACK
    end = pair.a.call_events(a_call.id)[-1]
    assert end.status == 486 and end.cause is EndCause.REJECTED and end.ended_by is Party.REMOTE
    assert CallPhase.CONNECTED not in pair.a.phases(a_call.id)


@pytest.mark.parametrize("waiting", [False, True], ids=["call-waiting-off", "call-waiting-on"])
def test_second_call_is_busy_before_anything_rings_unless_call_waiting(
    make_phone_pair: Callable[..., PhonePair], waiting: bool
) -> None:
    pair = make_phone_pair(b={"media": {"call_waiting": waiting}})
    a_first, b_first = pair.run(connected(pair))
    b_events_before = len(pair.b.events)

    async def second() -> Call:
        call = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: ended(pair.a, call) or CallPhase.RINGING in pair.a.phases(call.id))
        return call

    a_second = pair.run(second())
    invites = pair.network.requests("INVITE", src=5061)
    second_id = invites[-1].call_id
    from_b = [p.label for p in pair.network.between(src=5062) if p.message.call_id == second_id]
    new_b_events = pair.b.events[b_events_before:]
    if waiting:
        assert "180 INVITE" in from_b and "486 INVITE" not in from_b
        assert [e.state for e in new_b_events if e.call != b_first.id] == [CallPhase.INCOMING]
        assert pair.b.call_events(b_first.id)[-1].state is CallPhase.CONNECTED
    else:
        # Busy is decided before anything rings: no 180, no event about the call at Bob.
        assert from_b in (["486 INVITE"], ["100 INVITE", "486 INVITE"])
        # Bob's phone tells only that it turned a call away (for the history): never
        # that one came in.
        refused = [e for e in new_b_events if getattr(e, "call", b_first.id) != b_first.id]
        assert [e.state for e in refused] == [CallPhase.ENDED]  # type: ignore[attr-defined]
        assert refused[0].cause is EndCause.REJECTED  # type: ignore[attr-defined]
        end = pair.a.call_events(a_second.id)[-1]
        assert end.state is CallPhase.ENDED and end.status == 486
    assert not ended(pair.a, a_first)  # the first call goes on either way


def test_direct_call_from_a_stranger_is_refused_silently(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    """INVITEs only from the account's server unless direct calls are allowed: no ring,
    no event, a 403 on the wire."""
    pair = make_phone_pair(b={"functions": {"allow_direct_calls": False}})

    async def scenario() -> Call:
        await registered(pair)
        call = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: ended(pair.a, call))
        return call

    call = pair.run(scenario())
    assert pair.network.labels(src=5062, dst=5061)[-1] == "403 INVITE"
    assert pair.b.call_events() == []
    assert pair.a.call_events(call.id)[-1].status == 403


def test_far_end_that_vanishes_ends_the_call_after_the_timeout(phone_pair: PhonePair) -> None:
    """Virtual time: Timer B (64*T1 = 32 s) runs out without a response."""
    pair = phone_pair

    async def scenario() -> Call:
        await registered(pair)
        pair.network.drop = lambda packet: packet.dst[1] == 5062  # Bob is gone
        call = await pair.a.phone.dial(pair.b.uri)
        start = pair.now
        await pair.until(lambda: ended(pair.a, call), within=40)
        assert pair.now - start > 31.9  # 64*T1 (virtual seconds)
        return call

    call = pair.run(scenario())
    end = pair.a.call_events(call.id)[-1]
    assert end.status == 408 and end.cause is EndCause.NO_RESPONSE
    # Nothing reached Bob, so he said nothing about the call; Alice sent it again and again.
    assert all("INVITE" not in label for label in pair.network.labels(src=5062))
    assert pair.b.call_events() == []


def test_auto_answer_during_a_call_holds_the_first_before_answering(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    """Auto-answer never puts the microphone on two calls: the call that is up is held
    (its re-INVITE leaves first), then the new call is answered."""
    pair = make_phone_pair(b={"functions": {"allow_direct_calls": True, "auto_answer": True}})

    async def scenario() -> tuple[Call, Call]:
        await registered(pair)
        first = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.CONNECTED in pair.a.phases(first.id))
        second = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.CONNECTED in pair.a.phases(second.id))
        await pair.settle(0.5)
        return first, second

    first, second = pair.run(scenario())
    from_b = [(p.label, p.message.call_id) for p in pair.network.between(src=5062, dst=5061)]
    first_id = pair.network.requests("INVITE", src=5061)[0].call_id
    second_id = pair.network.requests("INVITE", src=5061)[-1].call_id
    hold_at = from_b.index(("INVITE 1", first_id))  # Bob's first request in call 1
    answer_at = from_b.index(("200 INVITE", second_id))
    assert hold_at < answer_at, from_b
    hold = next(p.message for p in pair.network.between(src=5062) if p.label == "INVITE 1")
    assert isinstance(hold, Request) and "a=sendonly" in sdp_attrs(hold)
    assert pair.a.call_events(first.id)[-1].held is HeldBy.THEM
    assert pair.a.call_events(second.id)[-1].state is CallPhase.CONNECTED


def test_driver_fires_a_timer_that_asyncio_runs_a_hair_early() -> None:
    """asyncio runs a handle up to its clock's resolution before its time. The driver
    must still fire the core's timer then (with the deadline as `now`), not re-arm it
    for the same instant over and over (which spun the pair's loop forever)."""
    loop = VirtualTimeLoop(start=100.0)
    fired: list[float] = []

    class Once:
        def next_timer(self) -> float | None:
            return None if fired else 100.52

        def handle_timer(self, now: float) -> None:
            fired.append(now)

    async def scenario() -> None:
        core = UserAgentCore(TimerConfig())
        network = FakeNetwork()
        driver = SipDriver(
            core, transport_factory=lambda *a, **kw: FakeTransport(network, *a, **kw)
        )
        core.add_timed(Once())
        await driver.start()
        loop.set_time(100.52 - 5e-13)  # a float sum of 20 ms steps lands here
        for _ in range(50):
            await asyncio.sleep(0)
            if fired:
                break
        await driver.close()

    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert fired == [100.52]
