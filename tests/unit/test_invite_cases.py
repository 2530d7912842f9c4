"""InviteSession against hand-written messages: forking, races, auth, odd and bad input."""

from __future__ import annotations

import random

import pytest

from parley.cli.texts import end_text
from parley.sip.auth import DigestClient
from parley.sip.dialog import LocalEndpoint, make_response
from parley.sip.headers import NameAddr
from parley.sip.invite import Credentials, InviteSession, SessionConfig, parse_dtmf_info
from parley.sip.invite_events import (
    AnswerReceived,
    CallState,
    EndCause,
    OfferReceived,
    SendAck,
    SendRequest,
    SendResponse,
    SessionOutput,
    StateChanged,
    UnhandledRequest,
)
from parley.sip.message import Request, Response
from parley.sip.parser import parse_message
from parley.sip.uri import SipURI

OFFER = b"v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
ANSWER = b"v=0\r\no=b 1 1 IN IP4 10.0.0.2\r\ns=-\r\nt=0 0\r\n"
LOCAL = LocalEndpoint("10.0.0.1", 5060, "UDP", contact="<sip:alice@10.0.0.1:5060>")
TARGET = SipURI.parse("sip:bob@example.com")


def said(end: StateChanged, direction: str = "outgoing") -> str:
    """What the console says for the end of a call (sentences are the front-ends')."""
    return end_text(end.cause, end.status, direction)


def end_reason_text(status: int | None, direction: str = "outgoing") -> str:
    """The console's words for a call refused with `status` (None: a plain hang-up)."""
    cause = EndCause.HANGUP if status is None else EndCause.REJECTED
    return end_text(cause, status, direction)


def roundtrip(message: Request | Response) -> Request | Response:
    return parse_message(message.to_bytes())


def uac(**kw: object) -> tuple[InviteSession, Request]:
    session = InviteSession.outgoing(
        TARGET,
        from_=NameAddr("Alice", SipURI.parse("sip:alice@example.com")),
        to=NameAddr(None, TARGET),
        local=LOCAL,
        rng=random.Random(3),
        **kw,  # type: ignore[arg-type]
    )
    outs = session.invite(OFFER, 0.0)
    invite = requests(outs)[0]
    return session, invite


def requests(outs: list[SessionOutput], method: str | None = None) -> list[Request]:
    return [
        o.request
        for o in outs
        if isinstance(o, SendRequest) and (method is None or o.request.method == method)
    ]


def responses(outs: list[SessionOutput]) -> list[Response]:
    return [o.response for o in outs if isinstance(o, SendResponse)]


def acks(outs: list[SessionOutput]) -> list[SendAck]:
    return [o for o in outs if isinstance(o, SendAck)]


def states(outs: list[SessionOutput]) -> list[StateChanged]:
    return [o for o in outs if isinstance(o, StateChanged)]


def reply(
    request: Request,
    status: int,
    tag: str | None = None,
    *,
    sdp: bytes | None = None,
    contact: str = "<sip:bob@10.0.0.2:5060>",
    headers: list[tuple[str, str]] | None = None,
) -> Response:
    extra = [("Contact", contact)] if tag else []
    extra += headers or []
    if sdp is not None:
        extra.append(("Content-Type", "application/sdp"))
    response = make_response(request, status, to_tag=tag, headers=extra, body=sdp or b"")
    parsed = roundtrip(response)
    assert isinstance(parsed, Response)
    return parsed


INVITE_TEXT = (
    "INVITE sip:alice@10.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKinv1\r\n"
    "Max-Forwards: 70\r\n"
    "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
    "From: <sip:bob@example.com>;tag=bobtag\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: call-1@10.0.0.2\r\n"
    "CSeq: 10 INVITE\r\n"
    "Contact: <sip:bob@10.0.0.2:5060>\r\n"
    "Allow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n"
    "Supported: timer\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: {length}\r\n\r\n"
)


def incoming_invite(body: bytes = OFFER, extra: str = "") -> Request:
    text = INVITE_TEXT.format(length=len(body)).replace(
        "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n" + extra
    )
    msg = parse_message(text.encode() + body)
    assert isinstance(msg, Request)
    return msg


def uas(body: bytes = OFFER, extra: str = "") -> tuple[InviteSession, Request, list[SessionOutput]]:
    invite = incoming_invite(body, extra)
    session = InviteSession.incoming(invite, "tx-invite", local=LOCAL, rng=random.Random(5))
    return session, invite, session.receive_invite(0.0)


