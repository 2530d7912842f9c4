"""IPv6 in the sans-IO core: hosts in URIs and Via (brackets), the received address
learnt by registration, SDP with IP6, and the §18.1.1 size rule. Property-based where
the space is large (any IPv6 address, any port)."""

from __future__ import annotations

import ipaddress
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.net.address import Address, family_of
from parley.net.address import uri_host as net_uri_host
from parley.net.dns import DnsError, order_families
from parley.sip.headers import Via
from parley.sip.message import Headers, Request, Response
from parley.sip.offer_answer import CodecSpec, SessionParams, hold_offer, make_answer, make_offer
from parley.sip.parser import parse_message
from parley.sip.registration import RegistrationClient, RegistrationConfig, SendRegister
from parley.sip.sdp import parse_sdp
from parley.sip.udp_size import too_large_for_udp, udp_limit, with_via_transport
from parley.sip.uri import SipURI, bare_host, uri_host

PCMU = CodecSpec("PCMU", 8000, 1, "", 0)

ipv6 = st.ip_addresses(v=6).map(str)
ports = st.integers(min_value=1, max_value=65535)


@given(ipv6)
def test_uri_host_brackets_ipv6_once(addr: str) -> None:
    assert uri_host(addr) == f"[{addr}]"
    assert uri_host(uri_host(addr)) == f"[{addr}]"  # idempotent
    assert bare_host(uri_host(addr)) == addr
    assert net_uri_host(addr) == uri_host(str(ipaddress.ip_address(addr)))


@pytest.mark.parametrize("host", ["127.0.0.1", "pbx.example.com", "localhost"])
def test_uri_host_leaves_names_and_ipv4_alone(host: str) -> None:
    assert uri_host(host) == host == bare_host(host)


@given(ipv6, ports, st.sampled_from(["udp", "tcp", "tls"]))
def test_sip_uri_with_ipv6_round_trips(addr: str, port: int, transport: str) -> None:
    text = f"sip:1001@[{addr}]:{port};transport={transport}"
    uri = SipURI.parse(text)
    assert uri.host == f"[{addr}]" and uri.port == port
    assert SipURI.parse(str(uri)) == uri
    assert uri.host_port == f"[{addr}]:{port}"


@given(ipv6, ports)
def test_via_with_ipv6_sent_by_round_trips(addr: str, port: int) -> None:
    via = Via.parse(f"SIP/2.0/UDP [{addr}]:{port};branch=z9hG4bKx;rport=5;received={addr}")
    assert via.host == f"[{addr}]" and via.port == port
    assert via.received == addr  # RFC 3261 §20.42: received carries the bare address
    assert Via.parse(str(via)) == via


@given(ipv6, ports)
def test_address_and_family(addr: str, port: int) -> None:
    a = Address("UDP", f"[{addr}]", port)
    assert a.host == addr and a == Address("udp", addr, port)
    assert str(a) == f"UDP [{addr}]:{port}"
    assert family_of(addr).name == "AF_INET6"


def test_a_bare_ipv6_host_in_a_uri_is_refused() -> None:
    with pytest.raises(ValueError):
        SipURI.parse("sip:1001@::1:5060")


# --- registration learns a bare IPv6 received address --------------------------------


def _ipv6_client() -> RegistrationClient:
    client = RegistrationClient(
        RegistrationConfig(username="1001", domain="[::1]:5060", password="pw"),
        rng=random.Random(7),
    )
    client.set_local_address("[::1]", 40000)
    return client


def _ok(request: Request, received: str, rport: int) -> Response:
    headers = Headers()
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        for value in request.headers.get_all(name):
            headers.add(name, value)
    via = headers.get("Via") or ""
    headers.set("Via", via.replace(";rport", f";rport={rport};received={received}"))
    headers.add("Expires", "600")
    return Response(status=200, reason="OK", headers=headers)


def _sent(outputs: list[object]) -> list[Request]:
    return [o.request for o in outputs if isinstance(o, SendRegister)]


def test_registration_takes_a_bare_received_ipv6_as_the_same_address() -> None:
    client = _ipv6_client()
    (first,) = _sent(client.register(0.0))
    assert first.top_via.host == "[::1]"
    assert str(first.contacts[0].uri).startswith("sip:1001@[::1]:40000")
    # received=::1 is our own address without brackets: nothing new learnt, no REGISTER.
    assert _sent(client.on_response(_ok(first, "::1", 40000), 0.1)) == []
    assert client.public_host is None


