"""REFER usages (RFC 3515, 4488, 3892) on two real user-agent cores with a fake clock.

Alice calls Bob; then Alice (transferor) sends REFER in the call's dialog and Bob
(transferee) answers it through a `ReferServer` attached beside his INVITE usage. Every
message is serialised and parsed on the way (`uapair`)."""

from __future__ import annotations

import pytest
from uapair import Pair, UserAgent

from parley.sip.message import Request, Response
from parley.sip.refer import (
    FailCode,
    IncomingRefer,
    ReferClient,
    ReferServer,
    ReferState,
    ReferUpdate,
    register_refer_usage,
)
from parley.sip.replaces import Replaces
from parley.sip.request_client import ClientCallbacks
from parley.sip.sipfrag import SipFragError, format_sipfrag, parse_sipfrag
from parley.sip.uri import SipURI

OFFER = b"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
ANSWER = b"v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
CAROL = SipURI.parse("sip:carol@127.0.0.1:5070")


def transmit(side: UserAgent):  # type: ignore[no-untyped-def]
    def send(request: Request, hop: SipURI, callbacks: ClientCallbacks) -> None:
        side.core.send_request(request, side.peer.name, callbacks, side.pair.now)
        side.flush()

    return send


class Transfer:
    """A connected call between Alice and Bob, and the REFER machinery on both sides."""

    def __init__(self) -> None:
        self.pair = pair = Pair()
        for side in (pair.a, pair.b):
            register_refer_usage(side.core)
        pair.a.call(OFFER)
        pair.deliver()
        pair.b.do(lambda s: s.accept(ANSWER, pair.now))
        pair.deliver()
        assert pair.a.session is not None and pair.a.session.dialog is not None
        self.updates: list[ReferUpdate] = []
        self.refers: list[IncomingRefer] = []
        b_session = pair.b.session
        assert b_session is not None
        self.server = ReferServer(
            pair.b.core,
            call_id=b_session.call_id,
            local_tag=b_session.local_tag,
            dialog=lambda: b_session.dialog,
            transmit=transmit(pair.b),
            on_refer=self.refers.append,
            done=lambda: b_session.finished,
        )

    def refer(self, target: SipURI = CAROL, timeout: float = 32.0) -> ReferClient:
        a = self.pair.a
        assert a.session is not None and a.session.dialog is not None
        client = ReferClient(
            a.core,
            a.session.dialog,
            target,
            transmit=transmit(a),
            on_update=self.updates.append,
            referred_by="<sip:alice@127.0.0.1>",
            timeout=timeout,
        )
        client.start(self.pair.now)
        self.pair.deliver()
        return client

    def states(self) -> list[tuple[ReferState, int | None]]:
        return [(u.state, u.status) for u in self.updates]


def test_sipfrag_reads_status_lines_and_refuses_garbage() -> None:
    assert parse_sipfrag(b"SIP/2.0 200 OK\r\n") == parse_sipfrag("SIP/2.0 200 OK")
    frag = parse_sipfrag(b"SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n")
    assert (frag.status, frag.reason, frag.final) == (180, "Ringing", False)
    assert parse_sipfrag(b"sip/2.0 503\r\n").reason == "Service Unavailable"
    assert format_sipfrag(100) == b"SIP/2.0 100 Trying\r\n"
    for bad in (
        b"",
        b"\r\n",
        b"hello",
        b"INVITE sip:a@b SIP/2.0",
        b"SIP/3.0 200 OK",
        b"SIP/2.0 99 Low",
        b"SIP/2.0 2000 OK",
        b"\xff\xfe",
        b"SIP/2.0 OK",
    ):
        with pytest.raises(SipFragError):
            parse_sipfrag(bad)


