"""Redirection, forwarding and Replaces between real `Phone`s (`phonepair.py`).

Alice (1001), Bob (1002) and, where a third party is needed, Carol (1003) on the fake
network and the virtual clock: what crossed the wire and what the phones reported.
Delayed forwarding is timed on the virtual clock only.
"""

from __future__ import annotations

from typing import Any

from phonepair import PhonePair, Side, account, settings_for

from parley.phone.call import Call
from parley.phone.events import CallNote, CallPhase, PhoneError, RegState
from parley.sip.message import Request, Response
from parley.sip.replaces import Replaces
from parley.sip.uri import SipURI

ALICE_AOR = "sip:1001@127.0.0.1:5060"  # who Alice's calls are From (her account)


def make_carol(pair: PhonePair, **functions: Any) -> Side:
    pair.registrar.accounts["1003"] = "secret3"
    acct = account("carol", "1003", 5063, register_on_startup=True)
    return Side(
        pair,
        "carol",
        "1003",
        5063,
        "secret3",
        settings_for(acct, functions={"allow_direct_calls": True, **functions}),
    )


async def registered(pair: PhonePair, *sides: Side) -> None:
    sides = sides or (pair.a, pair.b)
    await pair.start(*sides)
    await pair.until(
        lambda: all(any(e.state is RegState.REGISTERED for e in s.account_events()) for s in sides)
    )


def sent_to(pair: PhonePair, src: int, dst: int) -> list[str]:
    return pair.network.labels(src=src, dst=dst)


def ringing_at(side: Side) -> Call:
    return next(c for c in side.calls() if c.state == "incoming")


# ------------------------------------------------------------------ deflection, 3xx


async def deflected_to_carol(pair: PhonePair, carol: Side) -> Call:
    """Alice calls Bob, whose phone deflects the ringing call to Carol: Alice's call."""
    await registered(pair, pair.a, pair.b, carol)
    a_call = await pair.a.phone.dial(pair.b.uri)
    await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
    ringing_at(pair.b).deflect(SipURI.parse(carol.uri))
    return a_call


def test_deflected_call_is_followed_to_the_new_target_as_one_call(
    make_phone_pair: Any,
) -> None:
    pair: PhonePair = make_phone_pair()
    carol = make_carol(pair)

    async def scenario() -> None:
        a_call = await deflected_to_carol(pair, carol)
        await pair.until(lambda: CallPhase.INCOMING in carol.phases())
        ringing_at(carol).answer()
        await pair.until(lambda: CallPhase.CONNECTED in pair.a.phases(a_call.id))
        # Bob answered 302 with Carol as Contact; Alice called Carol next.
        moved = pair.network.responses(302, "INVITE", src=5062)
        assert len(moved) == 1
        assert moved[0].contacts[0].uri.user == "1003"
        assert "INVITE 1" in sent_to(pair, 5061, 5063)
        # One call for the person: the same id from dialing to connected, noted.
        events = pair.a.call_events()
        assert {e.call for e in events} == {a_call.id}
        assert CallPhase.ENDED not in pair.a.phases(a_call.id)
        last = events[-1]
        assert last.state is CallPhase.CONNECTED and last.note is CallNote.REDIRECTED
        assert last.remote.startswith("sip:1003@")
        # Bob's call ended as deflected.
        b_end = pair.b.call_events()[-1]
        assert b_end.state is CallPhase.ENDED and b_end.note is CallNote.DEFLECTED
        assert b_end.status == 302

    pair.run(scenario())


def test_a_3xx_back_to_the_same_target_is_not_followed(phone_pair: PhonePair) -> None:
    async def scenario() -> None:
        await registered(phone_pair)
        a_call = await phone_pair.a.phone.dial(phone_pair.b.uri)
        await phone_pair.until(lambda: CallPhase.INCOMING in phone_pair.b.phases())
        ringing_at(phone_pair.b).deflect(SipURI.parse(phone_pair.b.uri))
        await phone_pair.until(lambda: CallPhase.ENDED in phone_pair.a.phases(a_call.id))
        # Bob sent Alice to Bob: the loop is cut, one INVITE only; the call fails 302.
        assert sent_to(phone_pair, 5061, 5062).count("INVITE 1") == 1
        end = phone_pair.a.call_events(a_call.id)[-1]
        assert end.status == 302

    phone_pair.run(scenario())


