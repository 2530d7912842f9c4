"""The RTP port range: a fixed pair (min = max - 1) works, min >= max is refused with a
message that names the keys and says what to do."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import numpy as np
import pytest

from parley.media.codecs import get_codec
from parley.media.stream import RtpPortError, RtpStream
from parley.settings import ConfigError, load_settings


def free_pair(start: int, odd: bool = False) -> int:
    """A port p (even, or odd when asked) with p and p + 1 free on 127.0.0.1."""
    for p in range(start + (start % 2 != odd), start + 2000, 2):
        socks = []
        try:
            for port in (p, p + 1):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return p
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port pair")


def taken(port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        return True
    finally:
        s.close()
    return False


def test_two_streams_on_fixed_port_pairs_bind_exactly_those_and_carry_audio() -> None:
    pa, pb = free_pair(48000), free_pair(49001, odd=True)

    async def run() -> tuple[int, int, list[bool], int]:
        codec = get_codec("pcmu")
        a, b = RtpStream(codec, 0), RtpStream(codec, 0)
        got_a = await a.open("127.0.0.1", (pa, pa + 1))
        got_b = await b.open("127.0.0.1", (pb, pb + 1))  # an odd-even pair works too
        bound = [taken(p) for p in (pa, pa + 1, pb, pb + 1)]
        a.set_remote("127.0.0.1", got_b)
        b.set_remote("127.0.0.1", got_a)
        loop = asyncio.get_running_loop()
        start = loop.time()
        heard = 0
        for i in range(30):
            a.put_frame((8000 * np.sin(np.arange(160) * 0.785)).astype(np.int16))
            frame = b.get_frame()
            if frame is not None and np.abs(frame).max() > 1000:
                heard += 1
            await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - loop.time()))
        a.close()
        b.close()
        return got_a, got_b, bound, heard

    got_a, got_b, bound, heard = asyncio.run(run())
    assert (got_a, got_b) == (pa, pb)
    assert bound == [True, True, True, True]  # RTP and RTCP on the pair, nothing else
    assert heard >= 20


@pytest.mark.parametrize("low,high", [(20010, 20000), (20000, 20000)])
def test_media_refuses_a_range_without_a_pair(low: int, high: int) -> None:
    async def run() -> None:
        await RtpStream(get_codec("pcmu"), 0).open("127.0.0.1", (low, high))

    with pytest.raises(RtpPortError) as info:
        asyncio.run(run())
    text = str(info.value)
    assert f"{low}-{high}" in text
    assert "rtp_port_min" in text and "rtp_port_max" in text


@pytest.mark.parametrize("low,high", [(20010, 20000), (20000, 20000)])
def test_settings_refuse_min_not_below_max(tmp_path: Path, low: int, high: int) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"[media]\nrtp_port_min = {low}\nrtp_port_max = {high}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    error = info.value
    assert error.key == "media.rtp_port_max"
    text = str(error)
    assert f"rtp_port_min ({low}) must be below rtp_port_max ({high})" in text
    assert "set rtp_port_max to at least rtp_port_min + 1" in text


def test_settings_accept_a_fixed_pair(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[media]\nrtp_port_min = 20000\nrtp_port_max = 20001\n", encoding="utf-8")
    media = load_settings(path).media
    assert (media.rtp_port_min, media.rtp_port_max) == (20000, 20001)
