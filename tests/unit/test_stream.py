"""RtpStream end to end on 127.0.0.1: two streams, real sockets, a paced tick loop."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from parley.media.codecs import get_codec
from parley.media.dtmf import DtmfDigit
from parley.media.stream import RtpStream


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
