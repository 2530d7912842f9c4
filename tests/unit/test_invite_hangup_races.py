"""Hanging up while an offer/answer exchange is still under way (issue #7).

RFC 3261 §13.2.2.4: every 2xx to an INVITE is ACKed, also after the UA decided to end
the call. Parley lets the BYE wait until the exchange is done, so that the far end sees
the ACK first (SIPp, and PBXs that take a BYE before the ACK as out of order, abort or
keep the call): the BYE follows the 2xx's ACK to our re-INVITE, the final answer to our
UPDATE, or the ACK to our own 2xx of a re-INVITE we answered. When no answer comes, the
BYE goes anyway after 64*T1.

Every test looks at the messages on the (fake) wire, in the order they were delivered.
"""

from __future__ import annotations

from test_invite import ANSWER, HOLD, OFFER, connected_call, timers
from uapair import Pair, UserAgent

from parley.sip.invite_events import CallState, EndCause
from parley.sip.message import Request, Response

Message = Request | Response


def label(message: Message) -> str:
    if isinstance(message, Request):
        return f"{message.method} {message.cseq.seq}"
    return f"{message.status} {message.cseq.method}"


def record(net: Pair) -> list[str]:
    """What each side receives, in delivery order: ``"bob<-INVITE 2"``."""
    log: list[str] = []

    def watch(to: UserAgent, msg: Message) -> bool:
        log.append(f"{to.name}<-{label(msg)}")
        return False

    net.drop = watch
    return log


def before(log: list[str], first: str, then: str) -> bool:
    return first in log and then in log and log.index(first) < log.index(then)


def test_hangup_during_our_hold_reinvite_acks_the_200_then_sends_bye() -> None:
    net = connected_call()
    log = record(net)
    net.a.do(lambda s: s.reinvite(HOLD, net.now))
    net.a.do(lambda s: s.hangup(net.now))  # before the re-INVITE was even delivered
    assert [label(m) for m in net.a.wire if isinstance(m, Request)][-1] == "INVITE 2"
    assert net.a.ended().cause is EndCause.HANGUP  # the user sees the call end at once
    net.deliver()  # bob is told of the offer
    net.b.do(lambda s: s.answer(ANSWER + b"a=recvonly\r\n", net.now))
    net.deliver()
    assert before(log, "alice<-200 INVITE", "bob<-ACK 2")
    assert before(log, "bob<-ACK 2", "bob<-BYE 3"), log
    assert len(net.a.sent("ACK")) == 2 and len(net.a.sent("BYE")) == 1
    assert net.b.ended().cause is EndCause.HANGUP
    net.advance(64)
    assert len(net.a.sent("BYE")) == 1 and len(net.a.sent("ACK")) == 2
    assert net.a.session is not None and net.a.session.finished
    assert net.b.session is not None and net.b.session.finished


def test_hangup_during_reinvite_that_is_refused_sends_bye_after_the_refusal() -> None:
    net = connected_call()
    log = record(net)
    net.a.do(lambda s: s.reinvite(HOLD, net.now))
    net.deliver()
    net.a.do(lambda s: s.hangup(net.now))
    assert net.a.sent("BYE") == []
    net.b.do(lambda s: s.reject_offer(net.now, 488))
    net.deliver()
    assert before(log, "alice<-488 INVITE", "bob<-BYE 3"), log
    assert before(log, "bob<-ACK 2", "bob<-BYE 3"), log  # the 488's ACK (transaction's)
    assert net.b.ended().cause is EndCause.HANGUP


def test_hangup_during_unanswered_reinvite_sends_bye_after_64_t1() -> None:
    net = connected_call()
    net.a.do(lambda s: s.reinvite(HOLD, net.now))
    net.deliver()  # bob sends 100 Trying and never answers the offer
    start = net.now
    net.a.do(lambda s: s.hangup(net.now))
    net.advance(31)
    assert net.a.sent("BYE") == []
    net.advance(2)
    assert len(net.a.sent("BYE")) == 1  # 64*T1 = 32 s after the hang-up
    assert net.a.sent("BYE")[0] is not None and net.now - start >= 32
    assert net.b.ended().cause is EndCause.HANGUP
    assert net.b.sent(487)  # bob's pending re-INVITE is ended by the BYE


