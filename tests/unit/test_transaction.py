"""SIP transactions (parley.sip.transaction) on a fake clock: RFC 3261 §17 with RFC 6026."""

from __future__ import annotations

from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.sip.message import Headers, Request, Response
from parley.sip.transaction import (
    AckReceived,
    ClientInviteTransaction,
    MessageDropped,
    Output,
    RequestReceived,
    ResponseReceived,
    SendMessage,
    ServerInviteTransaction,
    ServerTransaction,
    State,
    StrayResponse,
    TimerConfig,
    TransactionLayer,
    TransactionTerminated,
    TransactionTimeout,
    TransportFailed,
    make_ack,
    make_cancel,
)

DEST = ("udp", "127.0.0.1", 5080)  # opaque to the layer; passed through untouched
SRC = ("udp", "127.0.0.1", 5070)
T = TypeVar("T")


def request(
    method: str = "INVITE",
    *,
    branch: str | None = "z9hG4bKclient1",
    sent_by: str = "127.0.0.1:5070",
    cseq: int = 1,
    to_tag: str | None = None,
    uri: str = "sip:bob@127.0.0.1:5080",
    routes: tuple[str, ...] = (),
) -> Request:
    via = f"SIP/2.0/UDP {sent_by}" + (f";branch={branch}" if branch is not None else "")
    headers = Headers(
        [
            ("Via", via),
            ("Via", "SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKlower"),
            ("Max-Forwards", "70"),
            ("From", "Alice <sip:alice@127.0.0.1>;tag=fromtag"),
            ("To", "<sip:bob@127.0.0.1>" + (f";tag={to_tag}" if to_tag else "")),
            ("Call-ID", "call-1@127.0.0.1"),
            ("CSeq", f"{cseq} {method}"),
        ]
    )
    for route in routes:
        headers.add("Route", route)
    return Request(method=method, uri=uri, headers=headers)


def answer(
    req: Request, status: int, *, to_tag: str | None = "totag", method: str = ""
) -> Response:
    headers = Headers()
    for name in ("Via", "From", "Call-ID"):
        for value in req.headers.get_all(name):
            headers.add(name, value)
    to = req.headers.get("To") or ""
    if to_tag and ";tag=" not in to:
        to += f";tag={to_tag}"
    headers.add("To", to)
    headers.add("CSeq", f"{req.cseq.seq} {method or req.method}")
    return Response(status=status, reason="Reason", headers=headers)


def drive(layer: TransactionLayer, until: float) -> list[tuple[float, Output]]:
    """Fire timers in deadline order up to `until`, collecting (time, output)."""
    seen: list[tuple[float, Output]] = []
    while (deadline := layer.next_timer()) is not None and deadline <= until:
        layer.handle_timer(deadline)
        seen += [(deadline, out) for out in layer.take_outputs()]
    return seen


def sends(seen: list[tuple[float, Output]]) -> list[float]:
    return [t for t, out in seen if isinstance(out, SendMessage)]


def of_type(outputs: list[Output], kind: type[T]) -> list[T]:
    return [o for o in outputs if isinstance(o, kind)]


# --------------------------------------------------------------------------- client INVITE


def test_timer_a_doubles_without_cap_and_timer_b_times_out() -> None:
    layer = TransactionLayer()
    inv = request()
    tx = layer.send_request(inv, DEST, 0.0, reliable=False)
    assert layer.take_outputs() == [SendMessage(inv, DEST)]
    assert tx.state is State.CALLING
    seen = drive(layer, 100.0)
    # intervals 0.5, 1, 2, 4, 8, 16 (§17.1.1.2), then Timer B at 64*T1 = 32 s
    assert sends(seen) == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    assert [(t, type(o)) for t, o in seen if not isinstance(o, SendMessage)] == [
        (32.0, TransactionTimeout),
        (32.0, TransactionTerminated),
    ]
    assert tx.state is State.TERMINATED
    assert layer.next_timer() is None
    assert layer.client_transactions == []


