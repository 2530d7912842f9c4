"""Phone number modification on the wire: what the account dials reaches the user the
rules name, through a real Kamailio.

Kamailio knows a user "0049301234567" (a number as a PBX's trunk would see it) and the
extension 1003; both are Parley consoles that answer by themselves. The caller's
account dials "030-123-45-67" with "use country code" (DE) and the prefix 00: only the
rewritten number exists at Kamailio, so a connected call proves the rewrite (unchanged,
Kamailio answers 404). The extension 1003 is dialled with the same rules and must stay
1003. Without the rules the national number is not found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config

from parley.contacts import Contact, ContactStore, NumberType, PhoneNumber
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

TRUNK_USER = "0049301234567"
NATIONAL_CALLER = "0301234567"  # the same line as a PBX may present it: national form
PASSWORDS = {
    "1001": "pass1001",
    "1003": "pass1003",
    TRUNK_USER: "passtrunk",
    NATIONAL_CALLER: "passnational",
}
RULES = {"use_country_code": True, "default_country": "DE", "dial_prefix": "00"}


def call_event(state: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "call" and e.get("state") == state


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    server = Kamailio(
        tmp_path_factory.mktemp("dialrules") / "kamailio",
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


class Consoles:
    def __init__(self, kam: Kamailio, tmp: Path) -> None:
        self.kam, self.tmp, self.all = kam, tmp, list[ParleyConsole]()

    def start(
        self, user: str, *extra: str, contacts: list[Contact] | None = None, **account: Any
    ) -> ParleyConsole:
        data = {
            "name": "office",
            "domain": f"{self.kam.host}:{self.kam.udp_port}",
            "username": user,
            "password": PASSWORDS[user],
            "transport": "udp",
            **account,
        }
        n = len(self.all)
        config = write_config(self.tmp / f"parley-{n}.toml", [data])
        log_dir = self.tmp / f"parley-{n}"
        log_dir.mkdir()
        if contacts:  # the console's contact store, filled before it starts
            store = ContactStore(log_dir / f"data-{config.stem}" / "contacts.sqlite3")
            for contact in contacts:
                store.add(contact)
            store.close()
        console = ParleyConsole(config, log_dir=log_dir, extra=list(extra))
        self.all.append(console)
        console.wait_state("registered", timeout=30)
        return console

    def close(self) -> None:
        for console in self.all:
            console.stop()


@pytest.fixture
def consoles(kam: Kamailio, tmp_path: Path) -> Iterator[Consoles]:
    made = Consoles(kam, tmp_path)
    try:
        yield made
    finally:
        made.close()


def test_national_number_is_dialled_in_the_form_the_rules_make(consoles: Consoles) -> None:
    trunk = consoles.start(TRUNK_USER, "--auto-answer")
    caller = consoles.start("1001", **RULES)
    caller.send("dial 030-123-45-67")
    connected = caller.wait_for(call_event("connected"), timeout=30)
    assert TRUNK_USER in connected["remote"], connected
    incoming = trunk.wait_for(call_event("connected"), timeout=30)
    assert "1001" in incoming["remote"], incoming
    caller.send("hangup")
    caller.wait_for(call_event("ended"), timeout=30)


def test_an_extension_is_left_alone_by_the_same_rules(consoles: Consoles) -> None:
    ext = consoles.start("1003", "--auto-answer")
    caller = consoles.start("1001", **RULES)
    caller.send("dial 1003")
    caller.wait_for(call_event("connected"), timeout=30)
    ext.wait_for(call_event("connected"), timeout=30)
    caller.send("hangup")
    caller.wait_for(call_event("ended"), timeout=30)


def test_without_the_rules_the_national_number_is_not_found(consoles: Consoles) -> None:
    consoles.start(TRUNK_USER, "--auto-answer")
    caller = consoles.start("1001")
    caller.send("dial 030-123-45-67")
    ended = caller.wait_for(call_event("ended"), timeout=30)
    assert ended.get("status") == 404, ended


def test_a_caller_in_national_form_is_named_from_a_contact_stored_internationally(
    consoles: Consoles,
) -> None:
    """The default country decides how a caller's number is matched: the contact holds
    +49 30 1234567, the PBX presents 0301234567."""
    anna = Contact(
        first_name="Anna",
        last_name="Berg",
        numbers=(PhoneNumber("+49 30 1234567", NumberType.BUSINESS),),
    )
    callee = consoles.start("1001", "--auto-answer", contacts=[anna], default_country="DE")
    caller = consoles.start(NATIONAL_CALLER)
    caller.send("dial 1001")
    incoming = callee.wait_for(call_event("connected"), timeout=30)
    assert (incoming["name"], incoming["source"]) == ("Anna Berg", "local"), incoming
    caller.send("hangup")
    caller.wait_for(call_event("ended"), timeout=30)


def test_without_a_default_country_the_national_caller_stays_unknown(
    consoles: Consoles,
) -> None:
    anna = Contact(last_name="Berg", numbers=(PhoneNumber("+49 30 1234567"),))
    callee = consoles.start("1001", "--auto-answer", contacts=[anna])
    caller = consoles.start(NATIONAL_CALLER)
    caller.send("dial 1001")
    incoming = callee.wait_for(call_event("connected"), timeout=30)
    assert "name" not in incoming, incoming
    caller.send("hangup")
    caller.wait_for(call_event("ended"), timeout=30)
