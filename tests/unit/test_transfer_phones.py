"""Transfers between three real `Phone`s on the fake network and virtual clock of
`phonepair.py`: Alice (transferor), Bob (transferee), Carol (target).

What is checked is what crosses the wire (REFER, NOTIFY, the new INVITE's headers) and
what each phone reports (TransferProgress, the ended call's note)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from phonepair import PhonePair, Side, account, settings_for

from parley.phone.call import Call
from parley.phone.events import (
    CallNote,
    CallPhase,
    CallStateChanged,
    RegState,
    TransferProgress,
    TransferRequested,
    TransferRole,
    TransferState,
)
from parley.phone.transfer import NO_REPLACES, TransferError
from parley.sip.message import Request
from parley.sip.replaces import Replaces


def add_carol(pair: PhonePair, **functions: Any) -> Side:
    pair.registrar.accounts["1003"] = "secret3"
    acct = account("carol", "1003", 5063, register_on_startup=True)
    settings = settings_for(acct, functions=functions) if functions else settings_for(acct)
    return Side(pair, "carol", "1003", 5063, "secret3", settings)


def progress(side: Side) -> list[tuple[TransferRole, TransferState, int | None]]:
    return [(e.role, e.state, e.status) for e in side.events if isinstance(e, TransferProgress)]


def end_event(side: Side, call: Call) -> CallStateChanged:
    return [e for e in side.call_events(call.id) if e.state is CallPhase.ENDED][-1]


async def start(pair: PhonePair, carol: Side) -> None:
    await pair.start(pair.a, pair.b, carol)
    await pair.until(
        lambda: all(
            any(e.state is RegState.REGISTERED for e in s.account_events())
            for s in (pair.a, pair.b, carol)
        )
    )


async def call(pair: PhonePair, caller: Side, callee: Side) -> tuple[Call, Call]:
    before = {c.id for c in callee.calls()}
    mine = await caller.phone.dial(callee.uri)
    await pair.until(lambda: any(c.id not in before for c in callee.calls()))
    theirs = next(c for c in callee.calls() if c.id not in before)
    await pair.until(lambda: theirs.state == "incoming")
    theirs.answer()
    await pair.until(lambda: mine.state == "connected" and theirs.state == "connected")
    return mine, theirs


async def blind_to_carol(pair: PhonePair, carol: Side) -> tuple[Call, Call, Call]:
    """Alice calls Bob and transfers him blind to Carol: Alice's, Bob's and Carol's
    calls once Carol's rings."""
    await start(pair, carol)
    a_call, b_call = await call(pair, pair.a, pair.b)
    pair.a.phone.transfers.blind(a_call, carol.uri)
    await pair.until(lambda: len(carol.calls()) == 1)
    c_call = carol.only_call()
    await pair.until(lambda: c_call.state == "incoming")
    return a_call, b_call, c_call


@pytest.fixture
def trio(make_phone_pair: Callable[..., PhonePair]) -> tuple[PhonePair, Side]:
    pair = make_phone_pair()
    carol = add_carol(pair)
    return pair, carol


def test_blind_transfer_connects_bob_and_carol_and_ends_alices_call(
    trio: tuple[PhonePair, Side],
) -> None:
    pair, carol = trio
    alice, bob = pair.a, pair.b

    async def scenario() -> None:
        a_call, b_call, c_call = await blind_to_carol(pair, carol)
        c_call.answer()
        await pair.until(lambda: a_call.ended and b_call.ended)
        await pair.settle(1.0)
        [new] = [c for c in bob.calls() if c is not b_call]
        assert new.state == "connected" and c_call.state == "connected"

    pair.run(scenario())
    refer = pair.network.requests("REFER")[0]
    assert refer.headers.get("Refer-To") == f"<{carol.uri}>"
    assert refer.headers.get("Referred-By") == "<sip:1001@127.0.0.1:5060>"
    # Alice held Bob first: the hold re-INVITE left before the REFER, in CSeq order.
    invites = [r for r in pair.network.requests("INVITE", src=5061)]
    assert len(invites) == 2 and invites[1].cseq.seq < refer.cseq.seq
    new_invite = pair.network.requests("INVITE", src=5062)[0]
    assert new_invite.headers.get("Referred-By") == "<sip:1001@127.0.0.1:5060>"
    assert "Replaces" not in new_invite.headers
    bodies = [n.body for n in pair.network.requests("NOTIFY", src=5062)]
    assert bodies[0] == b"SIP/2.0 100 Trying\r\n" and bodies[-1] == b"SIP/2.0 200 OK\r\n"
    assert progress(alice)[0] == (TransferRole.TRANSFEROR, TransferState.TRYING, None)
    assert progress(alice)[-1] == (TransferRole.TRANSFEROR, TransferState.DONE, 200)
    assert progress(bob)[-1] == (TransferRole.TRANSFEREE, TransferState.DONE, 200)
    a_call = next(c for c in alice.calls())
    assert end_event(alice, a_call).note is CallNote.TRANSFERRED


