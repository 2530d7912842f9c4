"""RTCP feedback messages (RFC 4585 §6, RFC 5104) in `parley.media.rtcp`, and what a
call's RTP stream does with them: counted, never fatal, never taken for garbage; and
the AVPF trr-int spacing of its regular reports."""

from __future__ import annotations

import asyncio
import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.media.codecs import get_codec
from parley.media.rtcp import (
    FMT_AFB,
    FMT_FIR,
    FMT_NACK,
    FMT_PLI,
    FMT_TMMBR,
    PSFB,
    RTPFB,
    Feedback,
    ReceiverReport,
    ReportBlock,
    RtcpParseError,
    SdesChunk,
    SourceDescription,
    generic_nack,
    parse_compound,
    serialize_compound,
)
from parley.media.stream import RtpStream


def fb_bytes(ptype: int, fmt: int, body: bytes, *, words: int | None = None) -> bytes:
    length = len(body) // 4 if words is None else words
    return bytes([0x80 | fmt, ptype]) + struct.pack("!H", length) + body


# --- wire format ---------------------------------------------------------------------------


def test_generic_nack_round_trip_and_lost_sequence_numbers() -> None:
    lost = [100, 101, 105, 116, 117, 300, 65535]
    nack = generic_nack(0x11111111, 0x22222222, lost)
    # PID 100 with 101, 105, 116 in its mask; 117 starts a new entry; then 300 and 65535.
    assert len(nack.fci) == 4 * 4
    parsed = parse_compound(nack.to_bytes())
    assert parsed == [nack]
    assert parsed[0].is_nack and not parsed[0].is_pli  # type: ignore[union-attr]
    assert sorted(parsed[0].nacks) == sorted(lost)  # type: ignore[union-attr]


def test_nack_bitmask_as_rfc_4585_lays_it_out() -> None:
    # PID 1000, BLP 0b101: 1001 and 1003 lost too.
    raw = fb_bytes(RTPFB, FMT_NACK, struct.pack("!IIHH", 7, 9, 1000, 0b101))
    (fb,) = parse_compound(raw)
    assert fb == Feedback(RTPFB, FMT_NACK, 7, 9, struct.pack("!HH", 1000, 0b101))
    assert fb.nacks == (1000, 1001, 1003)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("ptype", "fmt", "fci"),
    [
        (PSFB, FMT_PLI, b""),  # picture loss: no FCI
        (PSFB, FMT_FIR, struct.pack("!IB3x", 9, 1)),  # RFC 5104 §4.3.1
        (RTPFB, FMT_TMMBR, struct.pack("!II", 9, 0x04000000 | 64000 >> 0)),  # RFC 5104 §4.2.1
        (PSFB, FMT_AFB, b"REMB" + bytes([1, 0x0F, 0xFF, 0xFF]) + struct.pack("!I", 9)),
        (RTPFB, 31, b"\x01\x02\x03\x04"),  # an FMT nobody defined: kept, opaque
    ],
)
def test_other_feedback_messages_are_kept_opaque(ptype: int, fmt: int, fci: bytes) -> None:
    fb = Feedback(ptype, fmt, 0xAABBCCDD, 9, fci)
    raw = fb.to_bytes()
    assert raw[1] == ptype and raw[0] & 0x1F == fmt
    assert parse_compound(raw) == [fb]
    assert fb.nacks == ()


def test_feedback_inside_a_compound_with_reports() -> None:
    rr = ReceiverReport(5, (ReportBlock(9, fraction_lost=64, cumulative_lost=3),))
    sdes = SourceDescription((SdesChunk(5, ((1, b"linphone@127.0.0.1"),)),))
    pli = Feedback(PSFB, FMT_PLI, 5, 9)
    nack = generic_nack(5, 9, [42])
    packets = parse_compound(serialize_compound([rr, sdes, nack, pli]))
    assert packets == [rr, sdes, nack, pli]


def test_feedback_with_padding() -> None:
    body = struct.pack("!II", 1, 2) + b"\xab\xcd\x00\x04"  # 4 octets of padding, last = 4
    raw = bytes([0xA0 | FMT_PLI, PSFB]) + struct.pack("!H", 3) + body
    assert parse_compound(raw) == [Feedback(PSFB, FMT_PLI, 1, 2)]


def test_nack_without_entries_says_nothing_but_keeps_the_compound() -> None:
    rr = ReceiverReport(5, (ReportBlock(9, fraction_lost=10),))
    empty_nack = fb_bytes(RTPFB, FMT_NACK, struct.pack("!II", 5, 9))
    packets = parse_compound(rr.to_bytes() + empty_nack)
    assert packets[0] == rr
    assert isinstance(packets[1], Feedback) and packets[1].nacks == ()


