"""RTCP packets, reception statistics and reports (RFC 3550 §6 and appendix A).

Sans-IO: arrival and send times are floats from the caller's monotonic clock, NTP
times are 64-bit fixed-point integers the caller derives from its wall clock
(`ntp_from_unix`). Nothing here reads a clock or a socket.

- Wire format: `parse_compound` / `serialize_compound` for compound packets of
  `SenderReport`, `ReceiverReport`, `SourceDescription`, `Bye`, `AppPacket` and the
  feedback messages of RFC 4585 §6 (`Feedback`: transport layer RTPFB and payload
  specific PSFB, with `Feedback.nacks` for generic NACK); unknown packet types are
  skipped, as §6.1 asks of receivers.
- `ReceiverStats`: per-source sequence validation (A.1), loss (A.3) and interarrival
  jitter (A.8); it also remembers the last SR of that source for LSR/DLSR.
- `SenderStats`: packet and octet counts of what we send (§6.4.1).
- `build_report`: SR or RR plus SDES CNAME for one session (§6.1, §6.4).
- `rtt_from_block`: round-trip time from a report block about our stream (§6.4.1).
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parley.media.rtp import SEQ_MOD, ts_diff

SR = 200
RR = 201
SDES = 202
BYE = 203
APP = 204
RTPFB = 205  # transport layer feedback (RFC 4585 §6.2)
PSFB = 206  # payload-specific feedback (RFC 4585 §6.3)

# Feedback message types (FMT) in use on the wire.
FMT_NACK = 1  # RTPFB generic NACK (RFC 4585 §6.2.1)
FMT_TMMBR = 3  # RTPFB (RFC 5104 §4.2.1)
FMT_TMMBN = 4  # RTPFB (RFC 5104 §4.2.2)
FMT_PLI = 1  # PSFB picture loss indication (RFC 4585 §6.3.1)
FMT_SLI = 2  # PSFB (RFC 4585 §6.3.2)
FMT_RPSI = 3  # PSFB (RFC 4585 §6.3.3)
FMT_FIR = 4  # PSFB (RFC 5104 §4.3.1)
FMT_AFB = 15  # PSFB application layer feedback, e.g. REMB (RFC 4585 §6.4)

# SDES item types (§6.5).
SDES_END = 0
SDES_CNAME = 1
SDES_NAME = 2
SDES_EMAIL = 3
SDES_PHONE = 4
SDES_LOC = 5
SDES_TOOL = 6
SDES_NOTE = 7
SDES_PRIV = 8

NTP_UNIX_OFFSET = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
MAX_REPORT_BLOCKS = 31  # 5-bit count field

_HEAD = struct.Struct("!BBH")
_BLOCK = struct.Struct("!IIIIII")
_SR_INFO = struct.Struct("!IQIII")


class RtcpParseError(ValueError):
    """A datagram that is not a valid RTCP compound packet (RFC 3550 §6.1, A.2)."""


# --- NTP time helpers (§4) ---------------------------------------------------------


def ntp_from_unix(t: float) -> int:
    """64-bit NTP timestamp (seconds since 1900 in 32.32 fixed point) for a Unix time."""
    whole = int(t // 1)
    frac = int((t - whole) * (1 << 32)) & 0xFFFFFFFF
    return (((whole + NTP_UNIX_OFFSET) & 0xFFFFFFFF) << 32) | frac


def ntp_to_unix(ntp: int) -> float:
    """Inverse of `ntp_from_unix` (for times in NTP era 0, i.e. before 2036)."""
    return (ntp >> 32) - NTP_UNIX_OFFSET + (ntp & 0xFFFFFFFF) / (1 << 32)


def ntp_middle32(ntp: int) -> int:
    """The middle 32 bits of an NTP timestamp: the compact form used by LSR (§6.4.1)."""
    return (ntp >> 16) & 0xFFFFFFFF


# --- packets -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportBlock:
    """One reception report block (§6.4.1).

    `fraction_lost` is 8-bit fixed point (loss fraction * 256) since the previous
    report; `cumulative_lost` is signed 24-bit (duplicates can make it negative);
    `highest_seq` is the extended highest sequence number; `jitter` is in timestamp
    units; `lsr` / `dlsr` are in 1/65536 s (0 when no SR was received).
    """

    ssrc: int
    fraction_lost: int = 0
    cumulative_lost: int = 0
    highest_seq: int = 0
    jitter: int = 0
    lsr: int = 0
    dlsr: int = 0

    @property
    def loss_ratio(self) -> float:
        """`fraction_lost` as a ratio in [0, 1)."""
        return self.fraction_lost / 256

    def to_bytes(self) -> bytes:
        lost = self.cumulative_lost
        if not -(1 << 23) <= lost < (1 << 23):
            raise ValueError(f"cumulative lost {lost} does not fit 24 bits")
        if not 0 <= self.fraction_lost <= 255:
            raise ValueError(f"fraction lost {self.fraction_lost} out of range")
        word = (self.fraction_lost << 24) | (lost & 0xFFFFFF)
        return _BLOCK.pack(self.ssrc, word, self.highest_seq, self.jitter, self.lsr, self.dlsr)

    @classmethod
    def parse(cls, data: bytes, offset: int = 0) -> ReportBlock:
        ssrc, word, high, jitter, lsr, dlsr = _BLOCK.unpack_from(data, offset)
        lost = word & 0xFFFFFF
        if lost & 0x800000:
            lost -= 1 << 24
        return cls(ssrc, word >> 24, lost, high, jitter, lsr, dlsr)


@dataclass(frozen=True, slots=True)
class SenderReport:
    """SR (§6.4.1). `extension` is the profile-specific extension, kept opaque."""

    ssrc: int
    ntp_timestamp: int = 0
    rtp_timestamp: int = 0
    packet_count: int = 0
    octet_count: int = 0
    reports: tuple[ReportBlock, ...] = ()
    extension: bytes = b""

    def to_bytes(self) -> bytes:
        body = _SR_INFO.pack(
            self.ssrc, self.ntp_timestamp, self.rtp_timestamp, self.packet_count, self.octet_count
        )
        blocks = b"".join(b.to_bytes() for b in self.reports)
        return _packet(SR, len(self.reports), body + blocks + self.extension)


@dataclass(frozen=True, slots=True)
class ReceiverReport:
    """RR (§6.4.2). `extension` is the profile-specific extension, kept opaque."""

    ssrc: int
    reports: tuple[ReportBlock, ...] = ()
    extension: bytes = b""

    def to_bytes(self) -> bytes:
        blocks = b"".join(b.to_bytes() for b in self.reports)
        return _packet(
            RR, len(self.reports), struct.pack("!I", self.ssrc) + blocks + self.extension
        )


@dataclass(frozen=True, slots=True)
class SdesChunk:
    """The SDES items of one source (§6.5): (item type, value) pairs, all kept."""

    ssrc: int
    items: tuple[tuple[int, bytes], ...] = ()

    @property
    def cname(self) -> str | None:
        for kind, value in self.items:
            if kind == SDES_CNAME:
                return value.decode("utf-8", "replace")
        return None


@dataclass(frozen=True, slots=True)
class SourceDescription:
    """SDES (§6.5)."""

    chunks: tuple[SdesChunk, ...] = ()

    def to_bytes(self) -> bytes:
        parts: list[bytes] = []
        for chunk in self.chunks:
            data = bytearray(struct.pack("!I", chunk.ssrc))
            for kind, value in chunk.items:
                if not 1 <= kind <= 255 or len(value) > 255:
                    raise ValueError(f"bad SDES item type {kind} or length {len(value)}")
                data += bytes((kind, len(value))) + value
            # At least one null octet ends the item list, then pad to 32 bits (§6.5).
            data += bytes(4 - len(data) % 4)
            parts.append(bytes(data))
        return _packet(SDES, len(self.chunks), b"".join(parts))

    def cname_of(self, ssrc: int) -> str | None:
        for chunk in self.chunks:
            if chunk.ssrc == ssrc:
                return chunk.cname
        return None


@dataclass(frozen=True, slots=True)
class Bye:
    """BYE (§6.6): the sources leaving, with an optional reason."""

    ssrcs: tuple[int, ...] = ()
    reason: str | None = None

    def to_bytes(self) -> bytes:
        body = struct.pack(f"!{len(self.ssrcs)}I", *self.ssrcs)
        if self.reason is not None:
            text = self.reason.encode("utf-8")
            if len(text) > 255:
                raise ValueError("BYE reason longer than 255 octets")
            body += bytes((len(text),)) + text
            body += bytes(-len(body) % 4)
        return _packet(BYE, len(self.ssrcs), body)


@dataclass(frozen=True, slots=True)
class AppPacket:
    """APP (§6.7), kept opaque: 5-bit subtype, 4-octet ASCII name, data."""

    subtype: int
    ssrc: int
    name: bytes = b"    "
    data: bytes = b""

    def to_bytes(self) -> bytes:
        if len(self.name) != 4 or len(self.data) % 4:
            raise ValueError("APP name must be 4 octets and data a multiple of 4")
        return _packet(APP, self.subtype, struct.pack("!I", self.ssrc) + self.name + self.data)


@dataclass(frozen=True, slots=True)
class Feedback:
    """A feedback message (RFC 4585 §6.1): RTPFB or PSFB with its 5-bit FMT, the SSRC of
    its sender and of the media source it is about, and the FCI kept opaque."""

    ptype: int
    fmt: int
    sender_ssrc: int
    media_ssrc: int
    fci: bytes = b""

    @property
    def is_nack(self) -> bool:
        return self.ptype == RTPFB and self.fmt == FMT_NACK

    @property
    def is_pli(self) -> bool:
        return self.ptype == PSFB and self.fmt == FMT_PLI

    @property
    def nacks(self) -> tuple[int, ...]:
        """The sequence numbers a generic NACK reports lost (PID and its bitmask of the
        16 following, RFC 4585 §6.2.1); empty for other messages."""
        if not self.is_nack:
            return ()
        lost: list[int] = []
        for offset in range(0, len(self.fci) - 3, 4):
            pid, blp = struct.unpack_from("!HH", self.fci, offset)
            lost.append(pid)
            lost += [(pid + i + 1) & 0xFFFF for i in range(16) if blp >> i & 1]
        return tuple(lost)

    def to_bytes(self) -> bytes:
        if self.ptype not in (RTPFB, PSFB):
            raise ValueError(f"feedback packet type {self.ptype} is neither RTPFB nor PSFB")
        return _packet(
            self.ptype, self.fmt, struct.pack("!II", self.sender_ssrc, self.media_ssrc) + self.fci
        )


def generic_nack(sender_ssrc: int, media_ssrc: int, lost: Iterable[int]) -> Feedback:
    """A generic NACK for the sequence numbers `lost` (RFC 4585 §6.2.1)."""
    fci = bytearray()
    pending = sorted(set(s & 0xFFFF for s in lost))
    while pending:
        pid = pending.pop(0)
        blp = 0
        for seq in list(pending):
            distance = (seq - pid) & 0xFFFF
            if 1 <= distance <= 16:
                blp |= 1 << (distance - 1)
                pending.remove(seq)
        fci += struct.pack("!HH", pid, blp)
    return Feedback(RTPFB, FMT_NACK, sender_ssrc, media_ssrc, bytes(fci))


RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Bye | AppPacket | Feedback


def _packet(ptype: int, count: int, body: bytes) -> bytes:
    if not 0 <= count <= 31:
        raise ValueError(f"RTCP count {count} does not fit 5 bits")
    if len(body) % 4:
        raise ValueError("RTCP body must be a multiple of 4 octets")
    return _HEAD.pack(0x80 | count, ptype, len(body) // 4) + body


def serialize_compound(packets: Iterable[RtcpPacket]) -> bytes:
    """Concatenate packets into one compound packet (§6.1)."""
    return b"".join(p.to_bytes() for p in packets)


def looks_like_rtcp(data: bytes) -> bool:
    """Demultiplex RTP and RTCP on one port (RFC 5761 §4): RTCP types 192-223."""
    return len(data) >= 8 and data[0] >> 6 == 2 and 192 <= data[1] <= 223


def parse_compound(data: bytes) -> list[RtcpPacket]:
    """Parse a compound RTCP datagram (§6.1, validity checks of A.2).

    Every packet must have version 2 and the lengths must add up to the datagram.
    Reduced-size RTCP (RFC 5506) is accepted, so the first packet need not be SR/RR.
    Unknown packet types are skipped. Raises `RtcpParseError`.
    """
    n = len(data)
    if n < 4:
        raise RtcpParseError(f"RTCP packet too short: {n} octets")
    out: list[RtcpPacket] = []
    offset = 0
    while offset < n:
        if offset + 4 > n:
            raise RtcpParseError("trailing octets after the last RTCP packet")
        b0, ptype, words = _HEAD.unpack_from(data, offset)
        if b0 >> 6 != 2:
            raise RtcpParseError(f"RTCP version {b0 >> 6}, expected 2")
        start = offset + 4
        end = start + 4 * words
        if end > n:
            raise RtcpParseError("RTCP length field runs past the datagram")
        body_end = end
        if b0 & 0x20:
            pad = data[end - 1] if end > start else 0
            if pad == 0 or pad > end - start:
                raise RtcpParseError(f"bad RTCP padding length {pad}")
            body_end = end - pad
        packet = _parse_one(ptype, b0 & 0x1F, bytes(data[start:body_end]))
        if packet is not None:
            out.append(packet)
        offset = end
    return out


def _parse_one(ptype: int, count: int, body: bytes) -> RtcpPacket | None:
    if ptype == SR:
        need = 24 + 24 * count
        if len(body) < need:
            raise RtcpParseError(f"SR with {count} report blocks is truncated")
        ssrc, ntp, rtp_ts, packets, octets = _SR_INFO.unpack_from(body)
        blocks = tuple(ReportBlock.parse(body, 24 + 24 * i) for i in range(count))
        return SenderReport(ssrc, ntp, rtp_ts, packets, octets, blocks, body[need:])
    if ptype == RR:
        need = 4 + 24 * count
        if len(body) < need:
            raise RtcpParseError(f"RR with {count} report blocks is truncated")
        (ssrc,) = struct.unpack_from("!I", body)
        blocks = tuple(ReportBlock.parse(body, 4 + 24 * i) for i in range(count))
        return ReceiverReport(ssrc, blocks, body[need:])
    if ptype == SDES:
        return SourceDescription(_parse_sdes_chunks(body, count))
    if ptype == BYE:
        if len(body) < 4 * count:
            raise RtcpParseError(f"BYE with {count} sources is truncated")
        ssrcs = struct.unpack_from(f"!{count}I", body)
        reason = None
        rest = body[4 * count :]
        if rest:
            length = rest[0]
            if 1 + length > len(rest):
                raise RtcpParseError("BYE reason runs past the packet")
            reason = rest[1 : 1 + length].decode("utf-8", "replace")
        return Bye(tuple(ssrcs), reason)
    if ptype == APP:
        if len(body) < 8:
            raise RtcpParseError("APP packet is truncated")
        (ssrc,) = struct.unpack_from("!I", body)
        return AppPacket(count, ssrc, body[4:8], body[8:])
    if ptype in (RTPFB, PSFB):
        # RFC 4585 §6.1: both SSRCs always. The FCI stays opaque: one that makes no
        # sense (a NACK without entries) only makes that message say nothing, and the
        # reports in the same compound packet still count.
        if len(body) < 8:
            raise RtcpParseError("RTCP feedback packet is truncated")
        sender, media = struct.unpack_from("!II", body)
        return Feedback(ptype, count, sender, media, body[8:])
    return None


def _parse_sdes_chunks(body: bytes, count: int) -> tuple[SdesChunk, ...]:
    chunks: list[SdesChunk] = []
    pos = 0
    n = len(body)
    for _ in range(count):
        if pos + 4 > n:
            raise RtcpParseError("SDES chunk is truncated")
        (ssrc,) = struct.unpack_from("!I", body, pos)
        pos += 4
        items: list[tuple[int, bytes]] = []
        while True:
            if pos >= n:
                raise RtcpParseError("SDES item list not terminated")
            kind = body[pos]
            if kind == SDES_END:
                # The null item and the padding after it reach the next 32-bit boundary.
                pos = (pos + 4) & ~3
                break
            if pos + 2 > n or pos + 2 + body[pos + 1] > n:
                raise RtcpParseError("SDES item runs past the packet")
            length = body[pos + 1]
            items.append((kind, body[pos + 2 : pos + 2 + length]))
            pos += 2 + length
        chunks.append(SdesChunk(ssrc, tuple(items)))
    return tuple(chunks)


# --- statistics --------------------------------------------------------------------

MAX_DROPOUT = 3000  # A.1
MAX_MISORDER = 100
MIN_SEQUENTIAL = 2


class ReceiverStats:
    """Reception statistics for one remote source (RFC 3550 A.1, A.3, A.8).

    Feed every RTP packet of that source with `feed`. A source is *valid* once
    `probation` packets in sequence have been seen (A.1); before that, packets are not
    counted. Large sequence jumps are accepted only when confirmed by the next packet
    (the source restarted), which resets the counters.
    """

    def __init__(self, clock_rate: int, ssrc: int = 0, *, probation: int = MIN_SEQUENTIAL) -> None:
        if clock_rate <= 0:
            raise ValueError("clock rate must be positive")
        self.clock_rate = clock_rate
        self.ssrc = ssrc
        self._min_sequential = probation
        self._started = False
        self.probation = probation
        self.max_seq = 0
        self.cycles = 0
        self.base_seq = 0
        self.bad_seq = SEQ_MOD + 1
        self.received = 0
        self.received_prior = 0
        self.expected_prior = 0
        self._jitter = 0.0
        self._last_arrival: float | None = None
        self._last_ts = 0
        self.fraction_lost = 0  # of the last interval, 8-bit fixed point
        self._lsr = 0
        self._lsr_arrival = 0.0
        self.last_sr: SenderReport | None = None

    # A.1 init_seq
    def _init_seq(self, seq: int) -> None:
        self.base_seq = seq
        self.max_seq = seq
        self.bad_seq = SEQ_MOD + 1
        self.cycles = 0
        self.received = 0
        self.received_prior = 0
        self.expected_prior = 0

    # A.1 update_seq
    def _update_seq(self, seq: int) -> bool:
        udelta = (seq - self.max_seq) & 0xFFFF
        if self.probation:
            if seq == (self.max_seq + 1) & 0xFFFF:
                self.probation -= 1
                self.max_seq = seq
                if self.probation == 0:
                    self._init_seq(seq)
                    self.received += 1
                    return True
            else:
                self.probation = self._min_sequential - 1
                self.max_seq = seq
            return False
        if udelta < MAX_DROPOUT:
            if seq < self.max_seq:
                self.cycles += SEQ_MOD  # wrapped
            self.max_seq = seq
        elif udelta <= SEQ_MOD - MAX_MISORDER:
            if seq == self.bad_seq:
                # Two sequential packets after a big jump: the source restarted.
                self._init_seq(seq)
                self._last_arrival = None
            else:
                self.bad_seq = (seq + 1) & 0xFFFF
                return False
        # else: duplicate or reordered packet, counted as received
        self.received += 1
        return True

    def feed(self, seq: int, timestamp: int, arrival: float) -> bool:
        """Account one received packet; `arrival` is in seconds. Return whether it is valid."""
        if not self._started:
            self._started = True
            self._init_seq(seq)
            self.max_seq = (seq - 1) & 0xFFFF
            self.probation = self._min_sequential
            if self._min_sequential == 0:
                self.received = 1
                self.max_seq = seq
                self._jitter_update(timestamp, arrival)
                return True
        if not self._update_seq(seq):
            return False
        self._jitter_update(timestamp, arrival)
        return True

    def _jitter_update(self, timestamp: int, arrival: float) -> None:
        # A.8 with the transit difference computed from differences, so that timestamp
        # wraparound and the arbitrary timestamp origin do not matter.
        if self._last_arrival is not None:
            d = (arrival - self._last_arrival) * self.clock_rate - ts_diff(timestamp, self._last_ts)
            self._jitter += (abs(d) - self._jitter) / 16
        self._last_arrival = arrival
        self._last_ts = timestamp

    @property
    def valid(self) -> bool:
        return self._started and self.probation == 0

    @property
    def extended_max_seq(self) -> int:
        return self.cycles + self.max_seq

    @property
    def expected(self) -> int:
        """Packets expected since the first valid one (A.3)."""
        return self.extended_max_seq - self.base_seq + 1 if self.valid else 0

    @property
    def lost(self) -> int:
        """Cumulative packets lost (A.3); negative when duplicates arrived."""
        return self.expected - self.received

    @property
    def jitter(self) -> int:
        """Interarrival jitter in timestamp units (A.8)."""
        return int(self._jitter)

    @property
    def jitter_ms(self) -> float:
        return self._jitter * 1000 / self.clock_rate

    @property
    def loss_ratio(self) -> float:
        """Fraction lost in the last report interval, as a ratio."""
        return self.fraction_lost / 256

    @property
    def heard_since_report(self) -> bool:
        return self.valid and self.received != self.received_prior

    def on_sender_report(self, sr: SenderReport, arrival: float) -> None:
        """Remember the source's last SR for the LSR/DLSR of our next report (§6.4.1)."""
        self.last_sr = sr
        self._lsr = ntp_middle32(sr.ntp_timestamp)
        self._lsr_arrival = arrival

    def report_block(self, now: float) -> ReportBlock:
        """A report block about this source; starts a new loss interval (A.3)."""
        expected = self.expected
        expected_interval = expected - self.expected_prior
        self.expected_prior = expected
        received_interval = self.received - self.received_prior
        self.received_prior = self.received
        lost_interval = expected_interval - received_interval
        if expected_interval == 0 or lost_interval <= 0:
            self.fraction_lost = 0
        else:
            self.fraction_lost = min(255, (lost_interval << 8) // expected_interval)
        cumulative = max(-(1 << 23), min((1 << 23) - 1, self.lost))
        dlsr = 0
        if self._lsr:
            dlsr = max(0, min(0xFFFFFFFF, int((now - self._lsr_arrival) * 65536)))
        return ReportBlock(
            ssrc=self.ssrc,
            fraction_lost=self.fraction_lost,
            cumulative_lost=cumulative,
            highest_seq=self.extended_max_seq & 0xFFFFFFFF,
            jitter=min(self.jitter, 0xFFFFFFFF),
            lsr=self._lsr,
            dlsr=dlsr,
        )


class SenderStats:
    """What we sent on one SSRC, for the sender info of our SRs (§6.4.1)."""

    def __init__(self, clock_rate: int, ssrc: int) -> None:
        if clock_rate <= 0:
            raise ValueError("clock rate must be positive")
        self.clock_rate = clock_rate
        self.ssrc = ssrc
        self.packets_sent = 0
        self.octets_sent = 0  # payload octets only, per §6.4.1
        self._last_ts: int | None = None
        self._last_send = 0.0
        # packets_sent at the last two reports: "we_sent" looks back two intervals (§6.3.8)
        self._at_reports: deque[int] = deque([0, 0], maxlen=2)

    def on_sent(self, timestamp: int, payload_octets: int, now: float) -> None:
        """Account one RTP packet we sent at local time `now` (seconds)."""
        self.packets_sent += 1
        self.octets_sent += payload_octets
        self._last_ts = timestamp
        self._last_send = now

    @property
    def we_sent(self) -> bool:
        """Whether we sent RTP since the report before last, so the next report is an SR."""
        return self.packets_sent > self._at_reports[0]

    def rtp_timestamp_at(self, now: float) -> int:
        """The RTP timestamp matching local time `now`, extrapolated from the last packet."""
        if self._last_ts is None:
            return 0
        elapsed = round((now - self._last_send) * self.clock_rate)
        return (self._last_ts + elapsed) & 0xFFFFFFFF

    def sender_report(
        self, ntp: int, now: float, reports: Sequence[ReportBlock] = ()
    ) -> SenderReport:
        """An SR whose NTP and RTP timestamps describe the same instant (§6.4.1)."""
        return SenderReport(
            ssrc=self.ssrc,
            ntp_timestamp=ntp,
            rtp_timestamp=self.rtp_timestamp_at(now),
            packet_count=self.packets_sent & 0xFFFFFFFF,
            octet_count=self.octets_sent & 0xFFFFFFFF,
            reports=tuple(reports),
        )

    def mark_report(self) -> None:
        self._at_reports.append(self.packets_sent)


def build_report(
    *,
    ssrc: int,
    cname: str,
    ntp: int,
    now: float,
    sender: SenderStats | None = None,
    sources: Iterable[ReceiverStats] = (),
) -> list[RtcpPacket]:
    """The compound packet we send each RTCP interval (§6.1, §6.4).

    An SR when we have sent media recently, else an RR; report blocks for the valid
    sources heard since the previous report (more than 31 spill into extra RRs); an
    SDES with our CNAME. `ntp` is our wall clock as an NTP timestamp and `now` the
    matching local monotonic time.
    """
    blocks = [s.report_block(now) for s in sources if s.heard_since_report]
    first, rest = blocks[:MAX_REPORT_BLOCKS], blocks[MAX_REPORT_BLOCKS:]
    packets: list[RtcpPacket] = []
    if sender is not None and sender.we_sent:
        packets.append(sender.sender_report(ntp, now, first))
    else:
        packets.append(ReceiverReport(ssrc, tuple(first)))
    if sender is not None:
        sender.mark_report()
    while rest:
        chunk, rest = rest[:MAX_REPORT_BLOCKS], rest[MAX_REPORT_BLOCKS:]
        packets.append(ReceiverReport(ssrc, tuple(chunk)))
    packets.append(SourceDescription((SdesChunk(ssrc, ((SDES_CNAME, cname.encode()),)),)))
    return packets


def rtt_from_block(block: ReportBlock, arrival_ntp: int) -> float | None:
    """Round-trip time in seconds from a report block about our stream (§6.4.1).

    `arrival_ntp` is our NTP time when the report arrived. None when the peer has
    not received an SR from us yet (LSR 0); never negative.
    """
    if block.lsr == 0:
        return None
    delta = (ntp_middle32(arrival_ntp) - block.lsr - block.dlsr) & 0xFFFFFFFF
    if delta >= 0x80000000:  # clock error made it negative
        return 0.0
    return delta / 65536


def rtcp_interval(
    *,
    members: int,
    senders: int,
    rtcp_bw: float,
    we_sent: bool,
    avg_rtcp_size: float,
    initial: bool,
    rand: float,
) -> float:
    """Seconds until the next report (§6.3.1, A.7); `rand` is uniform in [0, 1).

    `rtcp_bw` is the RTCP bandwidth in octets per second (5 % of the session
    bandwidth by default, §6.2).
    """
    min_time = 2.5 if initial else 5.0
    n = members
    bw = rtcp_bw
    if senders <= members * 0.25:
        if we_sent:
            bw *= 0.25
            n = senders
        else:
            bw *= 0.75
            n -= senders
    t = avg_rtcp_size * n / bw if bw > 0 else min_time
    t = max(t, min_time)
    # Randomise to avoid synchronisation, compensating for timer reconsideration.
    return t * (rand + 0.5) / (2.71828 - 1.5)