def test_invite_over_reliable_transport_is_never_retransmitted() -> None:
    layer = TransactionLayer()
    tx = layer.send_request(request(), DEST, 0.0, reliable=True)
    layer.take_outputs()
    assert layer.next_timer() == 32.0
    seen = drive(layer, 100.0)
    assert sends(seen) == []
    assert [type(o) for _, o in seen] == [TransactionTimeout, TransactionTerminated]
    assert tx.terminated


def test_timers_follow_configured_t1() -> None:
    layer = TransactionLayer(TimerConfig(t1=0.1, t2=0.4, t4=1.0))
    layer.send_request(request(), DEST, 10.0, reliable=False)
    layer.take_outputs()
    seen = drive(layer, 100.0)
    assert sends(seen) == pytest.approx([10.1, 10.3, 10.7, 11.5, 13.1, 16.3])
    assert [t for t, o in seen if isinstance(o, TransactionTimeout)] == pytest.approx([16.4])


def test_timer_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        TimerConfig(t1=0)
    with pytest.raises(ValueError):
        TimerConfig(t1=5.0, t2=4.0)


def test_provisional_stops_retransmissions_and_timer_b() -> None:
    layer = TransactionLayer()
    inv = request()
    tx = layer.send_request(inv, DEST, 0.0, reliable=False)
    drive(layer, 0.6)  # one retransmission at 0.5
    layer.receive(answer(inv, 180), SRC, 0.7, reliable=False)
    out = layer.take_outputs()
    assert [type(o) for o in out] == [ResponseReceived]
    assert tx.state is State.PROCEEDING and tx.provisional_received
    assert layer.next_timer() is None  # a call may ring for minutes
    layer.receive(answer(inv, 183), SRC, 50.0, reliable=False)
    assert [type(o) for o in layer.take_outputs()] == [ResponseReceived]


def test_non_2xx_final_generates_ack_per_17_1_1_3() -> None:
    layer = TransactionLayer()
    inv = request(routes=("<sip:127.0.0.1:5090;lr>", "<sip:127.0.0.1:5091;lr>"))
    tx = layer.send_request(inv, DEST, 0.0, reliable=False)
    layer.take_outputs()
    busy = answer(inv, 486, to_tag="uas-tag")
    layer.receive(busy, SRC, 1.0, reliable=False)
    out = layer.take_outputs()
    assert [type(o) for o in out] == [SendMessage, ResponseReceived]
    send = out[0]
    assert isinstance(send, SendMessage) and send.dest == DEST
    ack = send.message
    assert isinstance(ack, Request)
    assert ack.method == "ACK"
    assert str(ack.uri) == str(inv.uri)
    assert ack.call_id == inv.call_id
    assert ack.from_.tag == "fromtag"
    assert ack.to.tag == "uas-tag"
    assert (ack.cseq.seq, ack.cseq.method) == (1, "ACK")
    assert len(ack.vias) == 1
    assert ack.top_via.branch == "z9hG4bKclient1"
    assert [str(r.uri) for r in ack.routes] == ["sip:127.0.0.1:5090;lr", "sip:127.0.0.1:5091;lr"]
    assert ack.body == b""
    assert isinstance(tx, ClientInviteTransaction)
    assert tx.state is State.COMPLETED
    assert tx.ack == ack

    # the 486 is retransmitted (our ACK was lost): ACK again, the TU hears nothing
    layer.receive(busy, SRC, 2.0, reliable=False)
    assert layer.take_outputs() == [SendMessage(ack, DEST)]

    # Timer D: 32 s over UDP
    assert layer.next_timer() == 33.0
    assert [type(o) for _, o in drive(layer, 40.0)] == [TransactionTerminated]


def test_make_ack_helper_matches_what_the_transaction_sent() -> None:
    inv = request()
    resp = answer(inv, 404, to_tag="x")
    ack = make_ack(inv, resp)
    assert ack.headers.get("To") == "<sip:bob@127.0.0.1>;tag=x"
    assert ack.headers.get("Max-Forwards") == "70"


