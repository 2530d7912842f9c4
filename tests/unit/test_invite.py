"""Two InviteSessions talking through real user-agent cores over a fake network.

The pair comes from `uapair.py` (shared with other tests): every message is serialised
and parsed again on the way, so a header the session writes wrongly breaks the test. The
clock is fake: `Net.advance` steps from deadline to deadline.
"""

from __future__ import annotations

from uapair import Pair, UserAgent

from parley.cli.texts import end_text
from parley.sip.invite import SessionConfig
from parley.sip.invite_events import (
    AnswerReceived,
    CallState,
    DtmfInfoReceived,
    EndCause,
    OfferReceived,
    OfferRejected,
    OfferRequested,
    StateChanged,
)
from parley.sip.message import Request, Response
from parley.sip.session_timer import SessionTimerConfig
from parley.sip.uri import SipURI

OFFER = b"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
ANSWER = b"v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
HOLD = OFFER.replace(b"1 1", b"1 2") + b"a=sendonly\r\n"

Message = Request | Response


# The two phones: `uapair.Pair` (shared fixture), here under the names the tests use.
Side = UserAgent
Net = Pair


def said(end: StateChanged, direction: str = "outgoing") -> str:
    """What the console says for the end of a call (sentences are the front-ends')."""
    return end_text(end.cause, end.status, direction)


def connected_call(
    a_config: SessionConfig | None = None, b_config: SessionConfig | None = None
) -> Net:
    net = Net(a_config, b_config)
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.ring(net.now))
    net.deliver()
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.deliver()
    return net


# ------------------------------------------------------------------ basic calls


def test_basic_call_offer_answer_and_bye() -> None:
    net = connected_call()
    a, b = net.a, net.b
    assert a.states() == [
        CallState.CALLING,
        CallState.PROCEEDING,
        CallState.RINGING,
        CallState.CONNECTED,
    ]
    assert b.states() == [CallState.INCOMING, CallState.CONNECTED]
    assert b.of(OfferReceived) == [OfferReceived(OFFER, initial=True)]
    answers = a.of(AnswerReceived)
    assert len(answers) == 1 and answers[0].sdp == ANSWER  # type: ignore[attr-defined]
    assert len(a.sent("ACK")) == 1
    assert b.session is not None and b.session._ack_wait is None  # ACK arrived
    # Both sides agree on the dialog.
    assert a.session is not None and a.session.dialog is not None and b.session.dialog
    assert a.session.dialog.id.local_tag == b.session.dialog.id.remote_tag
    assert a.session.dialog.remote_target == SipURI.parse("sip:bob@127.0.0.1:5062")

    a.do(lambda s: s.hangup(net.now))
    net.deliver()
    assert a.ended().by == "local" and said(a.ended()) == "Call ended"
    assert a.ended().cause is EndCause.HANGUP and b.ended().cause is EndCause.HANGUP
    assert b.ended().by == "remote"
    assert len(b.sent(200)) >= 2  # 200 to INVITE and to BYE
    net.advance(60)
    assert a.session.finished and b.session.finished


def test_callee_hangs_up() -> None:
    net = connected_call()
    net.b.do(lambda s: s.hangup(net.now))
    net.deliver()
    bye = net.b.sent("BYE")[0]
    assert isinstance(bye, Request)
    # The callee's BYE goes to the caller's Contact, From/To swapped.
    assert bye.uri == SipURI.parse("sip:alice@127.0.0.1:5061")
    assert bye.from_.tag == net.b.session.local_tag  # type: ignore[union-attr]
    assert net.a.ended().by == "remote"


def test_late_offer_both_ways() -> None:
    net = Net()
    net.a.call(None)
    net.deliver()
    assert net.b.of(OfferRequested) == [OfferRequested(initial=True)]
    net.b.do(lambda s: s.accept(OFFER, net.now))  # the callee offers in the 200
    net.deliver()
    assert net.a.of(OfferReceived) == [OfferReceived(OFFER, initial=False)]
    assert net.a.sent("ACK") == []  # the ACK waits for our answer
    net.a.do(lambda s: s.answer(ANSWER, net.now))
    net.deliver()
    ack = net.a.sent("ACK")[0]
    assert ack.body == ANSWER and ack.headers.get("Content-Type") == "application/sdp"
    assert net.b.of(AnswerReceived) == [AnswerReceived(ANSWER, remote_tag=net.a.session.local_tag)]  # type: ignore[union-attr]
    assert CallState.CONNECTED in net.a.states()


