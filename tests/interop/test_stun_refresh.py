"""STUN as the account uses it, against Kamailio on 127.0.0.1 and a STUN server of the
test's own that counts the Binding requests it answers: custom STUN is asked from the
SIP socket itself and again at the refresh period; global STUN is used by accounts set
to "global" only while it is switched on.

On loopback there is no NAT: the answer is the socket's own address (rport off, so the
registrar answers to the Via, which is that address). That a different mapping changes
Via and Contact and re-registers is shown by the NAT tests (test_stun_nat.py) and the
registration's unit tests."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_rig import office_account, start_app, stopped_after

from parley.net.stun import BINDING_SUCCESS, HEADER, MAGIC_COOKIE, looks_like_stun
from parley.settings import Settings
from parley.settings.network import StunSettings
from peers.common import LOOPBACK, free_port, wait_until
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


class TellingStun:
    """A STUN server on 127.0.0.1 that answers every Binding request with its source
    address (XOR-MAPPED-ADDRESS) and remembers where each came from."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, free_port("udp")))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests: list[tuple[str, int]] = []
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
            self.requests.append(source)
            tid = data[8:20]
            port = source[1] ^ (MAGIC_COOKIE >> 16)
            addr = struct.unpack("!I", socket.inet_aton(source[0]))[0] ^ MAGIC_COOKIE
            value = struct.pack("!BBHI", 0, 1, port, addr)
            attrs = struct.pack("!HH", 0x0020, len(value)) + value
            self.sock.sendto(
                HEADER.pack(BINDING_SUCCESS, len(attrs), MAGIC_COOKIE, tid) + attrs, source
            )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def stun() -> Iterator[TellingStun]:
    server = TellingStun()
    try:
        yield server
    finally:
        server.close()


def contact_ports(kam: Kamailio, user: str) -> list[int]:
    return [int(c.rsplit(":", 1)[1].split(";")[0].rstrip(">")) for c in kam.lookup(user)]


def test_custom_stun_is_asked_from_the_sip_socket_at_the_refresh_period(
    kamailio: Kamailio, stun: TellingStun, tmp_path: Path
) -> None:
    local = free_port("udp")
    office = office_account(
        f"{LOOPBACK}:{kamailio.udp_port}",
        "1001",
        local_port=local,
        rport=False,
        stun="custom",
        stun_server=LOOPBACK,
        stun_port=stun.port,
        stun_refresh=1,
    )
    with stopped_after(start_app(Settings(accounts=[office]), "pass1001", tmp_path)):
        assert contact_ports(kamailio, "1001") == [local]
        assert wait_until(lambda: len(stun.requests) >= 3, timeout=15), stun.requests
        assert {port for _, port in stun.requests} == {local}


def test_global_stun_is_used_by_accounts_set_to_global(
    kamailio: Kamailio, stun: TellingStun, tmp_path: Path
) -> None:
    local = free_port("udp")
    office = office_account(
        f"{LOOPBACK}:{kamailio.udp_port}", "1002", local_port=local, rport=False, stun="global"
    )
    settings = Settings(
        accounts=[office],
        stun=StunSettings(enabled=True, server=LOOPBACK, port=stun.port, refresh=0),
    )
    with stopped_after(start_app(settings, "pass1002", tmp_path)):
        assert {port for _, port in stun.requests} == {local}


def test_global_stun_switched_off_is_not_asked(
    kamailio: Kamailio, stun: TellingStun, tmp_path: Path
) -> None:
    local = free_port("udp")
    office = office_account(
        f"{LOOPBACK}:{kamailio.udp_port}", "1003", local_port=local, rport=False, stun="global"
    )
    settings = Settings(
        accounts=[office], stun=StunSettings(enabled=False, server=LOOPBACK, port=stun.port)
    )
    with stopped_after(start_app(settings, "pass1003", tmp_path)):
        assert contact_ports(kamailio, "1003") == [local]
        assert stun.requests == []


def test_a_silent_stun_server_does_not_stop_the_registration(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    local = free_port("udp")
    office = office_account(
        f"{LOOPBACK}:{kamailio.udp_port}",
        "1001",
        local_port=local,
        rport=False,
        stun="custom",
        stun_server=LOOPBACK,
        stun_port=free_port("udp"),  # nobody answers there
    )
    with stopped_after(start_app(Settings(accounts=[office]), "pass1001", tmp_path, timeout=30)):
        assert contact_ports(kamailio, "1001") == [local]
