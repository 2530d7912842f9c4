"""MESSAGE outside dialogs (RFC 3428), sans-IO: the request we build, how we judge the
ones we receive, and what the core says about us once MESSAGE is registered."""

from __future__ import annotations

import random

import pytest

from parley.sip.core import Transmit, UserAgentCore
from parley.sip.dialog import LocalEndpoint
from parley.sip.headers import NameAddr
from parley.sip.message import Request, Response
from parley.sip.pager import (
    ACCEPTED_TYPES,
    IS_COMPOSING_TYPE,
    MAX_BODY,
    IncomingMessage,
    Refusal,
    build_message,
    decode_text,
    format_date,
    next_hop,
    parse_date,
    read_message,
    register_pager,
)
from parley.sip.parser import parse_message
from parley.sip.uri import SipURI

LOCAL = LocalEndpoint(
    host="192.0.2.10", port=5070, transport="UDP", contact="<sip:1001@192.0.2.10:5070>"
)
ME = NameAddr("Alice Ä", SipURI.parse("sip:1001@pbx.example.com"), {})


def build(**kw: object) -> Request:
    args: dict[str, object] = {
        "from_": ME,
        "local": LOCAL,
        "rng": random.Random(1),
    }
    args.update(kw)
    return build_message(
        SipURI.parse("sip:1002@pbx.example.com;transport=udp"),
        "Grüße, 你好".encode(),
        **args,  # type: ignore[arg-type]
    )


def incoming(
    body: bytes, content_type: str | None = "text/plain", branch: str = "1", **headers: str
) -> Request:
    lines = [
        "MESSAGE sip:1001@192.0.2.10:5070 SIP/2.0",
        f"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-{branch}",
        "Max-Forwards: 70",
        'From: "Bob" <sip:1002@PBX.Example.com;user=phone>;tag=abc',
        "To: <sip:1001@pbx.example.com>",
        "Call-ID: m1@192.0.2.1",
        "CSeq: 1 MESSAGE",
    ]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    message = parse_message(raw)
    assert isinstance(message, Request)
    return message


# ------------------------------------------------------------------ building


def test_a_built_message_has_every_header_rfc_3428_asks_for_and_survives_the_wire() -> None:
    request = build(date=format_date(0))
    parsed = parse_message(request.to_bytes())
    assert isinstance(parsed, Request)
    assert parsed.method == "MESSAGE"
    assert str(parsed.uri) == "sip:1002@pbx.example.com;transport=udp"
    assert parsed.from_.tag and parsed.from_.display_name == "Alice Ä"
    assert str(parsed.from_.uri) == "sip:1001@pbx.example.com"
    assert parsed.to.tag is None and str(parsed.to.uri) == "sip:1002@pbx.example.com"
    assert parsed.cseq.seq == 1 and parsed.cseq.method == "MESSAGE"
    assert parsed.max_forwards == 70
    assert parsed.top_via.host == "192.0.2.10" and parsed.top_via.port == 5070
    assert parsed.top_via.branch and parsed.top_via.branch.startswith("z9hG4bK")
    assert parsed.headers.get("Contact") == "<sip:1001@192.0.2.10:5070>"
    assert parsed.headers.get("Content-Type") == "text/plain;charset=UTF-8"
    assert parsed.headers.get("Date") == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert parsed.body.decode() == "Grüße, 你好"
    assert parsed.call_id


def test_each_message_gets_its_own_call_id_and_tag() -> None:
    one, two = build(rng=random.Random(1)), build(rng=random.Random(2))
    assert one.call_id != two.call_id
    assert one.from_.tag != two.from_.tag


def test_an_outbound_proxy_is_the_first_hop_through_a_route() -> None:
    request = build(routes=["<sip:proxy.example.com:5080;lr>"])
    assert request.headers.get("Route") == "<sip:proxy.example.com:5080;lr>"
    assert str(next_hop(request)) == "sip:proxy.example.com:5080;lr"
    # the Request-URI stays the recipient
    assert str(request.uri).startswith("sip:1002@pbx.example.com")


def test_without_a_proxy_the_request_uri_is_the_next_hop() -> None:
    assert str(next_hop(build())) == "sip:1002@pbx.example.com;transport=udp"


def test_an_is_composing_body_gets_its_own_type() -> None:
    request = build(content_type=IS_COMPOSING_TYPE)
    assert request.headers.get("Content-Type") == IS_COMPOSING_TYPE


# ------------------------------------------------------------------ receiving


def test_plain_utf8_text_is_read_with_the_sender_without_parameters() -> None:
    got = read_message(incoming("Hallo Welt ✓".encode(), "text/plain;charset=UTF-8"))
    assert isinstance(got, IncomingMessage)
    assert got.text == "Hallo Welt ✓"
    assert got.sender == "sip:1002@PBX.Example.com"  # host case is the store's business
    assert got.sender_name == "Bob"
    assert not got.replaced and not got.is_composing


def test_a_declared_charset_is_used() -> None:
    got = read_message(incoming("Grüße".encode("latin-1"), "text/plain; charset=ISO-8859-1"))
    assert isinstance(got, IncomingMessage)
    assert got.text == "Grüße" and got.charset == "iso8859-1"


def test_text_without_a_charset_is_utf8() -> None:
    """As Kamailio's msilo delivers what it stored: `text/plain`, the charset gone."""
    text = "Grüße aus Köln 👋 — ½ Maß? ✓"
    got = read_message(incoming(text.encode(), "text/plain"))
    assert isinstance(got, IncomingMessage)
    assert (got.text, got.charset, got.replaced) == (text, "utf-8", False)