@pytest.mark.parametrize(
    "raw",
    [
        fb_bytes(RTPFB, FMT_NACK, b""),  # no SSRCs at all
        fb_bytes(PSFB, FMT_PLI, struct.pack("!I", 5)),  # only the sender SSRC
        fb_bytes(RTPFB, FMT_NACK, struct.pack("!IIHH", 5, 9, 1, 0), words=4),  # runs past
        fb_bytes(RTPFB, FMT_NACK, struct.pack("!IIHH", 5, 9, 1, 0))[:-2],  # cut datagram
        bytes([0x40 | FMT_PLI, PSFB, 0, 2]) + struct.pack("!II", 5, 9),  # version 1
        bytes([0xA0 | FMT_PLI, PSFB, 0, 2]) + struct.pack("!II", 5, 0),  # padding count 0
    ],
)
def test_malformed_feedback_raises_only_the_parse_error(raw: bytes) -> None:
    with pytest.raises(RtcpParseError):
        parse_compound(raw)


@given(
    st.sampled_from([RTPFB, PSFB]),
    st.integers(0, 31),
    st.binary(max_size=40),
    st.integers(0, 12),
)
def test_any_feedback_bytes_parse_or_raise_the_parse_error(
    ptype: int, fmt: int, body: bytes, words: int
) -> None:
    raw = fb_bytes(ptype, fmt, body, words=words)
    try:
        packets = parse_compound(raw)
    except RtcpParseError:
        return
    for p in packets:
        assert isinstance(p, Feedback)
        assert all(0 <= s <= 0xFFFF for s in p.nacks)


def test_to_bytes_refuses_other_packet_types() -> None:
    with pytest.raises(ValueError):
        Feedback(201, 1, 1, 1).to_bytes()


# --- the stream ------------------------------------------------------------------------------


def test_stream_counts_feedback_and_still_reads_the_reports() -> None:
    """A far end that sends NACK, PLI, TMMBR and REMB (none negotiated) over a real
    socket: counted as feedback, not as malformed; the RR beside them still counts."""

    async def run() -> RtpStream:
        s = RtpStream(get_codec("pcmu"), 0)
        port = await s.open("127.0.0.1", (30000, 60000))
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sender.bind(("127.0.0.1", 0))
        s.set_remote("127.0.0.1", port + 10, port + 11)  # somewhere else; only receiving
        far = 0x0F0F0F0F
        rr = ReceiverReport(far, (ReportBlock(s.ssrc, fraction_lost=128),))
        datagrams = [
            serialize_compound([rr, generic_nack(far, s.ssrc, [1, 2, 3, 40])]),
            Feedback(PSFB, FMT_PLI, far, s.ssrc).to_bytes(),
            Feedback(RTPFB, FMT_TMMBR, far, s.ssrc, struct.pack("!II", s.ssrc, 1)).to_bytes(),
            Feedback(PSFB, FMT_AFB, far, 0, b"REMB\x01\x00\x00\x10" + b"\0" * 4).to_bytes(),
            fb_bytes(RTPFB, FMT_NACK, struct.pack("!II", far, s.ssrc)),  # empty NACK
            fb_bytes(PSFB, FMT_PLI, struct.pack("!I", far)),  # truncated: malformed
        ]
        for d in datagrams:
            sender.sendto(d, ("127.0.0.1", port + 1))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if s.stats.feedback_received >= 5 and s.stats.malformed >= 1:
                break
        sender.close()
        s.close()
        return s

    s = asyncio.run(run())
    assert s.stats.feedback_received == 5
    assert s.stats.nacks_received == 4
    assert s.stats.malformed == 1  # only the truncated one
    assert s.stats.remote_loss_percent == 50.0  # the RR in the NACK's compound


def test_trr_int_spaces_regular_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 4585 §3.5.3: no regular report sooner than the (randomised) T_rr_interval."""
    import parley.media.stream as stream_module

    def delays(trr_s: float) -> list[float]:
        asked: list[float] = []
        real_sleep = asyncio.sleep

        async def fake_sleep(delay: float) -> None:
            asked.append(delay)
            if len(asked) >= 40:
                raise asyncio.CancelledError
            await real_sleep(0)

        async def run() -> None:
            s = RtpStream(get_codec("pcmu"), 0)
            s.report_interval_min = trr_s
            monkeypatch.setattr(stream_module.asyncio, "sleep", fake_sleep)
            try:
                await s._rtcp_loop()
            except asyncio.CancelledError:
                pass
            finally:
                monkeypatch.setattr(stream_module.asyncio, "sleep", real_sleep)

        asyncio.run(run())
        return asked

    plain = delays(0.0)
    assert min(plain) < 5.0  # RFC 3550 pace: 2.5-7.5 s after the first, randomised
    spaced = delays(20.0)
    assert min(spaced) >= 10.0  # at least half of trr-int
    assert max(spaced) <= 30.0