def in_dialog(
    session: InviteSession,
    method: str,
    seq: int,
    *,
    body: bytes = b"",
    ctype: str | None = None,
    from_tag: str = "bobtag",
) -> Request:
    """A request from the far end (bob) inside the UAS session's dialog."""
    lines = [
        f"{method} sip:alice@10.0.0.1:5060 SIP/2.0",
        f"Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK{method.lower()}{seq}",
        "Max-Forwards: 70",
        f"From: <sip:bob@example.com>;tag={from_tag}",
        f"To: <sip:alice@example.com>;tag={session.local_tag}",
        "Call-ID: call-1@10.0.0.2",
        f"CSeq: {seq} {method}",
        "Contact: <sip:bob@10.0.0.2:5060>",
    ]
    if ctype:
        lines.append(f"Content-Type: {ctype}")
    lines.append(f"Content-Length: {len(body)}")
    msg = parse_message(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    assert isinstance(msg, Request)
    return msg


def answered_uas() -> InviteSession:
    session, _invite, _ = uas()
    session.accept(ANSWER, 0.0)
    ack = in_dialog(session, "ACK", 10)
    session.on_ack(ack, 0.1)
    return session


# ------------------------------------------------------------------ caller: forking


def test_forked_call_first_2xx_wins_other_gets_ack_and_bye() -> None:
    session, invite = uac()
    out = session.on_response(reply(invite, 180, "fork1"), 1.0)
    assert [s.state for s in states(out)] == [CallState.RINGING]
    out = session.on_response(
        reply(invite, 183, "fork2", sdp=ANSWER, contact="<sip:bob@10.0.0.3>"), 1.1
    )
    assert AnswerReceived(ANSWER, early=True, remote_tag="fork2") in out
    assert [s.state for s in states(out)] == [CallState.EARLY_MEDIA]
    assert {d.remote_tag for d in session.early_dialogs} == {"fork1", "fork2"}

    out = session.on_response(
        reply(invite, 200, "fork2", sdp=ANSWER, contact="<sip:bob@10.0.0.3>"), 2.0
    )
    assert [s.state for s in states(out)] == [CallState.CONNECTED]
    first_ack = acks(out)[0]
    assert first_ack.ack.to.tag == "fork2" and first_ack.ack.uri == SipURI.parse("sip:bob@10.0.0.3")
    assert session.dialog is not None and session.dialog.remote_tag == "fork2"

    # The other fork answers too (§13.2.2.4): ACK it and hang it up at once.
    out = session.on_response(reply(invite, 200, "fork1", sdp=ANSWER), 2.1)
    assert states(out) == [] and not any(isinstance(o, AnswerReceived) for o in out)
    assert acks(out)[0].ack.to.tag == "fork1"
    bye = requests(out, "BYE")[0]
    assert bye.to.tag == "fork1" and bye.uri == SipURI.parse("sip:bob@10.0.0.2:5060")

    # A retransmitted 2xx of the winner gets the very same ACK again.
    out = session.on_response(
        reply(invite, 200, "fork2", sdp=ANSWER, contact="<sip:bob@10.0.0.3>"), 2.5
    )
    assert [a.ack for a in acks(out)] == [first_ack.ack]
    assert requests(out) == []


def test_unreliable_183_answer_used_when_2xx_has_no_sdp() -> None:
    session, invite = uac()
    session.on_response(reply(invite, 183, "t", sdp=ANSWER), 1.0)
    out = session.on_response(reply(invite, 200, "t"), 2.0)
    assert AnswerReceived(ANSWER, early=False, remote_tag="t") in out
    assert session.state is CallState.CONNECTED


def test_2xx_without_any_answer_ends_with_ack_and_bye() -> None:
    session, invite = uac()
    out = session.on_response(reply(invite, 200, "t"), 2.0)
    assert acks(out) and requests(out, "BYE")
    end = states(out)[-1]
    assert end.state is CallState.ENDED and said(end) == "No common codec"
    assert end.cause is EndCause.MEDIA_FAILED


def early_update(session: InviteSession, seq: int) -> Request:
    update = parse_message(
        (
            "UPDATE sip:alice@10.0.0.1:5060 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKupd{seq}\r\n"
            "From: <sip:bob@example.com>;tag=t\r\n"
            f"To: <sip:alice@example.com>;tag={session.local_tag}\r\n"
            f"Call-ID: {session.call_id}\r\n"
            f"CSeq: {seq} UPDATE\r\n"
            "Contact: <sip:bob@10.0.0.2:5060>\r\n"
            "Content-Type: application/sdp\r\n"
            f"Content-Length: {len(OFFER)}\r\n\r\n"
        ).encode()
        + OFFER
    )
    assert isinstance(update, Request)
    return update


def test_update_with_offer_in_callers_early_dialog() -> None:
    session, invite = uac()
    # Our offer answered only in an unreliable 183: still open, a new offer clashes (491).
    session.on_response(reply(invite, 183, "t", sdp=ANSWER), 1.0)
    assert responses(session.on_request(early_update(session, 2), "u1", 1.1))[0].status == 491
    # Answered in a reliable 183: the exchange is complete and an UPDATE offer is fine.
    rel = [("Require", "100rel"), ("RSeq", "1")]
    session.on_response(reply(invite, 183, "t", sdp=ANSWER, headers=rel), 1.2)
    out = session.on_request(early_update(session, 3), "u2", 1.5)
    assert out == [OfferReceived(OFFER, initial=False)]
    ok = responses(session.answer(ANSWER, 1.6))[0]
    assert (ok.status, ok.body, ok.cseq.method) == (200, ANSWER, "UPDATE")


def test_route_set_from_record_route_reversed_for_caller() -> None:
    session, invite = uac()
    rr = [("Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>")]
    session.on_response(reply(invite, 200, "t", sdp=ANSWER, headers=rr), 1.0)
    out = session.hangup(5.0)
    bye = requests(out, "BYE")[0]
    assert [str(r.uri) for r in bye.routes] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    assert bye.uri == SipURI.parse("sip:bob@10.0.0.2:5060")
    assert [o.next_hop for o in out if isinstance(o, SendRequest)] == [
        SipURI.parse("sip:p1.example.com;lr")
    ]


def test_reliable_provisional_retransmission_and_order() -> None:
    session, invite = uac()
    rel = [("Require", "100rel"), ("RSeq", "7")]
    out = session.on_response(reply(invite, 180, "t", headers=rel), 1.0)
    prack = requests(out, "PRACK")[0]
    assert prack.headers.get("RAck") == "7 1 INVITE" and prack.to.tag == "t"
    assert session.on_response(reply(invite, 180, "t", headers=rel), 1.5) == []
    skipped = [("Require", "100rel"), ("RSeq", "9")]
    assert requests(session.on_response(reply(invite, 180, "t", headers=skipped), 1.6)) == []
    nxt = [("Require", "100rel"), ("RSeq", "8")]
    assert requests(session.on_response(reply(invite, 183, "t", headers=nxt), 1.7), "PRACK")


def test_cancel_then_487_and_timeout_guard() -> None:
    session, invite = uac()
    session.on_response(reply(invite, 100), 0.1)
    out = session.hangup(1.0)
    cancel = requests(out, "CANCEL")[0]
    assert cancel.top_via.branch == invite.top_via.branch and cancel.cseq.seq == invite.cseq.seq
    assert said(states(out)[0]) == "Cancelled"
    assert states(out)[0].cause is EndCause.CANCELLED
    assert not session.finished
    assert session.on_response(reply(invite, 487, "t"), 1.2) == []
    assert session.finished


def test_cancel_never_answered_gives_up_after_64_t1() -> None:
    session, invite = uac()
    session.on_response(reply(invite, 180, "t"), 0.1)
    session.hangup(1.0)
    assert session.next_timer() == pytest.approx(33.0)
    session.handle_timer(33.0)
    assert session.finished


# ------------------------------------------------------------------ caller: auth and failures


def test_proxy_challenge_is_answered_once() -> None:
    creds = Credentials(DigestClient(cnonce_factory=lambda: "c0ffee"), "alice", "secret")
    session, invite = uac(credentials=creds)
    challenge = [("Proxy-Authenticate", 'Digest realm="pbx", nonce="n1", qop="auth"')]
    out = session.on_response(reply(invite, 407, "px", headers=challenge), 1.0)
    retry = requests(out, "INVITE")[0]
    assert retry.cseq.seq == invite.cseq.seq + 1
    assert retry.call_id == invite.call_id and retry.from_.tag == invite.from_.tag
    assert retry.top_via.branch != invite.top_via.branch
    assert 'realm="pbx"' in (retry.headers.get("Proxy-Authorization") or "")
    assert retry.body == OFFER
    # Same nonce rejected again: wrong password, the call fails.
    out = session.on_response(reply(retry, 407, "px", headers=challenge), 2.0)
    assert said(states(out)[-1]) == "Authentication failed"
    assert states(out)[-1].cause is EndCause.REJECTED
    # The ACK of the eventual 2xx would carry the credentials (§13.2.2.4) — checked below.


def test_ack_carries_invite_credentials() -> None:
    creds = Credentials(DigestClient(cnonce_factory=lambda: "c0ffee"), "alice", "secret")
    session, invite = uac(credentials=creds)
    challenge = [("WWW-Authenticate", 'Digest realm="pbx", nonce="n1"')]
    retry = requests(session.on_response(reply(invite, 401, "px", headers=challenge), 1.0))[0]
    out = session.on_response(reply(retry, 200, "t", sdp=ANSWER), 2.0)
    ack = acks(out)[0].ack
    assert ack.headers.get("Authorization") == retry.headers.get("Authorization")
    assert ack.cseq.seq == retry.cseq.seq


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (404, "Not found"),
        (486, "Busy"),
        (480, "No answer"),
        (488, "No common codec"),
        (603, "Declined"),
        (500, "Server error"),
    ],
)
def test_failure_texts(status: int, text: str) -> None:
    session, invite = uac()
    end = states(session.on_response(reply(invite, status, "t"), 1.0))[-1]
    assert (end.state, end.status, said(end), end.by) == (CallState.ENDED, status, text, "remote")
    assert end.cause is EndCause.REJECTED


