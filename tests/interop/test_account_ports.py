"""Each account on its own local SIP port, registered at a real Kamailio.

One Phone in this process with two accounts (1001 on one port, 1002 on another). Kamailio
stores each binding with its own port (``kamcmd ul.lookup``), and answers each REGISTER
with ``rport=`` set to the port the request really came from (RFC 3581): each account
sends from its own socket. A call from 1002 to 1001 through Kamailio leaves from 1002's
port and arrives on 1001's.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from parley.media.engine import AudioConfig
from parley.phone.events import AccountStateChanged, CallStateChanged, PhoneEvent
from parley.phone.phone import Phone
from parley.settings.model import Settings
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]


class _Wire(logging.Handler):
    """The SIP trace: (direction, text) of every message, in order."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        head, _, text = record.getMessage().partition("\n")
        self.messages.append(("out" if head.startswith(">>") else "in", text))


async def until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


def top_via(message: str) -> str:
    match = re.search(r"^Via:\s*(.+)$", message, re.MULTILINE | re.IGNORECASE)
    assert match is not None, message
    return match.group(1)


async def test_each_account_registers_and_sends_from_its_own_port(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    port_a, port_b = free_port("udp"), free_port("udp")
    while port_b == port_a:
        port_b = free_port("udp")
    registrar = f"127.0.0.1:{kamailio.udp_port}"

    def account(name: str, user: str, port: int) -> dict[str, object]:
        return {
            "name": name,
            "domain": registrar,
            "username": user,
            "transport": "udp",
            "local_port": port,
            "codecs": ["pcmu"],
        }

    settings = Settings.model_validate(
        {"accounts": [account("a", "1001", port_a), account("b", "1002", port_b)]}
    )
    events: list[PhoneEvent] = []
    phone = Phone(
        settings,
        {"a": "pass1001", "b": "pass1002"},
        events.append,
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )
    wire = _Wire()
    trace = logging.getLogger("parley.sip.trace")
    trace.addHandler(wire)
    old_level = trace.level
    trace.setLevel(logging.INFO)
    phone.driver.trace_enabled = True
    try:
        await phone.start()

        def registered(name: str) -> bool:
            return any(
                isinstance(e, AccountStateChanged) and e.account == name and e.state == "registered"
                for e in events
            )

        await until(lambda: registered("a") and registered("b"))
        # The bindings: each account's Contact carries its own port.
        contacts_a, contacts_b = kamailio.lookup("1001"), kamailio.lookup("1002")
        assert len(contacts_a) == 1 and f"127.0.0.1:{port_a}" in contacts_a[0], contacts_a
        assert len(contacts_b) == 1 and f"127.0.0.1:{port_b}" in contacts_b[0], contacts_b
        # The 200 OK of each REGISTER: rport = the port it really came from = its Via port.
        for user, port in (("1001", port_a), ("1002", port_b)):
            oks = [
                m
                for d, m in wire.messages
                if d == "in"
                and m.startswith("SIP/2.0 200")
                and "REGISTER" in m
                and f"sip:{user}@" in m
            ]
            assert oks, f"no 200 OK to the REGISTER of {user}"
            via = top_via(oks[-1])
            assert f"127.0.0.1:{port};" in via and f"rport={port}" in via, via

        # A call from b to 1001 through Kamailio: sent from b's port, arrives on a's.
        call = await phone.dial("1001", "b")

        def incoming() -> CallStateChanged | None:
            for e in events:
                if isinstance(e, CallStateChanged) and e.account == "a" and e.state == "incoming":
                    return e
            return None

        await until(lambda: incoming() is not None)
        invites = [m for d, m in wire.messages if d == "in" and m.startswith("INVITE sip:1001@")]
        assert invites and f"127.0.0.1:{port_a}" in invites[-1].splitlines()[0], invites
        # Kamailio's Via on top, ours below it, marked with where it really came from.
        vias = re.findall(r"^Via:\s*(.+)$", invites[-1], re.MULTILINE | re.IGNORECASE)
        ours = [v for v in vias if f"127.0.0.1:{port_b};" in v]
        assert ours and f"rport={port_b}" in ours[0], vias
        call.hangup()
        await until(lambda: all(c.ended for c in phone.calls.values()))
    finally:
        await phone.stop(timeout=5)
        trace.removeHandler(wire)
        trace.setLevel(old_level)
