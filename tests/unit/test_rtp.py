"""RTP header parsing and serialising (RFC 3550 §5.1, §5.3.1), wraparound helpers."""

from __future__ import annotations

import itertools
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.media.rtp import (
    RtpExtension,
    RtpPacket,
    RtpParseError,
    seq_add,
    seq_diff,
    ts_add,
    ts_diff,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "rtp"
PCAPS = Path("/usr/share/sip-tester")


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- real packets ------------------------------------------------------------------


def test_g711a_first_packet_from_sipp_pcap() -> None:
    p = RtpPacket.parse(fixture("g711a_0000.rtp"))
    assert (p.version, p.padding, p.marker, p.payload_type) == (2, 0, True, 8)
    assert (p.sequence, p.timestamp, p.ssrc) == (59133, 240, 0xDEE0EE8F)
    assert p.csrc == () and p.extension is None
    assert len(p.payload) == 240  # 30 ms of PCMA
    assert p.to_bytes() == fixture("g711a_0000.rtp")


def test_g711a_stream_continues() -> None:
    a = RtpPacket.parse(fixture("g711a_0001.rtp"))
    z = RtpPacket.parse(fixture("g711a_0235.rtp"))
    assert not a.marker and (a.sequence, a.timestamp) == (59134, 480)
    assert (z.sequence, z.timestamp) == (59368, 56640)
    assert seq_diff(z.sequence, a.sequence) == 234
    assert ts_diff(z.timestamp, a.timestamp) == 234 * 240


def test_telephone_event_packets_from_sipp_pcap() -> None:
    start = RtpPacket.parse(fixture("dtmf5_start.rtp"))
    end = RtpPacket.parse(fixture("dtmf5_end.rtp"))
    assert (start.marker, start.payload_type, start.sequence) == (True, 101, 8155)
    assert start.timestamp == end.timestamp == 43200
    assert start.ssrc == end.ssrc == 0x0E05384E
    assert start.payload == bytes.fromhex("050a0000")  # event 5, volume 10, duration 0
    assert end.payload == bytes.fromhex("058a08c0")  # E bit, duration 2240
    assert (end.marker, end.sequence) == (False, 8162)


def _pcap_udp_payloads(path: Path) -> list[bytes]:
    """UDP payloads of an Ethernet/IPv4 pcap (the classic libpcap format)."""
    data = path.read_bytes()
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out = []
    offset = 24
    while offset + 16 <= len(data):
        incl = struct.unpack_from(endian + "I", data, offset + 8)[0]
        frame = data[offset + 16 : offset + 16 + incl]
        offset += 16 + incl
        ip = frame[14:]
        udp = ip[(ip[0] & 0x0F) * 4 :]
        out.append(udp[8 : struct.unpack_from("!H", udp, 4)[0]])
    return out


@pytest.mark.parametrize(
    ("pcap", "index", "name"),
    [
        ("g711a.pcap", 0, "g711a_0000.rtp"),
        ("g711a.pcap", 1, "g711a_0001.rtp"),
        ("g711a.pcap", -1, "g711a_0235.rtp"),
        ("dtmf_2833_5.pcap", 0, "dtmf5_start.rtp"),
        ("dtmf_2833_5.pcap", -1, "dtmf5_end.rtp"),
    ],
)
def test_fixtures_match_the_pcaps(pcap: str, index: int, name: str) -> None:
    if not (PCAPS / pcap).exists():
        pytest.skip(f"{PCAPS / pcap} not installed (Debian package sip-tester)")
    assert _pcap_udp_payloads(PCAPS / pcap)[index] == fixture(name)


def test_whole_sipp_pcap_parses_as_one_stream() -> None:
    if not (PCAPS / "g711a.pcap").exists():
        pytest.skip("g711a.pcap not installed (Debian package sip-tester)")
    packets = [RtpPacket.parse(d) for d in _pcap_udp_payloads(PCAPS / "g711a.pcap")]
    assert len({p.ssrc for p in packets}) == 1
    assert all(seq_diff(b.sequence, a.sequence) == 1 for a, b in itertools.pairwise(packets))


# --- hand-built packets --------------------------------------------------------------


def test_csrc_extension_and_padding() -> None:
    raw = (
        bytes([0x80 | 0x20 | 0x10 | 2, 0x80 | 111])
        + struct.pack("!HII", 0xFFFF, 0xFFFFFFFF, 0x01020304)
        + struct.pack("!II", 11, 22)
        + struct.pack("!HH", 0xBEDE, 1)
        + b"\x10\xaa\x00\x00"
        + b"hello"
        + b"\x00\x00\x03"
    )
    p = RtpPacket.parse(raw)
    assert p.csrc == (11, 22)
    assert p.extension == RtpExtension(0xBEDE, b"\x10\xaa\x00\x00")
    assert p.payload == b"hello"
    assert p.padding == 3
    assert (p.marker, p.payload_type, p.sequence, p.timestamp) == (True, 111, 0xFFFF, 0xFFFFFFFF)
    assert p.to_bytes() == raw


def test_serialise_minimal() -> None:
    p = RtpPacket(payload_type=0, sequence=1, timestamp=160, ssrc=0x1234, payload=b"\xff" * 4)
    assert p.to_bytes() == bytes.fromhex("80000001000000a000001234ffffffff")


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        (b"", "too short"),
        (bytes.fromhex("8000000100000000000000"), "too short"),
        (bytes.fromhex("400000010000000000000000"), "version 1"),
        (bytes.fromhex("000000010000000000000000"), "version 0"),
        (bytes.fromhex("820000010000000000000000") + b"\0\0\0\0", "CSRC"),
        (bytes.fromhex("900000010000000000000000") + b"\xbe\xde", "extension"),
        (bytes.fromhex("900000010000000000000000") + b"\xbe\xde\x00\x02\0\0\0\0", "extension"),
        (bytes.fromhex("a00000010000000000000000") + b"\x01\x00", "padding length 0"),
        (bytes.fromhex("a00000010000000000000000") + b"\x01\x10", "padding length 16"),
    ],
)
def test_malformed_packets(raw: bytes, fault: str) -> None:
    with pytest.raises(RtpParseError) as e:
        RtpPacket.parse(raw)
    assert fault.split()[0].lower() in str(e.value).lower()