def test_hangup_during_our_refresh_update_sends_bye_after_its_200() -> None:
    net = connected_call(timers(120), timers(1800))
    log = record(net)
    # Let the refresh UPDATE leave (at 60 s) but not arrive yet: fire alice's timers only.
    while not net.a.sent("UPDATE"):
        due = net.a.core.next_timer()
        assert due is not None and due < net.now + 120
        net.now = max(net.now, due)
        net.a.core.handle_timer(net.now)
        net.a.flush()
    assert [label(m) for m in net.a.sent("UPDATE")] == ["UPDATE 2"]
    net.a.do(lambda s: s.hangup(net.now))
    assert net.a.sent("BYE") == []
    net.deliver()
    assert before(log, "alice<-200 UPDATE", "bob<-BYE 3"), log
    assert net.b.ended().cause is EndCause.HANGUP
    assert CallState.ENDED in net.a.states()


def test_hangup_after_we_answered_a_reinvite_waits_for_its_ack() -> None:
    net = connected_call()
    log = record(net)
    net.b.do(lambda s: s.reinvite(HOLD, net.now))  # bob holds alice
    net.deliver()
    net.a.do(lambda s: s.answer(ANSWER + b"a=recvonly\r\n", net.now))
    net.a.do(lambda s: s.hangup(net.now))  # alice hangs up before bob's ACK came
    assert net.a.sent("BYE") == []
    net.deliver()
    # Bob's re-INVITE is CSeq 1 in his space; alice's BYE is 2 in hers.
    assert before(log, "alice<-ACK 1", "bob<-BYE 2"), log
    assert net.b.ended().cause is EndCause.HANGUP
    net.advance(64)
    assert len(net.a.sent("BYE")) == 1


def test_hangup_after_we_answered_a_reinvite_whose_ack_is_lost_byes_after_64_t1() -> None:
    net = connected_call()
    net.b.do(lambda s: s.reinvite(HOLD, net.now))
    net.deliver()
    net.drop = lambda to, msg: isinstance(msg, Request) and msg.method == "ACK"
    net.a.do(lambda s: s.answer(ANSWER, net.now))
    net.a.do(lambda s: s.hangup(net.now))
    net.advance(10)
    assert net.a.sent("BYE") == []
    assert len([m for m in net.a.sent(200) if m.cseq.method == "INVITE"]) > 2  # again
    net.advance(30)
    assert len(net.a.sent("BYE")) == 1
    assert net.b.ended().cause is EndCause.HANGUP


def test_hangup_in_plain_call_sends_bye_at_once() -> None:
    net = connected_call()
    net.a.do(lambda s: s.hangup(net.now))
    assert len(net.a.sent("BYE")) == 1  # nothing under way: no waiting
    net.deliver()
    assert net.b.ended().cause is EndCause.HANGUP


def test_offer_in_reinvite_200_after_hangup_is_acked_then_byed() -> None:
    net = connected_call()
    log = record(net)
    net.a.do(lambda s: s.reinvite(None, net.now))  # a re-INVITE without SDP
    net.deliver()
    net.a.do(lambda s: s.hangup(net.now))
    net.b.do(lambda s: s.answer(OFFER, net.now))  # bob offers in the 200
    net.deliver()
    assert before(log, "bob<-ACK 2", "bob<-BYE 3"), log
    # The ACK has no answer (we hung up: there is no media to answer for), so bob may
    # end the call for that himself; either way alice sends one BYE and both end.
    assert len(net.a.sent("BYE")) == 1 and len(net.a.sent("ACK")) == 2
    assert net.b.ended() is not None
