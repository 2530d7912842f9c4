"""Finding the registrar: RFC 3263 through a local dnsmasq, failover between targets,
and an outbound proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.common import free_port
from peers.dnsmasq import Dnsmasq
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop

FAST_TIMERS = {"t1": 0.1, "t2": 1.0, "t4": 1.0}


@pytest.fixture
def cleanup() -> Iterator[list[Any]]:
    things: list[Any] = []
    yield things
    for thing in reversed(things):
        thing.stop()


def start_sipp(tmp_path: Path, scenario: str, cleanup: list[Any]) -> Sipp:
    sipp = Sipp(
        SCENARIOS / scenario,
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=tmp_path,
    )
    sipp.start()
    cleanup.append(sipp)
    return sipp


def start_console(tmp_path: Path, cleanup: list[Any], **account: Any) -> ParleyConsole:
    data = {"name": "office", "username": "1001", "password": "pass1001", **account}
    config = write_config(tmp_path / "settings.toml", [data], sip=FAST_TIMERS)
    console = ParleyConsole(config, log_dir=tmp_path)
    cleanup.append(console)
    return console


@pytest.mark.parametrize("scenario", ["reg_no_answer.xml", "reg_503.xml"])
def test_srv_failover_to_the_next_target(
    tmp_path: Path, kamailio: Kamailio, cleanup: list[Any], scenario: str
) -> None:
    """Two SRV targets: the preferred one is silent (or answers 503); Parley moves on
    to the second and registers there."""
    bad = start_sipp(tmp_path, scenario, cleanup)
    dns = Dnsmasq(
        tmp_path / "dns",
        records=[
            "host-record=pbx.test,127.0.0.1",
            f"srv-host=_sip._udp.pbx.test,pbx.test,{bad.local_port},10,100",
            f"srv-host=_sip._udp.pbx.test,pbx.test,{kamailio.udp_port},20,100",
            "local=/test/",
        ],
    )
    dns.start()
    cleanup.append(dns)
    console = start_console(
        tmp_path, cleanup, domain="pbx.test", transport="udp", dns_servers=[dns.nameserver]
    )
    registered = console.wait_state("registered", timeout=30)
    assert registered["server"] == f"udp:127.0.0.1:{kamailio.udp_port}"
    assert bad.received_count("REGISTER") >= 1
    assert len(kamailio.lookup("1001")) == 1
    assert console.quit() == 0


def test_naptr_chooses_the_transport(
    tmp_path: Path, kamailio: Kamailio, cleanup: list[Any]
) -> None:
    """NAPTR prefers TCP; SRV gives the port: Parley registers over TCP."""
    dns = Dnsmasq(
        tmp_path / "dns",
        records=[
            "host-record=pbx.test,127.0.0.1",
            "naptr-record=pbx.test,10,50,S,SIP+D2T,,_sip._tcp.pbx.test",
            "naptr-record=pbx.test,20,50,S,SIP+D2U,,_sip._udp.pbx.test",
            f"srv-host=_sip._tcp.pbx.test,pbx.test,{kamailio.tcp_port},10,100",
            f"srv-host=_sip._udp.pbx.test,pbx.test,{kamailio.udp_port},10,100",
            "local=/test/",
        ],
    )
    dns.start()
    cleanup.append(dns)
    console = start_console(
        tmp_path, cleanup, domain="pbx.test", transport="auto", dns_servers=[dns.nameserver]
    )
    registered = console.wait_state("registered", timeout=30)
    assert registered["server"] == f"tcp:127.0.0.1:{kamailio.tcp_port}"
    assert console.quit() == 0


def test_unknown_domain_is_a_clear_failure(tmp_path: Path, cleanup: list[Any]) -> None:
    dns = Dnsmasq(tmp_path / "dns", records=["local=/test/"])
    dns.start()
    cleanup.append(dns)
    console = start_console(
        tmp_path, cleanup, domain="nowhere.test", transport="udp", dns_servers=[dns.nameserver]
    )
    failed = console.wait_state("failed", timeout=20)
    assert "nowhere.test" in failed["text"]
    assert console.quit() == 0


def test_outbound_proxy_gets_the_register_loose_routed(tmp_path: Path, cleanup: list[Any]) -> None:
    proxy = start_sipp(tmp_path, "reg_via_proxy.xml", cleanup)
    console = start_console(
        tmp_path,
        cleanup,
        domain="pbx.test",
        transport="udp",
        outbound_proxy=f"127.0.0.1:{proxy.local_port}",
    )
    registered = console.wait_state("registered")
    assert registered["server"] == f"udp:127.0.0.1:{proxy.local_port}"
    assert console.quit() == 0
    assert proxy.wait(timeout=10) == 0, proxy.errors()
