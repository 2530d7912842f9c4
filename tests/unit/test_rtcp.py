"""RTCP wire format, reception statistics, reports and RTT (RFC 3550 §6, A.1, A.3, A.8)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.media.rtcp import (
    SDES_CNAME,
    SDES_NAME,
    SDES_TOOL,
    AppPacket,
    Bye,
    Feedback,
    ReceiverReport,
    ReceiverStats,
    ReportBlock,
    RtcpPacket,
    RtcpParseError,
    SdesChunk,
    SenderReport,
    SenderStats,
    SourceDescription,
    build_report,
    looks_like_rtcp,
    ntp_from_unix,
    ntp_middle32,
    ntp_to_unix,
    parse_compound,
    rtcp_interval,
    rtt_from_block,
    serialize_compound,
)

# --- wire format -------------------------------------------------------------------

SR_BYTES = (
    bytes([0x81, 200, 0x00, 0x0C])  # V=2, RC=1, SR, length 12 words
    + struct.pack("!I", 0x11111111)  # sender SSRC
    + struct.pack("!II", 0xE1234567, 0x80000000)  # NTP
    + struct.pack("!III", 16000, 100, 16000)  # RTP ts, packets, octets
    + struct.pack("!I", 0x22222222)  # report block: source
    + bytes([0x40, 0xFF, 0xFF, 0xFF])  # fraction 64/256, cumulative lost -1
    + struct.pack("!IIII", 0x0001_0005, 37, 0xB7052000, 0x00054000)
)


def test_parse_sender_report_by_hand() -> None:
    [sr] = parse_compound(SR_BYTES)
    assert isinstance(sr, SenderReport)
    assert sr.ssrc == 0x11111111
    assert sr.ntp_timestamp == 0xE1234567_80000000
    assert (sr.rtp_timestamp, sr.packet_count, sr.octet_count) == (16000, 100, 16000)
    [block] = sr.reports
    assert block == ReportBlock(0x22222222, 64, -1, 0x10005, 37, 0xB7052000, 0x54000)
    assert block.loss_ratio == 0.25
    assert sr.to_bytes() == SR_BYTES


def test_compound_with_every_type_and_an_unknown_one() -> None:
    rr = ReceiverReport(0xAABBCCDD, (ReportBlock(1, 0, 5, 70000, 12, 0, 0),))
    sdes = SourceDescription(
        (
            SdesChunk(0xAABBCCDD, ((SDES_CNAME, b"alice@192.0.2.1"), (SDES_TOOL, b"parley"))),
            SdesChunk(7, ((SDES_NAME, b"Bob"),)),
        )
    )
    app = AppPacket(3, 0xAABBCCDD, b"PRLY", b"\x01\x02\x03\x04")
    bye = Bye((0xAABBCCDD,), "call ended")
    fb = bytes([0x81, 205, 0x00, 0x02]) + b"\0" * 8  # RFC 4585 generic NACK, no FCI
    unknown = bytes([0x80, 199, 0x00, 0x01]) + b"\0" * 4  # not an RTCP type we know: skipped
    raw = rr.to_bytes() + sdes.to_bytes() + fb + unknown + app.to_bytes() + bye.to_bytes()
    assert parse_compound(raw) == [rr, sdes, Feedback(205, 1, 0, 0), app, bye]
    assert sdes.cname_of(0xAABBCCDD) == "alice@192.0.2.1"
    assert sdes.cname_of(7) is None and sdes.cname_of(8) is None
    assert looks_like_rtcp(raw) and not looks_like_rtcp(bytes.fromhex("80000001000000a000001234"))


def test_sdes_layout_is_padded_to_words() -> None:
    # CNAME "ab": ssrc(4) + type,len,"ab"(4) + null and padding(4) = 12 octets
    raw = SourceDescription((SdesChunk(1, ((SDES_CNAME, b"ab"),)),)).to_bytes()
    assert raw == bytes.fromhex("81ca0003000000010102616200000000")
    # CNAME "abcd": 4 + 6 octets, then the null octet and one of padding
    raw = SourceDescription((SdesChunk(1, ((SDES_CNAME, b"abcd"),)),)).to_bytes()
    assert raw == bytes.fromhex("81ca0003000000010104616263640000")
    assert parse_compound(raw)[0] == SourceDescription((SdesChunk(1, ((SDES_CNAME, b"abcd"),)),))


def test_bye_without_reason_and_padding_bit() -> None:
    raw = bytes([0xA1, 203, 0x00, 0x02]) + struct.pack("!I", 9) + b"\0\0\0\x04"
    assert parse_compound(raw) == [Bye((9,), None)]


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        (b"\x81\xc8", "too short"),
        (bytes([0x41, 201, 0, 1]) + b"\0" * 4, "version"),
        (bytes([0x80, 201, 0, 5]) + b"\0" * 4, "past"),
        (bytes([0x80, 201, 0, 1]) + b"\0" * 4 + b"\x80", "trailing"),
        (bytes([0x81, 201, 0, 1]) + b"\0" * 4, "truncated"),
        (bytes([0x80, 200, 0, 1]) + b"\0" * 4, "truncated"),
        (bytes([0x81, 202, 0, 2]) + b"\0\0\0\1" + b"\x01\x09ab", "past"),
        (bytes([0x81, 202, 0, 2]) + b"\0\0\0\1" + b"\x01\x02ab", "terminated"),
        (bytes([0x82, 203, 0, 1]) + b"\0" * 4, "truncated"),
        (bytes([0x81, 203, 0, 2]) + b"\0" * 4 + b"\x09abc", "reason"),
        (bytes([0xA0, 201, 0, 1]) + b"\0" * 4, "padding"),
        (bytes([0xA0, 201, 0, 1]) + b"\0\0\0\x09", "padding"),
        (bytes([0x80, 204, 0, 1]) + b"\0" * 4, "truncated"),
    ],
)
def test_malformed(raw: bytes, fault: str) -> None:
    with pytest.raises(RtcpParseError, match=fault):
        parse_compound(raw)


@pytest.mark.parametrize(
    "packet",
    [
        ReceiverReport(1, tuple(ReportBlock(i) for i in range(32))),
        ReceiverReport(1, (ReportBlock(1, cumulative_lost=1 << 23),)),
        ReceiverReport(1, (ReportBlock(1, fraction_lost=256),)),
        SourceDescription((SdesChunk(1, ((SDES_CNAME, b"x" * 256),)),)),
        Bye((1,), "x" * 256),
        AppPacket(1, 1, b"abc"),
    ],
)
def test_unserialisable(packet: RtcpPacket) -> None:
    with pytest.raises(ValueError):
        packet.to_bytes()


u32 = st.integers(0, 0xFFFFFFFF)
blocks = st.builds(
    ReportBlock,
    u32,
    st.integers(0, 255),
    st.integers(-(1 << 23), (1 << 23) - 1),
    u32,
    u32,
    u32,
    u32,
)
words = st.binary(max_size=16).map(lambda b: b + bytes(-len(b) % 4))
rtcp_packets: st.SearchStrategy[RtcpPacket] = st.one_of(
    st.builds(
        SenderReport,
        u32,
        st.integers(0, 2**64 - 1),
        u32,
        u32,
        u32,
        st.lists(blocks, max_size=3).map(tuple),
        words,
    ),
    st.builds(ReceiverReport, u32, st.lists(blocks, max_size=3).map(tuple), words),
    st.builds(
        SourceDescription,
        st.lists(
            st.builds(
                SdesChunk,
                u32,
                st.lists(st.tuples(st.integers(1, 255), st.binary(max_size=20)), max_size=3).map(
                    tuple
                ),
            ),
            max_size=3,
        ).map(tuple),
    ),
    st.builds(
        Bye,
        st.lists(u32, max_size=4).map(tuple),
        st.none() | st.text(max_size=30).filter(lambda t: len(t.encode()) <= 255),
    ),
    st.builds(AppPacket, st.integers(0, 31), u32, st.binary(min_size=4, max_size=4), words),
)


@given(st.lists(rtcp_packets, min_size=1, max_size=5))
def test_compound_round_trip(packets: list[RtcpPacket]) -> None:
    assert parse_compound(serialize_compound(packets)) == packets


@given(st.binary(max_size=120))
def test_garbage_only_raises_rtcp_parse_error(data: bytes) -> None:
    try:
        packets = parse_compound(data)
    except RtcpParseError:
        return
    assert isinstance(packets, list)


@given(st.lists(rtcp_packets, min_size=1, max_size=3), st.data())
def test_corrupted_only_raises_rtcp_parse_error(
    packets: list[RtcpPacket], data: st.DataObject
) -> None:
    raw = bytearray(serialize_compound(packets))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        parsed = parse_compound(bytes(raw[: data.draw(st.integers(0, len(raw)))]))
    except RtcpParseError:
        return
    assert len(parsed) <= len(raw) // 4


# --- NTP and RTT -------------------------------------------------------------------


def test_ntp_conversions() -> None:
    assert ntp_from_unix(0.0) == 2_208_988_800 << 32
    assert ntp_from_unix(1.5) == ((2_208_988_801 << 32) | 0x80000000)
    assert ntp_to_unix(ntp_from_unix(1_700_000_000.25)) == 1_700_000_000.25
    assert ntp_middle32(0x0123_4567_89AB_CDEF) == 0x4567_89AB


def test_rtt_example_of_rfc3550_section_6_4_1() -> None:
    # A = 0xb7108000 (46864.500 s), LSR = 0xb7052000, DLSR = 0x00054000 -> RTT 6.125 s
    block = ReportBlock(1, lsr=0xB7052000, dlsr=0x00054000)
    assert rtt_from_block(block, 0xB7108000 << 16) == 6.125
    assert rtt_from_block(ReportBlock(1), 0xB7108000 << 16) is None
    # a peer with a bad DLSR must not give a negative RTT
    assert rtt_from_block(ReportBlock(1, lsr=0xB7108000, dlsr=0x10000), 0xB7108000 << 16) == 0.0


# --- reception statistics --------------------------------------------------------------


def feed_seqs(stats: ReceiverStats, seqs: list[int], start: float = 0.0) -> list[bool]:
    return [stats.feed(s, (s * 160) & 0xFFFFFFFF, start + i * 0.02) for i, s in enumerate(seqs)]


def test_probation_then_counting() -> None:
    s = ReceiverStats(8000, ssrc=5)
    assert feed_seqs(s, [100, 101]) == [False, True]
    assert s.valid and s.base_seq == 101 and s.received == 1
    # Out-of-sequence start restarts probation (A.1).
    t = ReceiverStats(8000)
    assert feed_seqs(t, [10, 20, 21, 22]) == [False, False, True, True]
    assert t.base_seq == 21


def test_loss_and_fraction_per_interval() -> None:
    s = ReceiverStats(8000, ssrc=5)
    feed_seqs(s, [100, 101, 102, *range(104, 111)])
    assert (s.extended_max_seq, s.expected, s.received, s.lost) == (110, 10, 9, 1)
    block = s.report_block(now=1.0)
    assert block.fraction_lost == 25  # floor(1 * 256 / 10)
    assert block.cumulative_lost == 1 and block.highest_seq == 110 and block.ssrc == 5
    assert block.lsr == 0 and block.dlsr == 0
    feed_seqs(s, list(range(111, 121)))
    block = s.report_block(now=2.0)
    assert block.fraction_lost == 0 and block.cumulative_lost == 1
    assert not s.heard_since_report


def test_duplicates_make_loss_negative_and_fraction_zero() -> None:
    s = ReceiverStats(8000)
    feed_seqs(s, [1, 2, 3, 3, 3])
    assert s.expected == 2 and s.received == 4 and s.lost == -2
    block = s.report_block(0.0)
    assert block.cumulative_lost == -2 and block.fraction_lost == 0
    assert ReportBlock.parse(block.to_bytes()) == block


def test_sequence_wraparound_counts_cycles() -> None:
    s = ReceiverStats(8000)
    feed_seqs(s, [65533, 65534, 65535, 0, 1, 2])
    assert s.cycles == 65536 and s.extended_max_seq == 65538
    assert s.expected == 5 and s.lost == 0


def test_reordered_packet_is_counted_not_a_jump() -> None:
    s = ReceiverStats(8000)
    feed_seqs(s, [1, 2, 4, 3, 5])
    assert s.max_seq == 5 and s.received == 4 and s.lost == 0


def test_source_restart_is_confirmed_by_two_packets() -> None:
    s = ReceiverStats(8000)
    feed_seqs(s, [1, 2, 3, 4])
    assert s.feed(20000, 0, 1.0) is False  # a lone jump is ignored...
    assert s.received == 3
    assert s.feed(20001, 160, 1.02) is True  # ...until the next packet confirms it
    assert s.base_seq == 20001 and s.received == 1 and s.lost == 0


def test_interarrival_jitter_hand_computed() -> None:
    s = ReceiverStats(8000)
    # (seq, timestamp, arrival): the first packet is in probation, the second sets the baseline
    s.feed(0, 0, 0.000)
    s.feed(1, 160, 0.020)
    s.feed(2, 320, 0.040)  # D = 0
    assert s.jitter == 0
    s.feed(3, 480, 0.070)  # D = 0.030 * 8000 - 160 = 80 -> J = 80/16 = 5
    assert s.jitter_ms == pytest.approx(5 / 8)
    s.feed(4, 640, 0.080)  # |D| = 80 -> J = 5 + 75/16 = 9.6875
    assert s.jitter == 9 and s.jitter_ms == pytest.approx(9.6875 / 8)
    assert s.report_block(1.0).jitter == 9


def test_jitter_survives_timestamp_wrap() -> None:
    s = ReceiverStats(8000)
    for i in range(10):
        s.feed(i, (0xFFFFFF00 + 160 * i) & 0xFFFFFFFF, i * 0.02)
    assert s.jitter == 0


def test_lsr_and_dlsr_from_last_sender_report() -> None:
    s = ReceiverStats(8000, ssrc=5)
    feed_seqs(s, [1, 2, 3])
    s.on_sender_report(SenderReport(5, ntp_timestamp=0x0000_B705_2000_0000), arrival=10.0)
    block = s.report_block(now=11.5)
    assert block.lsr == 0xB7052000
    assert block.dlsr == 98304  # 1.5 s in 1/65536 s


# --- sending and reports ---------------------------------------------------------------


def test_sender_report_describes_one_instant() -> None:
    tx = SenderStats(8000, ssrc=0x1234)
    for i in range(50):
        tx.on_sent(1000 + 160 * i, 160, now=5.0 + 0.02 * i)
    sr = tx.sender_report(ntp=ntp_from_unix(1e9), now=5.98 + 0.5)
    assert (sr.packet_count, sr.octet_count) == (50, 8000)
    assert sr.rtp_timestamp == 1000 + 160 * 49 + 4000  # 0.5 s after the last packet
    assert sr.ntp_timestamp == ntp_from_unix(1e9) and sr.ssrc == 0x1234


def test_build_report_sr_then_rr_when_silent() -> None:
    tx = SenderStats(8000, ssrc=0xA)
    rx = ReceiverStats(8000, ssrc=0xB)
    feed_seqs(rx, [1, 2, 3, 5])
    tx.on_sent(0, 160, 0.0)
    first = build_report(
        ssrc=0xA, cname="me@127.0.0.1", ntp=1 << 32, now=1.0, sender=tx, sources=[rx]
    )
    sr, sdes = first
    assert isinstance(sr, SenderReport) and sr.reports[0].ssrc == 0xB
    assert sr.reports[0].fraction_lost == 64  # 1 lost of 4 expected
    assert isinstance(sdes, SourceDescription) and sdes.cname_of(0xA) == "me@127.0.0.1"
    # No new RTP from the source: no report block. We sent nothing for one interval: still SR
    second = build_report(ssrc=0xA, cname="me", ntp=2 << 32, now=2.0, sender=tx, sources=[rx])
    assert isinstance(second[0], SenderReport) and second[0].reports == ()
    # ...but two intervals without sending make us a receiver (§6.3.8 we_sent)
    third = build_report(ssrc=0xA, cname="me", ntp=3 << 32, now=3.0, sender=tx, sources=[rx])
    assert isinstance(third[0], ReceiverReport) and third[0].ssrc == 0xA
    assert parse_compound(serialize_compound(third)) == third


def test_build_report_spills_blocks_into_extra_receiver_reports() -> None:
    sources = []
    for i in range(40):
        rx = ReceiverStats(8000, ssrc=i)
        feed_seqs(rx, [1, 2, 3])
        sources.append(rx)
    packets = build_report(ssrc=99, cname="c", ntp=0, now=0.0, sources=sources)
    assert [type(p) for p in packets] == [ReceiverReport, ReceiverReport, SourceDescription]
    assert isinstance(packets[0], ReceiverReport) and isinstance(packets[1], ReceiverReport)
    assert len(packets[0].reports) == 31 and len(packets[1].reports) == 9


def test_rtcp_interval_a7() -> None:
    # Two members both sending: n = 2, 200 octets / 400 octets/s = 0.5 s < 5 s minimum.
    t = rtcp_interval(
        members=2,
        senders=2,
        rtcp_bw=400.0,
        we_sent=True,
        avg_rtcp_size=100.0,
        initial=False,
        rand=0.5,
    )
    assert t == pytest.approx(5.0 / 1.21828)
    t = rtcp_interval(
        members=2,
        senders=2,
        rtcp_bw=400.0,
        we_sent=True,
        avg_rtcp_size=100.0,
        initial=True,
        rand=0.0,
    )
    assert t == pytest.approx(2.5 * 0.5 / 1.21828)
    # Many receivers, one sender: receivers share 75 % of the bandwidth.
    t = rtcp_interval(
        members=1000,
        senders=1,
        rtcp_bw=400.0,
        we_sent=False,
        avg_rtcp_size=100.0,
        initial=False,
        rand=0.5,
    )
    assert t == pytest.approx(100.0 * 999 / 300.0 / 1.21828)


def test_without_probation_the_first_packet_counts() -> None:
    s = ReceiverStats(8000, probation=0)
    assert feed_seqs(s, [7, 8, 10]) == [True, True, True]
    assert (s.base_seq, s.received, s.expected, s.lost) == (7, 3, 4, 1)
