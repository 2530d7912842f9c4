"""RTP fixed header, CSRC list, header extension and padding (RFC 3550 §5.1, §5.3.1).

Pure wire format: `RtpPacket.parse` turns one datagram into a packet or raises
`RtpParseError`; `RtpPacket.to_bytes` is its inverse. Sequence numbers and timestamps
wrap around (16 and 32 bits), so compare them with `seq_diff` / `ts_diff`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

RTP_VERSION = 2
HEADER_SIZE = 12
SEQ_MOD = 1 << 16
TS_MOD = 1 << 32

_FIXED = struct.Struct("!BBHII")
_EXT_HEAD = struct.Struct("!HH")


class RtpParseError(ValueError):
    """A datagram that is not a well-formed RTP packet (RFC 3550 §5.1, A.1 header checks)."""


@dataclass(frozen=True, slots=True)
class RtpExtension:
    """A header extension kept opaque (RFC 3550 §5.3.1).

    `profile` is the 16-bit "defined by profile" field (0xBEDE for RFC 8285 one-byte
    headers); `data` is the extension body, a multiple of 4 octets.
    """

    profile: int
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet (RFC 3550 §5.1).

    `padding` is the number of padding octets after the payload (0 = P bit clear). Parsing
    strips them from `payload`; serialising appends that many octets, zeros but for the
    count in the last one.
    """

    version: int = RTP_VERSION
    padding: int = 0
    marker: bool = False
    payload_type: int = 0
    sequence: int = 0
    timestamp: int = 0
    ssrc: int = 0
    csrc: tuple[int, ...] = ()
    extension: RtpExtension | None = None
    payload: bytes = b""

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        """Parse one datagram; raise `RtpParseError` for anything malformed."""
        n = len(data)
        if n < HEADER_SIZE:
            raise RtpParseError(f"RTP packet too short: {n} octets")
        b0, b1, seq, ts, ssrc = _FIXED.unpack_from(data)
        version = b0 >> 6
        if version != RTP_VERSION:
            raise RtpParseError(f"RTP version {version}, expected 2")
        cc = b0 & 0x0F
        offset = HEADER_SIZE + 4 * cc
        if offset > n:
            raise RtpParseError(f"RTP packet too short for {cc} CSRCs")
        csrc = struct.unpack_from(f"!{cc}I", data, HEADER_SIZE) if cc else ()
        extension = None
        if b0 & 0x10:
            if offset + 4 > n:
                raise RtpParseError("RTP header extension truncated")
            profile, words = _EXT_HEAD.unpack_from(data, offset)
            offset += 4
            end = offset + 4 * words
            if end > n:
                raise RtpParseError("RTP header extension longer than the packet")
            extension = RtpExtension(profile, bytes(data[offset:end]))
            offset = end
        end = n
        padding = 0
        if b0 & 0x20:
            # §5.1: the last octet counts the padding octets, itself included.
            padding = data[-1]
            if padding == 0 or padding > n - offset:
                raise RtpParseError(f"bad RTP padding length {padding}")
            end = n - padding
        return cls(
            version=version,
            padding=padding,
            marker=bool(b1 & 0x80),
            payload_type=b1 & 0x7F,
            sequence=seq,
            timestamp=ts,
            ssrc=ssrc,
            csrc=tuple(csrc),
            extension=extension,
            payload=bytes(data[offset:end]),
        )

    def to_bytes(self) -> bytes:
        """Serialise; raise ValueError when a field does not fit its wire width."""
        if not 0 <= self.payload_type <= 127:
            raise ValueError(f"RTP payload type {self.payload_type} out of range 0-127")
        if len(self.csrc) > 15:
            raise ValueError("at most 15 CSRCs fit in an RTP header")
        if not 0 <= self.padding <= 255:
            raise ValueError(f"RTP padding {self.padding} out of range 0-255")
        if not 0 <= self.version <= 3:
            raise ValueError(f"RTP version {self.version} out of range")
        b0 = (self.version << 6) | len(self.csrc)
        if self.padding:
            b0 |= 0x20
        if self.extension is not None:
            b0 |= 0x10
        b1 = self.payload_type | (0x80 if self.marker else 0)
        try:
            parts = [_FIXED.pack(b0, b1, self.sequence, self.timestamp, self.ssrc)]
            if self.csrc:
                parts.append(struct.pack(f"!{len(self.csrc)}I", *self.csrc))
            if self.extension is not None:
                ext = self.extension
                if len(ext.data) % 4:
                    raise ValueError("RTP header extension length must be a multiple of 4")
                parts.append(_EXT_HEAD.pack(ext.profile, len(ext.data) // 4))
                parts.append(ext.data)
        except struct.error as e:
            raise ValueError(f"RTP header field out of range: {e}") from None
        parts.append(self.payload)
        if self.padding:
            parts.append(bytes(self.padding - 1) + bytes((self.padding,)))
        return b"".join(parts)


def seq_diff(a: int, b: int) -> int:
    """a - b for 16-bit sequence numbers, in [-32768, 32767]: > 0 when a is newer."""
    return ((a - b + 0x8000) & 0xFFFF) - 0x8000


def ts_diff(a: int, b: int) -> int:
    """a - b for 32-bit RTP timestamps, in [-2**31, 2**31 - 1]: > 0 when a is later."""
    return ((a - b + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def seq_add(seq: int, n: int) -> int:
    """seq + n modulo 2**16."""
    return (seq + n) & 0xFFFF


def ts_add(ts: int, n: int) -> int:
    """ts + n modulo 2**32."""
    return (ts + n) & 0xFFFFFFFF