def test_padding_may_fill_everything_after_the_header() -> None:
    raw = bytes.fromhex("a00000010000000000000000") + b"\x00\x00\x00\x04"
    p = RtpPacket.parse(raw)
    assert p.payload == b"" and p.padding == 4


@pytest.mark.parametrize(
    "packet",
    [
        RtpPacket(payload_type=128),
        RtpPacket(sequence=1 << 16),
        RtpPacket(timestamp=-1),
        RtpPacket(ssrc=1 << 32),
        RtpPacket(csrc=tuple(range(16))),
        RtpPacket(padding=256),
        RtpPacket(extension=RtpExtension(0x1000, b"abc")),
    ],
)
def test_unserialisable_fields_raise_value_error(packet: RtpPacket) -> None:
    with pytest.raises(ValueError):
        packet.to_bytes()


# --- wraparound ------------------------------------------------------------------------


def test_seq_and_ts_diff_wrap() -> None:
    assert seq_diff(0, 65535) == 1
    assert seq_diff(65535, 0) == -1
    assert seq_diff(5, 5) == 0
    assert seq_diff(0x8000, 0) == -0x8000
    assert ts_diff(10, 0xFFFFFFF0) == 26
    assert ts_diff(0xFFFFFFF0, 10) == -26
    assert seq_add(65535, 2) == 1
    assert ts_add(0xFFFFFFFF, 161) == 160


@given(st.integers(0, 0xFFFF), st.integers(-0x8000, 0x7FFF))
def test_seq_diff_inverts_seq_add(a: int, n: int) -> None:
    assert seq_diff(seq_add(a, n), a) == n


@given(st.integers(0, 0xFFFFFFFF), st.integers(-(2**31), 2**31 - 1))
def test_ts_diff_inverts_ts_add(a: int, n: int) -> None:
    assert ts_diff(ts_add(a, n), a) == n


# --- properties ------------------------------------------------------------------------

u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
packets = st.builds(
    RtpPacket,
    version=st.just(2),
    padding=st.integers(0, 255),
    marker=st.booleans(),
    payload_type=st.integers(0, 127),
    sequence=u16,
    timestamp=u32,
    ssrc=u32,
    csrc=st.lists(u32, max_size=15).map(tuple),
    extension=st.none()
    | st.builds(RtpExtension, u16, st.binary(max_size=64).map(lambda b: b + bytes(-len(b) % 4))),
    payload=st.binary(max_size=300),
)


@given(packets)
def test_round_trip(p: RtpPacket) -> None:
    assert RtpPacket.parse(p.to_bytes()) == p


@given(st.binary(max_size=200))
def test_garbage_only_raises_rtp_parse_error(data: bytes) -> None:
    try:
        p = RtpPacket.parse(data)
    except RtpParseError:
        return
    assert p.version == 2
    assert len(p.to_bytes()) == len(data)


@given(packets, st.data())
def test_corrupted_packets_only_raise_rtp_parse_error(p: RtpPacket, data: st.DataObject) -> None:
    raw = bytearray(p.to_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    try:
        parsed = RtpPacket.parse(bytes(raw[:cut]))
    except RtpParseError:
        return
    assert parsed.version == 2 and len(parsed.payload) <= cut - 12
