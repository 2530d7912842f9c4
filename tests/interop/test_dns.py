"""RFC 3263 resolution against a real DNS server (dnsmasq on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from parley.net.address import Address
from parley.net.dns import DnsError, make_resolver, resolve
from peers.dnsmasq import Dnsmasq

pytestmark = pytest.mark.interop

RECORDS = [
    "local=/test/",  # unknown names under .test: NXDOMAIN, not REFUSED
    "host-record=pbx.test,127.0.0.1",
    "host-record=pbx2.test,127.0.0.2",
    "host-record=sips.test,127.0.0.3",
    "host-record=plain.test,127.0.0.9",
    "host-record=v6.test,::1",
    # pbx.test: NAPTR says TCP first, then UDP; TLS offered by SRV only.
    "naptr-record=pbx.test,20,50,S,SIP+D2U,,_sip._udp.pbx.test",
    "naptr-record=pbx.test,10,50,S,SIP+D2T,,_sip._tcp.pbx.test",
    "naptr-record=pbx.test,5,50,S,SIP+D2S,,_sip._sctp.pbx.test",  # SCTP: not ours
    "srv-host=_sip._udp.pbx.test,pbx.test,5060,10,100",
    "srv-host=_sip._tcp.pbx.test,pbx2.test,5070,20,100",
    "srv-host=_sip._tcp.pbx.test,pbx.test,5072,10,100",
    "srv-host=_sips._tcp.pbx.test,sips.test,5061,10,100",
    # srvonly.test: no NAPTR, SRV for UDP and TLS.
    "srv-host=_sip._udp.srvonly.test,pbx2.test,5080,10,0",
    "srv-host=_sips._tcp.srvonly.test,sips.test,5081,10,0",
]


@pytest.fixture(scope="module")
def dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dnsmasq]:
    with Dnsmasq(tmp_path_factory.mktemp("dnsmasq"), None, RECORDS) as server:
        yield server


def run(
    dns_server: Dnsmasq, host: str, port: int | None, transport: str | None, **kw: object
) -> list[Address]:
    resolver = make_resolver([dns_server.nameserver])
    return asyncio.run(resolve(host, port, transport, resolver=resolver, **kw))  # type: ignore[arg-type]


def test_naptr_then_srv_then_a(dns_server: Dnsmasq) -> None:
    assert run(dns_server, "pbx.test", None, None) == [
        Address("tcp", "127.0.0.1", 5072),  # NAPTR order 10, SRV priority 10
        Address("tcp", "127.0.0.2", 5070),  # NAPTR order 10, SRV priority 20
        Address("udp", "127.0.0.1", 5060),  # NAPTR order 20
    ]


def test_sips_uses_only_tls(dns_server: Dnsmasq) -> None:
    # No SIPS+D2T NAPTR for pbx.test: falls back to the _sips._tcp SRV record.
    assert run(dns_server, "pbx.test", None, None, sips=True) == [Address("tls", "127.0.0.3", 5061)]


def test_transport_given_uses_its_srv(dns_server: Dnsmasq) -> None:
    assert run(dns_server, "pbx.test", None, "udp") == [Address("udp", "127.0.0.1", 5060)]
    assert run(dns_server, "pbx.test", None, "TLS") == [Address("tls", "127.0.0.3", 5061)]


def test_no_naptr_tries_srv_for_each_transport(dns_server: Dnsmasq) -> None:
    assert run(dns_server, "srvonly.test", None, None) == [
        Address("udp", "127.0.0.2", 5080),
        Address("tls", "127.0.0.3", 5081),
    ]


def test_port_given_skips_naptr_and_srv(dns_server: Dnsmasq) -> None:
    assert run(dns_server, "pbx.test", 5090, None) == [Address("udp", "127.0.0.1", 5090)]
    assert run(dns_server, "pbx.test", 5090, "tcp") == [Address("tcp", "127.0.0.1", 5090)]


def test_no_srv_falls_back_to_a_and_default_port(dns_server: Dnsmasq) -> None:
    assert run(dns_server, "plain.test", None, None) == [Address("udp", "127.0.0.9", 5060)]
    assert run(dns_server, "plain.test", None, "tls") == [Address("tls", "127.0.0.9", 5061)]


def test_aaaa_records(dns_server: Dnsmasq) -> None:
    assert run(dns_server, "v6.test", None, "tcp") == [Address("tcp", "::1", 5060)]


def test_nxdomain_is_a_clear_error(dns_server: Dnsmasq) -> None:
    with pytest.raises(DnsError, match=r"nosuch\.test: no such domain — check the domain"):
        run(dns_server, "nosuch.test", None, None)


def test_refusing_server_is_a_clear_error(dns_server: Dnsmasq) -> None:
    # dnsmasq has no upstream: names outside .test are REFUSED.
    with pytest.raises(DnsError, match="DNS server could not answer"):
        run(dns_server, "pbx.invalid", None, None)


def test_silent_server_times_out_with_clear_error() -> None:
    # A bound UDP socket that never answers: no ICMP, so the resolver must time out.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        resolver = make_resolver([f"127.0.0.1:{port}"], timeout=0.2, lifetime=0.4)
        with pytest.raises(DnsError, match="did not answer in time"):
            asyncio.run(resolve("pbx.test", None, None, resolver=resolver))
