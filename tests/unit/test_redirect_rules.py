"""The rules of redirection, forwarding, Replaces and their history types, as pure code."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from parley.app.recorder import HistoryRecorder
from parley.cli.texts import call_text
from parley.history.model import CallType, Direction, classify
from parley.history.store import HistoryStore
from parley.phone.events import CallDirection, CallNote, CallPhase, CallStateChanged, EndCause
from parley.phone.forwarding import ForwardError, Forwarding, ForwardMode, forward_plan
from parley.phone.redirect import MAX_REDIRECTS, RedirectTargets, contacts_in_order
from parley.phone.replaces_target import DialogMatch, Found, same_party, verdict
from parley.settings.model import AccountSettings, Settings
from parley.sip.message import Response
from parley.sip.parser import parse_message
from parley.sip.uri import SipURI


def response_with(contacts: list[str]) -> Response:
    lines = [
        "SIP/2.0 302 Moved Temporarily",
        "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1",
        "From: <sip:1001@127.0.0.1>;tag=a",
        "To: <sip:1002@127.0.0.1>;tag=b",
        "Call-ID: c1",
        "CSeq: 1 INVITE",
        *[f"Contact: {c}" for c in contacts],
        "Content-Length: 0",
    ]
    message = parse_message(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert isinstance(message, Response)
    return message


# ------------------------------------------------------------------ 3xx targets


def test_contacts_are_tried_highest_q_first_keeping_order_on_ties() -> None:
    response = response_with(
        [
            "<sip:a@127.0.0.1:5001>;q=0.5",
            "<sip:b@127.0.0.1:5002>;q=0.9, <sip:c@127.0.0.1:5003>",
            "<tel:+4930123>",
            "<sip:d@127.0.0.1:5004>;q=0.9",
        ]
    )
    users = [u.user for u in contacts_in_order(response)]
    assert users == ["c", "b", "d", "a"]  # no q is 1.0; tel: is no SIP target


def test_targets_never_repeat_and_stop_at_the_limit() -> None:
    first = SipURI.parse("sip:1002@127.0.0.1:5060")
    targets = RedirectTargets(tried=[first])
    targets.add([SipURI.parse("sip:1002@127.0.0.1:5060"), SipURI.parse("sip:x@127.0.0.1")])
    assert [u.user for u in targets.waiting] == ["x"]  # the first target is not again
    nxt = targets.next()
    assert nxt is not None and nxt.user == "x"
    targets.add([SipURI.parse("sip:X@127.0.0.1")])  # user differs by case: another target
    targets.add([SipURI.parse("sip:x@127.0.0.1")])  # the same one again: ignored
    assert [u.user for u in targets.waiting] == ["X"]
    # A chain of fresh targets stops after MAX_REDIRECTS hops.
    chain = RedirectTargets(tried=[first])
    hops = 0
    while True:
        chain.add([SipURI.parse(f"sip:hop{hops}@127.0.0.1")])
        if chain.next() is None:
            break
        hops += 1
    assert hops == MAX_REDIRECTS


def test_a_later_3xx_goes_before_the_targets_still_waiting() -> None:
    targets = RedirectTargets(tried=[SipURI.parse("sip:first@h")])
    targets.add([SipURI.parse("sip:a@h"), SipURI.parse("sip:b@h")])
    assert targets.next() == SipURI.parse("sip:a@h")
    targets.add([SipURI.parse("sip:a2@h")])  # a's own redirect
    assert [u.user for u in targets.waiting] == ["a2", "b"]


# ------------------------------------------------------------------ forwarding


def settings(**functions: Any) -> Settings:
    acct = AccountSettings(name="o", domain="127.0.0.1:5060", username="1001")
    return Settings(accounts=[acct], functions=functions)


def fake_account() -> Any:
    return SimpleNamespace(settings=settings().accounts[0], name="o")


def test_forward_plan_follows_the_settings() -> None:
    account = fake_account()
    assert forward_plan(settings(), account) is None
    instant = forward_plan(settings(forwarding="instant", forward_to="1003"), account)
    assert instant is not None and instant.mode is ForwardMode.INSTANT
    assert str(instant.target) == "sip:1003@127.0.0.1:5060" and instant.after == 0
    delayed = forward_plan(
        settings(forwarding="delayed", forward_to="sip:vm@127.0.0.1:5099", forward_after=12),
        account,
    )
    assert delayed is not None and delayed.after == 12.0
    assert (delayed.target.user, delayed.target.port) == ("vm", 5099)


@pytest.mark.parametrize("forward_to", [None, "   ", "sip:", "tel:+4930123"])
def test_forward_plan_without_a_usable_destination_says_why(forward_to: str | None) -> None:
    with pytest.raises(ForwardError):
        forward_plan(settings(forwarding="instant", forward_to=forward_to), fake_account())


class FakeLoop:
    """A loop clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[tuple[float, Callable[..., Any], tuple[Any, ...]]] = []

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        self.timers.append((self.now + delay, callback, args))

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [t for t in self.timers if t[0] <= self.now]
        self.timers = [t for t in self.timers if t[0] > self.now]
        for _at, callback, args in sorted(due, key=lambda t: t[0]):
            callback(*args)


