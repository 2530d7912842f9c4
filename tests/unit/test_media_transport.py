"""The media transport under the RTP session, on 127.0.0.1 with real sockets: an adapter
wrapping it carries a call's audio, symmetric RTP latches only onto the call's packets."""

from __future__ import annotations

import asyncio
import random
import socket

import numpy as np

from parley.media.codecs import get_codec, make_decoder
from parley.media.rtcp import ReceiverReport, ReportBlock, serialize_compound
from parley.media.rtp import RtpPacket
from parley.media.stream import RtpStream
from parley.media.transport import MediaTransport, TransportAdapter

HEADER = 12  # the fixed RTP header, left in the clear (as SRTP does)


def keystream(seq: int, n: int) -> bytes:
    return random.Random(seq).randbytes(n)


def xor_payload(data: bytes) -> bytes:
    """XOR the payload with a key stream taken from the sequence number."""
    seq = int.from_bytes(data[2:4], "big")
    body = data[HEADER:]
    key = keystream(seq, len(body))
    return data[:HEADER] + bytes(a ^ b for a, b in zip(body, key, strict=True))


class XorAdapter(TransportAdapter):
    """A stand-in for SRTP: scrambles every RTP payload on the way out, unscrambles it on
    the way in."""

    def protect_rtp(self, data: bytes) -> bytes | None:
        return xor_payload(data)

    def unprotect_rtp(self, data: bytes) -> bytes | None:
        return xor_payload(data)


class Wire(TransportAdapter):
    """Records what really goes out on the socket (the bottom of the stack)."""

    def __init__(self, inner: MediaTransport) -> None:
        super().__init__(inner)
        self.sent: list[bytes] = []

    def protect_rtp(self, data: bytes) -> bytes | None:
        self.sent.append(data)
        return data


def tone(freq: float, rate: int, samples: int, start: int) -> np.ndarray:
    t = (np.arange(samples) + start) / rate
    return (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def peak_hz(audio: np.ndarray, rate: int) -> float:
    tail = audio[-rate // 2 :].astype(np.float64)
    return float(np.argmax(np.abs(np.fft.rfft(tail))) * rate / len(tail))


def test_an_adapter_around_the_transport_carries_the_audio_unchanged() -> None:
    async def run() -> tuple[np.ndarray, list[bytes], int]:
        codec = get_codec("pcmu")
        a, b = RtpStream(codec, 0), RtpStream(codec, 0)
        pa = await a.open("127.0.0.1", (45000, 45999))
        pb = await b.open("127.0.0.1", (46000, 46999))
        a.set_remote("127.0.0.1", pb)
        b.set_remote("127.0.0.1", pa)
        wire: list[Wire] = []

        def on_wire(inner: MediaTransport) -> MediaTransport:
            wire.append(Wire(inner))
            return wire[-1]

        a.wrap_transport(on_wire)  # a: session -> xor -> wire -> UDP
        a.wrap_transport(XorAdapter)
        b.wrap_transport(XorAdapter)  # b: UDP -> xor -> session
        got: list[np.ndarray] = []
        n = a.samples_per_frame
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(60):
            frame = tone(1000, 8000, n, i * n)
            a.put_frame(frame)
            heard = b.get_frame()
            if heard is not None:
                got.append(heard)
            await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - loop.time()))
        received = b.snapshot().packets_received
        a.close()
        b.close()
        return np.concatenate(got), wire[0].sent, received

    audio, on_wire, received = asyncio.run(run())
    assert received >= 50
    assert len(audio) > 4000 and abs(peak_hz(audio, 8000) - 1000) < 20  # heard unchanged
    # On the wire the payloads were scrambled: un-XOR-ed they are the tone, as sent they
    # are not (the key stream changes every packet).
    assert len(on_wire) >= 50
    scrambled = np.frombuffer(b"".join(p[HEADER:] for p in on_wire), dtype=np.uint8)
    clear = np.frombuffer(b"".join(xor_payload(p)[HEADER:] for p in on_wire), dtype=np.uint8)
    assert np.mean(scrambled != clear) > 0.9
    dec = make_decoder(get_codec("pcmu"))
    as_sent = np.concatenate([dec.decode(p[HEADER:]) for p in on_wire])
    assert abs(peak_hz(as_sent, 8000) - 1000) >= 20  # the scrambled audio is not the tone


def rtp(pt: int, ssrc: int, seq: int) -> bytes:
    return RtpPacket(
        marker=False,
        payload_type=pt,
        sequence=seq,
        timestamp=seq * 160,
        ssrc=ssrc,
        payload=b"\xff" * 160,
    ).to_bytes()


