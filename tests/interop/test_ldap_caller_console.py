"""A caller known only to the LDAP directory, in the console: the PBX presents the
national form (0895550123), the directory holds the international one (+49 89
5550123); with the account's default country DE the console's call event carries the
directory's name and source, and `lookup`, `search`, `sources` and `sync` answer from the
directory (an anonymous-reading slapd; Kamailio; two consoles)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.common import free_port
from peers.kamailio import Kamailio
from peers.slapd import BASE_DN, Slapd, pbx_phonebook

pytestmark = pytest.mark.interop

CALLER = "0895550123"  # Dieter Müller's number as a German PBX presents it
PASSWORDS = {"1001": "pass1001", CALLER: "passcaller"}


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    server = Kamailio(
        tmp_path_factory.mktemp("ldapcaller") / "kamailio",
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def ldap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    with Slapd(
        tmp_path_factory.mktemp("slapd"), pbx_phonebook(phonebook_size=50, archive_size=0),
        anonymous=True,
    ) as server:  # fmt: skip
        yield server


def reply(console: ParleyConsole) -> str:
    event = console.wait_for(lambda e: e.get("event") == "reply", 20)
    return str(event["text"])


def test_an_ldap_caller_is_named_in_the_console(kam: Kamailio, ldap: Slapd, tmp_path: Path) -> None:
    domain = f"{kam.host}:{kam.udp_port}"
    source: dict[str, Any] = {
        "id": "pbx",
        "name": "PBX directory",
        "kind": "ldap",
        "host": "127.0.0.1",
        "port": ldap.port,
        "base_dn": BASE_DN,
    }
    callee_account = {
        "name": "office", "domain": domain, "username": "1001",
        "password": PASSWORDS["1001"], "transport": "udp", "default_country": "DE",
    }  # fmt: skip
    config = write_config(
        tmp_path / "callee.toml", [callee_account], contacts={"sources": [source]}
    )
    (tmp_path / "callee").mkdir()
    callee = ParleyConsole(config, log_dir=tmp_path / "callee", extra=["--auto-answer"])
    caller_config = write_config(
        tmp_path / "caller.toml",
        [{"name": "office", "domain": domain, "username": CALLER,
          "password": PASSWORDS[CALLER], "transport": "udp"}],
    )  # fmt: skip
    (tmp_path / "caller").mkdir()
    caller = ParleyConsole(caller_config, log_dir=tmp_path / "caller")
    try:
        callee.wait_state("registered", timeout=30)
        caller.wait_state("registered", timeout=30)
        synced = callee.wait_for(
            lambda e: e.get("event") == "contact_source" and e.get("state") == "ok", 30
        )
        assert synced["count"] > 0, synced

        caller.send("dial 1001")
        incoming = callee.wait_for(
            lambda e: e.get("event") == "call" and e.get("state") == "incoming", 30
        )
        assert (incoming["name"], incoming["source"]) == ("Dieter Müller", "pbx"), incoming
        callee.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "connected", 30)
        caller.send("hangup")
        callee.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "ended", 30)

        callee.send(f"lookup {CALLER}")
        assert reply(callee) == f"{CALLER}: Dieter Müller (from PBX directory)"
        callee.send("lookup 0301111111")
        assert "not known" in reply(callee)
        callee.send("search Müller")
        assert "Dieter Müller: " in reply(callee)
        callee.send("sources")
        lines = [reply(callee), reply(callee)]
        assert any(line.startswith("pbx [on] ldap 'PBX directory'") for line in lines), lines
        callee.send("sync pbx")
        assert reply(callee) == "synchronising pbx"
        callee.send("sync nosuch")
        assert "no contact source 'nosuch'" in reply(callee)
        callee.send("history")
        assert "Dieter Müller" in reply(callee)
    finally:
        caller.quit()
        callee.quit()