def test_undeclared_text_that_is_not_utf8_is_read_as_windows_1252() -> None:
    got = read_message(incoming("Grüße – 5 €".encode("cp1252"), "text/plain"))
    assert isinstance(got, IncomingMessage)
    assert (got.text, got.charset, got.replaced) == ("Grüße – 5 €", "cp1252", False)
    odd = read_message(incoming(b"\xe4 \x81", "text/plain"))  # 0x81: nothing in cp1252
    assert isinstance(odd, IncomingMessage)
    assert odd.text == "ä \ufffd" and odd.replaced


def test_bytes_that_do_not_decode_are_replaced_never_raised() -> None:
    got = read_message(incoming(b"caf\xe9 \xff\xfe ok", "text/plain;charset=utf-8"))
    assert isinstance(got, IncomingMessage)
    assert got.text.startswith("caf\ufffd") and got.text.endswith(" ok")
    assert got.replaced


@pytest.mark.parametrize("charset", ["klingon-8", "base64", "rot13", '""', "zlib"])
def test_an_unknown_or_non_text_charset_falls_back_to_utf8(charset: str) -> None:
    got = read_message(incoming("ünïcode".encode(), f"text/plain;charset={charset}"))
    assert isinstance(got, IncomingMessage)
    assert got.text == "ünïcode"


def test_control_characters_are_dropped_and_line_breaks_kept() -> None:
    text, _, _ = decode_text(b"a\x00b\x1b[31mc\r\nd\re\tf\x7f", "utf-8")
    assert text == "ab[31mc\nd\ne\tf"


def test_a_body_over_the_limit_is_refused_with_413() -> None:
    got = read_message(incoming(b"x" * (MAX_BODY + 1)))
    assert isinstance(got, Refusal) and got.status == 413
    ok = read_message(incoming(b"x" * MAX_BODY))
    assert isinstance(ok, IncomingMessage) and len(ok.text) == MAX_BODY


@pytest.mark.parametrize("kind", ["text/html", "application/sdp", "message/cpim"])
def test_a_type_we_do_not_read_is_refused_with_415_and_accept(kind: str) -> None:
    got = read_message(incoming(b"<b>hi</b>", kind))
    assert isinstance(got, Refusal) and got.status == 415
    accept = dict(got.headers)["Accept"]
    assert {t.strip() for t in accept.split(",")} == set(ACCEPTED_TYPES)


def test_a_body_without_content_type_is_refused() -> None:
    got = read_message(incoming(b"hello", None))
    assert isinstance(got, Refusal) and got.status == 415


def test_a_compressed_body_is_refused() -> None:
    got = read_message(incoming(b"\x1f\x8b", "text/plain", Content_Encoding="gzip"))
    assert isinstance(got, Refusal) and got.status == 415


def test_is_composing_is_handed_on_raw() -> None:
    got = read_message(incoming(b"<isComposing/>", IS_COMPOSING_TYPE))
    assert isinstance(got, IncomingMessage) and got.is_composing and got.body == b"<isComposing/>"


def test_the_date_header_gives_the_original_time() -> None:
    got = read_message(incoming(b"stored", Date="Sat, 13 Nov 2010 23:29:00 GMT"))
    assert isinstance(got, IncomingMessage)
    assert got.date == 1289690940.0


@pytest.mark.parametrize("value", ["yesterday", "", "Mon, 99 Foo 2010 99:99:99 GMT", "1"])
def test_an_unreadable_date_is_ignored(value: str) -> None:
    assert parse_date(value) is None


# ------------------------------------------------------------------ the core


def test_registering_puts_message_in_allow_and_both_types_in_accept() -> None:
    core = UserAgentCore()
    register_pager(core, lambda tx, request, now: None)
    assert "MESSAGE" in core.capabilities.allow
    assert set(ACCEPTED_TYPES) <= core.capabilities.accepted_types


def test_the_core_hands_a_message_to_the_handler_and_refuses_html_itself() -> None:
    core = UserAgentCore()
    core.capabilities.add(accept=["application/sdp"])
    seen: list[Request] = []

    def handler(tx: object, request: Request, now: float) -> None:
        seen.append(request)
        core.answer(tx, 200)  # type: ignore[arg-type]

    register_pager(core, handler)
    core.receive(incoming(b"hi"), "peer", 0.0)
    assert [r.body for r in seen] == [b"hi"]
    core.receive(incoming(b"<p>x</p>", "text/html", branch="2"), "peer", 0.0)
    answers = [o.message for o in core.take_outputs() if isinstance(o, Transmit)]
    statuses = [m.status for m in answers if isinstance(m, Response)]
    assert 200 in statuses and 415 in statuses
    assert len(seen) == 1


def test_an_asserted_identity_wins_over_from() -> None:
    got = read_message(
        incoming(b"hi", P_Asserted_Identity="<sip:+4930123@pbx.example.com;user=phone>")
    )
    assert isinstance(got, IncomingMessage)
    assert got.sender == "sip:+4930123@pbx.example.com" and got.sender_name == "Bob"
    bad = read_message(incoming(b"hi", P_Asserted_Identity="<<<"))
    assert isinstance(bad, IncomingMessage) and bad.sender.startswith("sip:1002@")