def test_non_2xx_over_reliable_transport_terminates_at_once() -> None:
    layer = TransactionLayer()
    inv = request()
    tx = layer.send_request(inv, DEST, 0.0, reliable=True)
    layer.take_outputs()
    layer.receive(answer(inv, 603), SRC, 1.0, reliable=True)
    assert [type(o) for o in layer.take_outputs()] == [
        SendMessage,
        ResponseReceived,
        TransactionTerminated,
    ]
    assert tx.terminated  # Timer D is zero on reliable transports
    assert layer.next_timer() is None


def test_rfc6026_accepted_passes_2xx_retransmissions_then_strays() -> None:
    layer = TransactionLayer()
    inv = request()
    tx = layer.send_request(inv, DEST, 0.0, reliable=False)
    layer.take_outputs()
    ok = answer(inv, 200)
    layer.receive(ok, SRC, 1.0, reliable=False)
    assert layer.take_outputs() == [ResponseReceived(tx, ok)]
    assert tx.state is State.ACCEPTED
    # no ACK from the transaction: the ACK for 2xx belongs to the dialog (§13.2.2.4)
    # a retransmitted 2xx (and a 2xx from another fork) goes up too, for a new ACK
    layer.receive(ok, SRC, 2.0, reliable=False)
    fork = answer(inv, 200, to_tag="fork2")
    layer.receive(fork, SRC, 2.5, reliable=False)
    assert layer.take_outputs() == [ResponseReceived(tx, ok), ResponseReceived(tx, fork)]
    # non-2xx in Accepted is dropped
    layer.receive(answer(inv, 486, to_tag="fork3"), SRC, 3.0, reliable=False)
    assert of_type(layer.take_outputs(), ResponseReceived) == []
    # Timer M = 64*T1 after the first 2xx
    assert layer.next_timer() == 33.0
    assert [type(o) for _, o in drive(layer, 40.0)] == [TransactionTerminated]
    # after that, a 2xx is stray and goes to the dialog layer
    layer.receive(ok, SRC, 41.0, reliable=False)
    assert layer.take_outputs() == [StrayResponse(ok, SRC)]


def test_transport_error_ends_the_transaction() -> None:
    layer = TransactionLayer()
    tx = layer.send_request(request(), DEST, 0.0, reliable=True)
    layer.take_outputs()
    layer.report_transport_error(tx, 0.1)
    assert layer.take_outputs() == [TransportFailed(tx), TransactionTerminated(tx)]
    assert layer.next_timer() is None
    layer.report_transport_error(tx, 0.2)  # twice is harmless
    assert layer.take_outputs() == []


def test_send_request_rejects_programming_errors() -> None:
    layer = TransactionLayer()
    with pytest.raises(ValueError):
        layer.send_request(request("ACK"), DEST, 0.0, reliable=False)
    with pytest.raises(ValueError):
        layer.send_request(request(branch="oldstyle1"), DEST, 0.0, reliable=False)
    layer.send_request(request(), DEST, 0.0, reliable=False)
    with pytest.raises(ValueError):
        layer.send_request(request(), DEST, 0.0, reliable=False)


def test_send_stateless_just_queues() -> None:
    layer = TransactionLayer()
    ack = request("ACK", branch="z9hG4bKack2xx")
    layer.send_stateless(ack, DEST)
    assert layer.take_outputs() == [SendMessage(ack, DEST)]


# --------------------------------------------------------------------------- client non-INVITE


def test_timer_e_doubles_up_to_t2_then_timer_f() -> None:
    layer = TransactionLayer()
    tx = layer.send_request(request("OPTIONS"), DEST, 0.0, reliable=False)
    layer.take_outputs()
    assert tx.state is State.TRYING
    seen = drive(layer, 100.0)
    times = sends(seen)
    intervals = [round(b - a, 6) for a, b in zip([0.0, *times], times, strict=False)]
    assert intervals[:6] == [0.5, 1, 2, 4, 4, 4]
    assert all(i == 4 for i in intervals[3:])
    assert times[-1] < 32.0
    assert [(t, type(o)) for t, o in seen if not isinstance(o, SendMessage)] == [
        (32.0, TransactionTimeout),
        (32.0, TransactionTerminated),
    ]


