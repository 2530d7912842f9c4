"""Datagram parsing and stream framing (RFC 3261 §7, §18.3; RFC 5626 §3.5.1)."""

from __future__ import annotations

import pytest

from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response
from parley.sip.parser import KeepAlive, StreamParser, parse_message
from parley.sip.uri import SipURI
from parley.sip.validate import response_for_parse_error, validate_request


def make(start: str, headers: list[str], body: bytes = b"", *, length: int | None = None) -> bytes:
    lines = [start, *headers]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


BASE = [
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport",
    "From: <sip:alice@example.com>;tag=1",
    "To: <sip:bob@example.com>",
    "Call-ID: cid-1@192.0.2.1",
    "CSeq: 1 INVITE",
    "Max-Forwards: 70",
]

INVITE = make(
    "INVITE sip:bob@example.com SIP/2.0",
    [*BASE, "Content-Type: application/sdp"],
    b"v=0\r\n",
    length=5,
)


def options(n: int, body: bytes = b"") -> bytes:
    hdrs = [h.replace("INVITE", "OPTIONS").replace("cid-1", f"cid-{n}") for h in BASE]
    return make("OPTIONS sip:bob@example.com SIP/2.0", hdrs, body, length=len(body))


# -- datagrams ------------------------------------------------------------------------------


def test_request_parts() -> None:
    req = parse_message(INVITE)
    assert isinstance(req, Request)
    assert req.method == "INVITE"
    assert req.uri == SipURI.parse("sip:bob@example.com")
    assert req.version == "SIP/2.0"
    assert req.body == b"v=0\r\n"
    assert req.call_id == "cid-1@192.0.2.1"
    assert req.top_via.has_rport
    assert req.headers.get("content-type") == "application/sdp"


def test_response_parts() -> None:
    resp = parse_message(make("SIP/2.0 180 Ringing now", [*BASE], length=0))
    assert isinstance(resp, Response)
    assert (resp.status, resp.reason) == (180, "Ringing now")


def test_serialise_then_parse_is_identity() -> None:
    req = parse_message(INVITE)
    assert parse_message(req.to_bytes()) == req


def test_body_longer_than_content_length_is_truncated() -> None:
    req = parse_message(INVITE + b"garbage")
    assert req.body == b"v=0\r\n"


def test_body_shorter_than_content_length_is_an_error() -> None:
    with pytest.raises(SipParseError, match="shorter than Content-Length"):
        parse_message(INVITE[:-2])


def test_no_content_length_takes_rest_of_datagram() -> None:
    data = make("MESSAGE sip:b@c SIP/2.0", [h.replace("INVITE", "MESSAGE") for h in BASE], b"hello")
    assert parse_message(data).body == b"hello"


def test_leading_crlf_and_bare_lf() -> None:
    req = parse_message(b"\r\n\r\n" + INVITE)
    assert isinstance(req, Request) and req.method == "INVITE"
    crlf = options(1)
    lf = parse_message(crlf.replace(b"\r\n", b"\n"))
    assert lf == parse_message(crlf)


def test_compact_forms_and_folding_and_unknown_headers_in_order() -> None:
    data = make(
        "OPTIONS sip:b@c SIP/2.0",
        [
            "v: SIP/2.0/UDP h;branch=z9hG4bK1",
            "f: <sip:a@b>;tag=2",
            "t: sip:b@c",
            "i: x",
            "CSeq: 2 OPTIONS",
            "X-First: one",
            "X-Folded: two",
            "\t  three",
            "x-first: again",
        ],
        length=0,
    )
    req = parse_message(data)
    assert req.call_id == "x"
    assert req.from_.tag == "2"
    assert [n for n, _ in req.headers][-4:] == ["X-First", "X-Folded", "X-First", "Content-Length"]
    assert req.headers.get_all("X-First") == ["one", "again"]
    assert req.headers.get("X-Folded") == "two three"


def test_non_utf8_header_falls_back_to_latin1() -> None:
    data = INVITE.replace(b"From: <sip", b'From: "J\xf6rg" <sip')
    assert parse_message(data).from_.display_name == "Jörg"


