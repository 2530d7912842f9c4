"""The phone's reaction to a new local address (`phone/network_change.py`) with fake
accounts and calls, and the transport's re-binding of sockets on a vanished address."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parley.media.codecs import get_codec
from parley.media.stream import RtpStream
from parley.media.transport import TransportAdapter
from parley.net.address import Address
from parley.net.netwatch import AddressChange
from parley.net.transport import TransportLayer
from parley.phone.events import (
    AccountStateChanged,
    NetworkChange,
    NetworkChanged,
    PhoneEvent,
    RegState,
)
from parley.phone.network_change import NetworkChangeContext, NetworkChanges


@dataclass
class FakeRegistration:
    local_host: str = "10.1.0.2"


@dataclass
class FakeAccount:
    name: str = "office"
    server: Address | None = field(default_factory=lambda: Address("udp", "198.51.100.10", 5060))
    registration: FakeRegistration = field(default_factory=FakeRegistration)
    moved: int = 0

    async def address_changed(self) -> bool:
        self.moved += 1
        return True


@dataclass
class FakeTransport:
    local_address: tuple[str, int]


@dataclass
class FakeStream:
    bound: str = "0.0.0.0"
    hosts: list[str] = field(default_factory=list)

    @property
    def transport(self) -> FakeTransport:
        return FakeTransport((self.bound, 40000))

    async def move_to(self, host: str) -> None:
        self.hosts.append(host)


@dataclass
class FakeCall:
    id: int
    account: Any
    ended: bool = False
    reinvited: int = 0
    stream: FakeStream = field(default_factory=FakeStream)

    def address_changed(self) -> bool:
        self.reinvited += 1
        return True


class Rig:
    def __init__(self, bind_host: str = "0.0.0.0") -> None:
        self.events: list[PhoneEvent] = []
        self.account = FakeAccount()
        other = FakeAccount(name="home")
        self.calls = [
            FakeCall(1, self.account),
            FakeCall(2, self.account, ended=True),
            FakeCall(3, other),
        ]
        self.rebound: list[tuple[str, str]] = []
        self.bind_host = bind_host
        for call in self.calls:
            call.stream.bound = bind_host

        async def rebind(old: str, new: str) -> None:
            self.rebound.append((old, new))

        self.changes = NetworkChanges(
            NetworkChangeContext(
                emit=self.events.append,
                driver=None,  # type: ignore[arg-type]
                accounts=lambda: {"office": self.account, "home": other},  # type: ignore[dict-item]
                calls=lambda: self.calls,  # type: ignore[arg-type,return-value]
                bind_host=lambda: self.bind_host,
                rebind=rebind,
            )
        )

    def registered(self) -> None:
        self.changes.observe(AccountStateChanged("office", RegState.REGISTERED, 200, "OK"))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_registered_account_is_watched_from_its_address() -> None:
    rig = Rig()
    rig.registered()
    assert rig.changes.watcher.watch.servers == {"office": ("198.51.100.10", 5060)}
    assert rig.changes.watcher.watch.in_use == {"10.1.0.2"}
    rig.changes.observe(AccountStateChanged("office", RegState.UNREGISTERED, None, ""))
    assert rig.changes.watcher.watch.servers == {}


def test_a_move_re_registers_and_re_invites_the_accounts_live_calls() -> None:
    rig = Rig()
    rig.registered()

    async def go() -> None:
        rig.changes._changed(AddressChange("office", "10.1.0.2", "10.2.0.2"))
        await asyncio.gather(*rig.changes._tasks)

    run(go())
    assert rig.account.moved == 1
    assert [c.reinvited for c in rig.calls] == [
        1,
        0,
        0,
    ]  # not the ended one, not the other account's
    assert rig.rebound == []  # bound to all addresses: nothing to move
    assert rig.calls[0].stream.hosts == []
    assert rig.events == [
        NetworkChanged("office", NetworkChange.MOVED, "10.1.0.2", "10.2.0.2", (1,))
    ]


def test_sockets_bound_to_the_old_address_are_moved_first() -> None:
    rig = Rig(bind_host="10.1.0.2")

    async def go() -> None:
        rig.changes._changed(AddressChange("office", "10.1.0.2", "10.2.0.2"))
        await asyncio.gather(*rig.changes._tasks)

    run(go())
    assert rig.rebound == [("10.1.0.2", "10.2.0.2")]
    assert rig.calls[0].stream.hosts == ["10.2.0.2"]  # the live call's RTP moved too
    assert rig.calls[1].stream.hosts == []  # not the ended one


def test_no_route_is_told_as_lost_and_nothing_moves() -> None:
    rig = Rig()

    async def go() -> None:
        rig.changes._changed(AddressChange("office", "10.1.0.2", None))

    run(go())
    assert rig.events == [NetworkChanged("office", NetworkChange.LOST, "10.1.0.2")]
    assert rig.account.moved == 0


def test_the_transport_rebinds_udp_on_the_new_address_keeping_the_port() -> None:
    async def go() -> tuple[tuple[str, int], tuple[str, int], bytes]:
        got: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        layer = TransportLayer(lambda m, s: None)
        host, port = await layer.listen_udp("127.0.0.1", 0)
        layer.stun_listeners.add(lambda data, src, local: got.set_result(data))
        await layer.rebind("127.0.0.1", "127.0.0.2")
        local = layer.local_address(Address("udp", "127.0.0.1", 9))
        # a STUN-looking datagram reaches the listener through the new socket
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
        )
        stun = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + b"\x00" * 12
        transport.sendto(stun, local)
        data = await asyncio.wait_for(got, 5)
        transport.close()
        await layer.close()
        return (host, port), local, data

    (old_host, old_port), new, data = run(go())
    assert old_host == "127.0.0.1"
    assert new == ("127.0.0.2", old_port)
    assert data.startswith(b"\x00\x01")


class Flip(TransportAdapter):
    """An adapter that inverts the payload bytes (both ways): it must stay in the chain."""

    def protect_rtp(self, data: bytes) -> bytes | None:
        return data[:12] + bytes(255 - b for b in data[12:])

    unprotect_rtp = protect_rtp


def test_an_rtp_stream_moves_its_sockets_under_its_adapters() -> None:
    async def go() -> tuple[tuple[str, int], int, int, int]:
        codec = get_codec("pcmu")
        a, b = RtpStream(codec, 0), RtpStream(codec, 0)
        pa = await a.open("127.0.0.1", (47000, 47999))
        pb = await b.open("127.0.0.1", (48000, 48999))
        a.wrap_transport(Flip)
        b.wrap_transport(Flip)
        a.set_remote("127.0.0.1", pb)
        await a.move_to("127.0.0.2")
        assert a.transport is not None
        moved = a.transport.local_address
        b.set_remote("127.0.0.2", pa)
        n = a.samples_per_frame
        for i in range(30):
            frame = np.sin(np.arange(i * n, (i + 1) * n) * 2 * np.pi * 1000 / 8000) * 8000
            a.put_frame(frame.astype(np.int16))
            b.put_frame(frame.astype(np.int16))
            await asyncio.sleep(0.02)
        got_b, got_a = b.snapshot().packets_received, a.snapshot().packets_received
        a.close()
        b.close()
        return moved, pa, got_a, got_b

    moved, pa, got_a, got_b = asyncio.run(go())
    assert moved == ("127.0.0.2", pa)
    assert got_b >= 20  # sent from the new socket, through the adapter
    assert got_a >= 20  # received on the new socket, through the adapter