def test_timer_e_is_t2_once_proceeding() -> None:
    layer = TransactionLayer()
    req = request("REGISTER")
    tx = layer.send_request(req, DEST, 0.0, reliable=False)
    layer.take_outputs()
    layer.receive(answer(req, 100, to_tag=None), SRC, 0.2, reliable=False)
    assert tx.state is State.PROCEEDING
    seen = drive(layer, 20.0)
    assert sends(seen) == [0.5, 4.5, 8.5, 12.5, 16.5]
    assert tx.retransmissions == 5


def test_non_invite_final_then_timer_k() -> None:
    layer = TransactionLayer()
    req = request("OPTIONS")
    tx = layer.send_request(req, DEST, 0.0, reliable=False)
    layer.take_outputs()
    ok = answer(req, 200)
    layer.receive(ok, SRC, 0.3, reliable=False)
    assert layer.take_outputs() == [ResponseReceived(tx, ok)]
    assert tx.state is State.COMPLETED
    layer.receive(ok, SRC, 1.0, reliable=False)  # absorbed
    assert layer.take_outputs() == []
    assert layer.next_timer() == pytest.approx(5.3)  # Timer K = T4
    assert [type(o) for _, o in drive(layer, 10.0)] == [TransactionTerminated]


def test_non_invite_reliable_no_retransmission_and_no_timer_k() -> None:
    layer = TransactionLayer()
    req = request("BYE")
    tx = layer.send_request(req, DEST, 0.0, reliable=True)
    layer.take_outputs()
    assert layer.next_timer() == 32.0  # only Timer F
    layer.receive(answer(req, 200), SRC, 0.3, reliable=True)
    assert [type(o) for o in layer.take_outputs()] == [ResponseReceived, TransactionTerminated]
    assert tx.terminated


def test_non_invite_timeout_in_proceeding() -> None:
    layer = TransactionLayer()
    req = request("SUBSCRIBE")
    layer.send_request(req, DEST, 0.0, reliable=True)
    layer.receive(answer(req, 100, to_tag=None), SRC, 1.0, reliable=True)
    layer.take_outputs()
    assert [type(o) for _, o in drive(layer, 40.0)] == [TransactionTimeout, TransactionTerminated]


# --------------------------------------------------------------------------- response matching


def test_responses_match_by_branch_and_cseq_method() -> None:
    layer = TransactionLayer()
    inv = request()
    inv_tx = layer.send_request(inv, DEST, 0.0, reliable=False)
    cancel = make_cancel(inv)
    cancel_tx = layer.send_request(cancel, DEST, 0.1, reliable=False)
    assert cancel_tx is not inv_tx
    layer.take_outputs()
    # 200 to the CANCEL goes to the CANCEL transaction, 487 to the INVITE one
    ok_cancel = answer(cancel, 200)
    layer.receive(ok_cancel, SRC, 0.2, reliable=False)
    assert layer.take_outputs() == [ResponseReceived(cancel_tx, ok_cancel)]
    terminated = answer(inv, 487)
    layer.receive(terminated, SRC, 0.3, reliable=False)
    out = layer.take_outputs()
    assert ResponseReceived(inv_tx, terminated) in out
    assert isinstance(inv_tx, ClientInviteTransaction) and inv_tx.ack is not None


def test_unmatched_responses() -> None:
    layer = TransactionLayer()
    inv = request()
    layer.send_request(inv, DEST, 0.0, reliable=False)
    layer.take_outputs()
    other = answer(request(branch="z9hG4bKother"), 200)
    layer.receive(other, SRC, 0.1, reliable=False)
    assert layer.take_outputs() == [StrayResponse(other, SRC)]
    not_invite = answer(request("OPTIONS", branch="z9hG4bKother"), 200)
    layer.receive(not_invite, SRC, 0.1, reliable=False)
    assert [type(o) for o in layer.take_outputs()] == [MessageDropped]
    # right branch, wrong method: not ours either
    wrong_method = answer(inv, 200, method="OPTIONS")
    layer.receive(wrong_method, SRC, 0.1, reliable=False)
    assert [type(o) for o in layer.take_outputs()] == [MessageDropped]