@pytest.mark.parametrize(
    ("data", "status", "fault"),
    [
        (b"", 400, "empty line"),
        (b"\r\n\r\n", 400, "empty line"),
        (b"\r\n\r\n\n\nVia: x\r\n\r\n", 400, "empty message"),
        (b"INVITE sip:a@b SIP/2.0\r\nVia: x", 400, "empty line"),
        (INVITE.replace(b"SIP/2.0\r\n", b"SIP/3.0\r\n", 1), 505, "version"),
        (INVITE.replace(b"SIP/2.0\r\n", b"HTTP/1.1\r\n", 1), 400, "version"),
        (
            INVITE.replace(b"sip:bob@example.com SIP", b"sip:bob@ex ample.com SIP", 1),
            400,
            "Request-Line",
        ),
        (INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards 70"), 400, "colon"),
        (INVITE.replace(b"Max-Forwards: 70", b"Max Forwards: 70"), 400, "header name"),
        (INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards: 700"), 400, "Max-Forwards"),
        (INVITE.replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE"), 400, "CSeq method"),
        (INVITE.replace(b"Call-ID: cid-1@192.0.2.1", b"Call-ID: a b"), 400, "Call-ID"),
        (
            INVITE.replace(b"Content-Type: application/sdp", b"Content-Type: sdp"),
            400,
            "Content-Type",
        ),
        (b"SIP/2.0 99 Too Small\r\n\r\n", 400, "status code"),
        (b"SIP/2.0 abc OK\r\n\r\n", 400, "status code"),
        (b"INVITE sip:a@b SIP/2.0\r\n continuation\r\n\r\n", 400, "continuation"),
        (
            b"INVITE sip:a@b SIP/2.0\r\nContent-Length: 1" + b"0" * 5000 + b"\r\n\r\n",
            400,
            "Content-Length",
        ),
    ],
)
def test_rejections(data: bytes, status: int, fault: str) -> None:
    with pytest.raises(SipParseError) as info:
        parse_message(data)
    assert info.value.status == status
    assert fault.lower() in str(info.value).lower()


def test_unknown_request_uri_scheme_kept_as_text_then_416() -> None:
    req = parse_message(INVITE.replace(b"INVITE sip:bob@example.com", b"INVITE urn:service:sos"))
    assert isinstance(req, Request) and req.uri == "urn:service:sos"
    resp = validate_request(req, supported=set(), accepted_types={"application/sdp"})
    assert resp is not None and resp.status == 416


def test_parse_error_response_copies_headers_and_adds_to_tag() -> None:
    with pytest.raises(SipParseError) as info:
        parse_message(INVITE.replace(b"SIP/2.0\r\n", b"SIP/3.0\r\n", 1))
    resp = response_for_parse_error(info.value, to_tag="zz")
    assert resp is not None
    assert (resp.status, resp.reason) == (505, "Version Not Supported")
    assert resp.to.tag == "zz"
    assert resp.cseq.seq == 1 and resp.call_id == "cid-1@192.0.2.1"
    assert [v.branch for v in resp.vias] == ["z9hG4bKabc"]


def test_validate_ack_is_never_answered() -> None:
    ack = parse_message(INVITE.replace(b"INVITE", b"ACK"))
    assert isinstance(ack, Request)
    assert validate_request(ack, supported=set(), accepted_types=set()) is None


def test_validate_unknown_content_encoding() -> None:
    req = parse_message(
        INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards: 70\r\nContent-Encoding: gzip")
    )
    assert isinstance(req, Request)
    resp = validate_request(req, supported=set(), accepted_types={"application/sdp"})
    assert resp is not None and resp.status == 415
    assert resp.headers.get("Accept-Encoding") == "identity"


# -- streams --------------------------------------------------------------------------------


def test_stream_split_reads_byte_by_byte() -> None:
    parser = StreamParser()
    out = []
    for i in range(len(INVITE)):
        out.extend(parser.feed(INVITE[i : i + 1]))
    assert out == [parse_message(INVITE)]


def test_stream_several_messages_in_one_read() -> None:
    data = options(1) + options(2, b"body") + INVITE
    out = StreamParser().feed(data)
    assert [m.call_id for m in out if isinstance(m, Request)] == [
        "cid-1@192.0.2.1",
        "cid-2@192.0.2.1",
        "cid-1@192.0.2.1",
    ]
    assert isinstance(out[1], Request) and out[1].body == b"body"


def test_stream_split_inside_body_and_header_terminator() -> None:
    parser = StreamParser()
    cut = INVITE.index(b"\r\n\r\n") + 2
    assert parser.feed(INVITE[:cut]) == []
    assert parser.feed(INVITE[cut : cut + 3]) == []
    assert parser.feed(INVITE[cut + 3 :] + options(5)[:10]) == [parse_message(INVITE)]
    (msg,) = parser.feed(options(5)[10:])
    assert isinstance(msg, Request) and msg.method == "OPTIONS"


def test_stream_keepalives() -> None:
    parser = StreamParser()
    out = parser.feed(b"\r\n\r\n" + options(1) + b"\r\n")
    assert out[0] == KeepAlive("ping")
    assert isinstance(out[1], Request)
    assert out[2] == KeepAlive("pong")
    assert parser.feed(b"\r\n") == [KeepAlive("pong")]
    # A ping arriving as CRLF CR + LF waits for its last byte.
    assert parser.feed(b"\r\n\r") == []
    assert parser.feed(b"\n") == [KeepAlive("ping")]


def test_stream_malformed_message_reported_and_stream_continues() -> None:
    bad = options(1).replace(b"CSeq: 1 OPTIONS", b"CSeq: x OPTIONS")
    parser = StreamParser()
    out = parser.feed(bad + options(2))
    assert isinstance(out[0], SipParseError) and "CSeq" in str(out[0])
    assert isinstance(out[1], Request) and out[1].call_id == "cid-2@192.0.2.1"
    assert not parser.desynchronized


def test_stream_bad_content_length_desynchronizes() -> None:
    parser = StreamParser()
    out = parser.feed(options(1).replace(b"Content-Length: 0", b"Content-Length: -5") + options(2))
    assert len(out) == 1 and isinstance(out[0], SipParseError)
    assert parser.desynchronized


def test_stream_conflicting_content_lengths_desynchronize() -> None:
    parser = StreamParser()
    data = options(1).replace(b"Content-Length: 0", b"Content-Length: 0\r\nl: 7")
    (err,) = parser.feed(data)
    assert isinstance(err, SipParseError) and parser.desynchronized


def test_stream_limits() -> None:
    parser = StreamParser(max_header_bytes=100, max_body_bytes=10)
    (err,) = parser.feed(b"X" * 200)
    assert isinstance(err, SipParseError) and "too long" in str(err)
    parser = StreamParser(max_body_bytes=10)
    (err,) = parser.feed(options(1, b"x" * 11))
    assert isinstance(err, SipParseError) and "too large" in str(err)


def test_stream_garbage_then_valid_message() -> None:
    parser = StreamParser()
    out = parser.feed(b"\x00\xffgarbage line\r\n\r\n" + options(3))
    assert isinstance(out[0], SipParseError)
    assert isinstance(out[1], Request) and out[1].call_id == "cid-3@192.0.2.1"


def test_stream_missing_content_length_means_empty_body() -> None:
    data = options(1).replace(b"Content-Length: 0\r\n", b"")
    (msg,) = StreamParser().feed(data)
    assert isinstance(msg, Request) and msg.body == b""


def test_stream_many_stray_line_feeds_do_not_recurse() -> None:
    parser = StreamParser()
    assert parser.feed(b"\n" * 100_000) == []
    (msg,) = parser.feed(options(4))
    assert isinstance(msg, Request) and msg.call_id == "cid-4@192.0.2.1"


def test_error_response_gets_a_stable_to_tag_by_default() -> None:
    req = parse_message(INVITE.replace(b"Content-Type: application/sdp", b"Content-Type: text/x"))
    assert isinstance(req, Request)
    first = validate_request(req, supported=set(), accepted_types={"application/sdp"})
    again = validate_request(req, supported=set(), accepted_types={"application/sdp"})
    assert first is not None and again is not None and first.status == 415
    assert first.to.tag is not None and first.to.tag == again.to.tag
    assert first.headers.get("Accept") == "application/sdp"