def test_garbage_responses_are_ignored() -> None:
    session, invite = uac()
    bad = Response(status=200, reason="OK")  # no headers at all
    assert session.on_response(bad, 1.0) == []
    weird = reply(invite, 180, "t")
    weird.headers.set("CSeq", "x INVITE")
    assert session.on_response(weird, 1.0) == []
    weird = reply(invite, 183, "t", headers=[("Require", "100rel"), ("RSeq", "abc")])
    session.on_response(weird, 1.0)  # no PRACK for a bad RSeq, and no exception
    assert session.state is not CallState.ENDED


def test_late_offer_rejected_answer_still_acks_then_byes() -> None:
    session = InviteSession.outgoing(
        TARGET,
        from_=NameAddr(None, SipURI.parse("sip:alice@example.com")),
        to=NameAddr(None, TARGET),
        local=LOCAL,
        rng=random.Random(1),
    )
    invite = requests(session.invite(None, 0.0))[0]
    assert invite.body == b"" and invite.headers.get("Content-Type") is None
    out = session.on_response(reply(invite, 200, "t", sdp=OFFER), 1.0)
    assert OfferReceived(OFFER, initial=False) in out and acks(out) == []
    out = session.reject_offer(1.1)
    assert acks(out) and requests(out, "BYE")
    assert said(states(out)[-1]) == "No common codec"
    assert states(out)[-1].cause is EndCause.MEDIA_FAILED