def test_make_cancel_per_9_1() -> None:
    inv = request(routes=("<sip:127.0.0.1:5090;lr>",))
    inv.body = b"v=0\r\n"
    cancel = make_cancel(inv)
    assert cancel.method == "CANCEL"
    assert str(cancel.uri) == str(inv.uri)
    assert cancel.call_id == inv.call_id
    assert cancel.headers.get("From") == inv.headers.get("From")
    assert cancel.headers.get("To") == inv.headers.get("To")
    assert (cancel.cseq.seq, cancel.cseq.method) == (1, "CANCEL")
    assert len(cancel.vias) == 1 and cancel.top_via.branch == inv.top_via.branch
    assert [str(r.uri) for r in cancel.routes] == ["sip:127.0.0.1:5090;lr"]
    assert cancel.body == b""


# --------------------------------------------------------------------------- server non-INVITE


def test_server_non_invite_absorbs_and_repeats_then_timer_j() -> None:
    layer = TransactionLayer()
    req = request("OPTIONS", branch="z9hG4bKpeer1")
    layer.receive(req, SRC, 0.0, reliable=False)
    out = layer.take_outputs()
    assert len(out) == 1 and isinstance(out[0], RequestReceived)
    tx = out[0].tx
    assert tx.state is State.TRYING
    layer.receive(req, SRC, 0.4, reliable=False)  # Trying: nothing to repeat yet
    assert layer.take_outputs() == []
    trying = answer(req, 100, to_tag=None)
    layer.send_response(tx, trying, 0.5)
    assert layer.take_outputs() == [SendMessage(trying, SRC)]
    layer.receive(req, SRC, 0.9, reliable=False)
    assert layer.take_outputs() == [SendMessage(trying, SRC)]
    ok = answer(req, 200)
    layer.send_response(tx, ok, 1.0)
    assert layer.take_outputs() == [SendMessage(ok, SRC)]
    layer.receive(req, SRC, 2.0, reliable=False)
    assert layer.take_outputs() == [SendMessage(ok, SRC)]
    # a second final answer is ignored
    layer.send_response(tx, answer(req, 500), 2.5)
    assert layer.take_outputs() == []
    assert layer.next_timer() == 33.0  # Timer J = 64*T1
    assert [type(o) for _, o in drive(layer, 40.0)] == [TransactionTerminated]
    # once J has fired the same request is new again
    layer.receive(req, SRC, 41.0, reliable=False)
    assert [type(o) for o in layer.take_outputs()] == [RequestReceived]


def test_server_non_invite_reliable_terminates_on_final() -> None:
    layer = TransactionLayer()
    req = request("MESSAGE", branch="z9hG4bKpeer2")
    layer.receive(req, SRC, 0.0, reliable=True)
    rr = layer.take_outputs()[0]
    assert isinstance(rr, RequestReceived)
    layer.send_response(rr.tx, answer(req, 202), 0.1)
    assert [type(o) for o in layer.take_outputs()] == [SendMessage, TransactionTerminated]
    layer.send_response(rr.tx, answer(req, 202), 0.2)  # late TU: ignored, no exception
    assert layer.take_outputs() == []


# --------------------------------------------------------------------------- server INVITE


def new_server_invite(
    layer: TransactionLayer, req: Request, reliable: bool = False
) -> ServerInviteTransaction:
    layer.receive(req, SRC, 0.0, reliable=reliable)
    out = layer.take_outputs()
    assert [type(o) for o in out] == [SendMessage, RequestReceived]
    first = out[0]
    assert isinstance(first, SendMessage) and isinstance(first.message, Response)
    assert first.message.status == 100
    assert first.message.to.tag is None
    rr = out[1]
    assert isinstance(rr, RequestReceived) and isinstance(rr.tx, ServerInviteTransaction)
    return rr.tx