def test_a_transfer_right_after_resume_holds_the_partner_before_the_refer(
    trio: tuple[PhonePair, Side],
) -> None:
    """Resume, then transfer at once: the hold re-INVITE waits behind the resume's, and
    the REFER waits for the hold — Bob is held before he is asked to call Carol."""
    pair, carol = trio
    alice, bob = pair.a, pair.b

    async def scenario() -> None:
        await start(pair, carol)
        a_call, b_call = await call(pair, alice, bob)
        a_call.hold()
        await pair.until(lambda: b_call.held_by_them)
        a_call.resume()  # its re-INVITE is under way...
        alice.phone.transfers.blind(a_call, carol.uri)  # ...so this hold is queued
        await pair.until(lambda: len(pair.network.requests("REFER")) == 1)
        assert b_call.held_by_them  # the REFER came after the hold reached Bob
        await pair.settle(1.0)

    pair.run(scenario())
    refer = pair.network.requests("REFER")[0]
    to_bob = [r for r in pair.network.requests("INVITE", src=5061) if "1002" in str(r.uri)]
    # The call, hold, resume, hold again: the last one left before the REFER.
    assert len(to_bob) == 4 and to_bob[3].cseq.seq < refer.cseq.seq
    assert b"sendonly" in to_bob[3].body or b"inactive" in to_bob[3].body