def test_reinvite_481_ends_call() -> None:
    session, invite = uac()
    session.on_response(reply(invite, 200, "t", sdp=ANSWER), 1.0)
    reinvite = requests(session.reinvite(OFFER, 2.0))[0]
    out = session.on_response(reply(reinvite, 481), 2.5)
    end = states(out)[-1]
    assert end.state is CallState.ENDED and end.status == 481
    assert requests(out, "BYE") == []  # the dialog is gone already


def test_reinvite_timeout_ends_call_with_bye() -> None:
    session, invite = uac()
    session.on_response(reply(invite, 200, "t", sdp=ANSWER), 1.0)
    reinvite = requests(session.reinvite(OFFER, 2.0))[0]
    out = session.on_timeout(reinvite, 34.0)
    assert requests(out, "BYE") and states(out)[-1].status == 408


# ------------------------------------------------------------------ callee


def test_incoming_call_events_and_answer_headers() -> None:
    session, _invite, out = uas()
    assert out == [StateChanged(CallState.INCOMING), OfferReceived(OFFER, initial=True)]
    out = session.ring(0.5)
    ringing = responses(out)[0]
    assert ringing.to.tag == session.local_tag
    assert ringing.headers.get("Contact") == LOCAL.contact
    assert ringing.headers.get_all("Record-Route") == [
        "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>"
    ]
    out = session.accept(ANSWER, 1.0)
    ok = responses(out)[0]
    assert ok.status == 200 and ok.body == ANSWER and ok.to.tag == session.local_tag
    # UAS route set keeps the Record-Route order: first hop p2.
    assert session.dialog is not None
    assert str(session.dialog.next_hop) == "sip:p2.example.com;lr"
    assert session.next_timer() == pytest.approx(1.5)  # 2xx retransmission at T1