@given(ipv6)
def test_registration_brackets_a_learnt_ipv6_address(addr: str) -> None:
    client = _ipv6_client()
    (first,) = _sent(client.register(0.0))
    again = _sent(client.on_response(_ok(first, addr, 61000), 0.1))
    if addr == "::1":
        return
    (second,) = again
    contact = second.contacts[0].uri
    assert (contact.host, contact.port) == (f"[{addr}]", 61000)
    assert SipURI.parse(str(contact)) == contact  # parseable again (was sip:1001@::1:...)


# --- SDP ------------------------------------------------------------------------------


@given(ipv6, st.integers(min_value=1024, max_value=65000))
def test_offer_on_ipv6_says_ip6_and_round_trips(addr: str, port: int) -> None:
    offer = make_offer(SessionParams(addr, port, session_id="1"), [PCMU])
    text = offer.to_bytes().decode()
    assert f"c=IN IP6 {addr}\r\n" in text
    assert f"IN IP6 {addr}\r\n" in text.split("s=")[0]  # the o= line
    again = parse_sdp(text)
    conn = again.connection_for(again.media[0])
    assert conn is not None and conn.addrtype == "IP6" and conn.address == addr


def test_answer_to_an_ipv6_offer_and_rfc2543_hold_on_ipv6() -> None:
    offer = make_offer(SessionParams("::1", 4000, session_id="1"), [PCMU])
    answer, _neg = make_answer(parse_sdp(offer.to_bytes()), [PCMU], "::1", 5000)
    assert b"c=IN IP6 ::1\r\n" in answer.to_bytes()
    held = hold_offer(offer, "rfc2543")
    assert b"c=IN IP6 ::\r\n" in held.to_bytes()  # the IPv6 form of 0.0.0.0


# --- RFC 3261 §18.1.1 -----------------------------------------------------------------


def _invite(extra: int) -> Request:
    body = b"v=0\r\n" + b"a=x:" + b"y" * extra + b"\r\n"
    return parse_message(
        b"INVITE sip:1002@[::1]:5060 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP [::1]:40000;branch=z9hG4bKabc;rport\r\n"
        b"Max-Forwards: 70\r\nFrom: <sip:1001@[::1]>;tag=a\r\nTo: <sip:1002@[::1]>\r\n"
        b"Call-ID: c\r\nCSeq: 1 INVITE\r\nContact: <sip:1001@[::1]:40000>\r\n"
        b"Content-Type: application/sdp\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )  # type: ignore[return-value]


def test_size_rule_1300_without_mtu_and_mtu_minus_200() -> None:
    assert udp_limit() == 1300 and udp_limit(1500) == 1300 and udp_limit(9000) == 8800
    small, big = _invite(100), _invite(1400)
    assert not too_large_for_udp(small) and too_large_for_udp(big)
    assert not too_large_for_udp(big, path_mtu=9000)
    exact = _invite(0)
    size = len(exact.to_bytes())
    assert too_large_for_udp(exact, path_mtu=size + 199)
    assert not too_large_for_udp(exact, path_mtu=size + 200)


def test_with_via_transport_keeps_branch_and_sent_by() -> None:
    moved = with_via_transport(_invite(1400), "tcp")
    top = Via.parse(moved.headers.get_all("Via")[0])
    assert (top.transport, top.host, top.port, top.branch) == ("TCP", "[::1]", 40000, "z9hG4bKabc")
    assert moved.body == _invite(1400).body and moved.method == "INVITE"


# --- dual-stack ordering of A/AAAA ----------------------------------------------------


def test_order_families() -> None:
    v4, v6 = ["127.0.0.1"], ["::1"]
    assert order_families(v4, v6, "auto") == ["127.0.0.1", "::1"]
    assert order_families(v4, v6, "ipv6") == ["::1", "127.0.0.1"]
    assert order_families(v4, v6, "ipv4") == ["127.0.0.1"]
    assert order_families([], v6, "auto") == ["::1"]
    with pytest.raises(DnsError, match="only IPv6"):
        order_families([], v6, "ipv4", "v6only.test")