def test_reject_busy_and_decline_texts() -> None:
    for status, caller_text, callee_text in ((486, "Busy", "Busy"), (603, "Declined", "Rejected")):
        net = Net()
        net.a.call(OFFER)
        net.deliver()
        assert net.b.session is not None
        net.b.apply(net.b.session.reject(net.now, status))
        net.deliver()
        assert net.a.ended().status == status and said(net.a.ended()) == caller_text
        assert said(net.b.ended(), "incoming") == callee_text and net.b.ended().by == "local"
        assert net.a.ended().cause is net.b.ended().cause is EndCause.REJECTED
        assert net.a.sent("ACK")  # the transaction layer ACKs the non-2xx


def test_no_answer_times_out() -> None:
    net = Net()
    net.drop = lambda to, msg: to is net.b
    net.a.call(OFFER)
    net.advance(40)
    end = net.a.ended()
    # Our own timeout: the server did not answer (not "No answer": nobody was called).
    assert (end.status, end.cause, end.by) == (408, EndCause.NO_RESPONSE, "network")
    assert said(end) == "The server did not answer"


# ------------------------------------------------------------------ CANCEL


def test_cancel_after_ringing() -> None:
    net = Net()
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.ring(net.now))
    net.deliver()
    net.a.do(lambda s: s.hangup(net.now))
    assert said(net.a.ended()) == "Cancelled" and net.a.ended().cause is EndCause.CANCELLED
    net.deliver()
    assert net.a.sent("CANCEL")
    assert net.b.ended().status == 487 and net.b.ended().by == "remote"
    assert net.b.sent(487) and net.a.sent("ACK")  # the 487 was ACKed by the layer
    net.advance(40)
    assert net.a.session.finished  # type: ignore[union-attr]


def test_cancel_waits_for_a_provisional_response() -> None:
    net = Net(send_trying=False)  # the callee's layer does not answer 100 at once
    net.a.call(OFFER)
    net.deliver()
    net.a.do(lambda s: s.hangup(net.now))
    net.deliver()
    assert net.a.sent("CANCEL") == []  # §9.1: nothing heard yet, no CANCEL
    net.b.do(lambda s: s.ring(net.now))
    net.deliver()
    assert len(net.a.sent("CANCEL")) == 1
    assert net.b.ended().status == 487


def test_cancel_200_race_gets_ack_and_bye() -> None:
    net = Net()
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.ring(net.now))
    net.deliver()
    net.b.do(lambda s: s.accept(ANSWER, net.now))  # 200 is on its way...
    net.a.do(lambda s: s.hangup(net.now))  # ...while the caller hangs up
    net.deliver()
    assert said(net.a.ended()) == "Cancelled" and net.a.ended().cause is EndCause.CANCELLED
    assert net.a.sent("CANCEL") and net.a.sent("ACK") and net.a.sent("BYE")
    assert net.b.ended().by == "remote"
    assert net.a.of(AnswerReceived) == []  # no media for a call we dropped


# ------------------------------------------------------------------ 2xx, ACK and BYE timing


def test_lost_ack_retransmits_2xx_and_ack() -> None:
    net = Net()
    dropped: list[Message] = []

    def drop_first_ack(to: Side, msg: Message) -> bool:
        if isinstance(msg, Request) and msg.method == "ACK" and not dropped:
            dropped.append(msg)
            return True
        return False

    net.drop = drop_first_ack
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.advance(1.0)
    assert len(net.b.sent(200)) == 2  # T1 retransmission of the 2xx
    assert len(net.a.sent("ACK")) == 2  # the caller ACKs the retransmission again
    assert net.a.sent("ACK")[0] == net.a.sent("ACK")[1]
    assert net.b.session._ack_wait is None  # type: ignore[union-attr]
    assert CallState.ENDED not in net.b.states()