def test_blind_transfer_followed_to_the_end() -> None:
    t = Transfer()
    client = t.refer()
    refer = t.pair.b.sent(202)
    assert not refer  # Bob has not decided yet: nothing but 100 Trying
    [incoming] = t.refers
    assert str(incoming.target) == str(CAROL)
    assert incoming.replaces is None
    assert incoming.referred_by == "<sip:alice@127.0.0.1>"
    sent = t.pair.a.sent("REFER")[0]
    assert isinstance(sent, Request)
    # The REFER shares the call's dialog: same Call-ID, tags, and the next CSeq.
    invite = t.pair.a.sent("INVITE")[0]
    assert sent.call_id == invite.call_id
    assert sent.cseq.seq == invite.cseq.seq + 1
    assert sent.headers.get("Referred-By") == "<sip:alice@127.0.0.1>"

    incoming.accept(t.pair.now)
    t.pair.deliver()
    incoming.notify(180, "Ringing", t.pair.now)
    t.pair.deliver()
    incoming.notify(200, "OK", t.pair.now)
    t.pair.deliver()
    assert t.states() == [
        (ReferState.TRYING, None),
        (ReferState.ACCEPTED, 202),
        (ReferState.ACCEPTED, 100),
        (ReferState.ACCEPTED, 180),
        (ReferState.DONE, 200),
    ]
    notifies = [m for m in t.pair.b.sent("NOTIFY") if isinstance(m, Request)]
    assert [n.headers.get("Event") for n in notifies] == [f"refer;id={sent.cseq.seq}"] * 3
    assert notifies[-1].headers.get("Subscription-State", "").startswith("terminated")
    assert notifies[0].headers.get("Content-Type") == "message/sipfrag;version=2.0"
    assert len(t.pair.a.sent(200)) >= 3  # each NOTIFY answered
    assert client.finished
    # Bob's NOTIFYs count in his side of the dialog after the call's own requests.
    assert [n.cseq.seq for n in notifies] == [1, 2, 3]


def test_refused_refer_fails_with_its_status() -> None:
    t = Transfer()
    t.refer()
    t.refers[0].refuse(t.pair.now, 603)
    t.pair.b.flush()
    t.pair.deliver()
    assert t.updates[-1] == ReferUpdate(ReferState.FAILED, 603, "Decline", FailCode.REFUSED)


def test_refer_to_a_phone_without_refer_is_refused_501_or_405() -> None:
    pair = Pair()
    register_refer_usage(pair.a.core)
    pair.a.call(OFFER)
    pair.deliver()
    pair.b.do(lambda s: s.accept(ANSWER, pair.now))
    pair.deliver()
    updates: list[ReferUpdate] = []
    assert pair.a.session is not None and pair.a.session.dialog is not None
    ReferClient(
        pair.a.core,
        pair.a.session.dialog,
        CAROL,
        transmit=transmit(pair.a),
        on_update=updates.append,
    ).start(pair.now)
    pair.deliver()
    assert updates[-1].state is ReferState.FAILED
    assert updates[-1].status == 405
    # The call itself is untouched.
    assert pair.a.session.state.value == "connected"


def test_failed_new_call_and_503_sipfrag() -> None:
    t = Transfer()
    t.refer()
    incoming = t.refers[0]
    incoming.accept(t.pair.now)
    incoming.notify(503, "Service Unavailable", t.pair.now)
    t.pair.deliver()
    assert t.updates[-1] == ReferUpdate(
        ReferState.FAILED, 503, "Service Unavailable", FailCode.CALL_FAILED
    )


def test_accepted_then_silence_fails_after_the_timeout() -> None:
    t = Transfer()
    client = t.refer(timeout=10.0)
    # Bob answers 202 but never sends a NOTIFY.
    incoming = t.refers[0]
    incoming.subscribe = True
    core = t.pair.b.core
    core.send_response(incoming.tx, core.response(incoming.request, 202), t.pair.now)
    t.pair.b.flush()
    t.pair.deliver()
    assert t.updates[-1].state is ReferState.ACCEPTED
    t.pair.advance(9.0)
    assert t.updates[-1].state is ReferState.ACCEPTED
    t.pair.advance(2.0)
    assert t.updates[-1] == ReferUpdate(ReferState.FAILED, None, "", FailCode.TIMEOUT)
    t.pair.advance(10.0)
    assert client.finished


