"""The parts `InviteSession` is built from, each on its own: reliable provisionals
(RFC 3262), glare timing and offer conflicts (RFC 3261 §14), session-timer glue
(RFC 4028), the timer set."""

from __future__ import annotations

import random

from parley.sip.invite_offers import conflict_status, glare_retry_delay
from parley.sip.invite_timers import Timer, TimerSet
from parley.sip.message import Headers, Request, Response
from parley.sip.reliable_provisional import Arrival, ReliableReceiver, ReliableSender
from parley.sip.session_timer import SessionRefresh, SessionTimerConfig
from parley.sip.uri import SipURI


def provisional(rseq: str | None, *, require: bool = True, seq: int = 1) -> Response:
    headers = Headers()
    headers.add("CSeq", f"{seq} INVITE")
    if require:
        headers.add("Require", "100rel")
    if rseq is not None:
        headers.add("RSeq", rseq)
    return Response(status=183, reason="Session Progress", headers=headers)


def prack(rack: str) -> Request:
    headers = Headers()
    headers.add("RAck", rack)
    return Request(method="PRACK", uri=SipURI.parse("sip:a@127.0.0.1"), headers=headers)


def test_receiver_pracks_in_order_and_discards_repeats_and_gaps() -> None:
    rx = ReliableReceiver()
    assert rx.receive(provisional("7", seq=3), "t1") == (Arrival.RELIABLE, "7 3 INVITE")
    assert rx.receive(provisional("7", seq=3), "t1")[0] is Arrival.DISCARD  # repeat
    assert rx.receive(provisional("9", seq=3), "t1")[0] is Arrival.DISCARD  # gap
    assert rx.receive(provisional("8", seq=3), "t1") == (Arrival.RELIABLE, "8 3 INVITE")
    assert rx.receive(provisional("100", seq=3), "t2")[0] is Arrival.RELIABLE  # other fork
    assert rx.receive(provisional("x1"), "t3")[0] is Arrival.DISCARD
    assert rx.receive(provisional("12345678901"), "t3")[0] is Arrival.DISCARD
    assert rx.receive(provisional("5", require=False), "t3")[0] is Arrival.UNRELIABLE
    assert rx.receive(provisional(None), "t3")[0] is Arrival.UNRELIABLE
    rx.clear()
    assert rx.receive(provisional("7", seq=4), "t1")[0] is Arrival.RELIABLE


def test_sender_rseq_space_prack_match_and_doubling() -> None:
    tx = ReliableSender()
    rng = random.Random(5)
    first = dict(tx.next_headers(rng))
    rseq = int(first["RSeq"])
    assert first["Require"] == "100rel" and 1 <= rseq < 2**31
    response = provisional(str(rseq))
    tx.sent(response, 0.5)
    assert tx.awaiting_prack
    assert not tx.acknowledges(prack(f"{rseq + 1} 1 INVITE"), 1)
    assert not tx.acknowledges(prack(f"{rseq} 2 INVITE"), 1)
    assert not tx.acknowledges(prack(f"{rseq} 1 BYE"), 1)
    assert tx.acknowledges(prack(f"{rseq} 1 invite"), 1)
    assert [tx.retransmit()[1] for _ in range(4)] == [1.0, 2.0, 4.0, 8.0]  # no cap
    assert tx.retransmit()[0] is response
    tx.stop()
    assert not tx.awaiting_prack and not tx.acknowledges(prack(f"{rseq} 1 INVITE"), 1)
    assert dict(tx.next_headers(rng))["RSeq"] == str(rseq + 1)


def test_glare_retry_delay_follows_rfc3261_14_1() -> None:
    rng = random.Random(1)
    owner = [glare_retry_delay(True, rng) for _ in range(2000)]
    other = [glare_retry_delay(False, rng) for _ in range(2000)]
    assert 2.1 <= min(owner) < 2.15 and 3.95 < max(owner) <= 4.0
    assert 0.0 <= min(other) < 0.05 and 1.95 < max(other) <= 2.0
    assert all(abs(d * 100 - round(d * 100)) < 1e-9 for d in owner + other)  # 10 ms units


def test_conflicting_offers_get_491_or_500() -> None:
    assert conflict_status(ours_open=True, theirs_open=False) == 491
    assert conflict_status(ours_open=True, theirs_open=True) == 491
    assert conflict_status(ours_open=False, theirs_open=True) == 500
    assert conflict_status(ours_open=False, theirs_open=False) is None


def test_timer_set_fires_earliest_first_by_name() -> None:
    timers = TimerSet()
    timers.arm(Timer.SESSION, 5.0)
    timers.arm(Timer.GLARE, 2.0)
    timers.arm(Timer.ACK_RETRANSMIT, 2.0)
    assert timers.earliest() == 2.0 and timers["glare"] == 2.0
    assert timers.pop_due(1.0) is None
    assert [timers.pop_due(3.0), timers.pop_due(3.0), timers.pop_due(3.0)] == [
        Timer.ACK_RETRANSMIT,
        Timer.GLARE,
        None,
    ]
    timers.disarm(Timer.SESSION, Timer.CANCEL_GIVEUP)
    assert not timers and timers.earliest() is None


def test_session_refresh_422_raises_min_se_and_picks_refresh_method() -> None:
    refresh = SessionRefresh(SessionTimerConfig(session_expires=200, min_se=90))
    assert dict(refresh.initial_headers()) == {"Session-Expires": "200", "Min-SE": "90"}
    request = Request(method="INVITE", uri=SipURI.parse("sip:b@127.0.0.1"), headers=Headers())
    request.headers.add("Session-Expires", "200;refresher=uac")
    too_small = Response(status=422, reason="Session Interval Too Small", headers=Headers())
    too_small.headers.add("Min-SE", "300")
    assert refresh.retry_422(request, too_small) == [
        ("Session-Expires", "300;refresher=uac"),
        ("Min-SE", "300"),
    ]
    too_small.headers.set("Min-SE", "150")
    request.headers.set("Session-Expires", "300")
    assert refresh.retry_422(request, too_small) is None  # asks for nothing more
    assert refresh.use_update({"UPDATE", "INVITE"}) and not refresh.use_update({"INVITE"})
    refresh.update_unsupported = True
    assert not refresh.use_update({"UPDATE"})
    assert SessionRefresh(SessionTimerConfig(enabled=False)).initial_headers() == []