def test_incoming_invite_without_contact_gets_400() -> None:
    invite = incoming_invite()
    invite.headers.remove("Contact")
    session = InviteSession.incoming(invite, "tx", local=LOCAL, rng=random.Random(1))
    out = session.receive_invite(0.0)
    assert responses(out)[0].status == 400
    assert session.state is CallState.ENDED


def test_cancel_of_incoming_call() -> None:
    session, invite, _ = uas()
    session.ring(0.1)
    cancel = parse_message(
        invite.to_bytes()
        .replace(b"INVITE sip:", b"CANCEL sip:")
        .replace(b"10 INVITE", b"10 CANCEL")
    )
    assert isinstance(cancel, Request)
    out = session.on_request(cancel, "tx-cancel", 1.0)
    sent = [(o.tx, o.response.status) for o in out if isinstance(o, SendResponse)]
    assert sent == [("tx-cancel", 200), ("tx-invite", 487)]
    assert states(out)[-1].status == 487 and states(out)[-1].by == "remote"
    # A CANCEL for something else gets 481.
    other = parse_message(cancel.to_bytes().replace(b"10 CANCEL", b"11 CANCEL"))
    assert isinstance(other, Request)
    assert responses(session.on_request(other, "tx2", 1.1))[0].status == 481


def test_in_dialog_checks_481_and_500() -> None:
    session = answered_uas()
    stranger = in_dialog(session, "INFO", 11, from_tag="someone-else")
    assert responses(session.on_request(stranger, "t1", 1.0))[0].status == 481
    ok = in_dialog(session, "OPTIONS", 12)
    response = responses(session.on_request(ok, "t2", 1.0))[0]
    assert response.status == 200 and response.headers.get("Accept") == "application/sdp"
    old = in_dialog(session, "OPTIONS", 11)
    assert responses(session.on_request(old, "t3", 1.0))[0].status == 500
    refer = in_dialog(session, "REFER", 13)
    out = session.on_request(refer, "t4", 1.0)
    assert out == [UnhandledRequest(refer, "t4")]


def test_incoming_update_with_offer_and_its_conflicts() -> None:
    session = answered_uas()
    update = in_dialog(session, "UPDATE", 11, body=OFFER, ctype="application/sdp")
    out = session.on_request(update, "u1", 1.0)
    assert out == [OfferReceived(OFFER, initial=False)]
    # Another offer while ours is unanswered: 500 with Retry-After (RFC 3311 §5.2).
    clash = in_dialog(session, "UPDATE", 12, body=OFFER, ctype="application/sdp")
    busy = responses(session.on_request(clash, "u2", 1.1))[0]
    assert busy.status == 500 and busy.headers.get("Retry-After") is not None
    reinvite = in_dialog(session, "INVITE", 13, body=OFFER, ctype="application/sdp")
    assert responses(session.on_request(reinvite, "r1", 1.2))[0].status == 500
    out = session.answer(ANSWER, 1.3)
    ok = responses(out)[0]
    assert (ok.status, ok.body, ok.cseq.method) == (200, ANSWER, "UPDATE")
    assert [o.tx for o in out if isinstance(o, SendResponse)] == ["u1"]
    # An UPDATE without SDP is a session refresh: 200 at once.
    refresh = in_dialog(session, "UPDATE", 14)
    assert responses(session.on_request(refresh, "u3", 2.0))[0].status == 200


def test_reinvite_while_ours_is_pending_gets_491() -> None:
    session = answered_uas()
    session.reinvite(OFFER, 1.0)
    theirs = in_dialog(session, "INVITE", 11, body=OFFER, ctype="application/sdp")
    assert responses(session.on_request(theirs, "r", 1.1))[0].status == 491