def test_no_ack_at_all_ends_with_bye() -> None:
    net = Net()
    net.drop = lambda to, msg: isinstance(msg, Request) and msg.method == "ACK"
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.advance(40)
    # T1, 2T1, 4T1 then every T2 until 64*T1: 1 + 9 retransmissions of the 200 at most
    assert 6 <= len(net.b.sent(200)) <= 12
    assert said(net.b.ended(), "incoming") == "Connection lost"
    assert net.b.ended().cause is EndCause.CONNECTION_LOST
    assert net.b.sent("BYE") and net.a.ended().by == "remote"


def test_bye_before_ack_is_accepted() -> None:
    net = Net()
    net.drop = lambda to, msg: isinstance(msg, Request) and msg.method == "ACK"
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.deliver()
    net.a.do(lambda s: s.hangup(net.now))
    net.deliver()
    assert net.b.ended().by == "remote"
    before = len(net.b.sent(200))
    net.advance(40)
    assert len(net.b.sent(200)) == before  # no more 2xx retransmissions after the BYE
    assert net.b.sent("BYE") == []


def test_callee_hangup_waits_for_ack() -> None:
    net = Net()
    let_acks_through = False
    net.drop = lambda to, msg: (
        isinstance(msg, Request) and msg.method == "ACK" and not let_acks_through
    )
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.deliver()
    net.b.do(lambda s: s.hangup(net.now))
    assert net.b.ended().by == "local"
    net.deliver()
    assert net.b.sent("BYE") == []  # §15: not before the ACK
    let_acks_through = True
    net.advance(1.0)  # the 2xx retransmission brings the next ACK
    assert len(net.b.sent("BYE")) == 1
    assert net.a.ended().by == "remote"


# ------------------------------------------------------------------ re-INVITE, glare, UPDATE


def test_reinvite_hold_from_caller_and_callee() -> None:
    net = connected_call()
    net.a.do(lambda s: s.reinvite(HOLD, net.now))
    net.deliver()
    offers = net.b.of(OfferReceived)
    assert offers[-1] == OfferReceived(HOLD, initial=False)
    net.b.do(lambda s: s.answer(ANSWER + b"a=recvonly\r\n", net.now))
    net.deliver()
    assert net.a.of(AnswerReceived)[-1].sdp.endswith(b"a=recvonly\r\n")  # type: ignore[attr-defined]
    assert len(net.a.sent("ACK")) == 2
    # And the callee re-INVITEs the other way.
    net.b.do(lambda s: s.reinvite(ANSWER, net.now))
    net.deliver()
    net.a.do(lambda s: s.answer(OFFER, net.now))
    net.deliver()
    assert net.b.of(AnswerReceived)[-1] == AnswerReceived(OFFER, remote_tag=net.a.session.local_tag)  # type: ignore[union-attr]
    assert net.b.sent("ACK")
    # CSeq spaces are independent and grow (§12.2.1.1).
    b_invites = [m for m in net.b.sent("INVITE")]
    assert b_invites and b_invites[0].cseq.seq == 1


def test_reinvite_without_sdp_offer_in_200_answer_in_ack() -> None:
    net = connected_call()
    net.b.do(lambda s: s.reinvite(None, net.now))
    net.deliver()
    assert net.a.of(OfferRequested) == [OfferRequested(initial=False)]
    net.a.do(lambda s: s.answer(HOLD, net.now))
    net.deliver()
    assert net.b.of(OfferReceived)[-1] == OfferReceived(HOLD, initial=False)
    net.b.do(lambda s: s.answer(ANSWER, net.now))
    net.deliver()
    ack = net.b.sent("ACK")[-1]
    assert ack.body == ANSWER
    assert net.a.of(AnswerReceived)[-1].sdp == ANSWER  # type: ignore[attr-defined]


def test_reinvite_rejected_keeps_call() -> None:
    net = connected_call()
    net.a.do(lambda s: s.reinvite(HOLD, net.now))
    net.deliver()
    net.b.do(lambda s: s.reject_offer(net.now, 488))
    net.deliver()
    assert net.a.of(OfferRejected) == [OfferRejected(488, "Not Acceptable Here")]
    assert CallState.ENDED not in net.a.states()
    # A queued second re-INVITE can go now.
    net.a.do(lambda s: s.reinvite(OFFER, net.now))
    net.deliver()
    assert len(net.a.sent("INVITE")) == 3


