"""phone/call_zrtp.py: two `CallZrtp` drivers joined by a fake wire and a fake clock.

What is observed is what crosses the wire: ZRTP packets going out raw on the RTP
socket, RTP packets plain before the exchange and SRTP (not the plain bytes, the
other side's plain bytes after unprotecting) after it; the SAS both sides show; the
a=zrtp-hash in the SDP; the timer armed with the fake clock."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

import pytest

from parley.media.transport import Address, MediaTransport, RtcpHandler, RtpHandler
from parley.media.zrtp import ZidCache, looks_like_zrtp
from parley.phone.call_zrtp import CallZrtp
from parley.sip.sdp import parse_sdp


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self._seq = itertools.count()
        self._timers: list[tuple[float, int, Callable[[], None], list[bool]]] = []

    def time(self) -> float:
        return self.now

    def call_at(self, at: float, callback: Callable[[], None]) -> Handle:
        flag = [False]
        heapq.heappush(self._timers, (at, next(self._seq), callback, flag))
        return Handle(flag)

    def next_at(self) -> float | None:
        live = [t for t in self._timers if not t[3][0]]
        return min(t[0] for t in live) if live else None

    def run_due(self) -> None:
        while self._timers and self._timers[0][0] <= self.now:
            _at, _n, callback, flag = heapq.heappop(self._timers)
            if not flag[0]:
                callback()


class Handle:
    def __init__(self, flag: list[bool]) -> None:
        self.flag = flag

    def cancel(self) -> None:
        self.flag[0] = True


class Wire:
    """Datagrams between two fake sockets, delivered when `deliver` is called."""

    def __init__(self) -> None:
        self.queue: list[tuple[FakeSocket, bytes]] = []
        self.log: list[tuple[str, bytes]] = []

    def deliver(self) -> int:
        n = 0
        while self.queue:
            to, data = self.queue.pop(0)
            to.on_rtp(data, ("127.0.0.1", 4000))
            n += 1
        return n


class FakeSocket:
    def __init__(self, name: str, wire: Wire) -> None:
        self.name = name
        self.wire = wire
        self.peer: FakeSocket | None = None
        self.on_rtp: RtpHandler = lambda d, s: False
        self.on_rtcp: RtcpHandler = lambda d, s: None

    local_address: Address = ("127.0.0.1", 4000)
    remote_rtp: Address | None = ("127.0.0.1", 4002)
    remote_rtcp: Address | None = ("127.0.0.1", 4003)

    def attach(self, on_rtp: RtpHandler, on_rtcp: RtcpHandler) -> None:
        self.on_rtp, self.on_rtcp = on_rtp, on_rtcp

    def set_remote(self, rtp: Address | None, rtcp: Address | None) -> None:
        pass

    def send_rtp(self, data: bytes) -> bool:
        assert self.peer is not None
        self.wire.log.append((self.name, data))
        self.wire.queue.append((self.peer, data))
        return True

    def send_rtcp(self, data: bytes) -> bool:
        return True

    def close(self) -> None:
        pass


class FakeStream:
    """What CallZrtp uses of an RtpStream: its SSRC and wrap_transport; it records the
    RTP payloads that reach the session."""

    def __init__(self, ssrc: int, sock: FakeSocket) -> None:
        self.ssrc = ssrc
        self.transport: MediaTransport = sock
        self.heard: list[bytes] = []
        sock.attach(self._rtp, lambda d, s: None)

    def _rtp(self, data: bytes, source: Address) -> bool:
        self.heard.append(data)
        return True

    def wrap_transport(self, adapter: Callable[[MediaTransport], MediaTransport]) -> None:
        self.transport = adapter(self.transport)
        self.transport.attach(self._rtp, lambda d, s: None)

    def send(self, payload: bytes, seq: int) -> None:
        header = bytes([0x80, 0]) + seq.to_bytes(2, "big") + (seq * 160).to_bytes(4, "big")
        self.transport.send_rtp(header + self.ssrc.to_bytes(4, "big") + payload)


SDP = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


class Side:
    def __init__(self, name: str, wire: Wire, clock: Clock, cache: ZidCache, ssrc: int) -> None:
        self.sock = FakeSocket(name, wire)
        self.stream = FakeStream(ssrc, self.sock)
        self.changes = 0
        self.zrtp = CallZrtp(True, lambda: cache, clock.time, clock.call_at, self._changed)

    def _changed(self) -> None:
        self.changes += 1


def pair(
    cache_a: ZidCache | None = None, cache_b: ZidCache | None = None
) -> tuple[Side, Side, Wire, Clock]:
    wire, clock = Wire(), Clock()
    a = Side("a", wire, clock, cache_a or ZidCache(), 0x1111)
    b = Side("b", wire, clock, cache_b or ZidCache(), 0x2222)
    a.sock.peer, b.sock.peer = b.sock, a.sock
    # Offer/answer: each puts its a=zrtp-hash in its SDP and reads the other's.
    offer, answer = parse_sdp(SDP.encode()), parse_sdp(SDP.encode())
    a.zrtp.decorate(offer, a.stream)  # type: ignore[arg-type]
    b.zrtp.decorate(answer, b.stream)  # type: ignore[arg-type]
    b.zrtp.peer_sdp(offer)
    a.zrtp.peer_sdp(answer)
    return a, b, wire, clock


def run(clock: Clock, wire: Wire, until: Callable[[], bool], limit: float = 30.0) -> None:
    end = clock.now + limit
    while not until() and clock.now < end:
        if wire.deliver():
            continue
        at = clock.next_at()
        if at is None:
            break
        clock.now = max(clock.now, at)
        clock.run_due()


def test_sdp_carries_our_hello_hash() -> None:
    a, _b, _w, _c = pair()
    sdp = parse_sdp(SDP.encode())
    a.zrtp.decorate(sdp, a.stream)  # type: ignore[arg-type]
    assert a.zrtp.session is not None
    assert sdp.media[0].attr("zrtp-hash") == a.zrtp.session.zrtp_hash
    assert sdp.media[0].attrs("zrtp-hash") == [a.zrtp.session.zrtp_hash]  # not twice
    assert "a=zrtp-hash:1.10 " in sdp.to_bytes().decode()


def test_nothing_goes_out_before_the_call_is_up() -> None:
    a, _b, wire, clock = pair()
    clock.now += 5
    clock.run_due()
    assert wire.log == []
    a.zrtp.start(a.stream, sdes_keys=False)  # type: ignore[arg-type]
    assert wire.log and looks_like_zrtp(wire.log[0][1])
    assert clock.next_at() is not None  # the Hello's retransmission timer (T1)


def test_exchange_then_media_turns_srtp_with_the_same_sas() -> None:
    a, b, wire, clock = pair()
    a.zrtp.start(a.stream, sdes_keys=False)  # type: ignore[arg-type]
    b.zrtp.start(b.stream, sdes_keys=False)  # type: ignore[arg-type]
    # Before the keys: plain RTP passes both ways.
    payload = bytes(range(160))
    a.stream.send(payload, 1)
    wire.deliver()
    assert b.stream.heard[-1][12:] == payload
    run(clock, wire, lambda: a.zrtp.secure is not None and b.zrtp.secure is not None)
    assert a.zrtp.secure is not None and b.zrtp.secure is not None
    assert a.zrtp.sas == b.zrtp.sas and len(a.zrtp.sas) == 4
    assert {a.zrtp.secure.role, b.zrtp.secure.role} == {
        a.zrtp.secure.role.INITIATOR,
        a.zrtp.secure.role.RESPONDER,
    }
    assert a.zrtp.media_encryption == b.zrtp.media_encryption == "zrtp"
    assert a.changes >= 1 and b.changes >= 1
    # After: what goes over the wire is SRTP (tag added, payload not plain), and each
    # side decrypts the other's: both directions' keys fit.
    for src, dst, seq in ((a, b, 2), (b, a, 3)):
        wire.log.clear()
        src.stream.send(payload, seq)
        on_wire = wire.log[-1][1]
        assert len(on_wire) == 12 + 160 + 10  # HS80 tag
        assert on_wire[12:172] != payload
        wire.deliver()
        assert dst.stream.heard[-1][12:] == payload
    # Zero ZRTP packets ever reached the RTP session.
    assert not any(looks_like_zrtp(p) for p in a.stream.heard + b.stream.heard)


def test_plain_packets_after_the_keys_are_dropped() -> None:
    a, b, wire, clock = pair()
    a.zrtp.start(a.stream, sdes_keys=False)  # type: ignore[arg-type]
    b.zrtp.start(b.stream, sdes_keys=False)  # type: ignore[arg-type]
    run(clock, wire, lambda: a.zrtp.secure is not None and b.zrtp.secure is not None)
    heard = len(b.stream.heard)
    header = bytes([0x80, 0, 0, 9, 0, 0, 0, 0]) + (0x1111).to_bytes(4, "big")
    a.sock.send_rtp(header + bytes(160))  # plain, under the adapter
    wire.deliver()
    assert len(b.stream.heard) == heard


def test_second_call_verified_from_the_cache_and_mismatch_after_a_wipe() -> None:
    cache_a, cache_b = ZidCache(), ZidCache()
    a, b, wire, clock = pair(cache_a, cache_b)
    for side in (a, b):
        side.zrtp.start(side.stream, sdes_keys=False)  # type: ignore[arg-type]
    run(clock, wire, lambda: a.zrtp.secure is not None and b.zrtp.secure is not None)
    assert not a.zrtp.sas_verified
    a.zrtp.set_sas_verified(True)
    b.zrtp.set_sas_verified(True)

    a, b, wire, clock = pair(cache_a, cache_b)
    for side in (a, b):
        side.zrtp.start(side.stream, sdes_keys=False)  # type: ignore[arg-type]
    run(clock, wire, lambda: a.zrtp.secure is not None and b.zrtp.secure is not None)
    assert a.zrtp.sas_verified and b.zrtp.sas_verified
    assert not a.zrtp.cache_mismatch and not b.zrtp.cache_mismatch

    wiped_a = ZidCache(cache_a.zid)  # same ZID, no secrets
    a, b, wire, clock = pair(wiped_a, cache_b)
    for side in (a, b):
        side.zrtp.start(side.stream, sdes_keys=False)  # type: ignore[arg-type]
    run(clock, wire, lambda: a.zrtp.secure is not None and b.zrtp.secure is not None)
    assert b.zrtp.cache_mismatch and not b.zrtp.sas_verified
    assert not a.zrtp.cache_mismatch


def test_sdes_keys_keep_zrtp_out() -> None:
    a, _b, wire, clock = pair()
    a.zrtp.start(a.stream, sdes_keys=True)  # type: ignore[arg-type]
    clock.now += 10
    clock.run_due()
    assert wire.log == [] and a.zrtp.skipped and a.zrtp.media_encryption is None


def test_peer_without_zrtp_fails_quietly_and_media_stays_plain() -> None:
    a, b, wire, clock = pair()
    b.zrtp.enabled = False  # the far end never answers our Hello
    a.zrtp.start(a.stream, sdes_keys=False)  # type: ignore[arg-type]
    wire.queue.clear()
    hellos = 0
    while clock.next_at() is not None:
        clock.now = clock.next_at() or clock.now
        clock.run_due()
        hellos = sum(1 for _n, d in wire.log if looks_like_zrtp(d))
        wire.queue.clear()
    assert a.zrtp.failed is not None and hellos >= 10
    payload = bytes(range(160))
    a.stream.send(payload, 5)
    assert wire.log[-1][1][12:] == payload  # still plain


def test_verify_before_keys_is_refused() -> None:
    a, _b, _w, _c = pair()
    with pytest.raises(RuntimeError):
        a.zrtp.set_sas_verified(True)