def test_server_invite_repeats_provisional_and_final_with_timer_g() -> None:
    layer = TransactionLayer()
    inv = request(branch="z9hG4bKpeerinv")
    tx = new_server_invite(layer, inv)
    assert tx.state is State.PROCEEDING
    ringing = answer(inv, 180)
    layer.send_response(tx, ringing, 0.1)
    assert layer.take_outputs() == [SendMessage(ringing, SRC)]
    layer.receive(inv, SRC, 0.5, reliable=False)  # retransmitted INVITE: repeat the 180
    assert layer.take_outputs() == [SendMessage(ringing, SRC)]
    busy = answer(inv, 486)
    layer.send_response(tx, busy, 1.0)
    assert layer.take_outputs() == [SendMessage(busy, SRC)]
    assert tx.state is State.COMPLETED
    seen = drive(layer, 100.0)
    times = sends(seen)
    # Timer G: 0.5, 1, 2, 4, 4, 4... (capped at T2) until Timer H at 64*T1
    intervals = [round(b - a, 6) for a, b in zip([1.0, *times], times, strict=False)]
    assert intervals[:6] == [0.5, 1, 2, 4, 4, 4]
    assert all(t < 33.0 for t in times)
    assert [(t, type(o)) for t, o in seen if not isinstance(o, SendMessage)] == [
        (33.0, TransactionTimeout),
        (33.0, TransactionTerminated),
    ]


def test_server_invite_ack_confirms_then_timer_i() -> None:
    layer = TransactionLayer()
    inv = request(branch="z9hG4bKpeerinv")
    tx = new_server_invite(layer, inv)
    busy = answer(inv, 486, to_tag="ourtag")
    layer.send_response(tx, busy, 1.0)
    layer.take_outputs()
    ack = make_ack(inv, busy)
    layer.receive(ack, SRC, 1.2, reliable=False)
    assert layer.take_outputs() == []  # absorbed: the TU never sees the non-2xx ACK
    assert tx.state is State.CONFIRMED
    layer.receive(inv, SRC, 1.3, reliable=False)  # late INVITE copy: absorbed
    layer.receive(ack, SRC, 1.4, reliable=False)  # ACK retransmission: absorbed
    assert layer.take_outputs() == []
    assert layer.next_timer() == pytest.approx(6.2)  # Timer I = T4
    assert [type(o) for _, o in drive(layer, 10.0)] == [TransactionTerminated]


def test_server_invite_reliable_no_timer_g_and_zero_timer_i() -> None:
    layer = TransactionLayer()
    inv = request(branch="z9hG4bKpeerinv")
    tx = new_server_invite(layer, inv, reliable=True)
    busy = answer(inv, 480)
    layer.send_response(tx, busy, 1.0)
    layer.take_outputs()
    assert layer.next_timer() == 33.0  # Timer H only
    layer.receive(make_ack(inv, busy), SRC, 1.1, reliable=True)
    assert [type(o) for o in layer.take_outputs()] == [TransactionTerminated]


def test_server_invite_rfc6026_accepted() -> None:
    layer = TransactionLayer()
    inv = request(branch="z9hG4bKpeerinv")
    tx = new_server_invite(layer, inv)
    ok = answer(inv, 200)
    layer.send_response(tx, ok, 1.0)
    assert layer.take_outputs() == [SendMessage(ok, SRC)]
    assert tx.state is State.ACCEPTED
    # retransmitted INVITE is absorbed: neither re-answered nor passed up
    layer.receive(inv, SRC, 1.5, reliable=False)
    assert layer.take_outputs() == []
    # the TU's own 2xx retransmission (§13.3.1.4) goes out through the transaction
    layer.send_response(tx, ok, 1.5)
    assert layer.take_outputs() == [SendMessage(ok, SRC)]
    # the ACK for a 2xx is a new transaction (new branch): it goes to the dialog
    ack = request("ACK", branch="z9hG4bKack2xx", to_tag="totag")
    layer.receive(ack, SRC, 2.0, reliable=False)
    assert layer.take_outputs() == [AckReceived(ack, SRC)]
    # an ACK reusing the INVITE's branch matches in Accepted and is passed up as well
    same_branch_ack = make_ack(inv, ok)
    layer.receive(same_branch_ack, SRC, 2.1, reliable=False)
    assert layer.take_outputs() == [AckReceived(same_branch_ack, SRC)]
    assert layer.next_timer() == 33.0  # Timer L = 64*T1
    assert [type(o) for _, o in drive(layer, 40.0)] == [TransactionTerminated]