def test_glare_both_retry_with_rfc_timing() -> None:
    net = connected_call()
    net.a.do(lambda s: s.reinvite(HOLD, net.now))
    net.b.do(lambda s: s.reinvite(ANSWER + b"a=sendonly\r\n", net.now))
    start = net.now
    net.deliver()
    assert net.a.sent(491) and net.b.sent(491)
    a_glare = net.a.session._timers["glare"] - start  # type: ignore[union-attr]
    b_glare = net.b.session._timers["glare"] - start  # type: ignore[union-attr]
    assert 2.1 <= a_glare <= 4.0  # the caller owns the Call-ID
    assert 0.0 <= b_glare <= 2.0
    # The callee retries first; the caller's retry is queued behind it and goes after.
    net.advance(b_glare)
    net.b.do(lambda s: s.answer(HOLD, net.now)) if net.b.session.offer_pending else None  # type: ignore[union-attr]
    net.a.do(lambda s: s.answer(OFFER, net.now)) if net.a.session.offer_pending else None  # type: ignore[union-attr]
    net.deliver()
    net.advance(5)
    for side in (net.a, net.b):
        if side.session.offer_pending:  # type: ignore[union-attr]
            side.do(lambda s: s.answer(OFFER, net.now))
    net.advance(5)
    assert len(net.a.sent("INVITE")) == 3 and len(net.b.sent("INVITE")) == 2
    assert len(net.b.of(AnswerReceived)) == 1 and len(net.a.of(AnswerReceived)) == 2
    assert CallState.ENDED not in net.a.states() + net.b.states()


def test_reinvite_queued_while_busy() -> None:
    net = connected_call()
    net.a.do(lambda s: s.reinvite(HOLD, net.now))
    net.a.do(lambda s: s.reinvite(OFFER, net.now))  # second one waits
    net.deliver()
    assert len(net.a.sent("INVITE")) == 2
    net.b.do(lambda s: s.answer(ANSWER, net.now))
    net.deliver()
    assert len(net.a.sent("INVITE")) == 3
    assert net.a.sent("INVITE")[-1].body == OFFER


# ------------------------------------------------------------------ PRACK


def test_reliable_provisional_when_caller_requires_100rel() -> None:
    net = Net()
    net.a.call(OFFER, headers=[("Require", "100rel")])
    net.deliver()
    net.b.do(lambda s: s.ring(net.now, sdp=ANSWER, status=183))
    net.deliver()
    ringing = net.b.sent(183)[0]
    assert ringing.headers.get("Require") == "100rel" and ringing.headers.get("RSeq")
    prack = net.a.sent("PRACK")[0]
    assert isinstance(prack, Request)
    assert prack.headers.get("RAck") == f"{ringing.headers.get('RSeq')} 1 INVITE"
    assert net.b.session is not None
    tag = net.b.session.local_tag
    assert net.a.of(AnswerReceived)[0] == AnswerReceived(ANSWER, early=True, remote_tag=tag)
    assert CallState.EARLY_MEDIA in net.a.states()
    net.advance(10)
    assert len(net.b.sent(183)) == 1  # PRACKed: no retransmission
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.deliver()
    ok = next(m for m in net.b.sent(200) if m.cseq.method == "INVITE")
    assert ok.body == b""  # the answer was in the reliable 183 already
    assert CallState.CONNECTED in net.a.states()


def test_unacknowledged_reliable_provisional_is_retransmitted_then_5xx() -> None:
    net = Net()
    net.drop = lambda to, msg: isinstance(msg, Request) and msg.method == "PRACK"
    net.a.call(OFFER, headers=[("Require", "100rel")])
    net.deliver()
    net.b.do(lambda s: s.ring(net.now))
    net.advance(40)
    assert len(net.b.sent(180)) > 3
    assert len(net.a.sent("PRACK")) >= 1  # retransmissions are not PRACKed twice
    assert net.b.ended().status == 504 and net.a.ended().status == 504


