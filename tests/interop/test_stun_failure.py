"""A STUN server that fails is told to the user, and the account carries on (issue #11,
section 5): the account event carries a code (`stun_problem`), the server and, for an
error answer, the server's own words; the console prints the sentence; the account
still registers at Kamailio with the address rport gives, and calls still connect.

- a port with nothing listening: "no answer", registered all the same;
- coturn answering, then stopped, then started again on the same port: the refresh
  after the stop reports "no answer" while the account stays registered, the one after
  the restart clears it;
- a STUN server of the test's own that answers every Binding request with an error
  (500): "error response" with its code and reason.

The desktop app's side (the account row and its tooltip, in German too):
tests/gui/test_stun_failure_gui.py.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config
from test_stun_nat import world as nat_world  # noqa: F401  (the NAT rig, module-scoped)

from parley.net.stun import HEADER, MAGIC_COOKIE, looks_like_stun
from peers.common import LOOPBACK, free_port
from peers.coturn import Coturn
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

PASSWORD = "pass1001"


def account_event(pred: Callable[[Event], bool]) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "account" and e.get("account") == "office" and pred(e)


def start_parley(kam: Kamailio, tmp: Path, stun_port: int, **extra: Any) -> ParleyConsole:
    config = write_config(
        tmp / "parley.toml",
        [
            {
                "name": "office",
                "domain": f"{kam.host}:{kam.udp_port}",
                "username": "1001",
                "password": PASSWORD,
                "transport": "udp",
                "codecs": ["pcmu"],
                "stun": "custom",
                "stun_server": LOOPBACK,
                "stun_port": stun_port,
                **extra,
            }
        ],
    )
    return ParleyConsole(config, log_dir=tmp)


@pytest.fixture
def consoles() -> Iterator[list[ParleyConsole]]:
    started: list[ParleyConsole] = []
    yield started
    for console in started:
        if console.proc.poll() is None:
            try:
                console.quit(timeout=15)
            except Exception:
                pass
        console.stop()


def test_stun_server_that_does_not_answer_is_reported_and_the_account_registers(
    kamailio: Kamailio, tmp_path: Path, consoles: list[ParleyConsole]
) -> None:
    silent = free_port("udp")  # nothing listens there
    parley = start_parley(kamailio, tmp_path, silent)
    consoles.append(parley)
    registered = parley.wait_for(account_event(lambda e: e["state"] == "registered"), timeout=60)
    assert registered["stun_problem"] == "no answer", registered
    assert registered["stun_server"] == f"{LOOPBACK}:{silent}", registered
    assert "STUN failed" in registered["text"], registered
    assert f"the STUN server {LOOPBACK}:{silent} does not answer" in registered["text"]
    assert "rport" in registered["text"], registered
    # The registrar has a contact for us all the same (the socket's own address).
    contacts = kamailio.lookup("1001")
    assert contacts and all(LOOPBACK in c for c in contacts), contacts
    parley.send("accounts")  # the account list says it too
    reply = parley.wait_for(lambda e: e.get("event") == "reply" and "office:" in e["text"])
    assert "does not answer" in reply["text"], reply


def test_coturn_stopped_then_back_is_told_at_the_refresh(
    kamailio: Kamailio, tmp_path: Path, consoles: list[ParleyConsole]
) -> None:
    port = free_port("udp")
    stun = Coturn(tmp_path / "coturn", LOOPBACK, port).start()
    try:
        parley = start_parley(kamailio, tmp_path, port, stun_refresh=2)
        consoles.append(parley)
        first = parley.wait_for(account_event(lambda e: e["state"] == "registered"), timeout=30)
        assert first["stun_problem"] is None, first
        assert "STUN" not in first["text"], first
        stun.stop()
        failed = parley.wait_for(
            account_event(lambda e: e["stun_problem"] == "no answer"), timeout=60
        )
        assert failed["state"] == "registered", failed  # the account goes on
        assert f"{LOOPBACK}:{port}" in failed["text"], failed
        stun = Coturn(tmp_path / "coturn-2", LOOPBACK, port).start()
        back = parley.wait_for(
            account_event(lambda e: e["stun_problem"] is None and e["state"] == "registered"),
            timeout=60,
        )
        assert "STUN" not in back["text"], back
    finally:
        stun.stop()


class ErrorStun:
    """A STUN server on 127.0.0.1 that answers every Binding request with a Binding
    error response (RFC 5389 §15.6 ERROR-CODE 500 "Server Error")."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, free_port("udp")))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, source = self.sock.recvfrom(2048)
            except OSError:
                continue
            if not looks_like_stun(data) or data[:2] != b"\x00\x01":
                continue
            self.requests += 1
            reason = b"Server Error"
            value = struct.pack("!HBB", 0, 5, 0) + reason
            value += b"\0" * (-len(value) % 4)
            attrs = struct.pack("!HH", 0x0009, 4 + len(reason)) + value
            self.sock.sendto(
                HEADER.pack(0x0111, len(attrs), MAGIC_COOKIE, data[8:20]) + attrs, source
            )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def test_stun_error_answer_is_reported_with_its_code(
    kamailio: Kamailio, tmp_path: Path, consoles: list[ParleyConsole]
) -> None:
    server = ErrorStun()
    try:
        parley = start_parley(kamailio, tmp_path, server.port)
        consoles.append(parley)
        registered = parley.wait_for(
            account_event(lambda e: e["state"] == "registered"), timeout=30
        )
        assert server.requests >= 1
        assert registered["stun_problem"] == "error response", registered
        assert "500" in registered["stun_detail"], registered
        assert "answered with an error (500 Server Error)" in registered["text"], registered
        assert kamailio.lookup("1001")
    finally:
        server.close()


# --- behind a home router: STUN dead, rport carries the account -------------------------


def test_behind_a_nat_a_dead_stun_server_is_said_and_rport_keeps_the_account_working(
    nat_world: Any,  # noqa: F811  (the fixture imported above)
) -> None:
    """In the NAT rig of test_stun_nat.py: the STUN server's port has nothing behind it.
    Parley says so, and with rport (and RPort media) it still registers with the
    router's public address and calls baresip outside with audio both ways."""
    from test_stun_nat import HEARD, call_out_and_listen

    from peers.nat import ROUTER_WAN, WAN_ADDR

    world = nat_world
    dead = f"{WAN_ADDR}:3479"
    console, records = world.parley(
        "1001",
        {
            "stun": "custom",
            "stun_server": WAN_ADDR,
            "stun_port": 3479,  # coturn is on 3478: nothing answers here
            "rport": True,
            "rport_media": True,
            "local_port": 5084,
        },
    )
    registered = console.wait_for(account_event(lambda e: e["state"] == "registered"), timeout=60)
    assert registered["stun_problem"] == "no answer", registered
    assert registered["stun_server"] == dead, registered
    assert f"the STUN server {dead} does not answer" in registered["text"], registered
    contacts = world.kam.lookup("1001")
    # rport's address (the private one of the first REGISTER stays until it expires:
    # the re-REGISTER after learning rport adds a binding, it does not replace it).
    assert any(f"@{ROUTER_WAN}:" in c for c in contacts), contacts
    registered.pop("_seen")  # call_out_and_listen waits for it too
    heard_by_us, heard_by_them = call_out_and_listen(world, console, records)
    assert heard_by_them > HEARD
    assert heard_by_us > HEARD
