"""Pure RFC 3263 / RFC 2782 ordering rules of parley.net.dns (no DNS traffic)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

from parley.net.address import Address, default_port
from parley.net.dns import (
    DnsError,
    NaptrRecord,
    SrvRecord,
    make_resolver,
    order_naptr,
    order_srv,
    resolve,
    srv_name,
)


class NoDns:
    """A resolver that fails the test if anybody asks it anything."""

    async def resolve(self, *args: object, **kwargs: object) -> object:
        raise AssertionError(f"unexpected DNS query {args}")


def test_default_ports() -> None:
    assert default_port("udp") == 5060
    assert default_port("TCP") == 5060
    assert default_port("tls") == 5061


def test_srv_names() -> None:
    assert srv_name("udp", "pbx.example.com") == "_sip._udp.pbx.example.com"
    assert srv_name("tcp", "pbx.example.com.") == "_sip._tcp.pbx.example.com"
    assert srv_name("tls", "pbx.example.com") == "_sips._tcp.pbx.example.com"


def test_naptr_sorted_by_order_then_preference_and_filtered() -> None:
    records = [
        NaptrRecord(20, 10, "S", "SIP+D2U", "_sip._udp.x.test."),
        NaptrRecord(10, 90, "s", "SIP+D2T", "_sip._tcp.x.test."),
        NaptrRecord(10, 50, "S", "SIPS+D2T", "_sips._tcp.x.test."),
        NaptrRecord(5, 1, "S", "SIP+D2S", "_sip._sctp.x.test."),  # SCTP: not ours
        NaptrRecord(5, 1, "U", "SIP+D2U", "!^.*$!sip:x@x.test!"),  # not an SRV pointer
        NaptrRecord(1, 1, "S", "E2U+sip", "_sip._udp.x.test."),  # ENUM, not RFC 3263
    ]
    assert order_naptr(records) == [
        ("tls", "_sips._tcp.x.test"),
        ("tcp", "_sip._tcp.x.test"),
        ("udp", "_sip._udp.x.test"),
    ]


def test_naptr_for_sips_keeps_only_tls() -> None:
    records = [
        NaptrRecord(10, 10, "S", "SIP+D2U", "_sip._udp.x.test"),
        NaptrRecord(20, 10, "S", "SIPS+D2T", "_sips._tcp.x.test"),
    ]
    assert order_naptr(records, sips=True) == [("tls", "_sips._tcp.x.test")]


def test_naptr_duplicates_removed() -> None:
    rec = NaptrRecord(10, 10, "S", "SIP+D2U", "_sip._udp.x.test")
    assert order_naptr([rec, rec]) == [("udp", "_sip._udp.x.test")]


def test_srv_priority_first() -> None:
    a = SrvRecord(20, 0, 5060, "a.test")
    b = SrvRecord(10, 0, 5060, "b.test")
    c = SrvRecord(30, 100, 5060, "c.test")
    assert order_srv([c, a, b], random.Random(1).randint) == [b, a, c]


def test_srv_weighted_draw_follows_rfc2782() -> None:
    light = SrvRecord(10, 10, 5060, "light.test")
    heavy = SrvRecord(10, 90, 5060, "heavy.test")
    zero = SrvRecord(10, 0, 5060, "zero.test")
    # The draw is in [0, total]; running sums in list order zero(0), light(10), heavy(100).
    assert order_srv([light, heavy, zero], lambda a, b: 0) == [zero, light, heavy]
    assert order_srv([light, heavy, zero], lambda a, b: b) == [heavy, light, zero]
    # A draw of 5 passes zero (0) and lands on light (10); then 5 of 90 picks heavy.
    assert order_srv([light, heavy, zero], lambda a, b: min(5, b)) == [light, heavy, zero]


def test_srv_weights_give_proportional_first_choice() -> None:
    light = SrvRecord(10, 10, 5060, "light.test")
    heavy = SrvRecord(10, 90, 5060, "heavy.test")
    rng = random.Random(42)
    firsts = Counter(order_srv([light, heavy], rng.randint)[0].target for _ in range(2000))
    assert 1650 < firsts["heavy.test"] < 1950


def test_srv_dot_target_means_no_service() -> None:
    assert order_srv([SrvRecord(0, 0, 0, ".")]) == []
    assert order_srv([SrvRecord(0, 0, 0, "")]) == []


def test_srv_order_keeps_every_record_once() -> None:
    records = [
        SrvRecord(p, w, 5060 + i, f"h{i}.test")
        for i, (p, w) in enumerate([(1, 5), (1, 0), (2, 50), (1, 60), (2, 0), (3, 1)])
    ]
    ordered = order_srv(records, random.Random(7).randint)
    assert sorted(ordered, key=lambda r: r.port) == records
    assert [r.priority for r in ordered] == sorted(r.priority for r in records)


@pytest.mark.parametrize(
    ("host", "port", "transport", "sips", "expected"),
    [
        ("127.0.0.1", None, None, False, Address("udp", "127.0.0.1", 5060)),
        ("127.0.0.1", None, "tls", False, Address("tls", "127.0.0.1", 5061)),
        ("127.0.0.1", 5070, "TCP", False, Address("tcp", "127.0.0.1", 5070)),
        ("127.0.0.1", None, None, True, Address("tls", "127.0.0.1", 5061)),
        ("[::1]", None, "tcp", False, Address("tcp", "::1", 5060)),
    ],
)
def test_ip_literals_need_no_dns(
    host: str, port: int | None, transport: str | None, sips: bool, expected: Address
) -> None:
    result = asyncio.run(resolve(host, port, transport, resolver=NoDns(), sips=sips))
    assert result == [expected]


def test_bad_input_becomes_dns_error() -> None:
    with pytest.raises(DnsError, match="not supported"):
        asyncio.run(resolve("127.0.0.1", None, "sctp", resolver=NoDns()))
    with pytest.raises(DnsError, match="needs TLS"):
        asyncio.run(resolve("pbx.test", None, "udp", resolver=NoDns(), sips=True))
    with pytest.raises(DnsError, match="no server address"):
        asyncio.run(resolve("", None, None, resolver=NoDns()))


def test_make_resolver_parses_servers() -> None:
    resolver = make_resolver(["127.0.0.1:5353", "127.0.0.2", "[::1]:53"])
    servers = [(ns.address, ns.port) for ns in resolver.nameservers]  # type: ignore[union-attr]
    assert servers == [("127.0.0.1", 5353), ("127.0.0.2", 53), ("::1", 53)]
    with pytest.raises(DnsError, match="not an IP address"):
        make_resolver(["dns.example.com"])
    with pytest.raises(DnsError, match="bad port"):
        make_resolver(["127.0.0.1:99999"])


def test_address_normalises() -> None:
    assert Address("UDP", "[::1]", 5060) == Address("udp", "::1", 5060)
    assert str(Address("tls", "::1", 5061)) == "TLS [::1]:5061"