def test_no_automatic_trying_when_disabled() -> None:
    layer = TransactionLayer(send_trying=False)
    inv = request(branch="z9hG4bKpeerinv")
    layer.receive(inv, SRC, 0.0, reliable=False)
    assert [type(o) for o in layer.take_outputs()] == [RequestReceived]
    layer.receive(inv, SRC, 0.5, reliable=False)  # nothing sent yet, nothing to repeat
    assert layer.take_outputs() == []


# --------------------------------------------------------------------------- request matching


def test_server_matching_uses_branch_sent_by_and_method() -> None:
    layer = TransactionLayer(send_trying=False)
    a = request("OPTIONS", branch="z9hG4bKsame", sent_by="127.0.0.1:5070")
    b = request("OPTIONS", branch="z9hG4bKsame", sent_by="127.0.0.2:5070")
    c = request("INFO", branch="z9hG4bKsame", sent_by="127.0.0.1:5070")
    for req in (a, b, c):
        layer.receive(req, SRC, 0.0, reliable=False)
    assert len(of_type(layer.take_outputs(), RequestReceived)) == 3
    # default port: "host" and "host:5060" are the same sent-by
    d = request("OPTIONS", branch="z9hG4bKport", sent_by="127.0.0.1")
    e = request("OPTIONS", branch="z9hG4bKport", sent_by="127.0.0.1:5060")
    layer.receive(d, SRC, 0.0, reliable=False)
    layer.receive(e, SRC, 0.1, reliable=False)
    assert len(of_type(layer.take_outputs(), RequestReceived)) == 1
    assert layer.find_server_transaction(e) is not None


def test_rfc2543_fallback_matching() -> None:
    layer = TransactionLayer()
    old = request(branch=None)  # an RFC 2543 peer: no branch at all
    layer.receive(old, SRC, 0.0, reliable=False)
    rr = of_type(layer.take_outputs(), RequestReceived)
    assert len(rr) == 1
    tx = rr[0].tx
    assert isinstance(tx, ServerTransaction)
    # an identical retransmission matches and gets the 100 again
    layer.receive(request(branch=None), SRC, 0.5, reliable=False)
    out = layer.take_outputs()
    assert [type(o) for o in out] == [SendMessage]
    # a different CSeq is a different transaction
    layer.receive(request(branch=None, cseq=2), SRC, 0.6, reliable=False)
    assert len(of_type(layer.take_outputs(), RequestReceived)) == 1
    # a branch without the magic cookie also uses the old rules
    layer.receive(request(branch="1234", cseq=3), SRC, 0.7, reliable=False)
    layer.receive(request(branch="1234", cseq=3), SRC, 0.8, reliable=False)
    assert len(of_type(layer.take_outputs(), RequestReceived)) == 1

    busy = answer(old, 486, to_tag="ours")
    layer.send_response(tx, busy, 1.0)
    layer.take_outputs()
    # an ACK with another To tag is not for this transaction
    stranger = request("ACK", branch=None, to_tag="someone-else")
    layer.receive(stranger, SRC, 1.1, reliable=False)
    assert layer.take_outputs() == [AckReceived(stranger, SRC)]
    assert tx.state is State.COMPLETED
    # the ACK carrying our tag (same URI, From tag, Call-ID, CSeq number, Via) matches
    layer.receive(request("ACK", branch=None, to_tag="ours"), SRC, 1.2, reliable=False)
    assert layer.take_outputs() == []
    assert tx.state is State.CONFIRMED