class RingingCall:
    def __init__(self) -> None:
        self.id = 7
        self.direction = "incoming"
        self.state = "incoming"
        self.ended = False
        self.account = fake_account()
        self.deflected: list[tuple[SipURI, CallNote]] = []

    def deflect(self, target: SipURI, note: CallNote) -> None:
        self.deflected.append((target, note))
        self.state, self.ended = "ended", True


def test_delayed_forwarding_fires_after_forward_after_seconds_on_the_loop_clock() -> None:
    loop = FakeLoop()
    s = settings(forwarding="delayed", forward_to="1003", forward_after=20)
    forwarding = Forwarding(lambda: s, lambda e: None, lambda: loop)
    call = RingingCall()
    forwarding.arm(call, forwarding.plan(call.account))  # type: ignore[arg-type]
    loop.advance(19.9)
    assert call.deflected == []
    loop.advance(0.1)
    assert [(str(t), n) for t, n in call.deflected] == [
        ("sip:1003@127.0.0.1:5060", CallNote.FORWARDED)
    ]


def test_delayed_forwarding_skips_a_call_answered_in_time() -> None:
    loop = FakeLoop()
    s = settings(forwarding="delayed", forward_to="1003", forward_after=3)
    forwarding = Forwarding(lambda: s, lambda e: None, lambda: loop)
    call = RingingCall()
    forwarding.arm(call, forwarding.plan(call.account))  # type: ignore[arg-type]
    call.state = "connected"
    loop.advance(5)
    assert call.deflected == []


def test_a_broken_destination_is_told_once_per_call() -> None:
    told: list[Any] = []
    s = settings(forwarding="instant", forward_to="sip:")
    forwarding = Forwarding(lambda: s, told.append, FakeLoop)
    assert forwarding.plan(fake_account()) is None
    assert len(told) == 1 and "not possible" in told[0].text


# ------------------------------------------------------------------ Replaces


def found(match: DialogMatch) -> Found:
    return Found(call=SimpleNamespace(), match=match, remote=())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("match", "early_only", "ended", "server", "names", "status"),
    [
        (None, False, False, True, True, 481),
        (DialogMatch.EARLY_THEIRS, False, False, True, True, 481),
        (DialogMatch.CONFIRMED, False, True, True, True, 603),
        (DialogMatch.CONFIRMED, True, False, True, True, 486),
        (DialogMatch.EARLY_OURS, True, False, False, True, None),
        (DialogMatch.CONFIRMED, False, False, False, False, 403),
        (DialogMatch.CONFIRMED, False, False, True, False, None),
        (DialogMatch.CONFIRMED, False, False, False, True, None),
    ],
)
def test_replaces_verdicts(
    match: DialogMatch | None,
    early_only: bool,
    ended: bool,
    server: bool,
    names: bool,
    status: int | None,
) -> None:
    result = verdict(
        found(match) if match is not None else None,
        early_only=early_only,
        ended=ended,
        from_server=server,
        names_party=names,
    )
    assert (result[0] if result else None) == status