def test_garbage_sipfrag_is_refused_and_a_terminated_one_ends_it() -> None:
    t = Transfer()
    t.refer()
    incoming = t.refers[0]
    incoming.accept(t.pair.now)
    t.pair.deliver()
    dialog = incoming.dialog
    for body, state in ((b"garbage", "active;expires=60"), (b"\xff", "terminated")):
        notify = dialog.create_request(
            "NOTIFY",
            headers=[("Event", f"refer;id={incoming.id}"), ("Subscription-State", state)],
            body=body,
            content_type="message/sipfrag",
        )
        incoming.server.transmit(
            notify,
            dialog.next_hop,
            ClientCallbacks(
                on_response=lambda r: None,
                on_timeout=lambda: None,
                on_transport_error=lambda t: None,
            ),
        )
        t.pair.deliver()
    answers = [
        m.status for m in t.pair.a.wire if isinstance(m, Response) and m.cseq.method == "NOTIFY"
    ]
    assert answers == [200, 400, 200]
    assert t.updates[-1].state is ReferState.FAILED
    assert t.updates[-1].code is FailCode.BAD_NOTIFY


def test_refer_sub_false_gets_no_notify() -> None:
    t = Transfer()
    a = t.pair.a
    assert a.session is not None and a.session.dialog is not None
    req = a.session.dialog.create_request(
        "REFER", headers=[("Refer-To", f"<{CAROL}>"), ("Refer-Sub", "false")]
    )
    transmit(a)(
        req,
        a.session.dialog.next_hop,
        ClientCallbacks(
            on_response=lambda r: None, on_timeout=lambda: None, on_transport_error=lambda t: None
        ),
    )
    t.pair.deliver()
    t.refers[0].accept(t.pair.now)
    t.pair.b.flush()
    t.pair.deliver()
    [accepted] = t.pair.b.sent(202)
    assert accepted.headers.get("Refer-Sub") == "false"
    assert not t.pair.b.sent("NOTIFY")


def test_replaces_in_refer_to_and_bad_refer_to() -> None:
    t = Transfer()
    target = Replaces("abc@host", "tt", "ff").in_uri(CAROL)
    t.refer(target)
    assert t.refers[0].replaces == Replaces("abc@host", "tt", "ff")
    assert not t.refers[0].target.headers
    a = t.pair.a
    assert a.session is not None and a.session.dialog is not None
    for value in ("<mailto:x@y>", "<sip:>"):
        req = a.session.dialog.create_request("REFER", headers=[("Refer-To", value)])
        transmit(a)(
            req,
            a.session.dialog.next_hop,
            ClientCallbacks(
                on_response=lambda r: None,
                on_timeout=lambda: None,
                on_transport_error=lambda t: None,
            ),
        )
        t.pair.deliver()
    assert [m.status for m in t.pair.b.sent(400)] == [400, 400]
    assert len(t.refers) == 1


def test_refer_is_advertised_in_allow_and_norefersub_in_supported() -> None:
    t = Transfer()
    b = t.pair.b
    assert "REFER" in b.core.capabilities.allow
    assert "norefersub" in b.core.capabilities.supported


def test_the_final_notify_says_when_it_was_answered() -> None:
    """The transferee hangs up the old call only after the transferor has answered the
    final NOTIFY (a BYE that overtook it would end the dialog before the transferor
    learnt that the transfer worked): `on_done` runs on the answer, not on sending."""
    t = Transfer()
    t.refer()
    [incoming] = t.refers
    incoming.accept(t.pair.now)
    t.pair.deliver()
    done: list[str] = []
    incoming.notify(200, "OK", t.pair.now, on_done=lambda: done.append("final"))
    assert done == []  # sent, not answered yet
    t.pair.deliver()
    assert done == ["final"]
    assert t.states()[-1] == (ReferState.DONE, 200)
    # The subscription is over: nothing more is sent, and the caller is not kept waiting.
    sent_before = len(t.pair.b.sent("NOTIFY"))
    incoming.notify(200, "OK", t.pair.now, on_done=lambda: done.append("again"))
    assert done == ["final", "again"]
    assert len(t.pair.b.sent("NOTIFY")) == sent_before