def test_no_100rel_required_means_unreliable() -> None:
    net = Net()
    net.a.call(OFFER)  # Supported: 100rel only
    net.deliver()
    net.b.do(lambda s: s.ring(net.now))
    net.deliver()
    assert net.b.sent(180)[0].headers.get("RSeq") is None
    assert net.a.sent("PRACK") == []


# ------------------------------------------------------------------ session timers


def timers(se: int, min_se: int = 90, method: str = "auto") -> SessionConfig:
    return SessionConfig(
        session_timer=SessionTimerConfig(session_expires=se, min_se=min_se, refresh_method=method)
    )


def test_session_timer_refresh_by_update_keeps_call() -> None:
    net = connected_call(timers(120), timers(1800))
    ok = next(m for m in net.b.sent(200) if m.cseq.method == "INVITE")
    assert ok.headers.get("Session-Expires") == "120;refresher=uac"
    assert ok.headers.get("Require") == "timer"
    net.advance(300)
    updates = net.a.sent("UPDATE")
    assert len(updates) == 5  # every 60 s
    assert updates[0].headers.get("Session-Expires") == "120;refresher=uac"
    assert CallState.ENDED not in net.a.states() + net.b.states()


def test_session_timer_refresh_by_reinvite_reuses_sdp() -> None:
    net = connected_call(timers(120, method="invite"), timers(1800))
    net.advance(61)
    reinvites = net.a.sent("INVITE")[1:]
    assert len(reinvites) == 1 and reinvites[0].body == OFFER
    net.b.do(lambda s: s.answer(ANSWER, net.now))
    net.deliver()
    assert CallState.ENDED not in net.a.states()


def test_session_expires_without_refresh_sends_bye() -> None:
    net = connected_call(timers(120), timers(1800))
    net.drop = lambda to, msg: isinstance(msg, Request) and msg.method == "UPDATE"
    net.advance(200)
    # The callee gives up at 120 - min(32, 120/3) = 88 s after the last refresh.
    end = net.b.ended()
    assert said(end) == "Session expired" and net.b.sent("BYE")
    assert end.cause is EndCause.SESSION_EXPIRED


def test_session_timer_422_retry_with_min_se() -> None:
    net = Net(timers(90), timers(1800, min_se=300))
    net.a.call(OFFER)
    net.deliver()
    assert net.b.sent(422)[0].headers.get("Min-SE") == "300"
    invites = net.a.sent("INVITE")
    assert len(invites) == 2
    assert invites[1].headers.get("Session-Expires") == "300"
    assert invites[1].headers.get("Min-SE") == "300"
    assert invites[1].cseq.seq == invites[0].cseq.seq + 1
    # The 422 ended the first server-side attempt; a new session took the retry.
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.deliver()
    assert net.a.states()[-1] is CallState.CONNECTED
    ok = net.b.sent(200)[-1]
    assert ok.headers.get("Session-Expires") == "300;refresher=uac"


def test_callee_refreshes_when_caller_lacks_timer_support() -> None:
    cfg = SessionConfig(session_timer=SessionTimerConfig(enabled=False), use_100rel=False)
    net = Net(cfg, timers(120))
    net.a.call(OFFER)
    net.deliver()
    net.b.do(lambda s: s.accept(ANSWER, net.now))
    net.deliver()
    ok = next(m for m in net.b.sent(200) if m.cseq.method == "INVITE")
    assert ok.headers.get("Session-Expires") == "120;refresher=uas"
    net.advance(61)
    assert net.b.sent("UPDATE")  # the peer allows UPDATE


# ------------------------------------------------------------------ INFO


def test_dtmf_by_sip_info() -> None:
    net = connected_call()
    net.a.do(lambda s: s.send_dtmf_info("5", 160, net.now))
    net.a.do(lambda s: s.send_dtmf_info("#", 100, net.now))
    net.deliver()
    assert net.b.of(DtmfInfoReceived) == [DtmfInfoReceived("5", 160), DtmfInfoReceived("#", 100)]
    assert net.a.sent("INFO")[0].headers.get("Content-Type") == "application/dtmf-relay"
    net.a.do(lambda s: s.send_info(b"<x/>", "application/foo+xml", net.now))
    net.deliver()
    assert net.b.sent(415)
    assert CallState.ENDED not in net.a.states()