class Sockets:
    """Plain UDP sockets standing for the signalled address, the real peer and a stray."""

    def __init__(self, *names: str) -> None:
        self.socks: dict[str, socket.socket] = {}
        for name in names:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.setblocking(False)
            self.socks[name] = s

    def port(self, name: str) -> int:
        return int(self.socks[name].getsockname()[1])

    def send(self, name: str, data: bytes, port: int) -> None:
        self.socks[name].sendto(data, ("127.0.0.1", port))

    def who_got(self) -> list[str]:
        """Which sockets have received something since the last call (drained)."""
        got = []
        for name, s in self.socks.items():
            hit = False
            while True:
                try:
                    s.recvfrom(2048)
                except BlockingIOError:
                    break
                hit = True
            if hit:
                got.append(name)
        return got

    def close(self) -> None:
        for s in self.socks.values():
            s.close()


def test_symmetric_rtp_latches_only_onto_the_calls_packets() -> None:
    """A stray packet arriving first (another address, a payload type and SSRC the call
    does not use) does not move where we send; the real peer's first packet does. After
    a re-INVITE the latch is free again, and a stray with the call's payload type but a
    foreign SSRC still cannot take it."""

    async def run() -> list[list[str]]:
        net = Sockets("signalled", "peer", "stray")
        stream = RtpStream(get_codec("pcmu"), 0, dtmf_pt=101)
        port = await stream.open("127.0.0.1", (47000, 47999))
        stream.set_remote("127.0.0.1", net.port("signalled"))
        silence = np.zeros(160, dtype=np.int16)
        seen: list[list[str]] = []

        async def deliver(name: str, data: bytes) -> None:
            net.send(name, data, port)
            await asyncio.sleep(0.05)

        async def where_we_send() -> None:
            stream.put_frame(silence)
            await asyncio.sleep(0.05)
            seen.append(net.who_got())

        await where_we_send()  # 0: to the SDP's address
        await deliver("stray", rtp(pt=8, ssrc=0xBAD, seq=1))  # PCMA: not negotiated
        await deliver("stray", rtp(pt=96, ssrc=0xBAD, seq=2))
        await where_we_send()  # 1: still the SDP's address
        await deliver("peer", rtp(pt=0, ssrc=0x1234, seq=100))
        await where_we_send()  # 2: the peer (NAT: it sends from elsewhere)
        await deliver("stray", rtp(pt=0, ssrc=0xBAD, seq=3))
        await where_we_send()  # 3: latched: the peer still
        stream.set_remote("127.0.0.1", net.port("signalled"))  # a re-INVITE
        await where_we_send()  # 4: the SDP's address again
        await deliver("stray", rtp(pt=0, ssrc=0xBAD, seq=4))  # right PT, foreign SSRC
        await where_we_send()  # 5: not the stray
        await deliver("peer", rtp(pt=101, ssrc=0x1234, seq=101))  # its DTMF counts too
        await where_we_send()  # 6: the peer
        stream.close()
        net.close()
        return seen

    seen = asyncio.run(run())
    assert seen == [
        ["signalled"],
        ["signalled"],
        ["peer"],
        ["peer"],
        ["signalled"],
        ["signalled"],
        ["peer"],
    ]


def test_symmetric_rtp_off_never_moves() -> None:
    async def run() -> list[str]:
        net = Sockets("signalled", "peer")
        stream = RtpStream(get_codec("pcmu"), 0, symmetric=False)
        port = await stream.open("127.0.0.1", (47000, 47999))
        stream.set_remote("127.0.0.1", net.port("signalled"))
        net.send("peer", rtp(pt=0, ssrc=1, seq=1), port)
        await asyncio.sleep(0.05)
        stream.put_frame(np.zeros(160, dtype=np.int16))
        await asyncio.sleep(0.05)
        got = net.who_got()
        stream.close()
        net.close()
        return got

    assert asyncio.run(run()) == ["signalled"]


def test_rtcp_is_understood_on_the_rtcp_port_and_multiplexed_on_the_rtp_port() -> None:
    """RFC 5761: a receiver report arriving on the RTP port is RTCP, not a bad RTP
    packet; its loss figure reaches the statistics as one on the RTCP port does."""

    async def run() -> list[tuple[float | None, int]]:
        net = Sockets("peer")
        stream = RtpStream(get_codec("pcmu"), 0)
        port = await stream.open("127.0.0.1", (47000, 47999))
        seen = []
        for target, lost in ((port + 1, 64), (port, 128)):
            report = ReceiverReport(ssrc=0x1234, reports=(ReportBlock(stream.ssrc, lost),))
            net.send("peer", serialize_compound([report]), target)
            await asyncio.sleep(0.05)
            seen.append((stream.stats.remote_loss_percent, stream.stats.malformed))
        stream.close()
        net.close()
        return seen

    assert asyncio.run(run()) == [(25.0, 0), (50.0, 0)]
