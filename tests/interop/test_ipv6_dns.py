"""Dual-stack server location (RFC 3263 with AAAA) against a real dnsmasq, reaching a
Kamailio that listens on ::1 only.

- a name with only an AAAA record reaches the ::1 server (account ip_version "auto");
- NAPTR -> SRV -> a target with only AAAA: registered over the transport NAPTR names;
- a name with A and AAAA: ip_version "ipv6" takes the AAAA address first (nothing
  listens on 127.0.0.1 at that port, so the binding proves which one was used);
- ip_version "ipv4" with an AAAA-only name fails, and says that it is the IP version.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.common import free_port
from peers.dnsmasq import Dnsmasq
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def kam6(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    kam = Kamailio(
        tmp_path_factory.mktemp("kam6dns"),
        {"1001": "pass1001"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        host="::1",
        # The From domain is the name, and Kamailio's realm follows it: any realm works
        # (auth_db checks the password whatever realm the client answers with).
    )
    kam.start()
    yield kam
    kam.close()


@pytest.fixture(scope="module")
def dns(tmp_path_factory: pytest.TempPathFactory, kam6: Kamailio) -> Iterator[Dnsmasq]:
    records = [
        "local=/test/",
        "host-record=v6only.test,::1",
        "host-record=dual.test,127.0.0.1,::1",
        # v6srv.test: NAPTR says TCP, its SRV names the AAAA-only host on Kamailio's port.
        "naptr-record=v6srv.test,10,50,S,SIP+D2T,,_sip._tcp.v6srv.test",
        f"srv-host=_sip._tcp.v6srv.test,v6only.test,{kam6.tcp_port},10,100",
    ]
    with Dnsmasq(tmp_path_factory.mktemp("dnsmasq6"), None, records) as server:
        yield server


def _console(tmp_path: Path, dns: Dnsmasq, domain: str, **extra: Any) -> ParleyConsole:
    account = {
        "name": "office",
        "domain": domain,
        "username": "1001",
        "password": "pass1001",
        "transport": "udp",
        "dns_servers": [dns.nameserver],
        **extra,
    }
    config = write_config(tmp_path / "parley.toml", [account])
    return ParleyConsole(config, log_dir=tmp_path)


def _registered_at_ipv6(kam6: Kamailio, console: ParleyConsole) -> dict[str, Any]:
    try:
        registered = console.wait_state("registered", timeout=30)
        contacts = kam6.lookup("1001")
        assert len(contacts) == 1 and "@[::1]:" in contacts[0], contacts
        assert console.quit() == 0
        return registered
    finally:
        console.stop()


def test_a_name_with_only_aaaa_reaches_the_ipv6_server(
    kam6: Kamailio, dns: Dnsmasq, tmp_path: Path
) -> None:
    registered = _registered_at_ipv6(kam6, _console(tmp_path, dns, f"v6only.test:{kam6.udp_port}"))
    assert registered["server"] == f"udp:::1:{kam6.udp_port}", registered


def test_naptr_and_srv_to_an_aaaa_only_target(kam6: Kamailio, dns: Dnsmasq, tmp_path: Path) -> None:
    registered = _registered_at_ipv6(kam6, _console(tmp_path, dns, "v6srv.test", transport="auto"))
    assert registered["server"] == f"tcp:::1:{kam6.tcp_port}", registered


def test_a_dual_stack_name_with_ipv6_preferred(
    kam6: Kamailio, dns: Dnsmasq, tmp_path: Path
) -> None:
    registered = _registered_at_ipv6(
        kam6, _console(tmp_path, dns, f"dual.test:{kam6.udp_port}", ip_version="ipv6")
    )
    assert registered["server"] == f"udp:::1:{kam6.udp_port}", registered


def test_ipv4_only_refuses_an_aaaa_only_name(kam6: Kamailio, dns: Dnsmasq, tmp_path: Path) -> None:
    console = _console(tmp_path, dns, f"v6only.test:{kam6.udp_port}", ip_version="ipv4")
    try:
        failed = console.wait_state("failed", timeout=30)
        assert "only IPv6" in failed["detail"], failed
        assert kam6.lookup("1001") == []
    finally:
        console.stop()