def test_cancel_has_its_own_transaction_and_finds_the_invite() -> None:
    layer = TransactionLayer()
    inv = request(branch="z9hG4bKpeerinv")
    inv_tx = new_server_invite(layer, inv)
    cancel = make_cancel(inv)
    layer.receive(cancel, SRC, 1.0, reliable=False)
    out = layer.take_outputs()
    assert len(out) == 1 and isinstance(out[0], RequestReceived)
    cancel_tx = out[0].tx
    assert cancel_tx is not inv_tx and cancel_tx.method == "CANCEL"
    assert layer.find_cancelled(cancel) is inv_tx
    # the UAS answers 200 to the CANCEL and 487 to the INVITE, each in its transaction
    layer.send_response(cancel_tx, answer(cancel, 200), 1.1)
    layer.send_response(inv_tx, answer(inv, 487), 1.1)
    assert [type(o) for o in layer.take_outputs()] == [SendMessage, SendMessage]
    # a CANCEL for an INVITE we never saw finds nothing (the TU answers 481)
    assert layer.find_cancelled(make_cancel(request(branch="z9hG4bKnope"))) is None


def test_cancel_lookup_with_rfc2543_peer() -> None:
    layer = TransactionLayer()
    inv = request(branch=None)
    inv_tx = new_server_invite(layer, inv)
    cancel = make_cancel(inv)
    assert layer.find_cancelled(cancel) is inv_tx


# --------------------------------------------------------------------------- robustness


def test_malformed_request_gets_400_and_is_dropped() -> None:
    layer = TransactionLayer()
    req = request("OPTIONS", branch="z9hG4bKbad")
    req.headers.set("CSeq", "one OPTIONS")
    layer.receive(req, SRC, 0.0, reliable=False)
    out = layer.take_outputs()
    assert [type(o) for o in out] == [SendMessage, MessageDropped]
    send = out[0]
    assert isinstance(send, SendMessage) and isinstance(send.message, Response)
    assert send.message.status == 400


def test_cseq_method_mismatch_is_rejected() -> None:
    layer = TransactionLayer()
    req = request("OPTIONS", branch="z9hG4bKbad")
    req.headers.set("CSeq", "1 INVITE")
    layer.receive(req, SRC, 0.0, reliable=False)
    assert [type(o) for o in layer.take_outputs()] == [SendMessage, MessageDropped]


def test_messages_without_via_are_dropped() -> None:
    layer = TransactionLayer()
    req = request("OPTIONS")
    req.headers.remove("Via")
    layer.receive(req, SRC, 0.0, reliable=False)
    resp = answer(request(), 200)
    resp.headers.remove("Via")
    layer.receive(resp, SRC, 0.0, reliable=False)
    assert [type(o) for o in layer.take_outputs()] == [MessageDropped, MessageDropped]


HEADER_NAMES = st.sampled_from(["Via", "CSeq", "From", "To", "Call-ID", "Route"])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["INVITE", "ACK", "CANCEL", "OPTIONS", "BYE"]),
    st.lists(st.tuples(HEADER_NAMES, st.text(max_size=40)), max_size=4),
    st.one_of(st.none(), st.integers(100, 699)),
)
def test_garbage_headers_never_raise(
    method: str, replacements: list[tuple[str, str]], status: int | None
) -> None:
    layer = TransactionLayer()
    layer.send_request(request(), DEST, 0.0, reliable=False)
    base = request(method, branch="z9hG4bKclient1")
    for name, value in replacements:
        base.headers.set(name, value)
    message: Request | Response = base
    if status is not None:
        message = Response(status=status, reason="X", headers=base.headers.copy())
    layer.receive(message, SRC, 0.1, reliable=False)
    layer.receive(message, SRC, 0.2, reliable=False)
    drive(layer, 100.0)
    assert layer.next_timer() is None