def test_follow_redirects_off_fails_with_the_3xx(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair(a={"functions": {"follow_redirects": False}})
    carol = make_carol(pair)

    async def scenario() -> None:
        a_call = await deflected_to_carol(pair, carol)
        await pair.until(lambda: CallPhase.ENDED in pair.a.phases(a_call.id))
        assert sent_to(pair, 5061, 5063) == []
        end = pair.a.call_events(a_call.id)[-1]
        assert end.status == 302 and end.note is None

    pair.run(scenario())


# ------------------------------------------------------------------ forwarding


def test_instant_forwarding_answers_302_before_any_ringing(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair(
        a={"functions": {"follow_redirects": False}},
        b={"functions": {"forwarding": "instant", "forward_to": "1003"}},
    )

    async def scenario() -> None:
        await registered(pair)
        a_call = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.ENDED in pair.a.phases(a_call.id))
        answers = [label for label in sent_to(pair, 5062, 5061) if label.endswith("INVITE")]
        assert "180 INVITE" not in answers
        assert answers[-1] == "302 INVITE"
        moved = pair.network.responses(302, "INVITE", src=5062)[0]
        contact = moved.contacts[0].uri
        assert (contact.user, contact.host, contact.port) == ("1003", "127.0.0.1", 5060)
        # Bob's only call event is its end: nothing rang, nothing was shown.
        assert pair.b.phases() == [CallPhase.ENDED]
        assert pair.b.call_events()[-1].note is CallNote.FORWARDED

    pair.run(scenario())


def test_delayed_forwarding_rings_first_then_302_after_the_delay(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair(
        a={"functions": {"follow_redirects": False}},
        b={"functions": {"forwarding": "delayed", "forward_to": "1003", "forward_after": 7}},
    )

    async def scenario() -> None:
        await registered(pair)
        await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
        rang_at = pair.now
        await pair.until(lambda: "180 INVITE" in sent_to(pair, 5062, 5061))
        # Virtual time: not a moment before the 7 s are over...
        await pair.settle(6.8 - (pair.now - rang_at))
        assert "302 INVITE" not in sent_to(pair, 5062, 5061)
        assert pair.b.phases() == [CallPhase.INCOMING]
        # ...and at 7 s the call is forwarded.
        await pair.settle(0.4)
        assert sent_to(pair, 5062, 5061)[-1] == "302 INVITE"
        end = pair.b.call_events()[-1]
        assert end.state is CallPhase.ENDED and end.note is CallNote.FORWARDED

    pair.run(scenario())


def test_delayed_forwarding_leaves_an_answered_call_alone(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair(
        b={"functions": {"forwarding": "delayed", "forward_to": "1003", "forward_after": 5}}
    )

    async def scenario() -> None:
        await registered(pair)
        a_call = await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
        ringing_at(pair.b).answer()
        await pair.settle(8)
        assert pair.network.responses(302) == []
        assert pair.a.phases(a_call.id)[-1] is CallPhase.CONNECTED

    pair.run(scenario())


def test_forwarding_without_a_destination_rings_and_says_why(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair(b={"functions": {"forwarding": "instant"}})

    async def scenario() -> None:
        await registered(pair)
        await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
        assert pair.network.responses(302) == []
        errors = [e for e in pair.b.events if isinstance(e, PhoneError)]
        assert errors and "no destination" in errors[0].text

    pair.run(scenario())


# ------------------------------------------------------------------ Replaces


def replaces_for(call: Call) -> Replaces:
    """The Replaces the far end of `call` would name: its tags from its own side."""
    dialog = call.session.dialog
    assert dialog is not None
    return Replaces(call.session.call_id, to_tag=dialog.local_tag, from_tag=dialog.remote_tag)


async def connected(pair: PhonePair, carol: Side) -> tuple[Call, Call]:
    await registered(pair, pair.a, pair.b, carol)
    a_call = await pair.a.phone.dial(pair.b.uri)
    await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
    b_call = ringing_at(pair.b)
    b_call.answer()
    await pair.until(lambda: CallPhase.CONNECTED in pair.a.phases(a_call.id))
    return a_call, b_call


def final_answers(pair: PhonePair, src: int, dst: int) -> list[int]:
    return [
        p.message.status
        for p in pair.network.between(src, dst)
        if isinstance(p.message, Response)
        and p.message.cseq.method == "INVITE"
        and p.message.status >= 200
    ]


def test_invite_with_replaces_takes_the_calls_place(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair()
    carol = make_carol(pair)

    async def scenario() -> None:
        a_call, b_call = await connected(pair, carol)
        # Carol, whom Alice handed the call to, names Alice in Referred-By.
        headers = [("Replaces", str(replaces_for(b_call))), ("Referred-By", f"<{ALICE_AOR}>")]
        c_call = await carol.phone.outgoing.dial(pair.b.uri, headers=headers)
        await pair.until(lambda: CallPhase.CONNECTED in carol.phases(c_call.id))
        await pair.until(lambda: CallPhase.ENDED in pair.a.phases(a_call.id))
        # Bob answered at once (no 180) and sent BYE to Alice.
        assert "180 INVITE" not in sent_to(pair, 5062, 5063)
        assert "BYE" in " ".join(sent_to(pair, 5062, 5061))
        old_end = pair.b.call_events(b_call.id)[-1]
        assert old_end.state is CallPhase.ENDED and old_end.note is CallNote.REPLACED
        new = next(c for c in pair.b.calls() if c is not b_call)
        assert new.state == "connected" and new.note is CallNote.REPLACED
        assert CallPhase.INCOMING not in pair.b.phases(new.id)[1:]
        # The new call has media set up with Carol.
        assert new.negotiated is not None

    pair.run(scenario())


def test_replaces_refusals(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair()
    carol = make_carol(pair)

    async def attempt(replaces: Replaces, referred_by: str | None) -> int:
        headers = [("Replaces", str(replaces))]
        if referred_by:
            headers.append(("Referred-By", f"<{referred_by}>"))
        call = await carol.phone.outgoing.dial(pair.b.uri, headers=headers)
        await pair.until(lambda: call.ended)
        assert call.end_status is not None
        return call.end_status

    async def scenario() -> None:
        a_call, b_call = await connected(pair, carol)
        real = replaces_for(b_call)
        unknown = Replaces("no-such-call", real.to_tag, real.from_tag)
        assert await attempt(unknown, ALICE_AOR) == 481
        early_only = Replaces(real.call_id, real.to_tag, real.from_tag, early_only=True)
        assert await attempt(early_only, ALICE_AOR) == 486
        # A stranger naming nobody on the call, straight to Bob's port: 403.
        assert await attempt(real, None) == 403
        # The tags the wrong way round (Alice's view instead of ours): no such dialog.
        swapped = Replaces(real.call_id, real.from_tag, real.to_tag)
        assert await attempt(swapped, ALICE_AOR) == 481
        # The call with Alice went on through all of that.
        assert b_call.state == "connected" and not a_call.ended

    pair.run(scenario())


def test_replaces_is_supported(phone_pair: PhonePair) -> None:
    async def scenario() -> None:
        await registered(phone_pair)
        await phone_pair.a.phone.dial(phone_pair.b.uri)
        await phone_pair.until(lambda: CallPhase.INCOMING in phone_pair.b.phases())

    phone_pair.run(scenario())
    invite = phone_pair.network.requests("INVITE", src=5061)[0]
    assert isinstance(invite, Request)
    assert "replaces" in (invite.headers.get("Supported") or "")


def test_replacing_our_early_outgoing_call_cancels_it(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair()
    carol = make_carol(pair)

    async def scenario() -> None:
        await registered(pair, pair.a, pair.b, carol)
        b_call = await pair.b.phone.dial(pair.a.uri)  # Bob calls Alice; it rings there
        await pair.until(lambda: CallPhase.RINGING in pair.b.phases(b_call.id))
        early = b_call.session.early_dialogs[0]
        replaces = Replaces(b_call.session.call_id, early.local_tag, early.remote_tag)
        headers = [("Replaces", str(replaces)), ("Referred-By", f"<{pair.a.uri}>")]
        c_call = await carol.phone.outgoing.dial(pair.b.uri, headers=headers)
        await pair.until(lambda: CallPhase.CONNECTED in carol.phases(c_call.id))
        await pair.until(lambda: b_call.ended)
        # RFC 3891 §3: our early call is cancelled, not BYE'd.
        assert "CANCEL 1" in sent_to(pair, 5062, 5061)
        assert not any(label.startswith("BYE") for label in sent_to(pair, 5062, 5061))
        assert pair.b.call_events(b_call.id)[-1].note is CallNote.REPLACED

    pair.run(scenario())


def test_a_call_ringing_here_cannot_be_replaced(make_phone_pair: Any) -> None:
    pair: PhonePair = make_phone_pair()
    carol = make_carol(pair)

    async def scenario() -> None:
        await registered(pair, pair.a, pair.b, carol)
        await pair.a.phone.dial(pair.b.uri)
        await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
        ringing = ringing_at(pair.b)
        dialog = ringing.session.dialog
        assert dialog is not None
        replaces = Replaces(ringing.session.call_id, dialog.local_tag, dialog.remote_tag)
        headers = [("Replaces", str(replaces)), ("Referred-By", f"<{ALICE_AOR}>")]
        c_call = await carol.phone.outgoing.dial(pair.b.uri, headers=headers)
        await pair.until(lambda: c_call.ended)
        assert c_call.end_status == 481  # only our own early dialogs may be replaced
        assert ringing.state == "incoming"

    pair.run(scenario())