def test_prack_matching() -> None:
    session, _invite, _ = uas(extra="Require: 100rel\r\n")
    rsp = responses(session.ring(0.1))[0]
    rseq = rsp.headers.get("RSeq")
    wrong = in_dialog(session, "PRACK", 11)
    wrong.headers.set("RAck", f"{rseq}9 10 INVITE")
    assert responses(session.on_request(wrong, "p1", 0.2))[0].status == 481
    right = in_dialog(session, "PRACK", 12)
    right.headers.set("RAck", f"{rseq} 10 INVITE")
    assert responses(session.on_request(right, "p2", 0.3))[0].status == 200
    assert session.next_timer() is None  # retransmissions stopped


def test_bye_in_early_dialog_of_incoming_call() -> None:
    session, _invite, _ = uas()
    session.ring(0.1)
    bye = in_dialog(session, "BYE", 11)
    out = session.on_request(bye, "b", 1.0)
    assert [(o.tx, o.response.status) for o in out if isinstance(o, SendResponse)] == [
        ("b", 200),
        ("tx-invite", 487),
    ]
    assert session.state is CallState.ENDED


def test_session_interval_too_small_gets_422() -> None:
    _session, _invite, out = uas(extra="Session-Expires: 30\r\n")
    rsp = responses(out)[0]
    assert rsp.status == 422 and rsp.headers.get("Min-SE") == "90"


def test_malformed_in_dialog_request_answered_not_raised() -> None:
    session = answered_uas()
    bad = in_dialog(session, "INFO", 11)
    bad.headers.set("From", "<<<nonsense")
    out = session.on_request(bad, "x", 1.0)
    assert responses(out)[0].status == 400


# ------------------------------------------------------------------ helpers


def test_dtmf_info_bodies() -> None:
    assert parse_dtmf_info("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n") == ("5", 160)
    assert parse_dtmf_info("application/dtmf-relay", b"Signal=10\r\n") == ("*", None)
    assert parse_dtmf_info("application/dtmf", b"#") == ("#", None)
    assert parse_dtmf_info("application/dtmf-relay", b"Signal=X\r\n") is None
    assert parse_dtmf_info("application/dtmf-relay", b"\xff\xfe") is None


def test_end_reason_texts() -> None:
    assert end_reason_text(486) == "Busy" and end_reason_text(600) == "Busy"
    assert end_reason_text(404) == "Not found" and end_reason_text(604) == "Not found"
    assert end_reason_text(603, direction="outgoing") == "Declined"
    assert end_reason_text(603, direction="incoming") == "Rejected"
    assert end_reason_text(408) == end_reason_text(480) == "No answer"
    assert end_reason_text(487) == "Cancelled"
    assert end_reason_text(488) == end_reason_text(606) == "No common codec"
    assert end_reason_text(None) == "Call ended"
    assert end_reason_text(302) == "Moved" and end_reason_text(499) == "Call failed"
    assert end_reason_text(599) == "Server error" and end_reason_text(699) == "Declined"


def test_default_config_rejects_with_486() -> None:
    session, _invite, _ = uas()
    out = session.hangup(1.0)
    assert responses(out)[0].status == SessionConfig().reject_status == 486


def test_mangled_messages_never_raise() -> None:
    """Every header of valid messages replaced by junk or removed, one at a time: the
    session answers or ignores, and never raises."""
    rng = random.Random(42)
    junk = ["", "<<<", "abc", "1 2 3", ";;;", "sip:", "9999999999999 INVITE", "\x00"]
    for make in ("uac", "uas"):
        for _ in range(60):
            if make == "uac":
                session, invite = uac()
                msg: Request | Response = reply(
                    invite,
                    rng.choice([180, 183, 200, 486]),
                    "t",
                    sdp=ANSWER,
                    headers=[("Require", "100rel"), ("RSeq", "1")],
                )
            else:
                session = answered_uas()
                msg = in_dialog(
                    session,
                    rng.choice(["BYE", "INVITE", "UPDATE", "INFO", "PRACK"]),
                    11,
                    body=OFFER,
                    ctype="application/sdp",
                )
            names = [n for n, _ in msg.headers]
            name = rng.choice(names)
            if rng.random() < 0.3:
                msg.headers.remove(name)
            else:
                msg.headers.set(name, rng.choice(junk))
            if isinstance(msg, Response):
                session.on_response(msg, 1.0)
            else:
                session.on_request(msg, "tx", 1.0)
                session.on_ack(msg, 1.0)
            session.handle_timer(100.0)