def test_same_party_ignores_case_of_host_and_a_missing_port() -> None:
    p = SipURI.parse
    assert same_party(p("sip:1001@PBX.test"), p("sip:1001@pbx.test:5060"))
    assert not same_party(p("sip:1001@pbx.test:5070"), p("sip:1001@pbx.test:5060"))
    assert not same_party(p("sip:1002@pbx.test"), p("sip:1001@pbx.test"))


# ------------------------------------------------------------------ history and texts


def test_classify_with_notes() -> None:
    i, o = Direction.INCOMING, Direction.OUTGOING
    assert classify(i, False, 302, rejected_by_us=True, note="deflected") is CallType.DEFLECTED
    assert classify(i, False, 302, note="forwarded") is CallType.FORWARDED
    assert classify(i, True, None, note="replaced") is CallType.TRANSFERRED
    assert classify(o, True, None, note="transferred") is CallType.TRANSFERRED
    assert classify(o, True, None, note="redirected") is CallType.SUCCESSFUL_OUTGOING
    assert classify(o, False, 302, note="redirected") is CallType.UNSUCCESSFUL_OUTGOING
    assert CallType.FORWARDED.direction is Direction.INCOMING


def event(call: int, state: CallPhase, note: CallNote | None, **kw: Any) -> CallStateChanged:
    return CallStateChanged(
        call=call,
        account="o",
        direction=kw.pop("direction", CallDirection.INCOMING),
        state=state,
        remote="sip:1002@127.0.0.1",
        note=note,
        **kw,
    )


def test_recorder_types_forwarded_deflected_and_replaced_calls(tmp_path: Any) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    recorder = HistoryRecorder(store)
    # Instant forwarding: the call's one event is its end.
    recorder.on_event(event(1, CallPhase.ENDED, CallNote.FORWARDED, status=302))
    # Deflected while ringing.
    recorder.on_event(event(2, CallPhase.INCOMING, None))
    recorder.on_event(event(2, CallPhase.ENDED, CallNote.DEFLECTED, status=302))
    # A connected call that an INVITE with Replaces took over: a transferred call...
    recorder.on_event(event(3, CallPhase.CONNECTED, None))
    recorder.on_event(event(3, CallPhase.ENDED, CallNote.REPLACED))
    # ...and the call that took its place is an ordinary accepted call.
    recorder.on_event(event(4, CallPhase.INCOMING, CallNote.REPLACED))
    recorder.on_event(event(4, CallPhase.CONNECTED, CallNote.REPLACED))
    recorder.on_event(event(4, CallPhase.ENDED, CallNote.REPLACED))
    types = {e.type for e in store.list()}
    assert types == {
        CallType.FORWARDED,
        CallType.DEFLECTED,
        CallType.TRANSFERRED,
        CallType.ACCEPTED_INCOMING,
    }


def test_call_texts_say_forwarded_deflected_replaced_redirected() -> None:
    end = {"status": 302, "cause": EndCause.REJECTED}
    assert call_text(event(1, CallPhase.ENDED, CallNote.FORWARDED, **end)).startswith("Forwarded")
    assert call_text(event(1, CallPhase.ENDED, CallNote.DEFLECTED, **end)) == "Deflected."
    assert "replaced" in call_text(event(1, CallPhase.CONNECTED, CallNote.REPLACED))
    dialing = event(1, CallPhase.DIALING, CallNote.REDIRECTED, direction=CallDirection.OUTGOING)
    assert call_text(dialing) == "Calling… (redirected)."
