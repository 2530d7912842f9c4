"""Registration over IPv6: Parley and Kamailio on ::1, over UDP, TCP and TLS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def kam6(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    kam = Kamailio(
        tmp_path_factory.mktemp("kam6"),
        {"1001": "pass1001", "1002": "pass1002"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        host="::1",
    )
    kam.start()
    yield kam
    kam.close()


def account6(kam: Kamailio, transport: str, user: str = "1001", **extra: Any) -> dict[str, Any]:
    port = {"udp": kam.udp_port, "tcp": kam.tcp_port, "tls": kam.tls_port}[transport]
    data: dict[str, Any] = {
        "name": "office" if user == "1001" else f"v6-{user}",
        "domain": f"[::1]:{port}",
        "username": user,
        "password": f"pass{user}",
        "transport": transport,
    }
    if transport == "tls":
        data["ca_file"] = str(kam.ca_file)
    data.update(extra)
    return data


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_register_over_ipv6(kam6: Kamailio, tmp_path: Path, transport: str) -> None:
    config = write_config(tmp_path / "settings.toml", [account6(kam6, transport)])
    console = ParleyConsole(config, log_dir=tmp_path, extra=["--bind", "::1"])
    try:
        registered = console.wait_state("registered")
        assert registered["status"] == 200
        contacts = kam6.lookup("1001")
        assert len(contacts) == 1, contacts
        # The binding Kamailio keeps is an IPv6 Contact, bracketed as RFC 3261 §25.1 says.
        assert "@[::1]:" in contacts[0], contacts
        if transport != "udp":
            assert f"transport={transport}" in contacts[0].lower()
        assert console.quit() == 0
        console.wait_state("not registered")
        assert kam6.lookup("1001") == []
    finally:
        console.stop()