def test_refused_transfer_keeps_and_resumes_the_call(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(b={"functions": {"transfer_requests": "reject"}})
    carol = add_carol(pair)

    async def scenario() -> None:
        await start(pair, carol)
        a_call, b_call = await call(pair, pair.a, pair.b)
        pair.a.phone.transfers.blind(a_call, carol.uri)
        await pair.until(lambda: progress(pair.a)[-1][1] is TransferState.FAILED)
        await pair.until(lambda: a_call.state == "connected" and not a_call.held_by_us)
        assert not a_call.ended and not b_call.ended
        assert not carol.calls()

    pair.run(scenario())
    assert progress(pair.a)[-1] == (TransferRole.TRANSFEROR, TransferState.FAILED, 603)
    assert pair.network.responses(603, "REFER")


def test_busy_target_fails_the_transfer_with_486(trio: tuple[PhonePair, Side]) -> None:
    pair, carol = trio

    async def scenario() -> None:
        a_call, b_call, c_call = await blind_to_carol(pair, carol)
        c_call.reject()
        await pair.until(lambda: progress(pair.a)[-1][1] is TransferState.FAILED)
        await pair.until(lambda: not a_call.held_by_us)
        assert not a_call.ended and not b_call.ended

    pair.run(scenario())
    assert progress(pair.a)[-1] == (TransferRole.TRANSFEROR, TransferState.FAILED, 486)
    assert progress(pair.b)[-1] == (TransferRole.TRANSFEREE, TransferState.FAILED, 486)


def test_ask_mode_waits_for_the_person(make_phone_pair: Callable[..., PhonePair]) -> None:
    pair = make_phone_pair(b={"functions": {"transfer_requests": "ask"}})
    carol = add_carol(pair)

    async def scenario() -> None:
        await start(pair, carol)
        pair.b.phone.transfers.ask_person = True
        a_call, b_call = await call(pair, pair.a, pair.b)
        pair.a.phone.transfers.blind(a_call, carol.uri)
        await pair.until(lambda: any(isinstance(e, TransferRequested) for e in pair.b.events))
        await pair.settle(2.0)
        assert not carol.calls()
        pair.b.phone.transfers.answer_request(b_call, True)
        await pair.until(lambda: len(carol.calls()) == 1)

    pair.run(scenario())
    [asked] = [e for e in pair.b.events if isinstance(e, TransferRequested)]
    assert asked.target == carol.uri


def test_attended_transfer_sends_replaces_for_the_consultation_call(
    trio: tuple[PhonePair, Side],
) -> None:
    pair, carol = trio
    alice, bob = pair.a, pair.b

    async def scenario() -> None:
        await start(pair, carol)
        a_call, _ = await call(pair, alice, bob)
        a_call.hold()
        await pair.settle(1.0)
        consult, c_side = await call(pair, alice, carol)
        # Parley's own target side (Replaces) is another module's: pretend it supports it.
        consult.session.remote_supported.add("replaces")
        alice.phone.transfers.attended(a_call, consult)
        await pair.until(lambda: len(pair.network.requests("INVITE", src=5062)) == 1)
        assert c_side is not None

    pair.run(scenario())
    refer = pair.network.requests("REFER")[0]
    invite = pair.network.requests("INVITE", src=5062)[0]
    consult_invite = [i for i in pair.network.requests("INVITE", src=5061) if "1003" in str(i.uri)]
    replaces = Replaces.parse(invite.headers.get("Replaces") or "")
    first = consult_invite[0]
    assert replaces.call_id == first.call_id
    assert replaces.from_tag == first.from_.tag  # Alice's tag: the target's remote tag
    assert "Replaces=" in (refer.headers.get("Refer-To") or "")


def test_attended_transfer_without_replaces_support_says_so(
    trio: tuple[PhonePair, Side],
) -> None:
    pair, carol = trio

    async def scenario() -> None:
        await start(pair, carol)
        a_call, _ = await call(pair, pair.a, pair.b)
        consult, _ = await call(pair, pair.a, carol)
        consult.session.remote_supported.discard("replaces")
        pair.a.phone.transfers.attended(a_call, consult)
        await pair.settle(1.0)
        assert not a_call.ended and not consult.ended

    pair.run(scenario())
    [failed] = [e for e in pair.a.events if isinstance(e, TransferProgress)]
    assert (failed.state, failed.reason) == (TransferState.FAILED, NO_REPLACES)
    assert not pair.network.requests("REFER")


def test_blind_transfer_of_a_ringing_call_deflects_it(trio: tuple[PhonePair, Side]) -> None:
    """Bob's phone rings; Bob transfers it blind to Carol: no dialog to REFER in, so
    Alice gets 302 with Carol as Contact, follows it, and Carol's phone rings."""
    pair, carol = trio

    async def scenario() -> None:
        await start(pair, carol)
        a_call = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: any(c.state == "incoming" for c in pair.b.calls()))
        ringing = pair.b.only_call()
        pair.b.phone.transfers.blind(ringing, carol.uri)
        assert ringing.ended and ringing.note is CallNote.DEFLECTED
        await pair.until(lambda: len(carol.calls()) == 1)
        c_call = carol.only_call()
        await pair.until(lambda: c_call.state == "incoming")
        c_call.answer()
        await pair.until(lambda: a_call.state == "connected" and c_call.state == "connected")
        assert not pair.network.requests("REFER")

    pair.run(scenario())
    assert progress(pair.b) == [
        (TransferRole.TRANSFEROR, TransferState.TRYING, None),
        (TransferRole.TRANSFEROR, TransferState.DONE, 302),
    ]
    [moved] = pair.network.responses(302)
    assert moved.headers.get("Contact") == f"<{carol.uri}>"
    ringing = pair.b.calls()[0]
    assert end_event(pair.b, ringing).note is CallNote.DEFLECTED


def test_our_call_still_ringing_at_the_far_end_cannot_be_transferred(
    trio: tuple[PhonePair, Side],
) -> None:
    pair, carol = trio

    async def scenario() -> None:
        await start(pair, carol)
        a_call = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: any(c.state == "incoming" for c in pair.b.calls()))
        pair.b.only_call().ring()
        await pair.until(lambda: a_call.state == "ringing")
        with pytest.raises(TransferError, match="no confirmed dialog"):
            pair.a.phone.transfers.blind(a_call, carol.uri)
        assert not a_call.ended

    pair.run(scenario())
    assert not pair.network.requests("REFER")


def sent_requests(pair: PhonePair, method: str) -> list[Request]:
    return pair.network.requests(method)


def test_a_refer_to_on_the_account_domain_without_port_goes_to_its_server() -> None:
    from parley.phone.transfer import on_account_server
    from parley.sip.uri import SipURI

    bare = SipURI.parse("sip:1002@127.0.0.1")
    assert str(on_account_server(bare, "127.0.0.1:9412")) == "sip:1002@127.0.0.1:9412"
    assert on_account_server(bare, "127.0.0.1") is bare
    other = SipURI.parse("sip:1002@127.0.0.2")
    assert on_account_server(other, "127.0.0.1:9412") is other
    named = SipURI.parse("sip:1002@127.0.0.1:5070")
    assert on_account_server(named, "127.0.0.1:9412") is named
