"""RtpStream end to end on 127.0.0.1: two streams, real sockets, a paced tick loop."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from parley.media.codecs import get_codec
from parley.media.dtmf import DtmfDigit
from parley.media.stream import RtpStream
from parley.media.transport import TransportAdapter


class EveryTenthLost(TransportAdapter):
    """A lossy link on the way out: every tenth RTP packet is lost."""

    sent = 0

    def protect_rtp(self, data: bytes) -> bytes | None:
        self.sent += 1
        return None if self.sent % 10 == 5 else data


def tone(freq: float, rate: int, samples: int, start: int) -> np.ndarray:
    t = (np.arange(samples) + start) / rate
    return (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


async def exchange(
    codec_key: str, frames: int = 60, dtmf: str = ""
) -> tuple[np.ndarray, list[str], RtpStream]:
    codec = get_codec(codec_key)
    pt = codec.static_pt if codec.static_pt is not None else 111
    digits: list[str] = []

    def on_dtmf(d: DtmfDigit) -> None:
        if d.phase == "end":
            digits.append(d.digit)

    a = RtpStream(codec, pt, dtmf_pt=101)
    b = RtpStream(codec, pt, dtmf_pt=101, on_dtmf=on_dtmf)
    pa = await a.open("127.0.0.1", (40000, 40999))
    pb = await b.open("127.0.0.1", (41000, 41999))
    a.set_remote("127.0.0.1", pb)
    b.set_remote("127.0.0.1", pa)
    if dtmf:
        assert a.send_dtmf(dtmf)
    got: list[np.ndarray] = []
    n = a.samples_per_frame
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(frames):
        a.put_frame(tone(1000, codec.sample_rate, n, i * n))
        frame = b.get_frame()
        if frame is not None:
            got.append(frame)
        await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - loop.time()))
    for _ in range(40):  # let DTMF ends and the last packets drain
        b.get_frame()
        await asyncio.sleep(0.02)
    a.close()
    b.close()
    return (np.concatenate(got) if got else np.zeros(0, np.int16)), digits, b


@pytest.mark.parametrize("codec", ["pcmu", "pcma", "g722", "opus"])
def test_tone_arrives_at_the_right_pitch(codec: str) -> None:
    audio, _, b = asyncio.run(exchange(codec))
    rate = get_codec(codec).sample_rate
    assert len(audio) > rate // 2  # more than half a second came through
    tail = audio[-rate // 2 :].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(tail))
    peak = np.argmax(spectrum) * rate / len(tail)
    assert abs(peak - 1000) < 20
    stats = b.snapshot()
    assert stats.packets_received >= 50
    assert stats.packets_lost == 0
    assert stats.mos is not None and stats.mos > 4.0  # a clean loopback call


def test_rfc4733_digits_arrive_once() -> None:
    _, digits, _ = asyncio.run(exchange("pcmu", frames=80, dtmf="159#"))
    assert digits == ["1", "5", "9", "#"]


def test_garbage_on_the_rtp_port_is_counted_not_fatal() -> None:
    async def run() -> RtpStream:
        codec = get_codec("pcmu")
        s = RtpStream(codec, 0)
        port = await s.open("127.0.0.1", (42000, 42999))
        loop = asyncio.get_running_loop()
        t, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
        )
        for junk in (b"", b"\x00", b"\xff" * 11, b"\x80" + b"\x00" * 3):
            t.sendto(junk, ("127.0.0.1", port))
        await asyncio.sleep(0.1)
        assert s.get_frame() is None
        t.close()
        s.close()
        return s

    s = asyncio.run(run())
    assert s.stats.malformed >= 3


def test_opus_fec_recovers_lost_packets() -> None:
    """10 % of Opus packets dropped on the way: with the loss reported (as RTCP would),
    the sender adds FEC and the receiver rebuilds lost frames from the next packet."""

    async def run() -> RtpStream:
        codec = get_codec("opus")
        a = RtpStream(codec, 111)
        b = RtpStream(codec, 111)
        pa = await a.open("127.0.0.1", (43000, 43999))
        pb = await b.open("127.0.0.1", (44000, 44999))
        a.set_remote("127.0.0.1", pb)
        b.set_remote("127.0.0.1", pa)
        a._adapt_fec(10.0)  # what the far end's receiver report would trigger
        a.wrap_transport(EveryTenthLost)
        n = a.samples_per_frame
        loop = asyncio.get_running_loop()
        start = loop.time()
        rng = np.random.default_rng(1)
        for i in range(150):
            # Speech-like: a gliding voiced buzz with noise and a syllable envelope
            # (libopus puts no FEC into a steady pure tone).
            t = (np.arange(n) + i * n) / codec.sample_rate
            pitch = 120 + 40 * np.sin(2 * np.pi * 0.7 * t)
            voiced = sum(np.sin(2 * np.pi * k * pitch * t) / k for k in range(1, 12))
            envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)
            frame = 4000 * envelope * (voiced + 0.3 * rng.standard_normal(n))
            a.put_frame(frame.astype(np.int16))
            b.get_frame()
            await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - loop.time()))
        a.close()
        b.close()
        return b

    b = asyncio.run(run())
    stats = b.snapshot()
    assert stats.packets_lost >= 10
    assert stats.fec_recovered >= stats.packets_lost // 2, stats
