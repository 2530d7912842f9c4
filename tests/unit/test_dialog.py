"""Dialogs (RFC 3261 §12): creation on both sides, in-dialog requests, checks, registry."""

from __future__ import annotations

import random

import pytest

from parley.sip.dialog import (
    Dialog,
    DialogId,
    DialogRegistry,
    DialogState,
    LocalEndpoint,
    make_response,
)
from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response
from parley.sip.parser import parse_message
from parley.sip.uri import SipURI

LOCAL = LocalEndpoint("192.0.2.1", 5060, "UDP", contact="<sip:alice@192.0.2.1:5060>")

INVITE = (
    b"INVITE sip:bob@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1\r\n"
    b"Max-Forwards: 70\r\n"
    b"Record-Route: <sip:p2.example.com;lr>\r\n"
    b"Record-Route: <sip:p1.example.com;lr>\r\n"
    b'From: "Alice" <sip:alice@example.com>;tag=atag\r\n'
    b"To: <sip:bob@example.com>\r\n"
    b"Call-ID: c1@192.0.2.1\r\n"
    b"CSeq: 5 INVITE\r\n"
    b"Contact: <sip:alice@192.0.2.1:5060>\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def invite() -> Request:
    msg = parse_message(INVITE)
    assert isinstance(msg, Request)
    return msg


def response(
    status: int,
    *,
    tag: str | None = "btag",
    contact: str | None = "<sip:bob@198.51.100.7:5070>",
    rr: str | None = "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>",
) -> Response:
    extra = []
    if contact:
        extra.append(("Contact", contact))
    if rr:
        extra.append(("Record-Route", rr))
    resp = make_response(invite(), status, to_tag=tag, headers=extra)
    parsed = parse_message(resp.to_bytes())
    assert isinstance(parsed, Response)
    return parsed


def reparse(request: Request) -> Request:
    msg = parse_message(request.to_bytes())
    assert isinstance(msg, Request)
    return msg


def test_uac_dialog_from_2xx() -> None:
    d = Dialog.as_uac(invite(), response(200), LOCAL)
    assert d.id == DialogId("c1@192.0.2.1", "atag", "btag")
    assert d.state is DialogState.CONFIRMED and d.is_uac
    assert d.local_seq == 5 and d.remote_seq is None
    assert d.remote_target == SipURI.parse("sip:bob@198.51.100.7:5070")
    # §12.1.2: the route set is the Record-Route of the response, reversed.
    assert [str(r.uri) for r in d.route_set] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    assert d.local_uri.display_name == "Alice" and d.local_uri.tag is None


def test_uac_early_dialog_confirmed_recomputes_route_set() -> None:
    d = Dialog.as_uac(invite(), response(180, rr=None), LOCAL)
    assert d.early and d.route_set == []
    d.confirm(response(200, contact="<sip:bob@198.51.100.8>"))
    assert d.confirmed
    assert [str(r.uri) for r in d.route_set] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    assert d.remote_target == SipURI.parse("sip:bob@198.51.100.8")


def test_uac_dialog_needs_a_to_tag() -> None:
    with pytest.raises(SipParseError):
        Dialog.as_uac(invite(), response(180, tag=None), LOCAL)


def test_uas_dialog_from_request() -> None:
    ours = make_response(invite(), 200, to_tag="mytag")
    d = Dialog.as_uas(invite(), ours, LOCAL)
    assert d.id == DialogId("c1@192.0.2.1", "mytag", "atag")
    assert not d.is_uac and d.remote_seq == 5 and d.local_seq == 0
    # §12.1.1: the UAS keeps the Record-Route order.
    assert [str(r.uri) for r in d.route_set] == ["sip:p2.example.com;lr", "sip:p1.example.com;lr"]
    assert d.remote_target == SipURI.parse("sip:alice@192.0.2.1:5060")
    bye = reparse(d.create_request("BYE", rng=random.Random(1)))
    assert bye.cseq.seq == 1  # our own CSeq space starts fresh
    assert bye.from_.tag == "mytag" and bye.to.tag == "atag"
    assert bye.to.uri == SipURI.parse("sip:alice@example.com")


def test_loose_routing_request() -> None:
    d = Dialog.as_uac(invite(), response(200), LOCAL)
    bye = reparse(d.create_request("BYE", rng=random.Random(1)))
    assert bye.uri == d.remote_target
    assert [str(r.uri) for r in bye.routes] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    assert bye.cseq.seq == 6 and bye.cseq.method == "BYE"
    assert bye.max_forwards == 70 and bye.headers.get("Contact") is None
    via = bye.top_via
    assert via.branch and via.branch.startswith("z9hG4bK") and via.has_rport
    assert (via.host, via.port) == ("192.0.2.1", 5060)
    assert d.next_hop == SipURI.parse("sip:p1.example.com;lr")
    again = d.create_request("BYE", rng=random.Random(2))
    assert again.top_via.branch != via.branch and again.cseq.seq == 7


def test_strict_routing_request() -> None:
    d = Dialog.as_uac(invite(), response(200, rr="<sip:strict.example.com;method=INVITE>"), LOCAL)
    req = reparse(d.create_request("INFO", rng=random.Random(1)))
    # §12.2.1.1: the strict router's URI becomes the Request-URI (minus `method`), and
    # the remote target goes last in Route.
    assert req.uri == SipURI.parse("sip:strict.example.com")
    assert [str(r.uri) for r in req.routes] == ["sip:bob@198.51.100.7:5070"]
    assert d.next_hop.host == "strict.example.com"


def test_target_refresh_methods_carry_contact_and_ack_reuses_cseq() -> None:
    d = Dialog.as_uac(invite(), response(200, rr=None), LOCAL)
    reinvite = d.create_request("INVITE", body=b"v=0\r\n", content_type="application/sdp")
    assert reinvite.headers.get("Contact") == LOCAL.contact
    assert reinvite.headers.get("Content-Type") == "application/sdp"
    ack = d.create_request("ACK", seq=reinvite.cseq.seq)
    assert ack.cseq.seq == reinvite.cseq.seq and ack.cseq.method == "ACK"
    with pytest.raises(ValueError):
        d.create_request("ACK")


def test_update_target_from_contact() -> None:
    d = Dialog.as_uac(invite(), response(200, rr=None), LOCAL)
    msg = parse_message(
        INVITE.replace(b"Contact: <sip:alice@192.0.2.1:5060>", b"Contact: <sip:bob@203.0.113.9>")
    )
    d.update_target(msg)
    assert d.remote_target == SipURI.parse("sip:bob@203.0.113.9")


def test_check_request_cseq_order() -> None:
    ours = make_response(invite(), 200, to_tag="mytag")
    d = Dialog.as_uas(invite(), ours, LOCAL)

    def req(seq: int, method: str = "INFO") -> Request:
        r = invite()
        r.method = method
        r.headers.set("CSeq", f"{seq} {method}")
        r.headers.set("To", "<sip:bob@example.com>;tag=mytag")
        return r

    assert d.matches_request(req(6))
    assert d.check_request(req(6)) is None and d.remote_seq == 6
    assert d.check_request(req(4)) == 500  # §12.2.2: out of order
    assert d.check_request(req(5, "ACK")) is None  # ACK reuses the INVITE's number
    assert d.check_request(req(9)) is None and d.remote_seq == 9


def test_registry_finds_owners_and_answers_481() -> None:
    reg: DialogRegistry[str] = DialogRegistry()
    d = Dialog.as_uac(invite(), response(200), LOCAL)
    reg.add(d.id, "call-1")
    incoming = d.create_request("BYE")
    # Seen from the other side the tags swap; build the request the far end would send.
    far = parse_message(
        incoming.to_bytes()
        .replace(b"tag=atag", b"tag=XX")
        .replace(b"tag=btag", b"tag=atag")
        .replace(b"tag=XX", b"tag=btag")
    )
    assert isinstance(far, Request)
    assert reg.find(far) == "call-1"
    unknown = parse_message(far.to_bytes().replace(b"tag=btag", b"tag=zzz"))
    assert isinstance(unknown, Request)
    assert reg.find(unknown) is None
    answer = reg.unknown_dialog_response(unknown)
    assert answer is not None and answer.status == 481
    assert reg.unknown_dialog_response(invite()) is None  # no To tag: a new dialog
    assert reg.find_response(response(200)) == "call-1"
    reg.remove_owner("call-1")
    assert len(reg) == 0


def test_make_response_adds_tag_only_when_missing() -> None:
    r = make_response(invite(), 180, to_tag="t1")
    assert r.to.tag == "t1" and r.reason == "Ringing"
    assert make_response(invite(), 100, to_tag="t1").to.tag is None
    tagged = invite()
    tagged.headers.set("To", "<sip:bob@example.com>;tag=old")
    assert make_response(tagged, 200, to_tag="new").to.tag == "old"
