"""SRTP and SRTCP with AES counter mode and HMAC-SHA1 (RFC 3711), for the AES-256
suites of RFC 6188 (AES_256_CM_HMAC_SHA1_80 and _32), on `cryptography`.

pylibsrtp 1.0 has no AES-256 counter-mode profile, so these two suites run here; the
other suites stay on libsrtp (`parley.media.srtp`). `AesCmSession` has the four methods
of a `pylibsrtp.Session` (`protect`, `unprotect`, `protect_rtcp`, `unprotect_rtcp`) and
raises `SrtpError` where libsrtp raises its error, so the adapter treats both alike.
The code is generic in the key length (16, 24 or 32 bytes): the AES-128 variant is what
the tests compare byte for byte with libsrtp.

Per-packet cost: the session keys are derived once per master key (key derivation rate
0, RFC 3711 §4.3.1), and each key has one AES-ECB context made once; a packet's key
stream is the ECB encryption of its counter blocks (RFC 3711 §4.1.1: the counter is the
IV plus the block number), XORed with the payload as one big integer. The HMAC state
keyed with the authentication key (inner and outer SHA-1 states) is made once and
copied per packet.

- SRTP (§3.1): header (with CSRCs and extension) in clear, payload encrypted, tag =
  HMAC-SHA1(header || payload || ROC) truncated to 80 or 32 bits.
- Index (§3.3.1, appendix A): per SSRC the highest sequence number and the rollover
  counter; a packet's ROC is guessed from its sequence number; state moves only after
  the tag checks. Replays and packets older than the window (1024) are refused.
- SRTCP (§3.4): the first 8 bytes in clear, the rest encrypted, then E-bit || 31-bit
  index and an 80-bit tag (RFC 4568 §6.2.2 and RFC 6188 §4: also for the _32 suite).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["AES_CM_SUITES", "AesCmSession", "SrtpError", "derive_session_key"]

# Suite name -> (master key length, SRTP tag length). Salt 14 bytes, auth key 20 bytes.
AES_CM_SUITES: dict[str, tuple[int, int]] = {
    "AES_256_CM_HMAC_SHA1_80": (32, 10),
    "AES_256_CM_HMAC_SHA1_32": (32, 4),
}
SALT_LENGTH = 14
AUTH_KEY_LENGTH = 20
SRTCP_TAG_LENGTH = 10
REPLAY_WINDOW = 1024

# Key derivation labels (RFC 3711 §4.3.1, §4.3.2).
LABEL_RTP_ENCRYPTION = 0x00
LABEL_RTP_AUTH = 0x01
LABEL_RTP_SALT = 0x02
LABEL_RTCP_ENCRYPTION = 0x03
LABEL_RTCP_AUTH = 0x04
LABEL_RTCP_SALT = 0x05

_MAX_INDEX_RTCP = 0x7FFFFFFF


class SrtpError(Exception):
    """A packet that cannot be protected or unprotected (malformed, forged, replayed)."""


# Counter-block suffixes: every IV here has its low 16 bits zero (RFC 3711 §4.1.1 shifts
# salt, SSRC and index left by 16), so block j is the IV's first 14 bytes and j.
_SUFFIXES = [j.to_bytes(2, "big") for j in range(1 << 12)]


class _Ecb:
    """One AES-ECB context for a key: the block function of counter mode."""

    def __init__(self, key: bytes) -> None:
        self._enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()

    def keystream(self, iv: int, length: int) -> bytes:
        """`length` bytes of AES-CM key stream for the 128-bit counter `iv` (§4.1.1)."""
        blocks = (length + 15) >> 4
        if iv & 0xFFFF or blocks > len(_SUFFIXES):
            counters = b"".join((iv + j).to_bytes(16, "big") for j in range(blocks))
        else:  # prefix s0 prefix s1 ...: one join, no per-block integer work
            counters = iv.to_bytes(16, "big")[:14].join([b"", *_SUFFIXES[:blocks]])
        out: bytes = self._enc.update(counters)
        return out[:length]

    def xor(self, iv: int, data: bytes | memoryview) -> bytes:
        n = len(data)
        if n == 0:
            return b""
        stream = self.keystream(iv, n)
        return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


class _HmacSha1:
    """HMAC-SHA1 (RFC 2104) with the keyed inner and outer hash states made once: a
    packet costs two state copies, not a new HMAC object."""

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")
        self._inner = hashlib.sha1(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha1(bytes(b ^ 0x5C for b in block))

    def digest(self, *parts: bytes | memoryview) -> bytes:
        inner = self._inner.copy()
        for part in parts:
            inner.update(part)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


def derive_session_key(master_key: bytes, master_salt: bytes, label: int, length: int) -> bytes:
    """The AES-CM PRF of RFC 3711 §4.3.1/§4.3.3 (RFC 6188 §3 for AES-256), key
    derivation rate 0: x = (label << 48) XOR salt, key stream from IV x * 2^16."""
    if len(master_salt) != SALT_LENGTH:
        raise ValueError(f"the master salt must be {SALT_LENGTH} bytes")
    x = (label << 48) ^ int.from_bytes(master_salt, "big")
    return _Ecb(master_key).keystream(x << 16, length)


@dataclass
class _ReplayState:
    """Per SSRC: the highest index seen and a bit mask of the ones below it."""

    highest: int = -1
    mask: int = 0  # bit k set: index highest - k was seen

    def check(self, index: int) -> int:
        """The distance of `index` from the highest one; raises for replays and old
        packets."""
        if self.highest < 0:
            return 1
        delta = index - self.highest
        if delta > 0:
            return delta
        if -delta >= REPLAY_WINDOW:
            raise SrtpError("packet older than the replay window")
        if self.mask >> -delta & 1:
            raise SrtpError("replayed packet")
        return delta

    def accept(self, index: int, delta: int) -> None:
        if self.highest < 0:
            self.highest, self.mask = index, 1
        elif delta > 0:
            self.mask = ((self.mask << delta) | 1) & ((1 << REPLAY_WINDOW) - 1)
            self.highest = index
        else:
            self.mask |= 1 << -delta


@dataclass
class _RtpStream:
    """Per SSRC: rollover counter and highest sequence number (§3.3.1), replay state."""

    roc: int = 0
    s_l: int = -1
    replay: _ReplayState = field(default_factory=_ReplayState)

    def guess_index(self, seq: int) -> int:
        """RFC 3711 appendix A: the packet's 48-bit index from its sequence number."""
        if self.s_l < 0:
            return seq
        roc, s_l = self.roc, self.s_l
        if s_l < 0x8000:
            v = roc - 1 if seq - s_l > 0x8000 else roc
        else:
            v = roc + 1 if s_l - 0x8000 > seq else roc
        if v < 0:
            v = 0  # before the first wrap a late packet cannot be from ROC -1
        return ((v & 0xFFFFFFFF) << 16) | seq

    def update(self, index: int) -> None:
        roc, seq = index >> 16, index & 0xFFFF
        if self.s_l < 0 or index > ((self.roc << 16) | self.s_l):
            self.roc, self.s_l = roc, seq


@dataclass
class _RtcpStream:
    next_index: int = 1  # sender (libsrtp counts from 1 too)
    replay: _ReplayState = field(default_factory=_ReplayState)  # receiver


class _Keys:
    """Session keys for one direction of RTP or RTCP, derived once."""

    def __init__(self, master_key: bytes, master_salt: bytes, labels: tuple[int, int, int]) -> None:
        enc, auth, salt = labels
        self.cipher = _Ecb(derive_session_key(master_key, master_salt, enc, len(master_key)))
        self.salt = int.from_bytes(derive_session_key(master_key, master_salt, salt, SALT_LENGTH))
        self.mac = _HmacSha1(derive_session_key(master_key, master_salt, auth, AUTH_KEY_LENGTH))

    def iv(self, ssrc: int, index: int) -> int:
        """§4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)."""
        return (self.salt << 16) ^ (ssrc << 64) ^ (index << 16)

    def tag(self, *parts: bytes | memoryview) -> bytes:
        return self.mac.digest(*parts)


def _rtp_header_length(packet: bytes, end: int | None = None) -> int:
    """The length of the RTP header (with CSRCs and extension) in `packet[:end]`."""
    end = len(packet) if end is None else end
    if end < 12 or packet[0] >> 6 != 2:
        raise SrtpError("not an RTP packet")
    length = 12 + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:  # header extension
        if end < length + 4:
            raise SrtpError("truncated RTP header extension")
        length += 4 + 4 * int.from_bytes(packet[length + 2 : length + 4], "big")
    if end < length:
        raise SrtpError("truncated RTP header")
    return length


class AesCmSession:
    """SRTP/SRTCP for one direction with one master key (key || salt), any SSRC.

    `suite`: a name of `AES_CM_SUITES`, or a (key length, tag length) pair (the tests'
    AES-128 variant)."""

    def __init__(self, suite: str | tuple[int, int], key_salt: bytes) -> None:
        key_length, tag_length = AES_CM_SUITES[suite.upper()] if isinstance(suite, str) else suite
        if len(key_salt) != key_length + SALT_LENGTH:
            raise ValueError(f"the key and salt must be {key_length + SALT_LENGTH} bytes")
        master_key, master_salt = key_salt[:key_length], key_salt[key_length:]
        self.tag_length = tag_length
        self._rtp = _Keys(master_key, master_salt, (0, 1, 2))
        self._rtcp = _Keys(master_key, master_salt, (3, 4, 5))
        self._rtp_streams: dict[int, _RtpStream] = {}
        self._rtcp_streams: dict[int, _RtcpStream] = {}

    # ------------------------------------------------------------------ SRTP

    def protect(self, packet: bytes) -> bytes:
        header = _rtp_header_length(packet)
        seq = (packet[2] << 8) | packet[3]
        ssrc = int.from_bytes(packet[8:12], "big")
        stream = self._rtp_streams.get(ssrc)
        if stream is None:
            stream = self._rtp_streams[ssrc] = _RtpStream()
        index = stream.guess_index(seq)
        stream.update(index)
        keys = self._rtp
        body = packet[:header] + keys.cipher.xor(keys.iv(ssrc, index), memoryview(packet)[header:])
        tag = keys.tag(body, struct.pack("!I", index >> 16))
        return body + tag[: self.tag_length]

    def unprotect(self, packet: bytes) -> bytes:
        if len(packet) < 12 + self.tag_length:
            raise SrtpError("packet too short for SRTP")
        body_end = len(packet) - self.tag_length
        body = memoryview(packet)[:body_end]
        header = _rtp_header_length(packet, body_end)
        seq = (packet[2] << 8) | packet[3]
        ssrc = int.from_bytes(packet[8:12], "big")
        stream = self._rtp_streams.get(ssrc) or _RtpStream()
        index = stream.guess_index(seq)
        delta = stream.replay.check(index)
        keys = self._rtp
        tag = keys.tag(body, struct.pack("!I", index >> 16))
        if not hmac.compare_digest(tag[: self.tag_length], packet[body_end:]):
            raise SrtpError("SRTP authentication failed")
        self._rtp_streams.setdefault(ssrc, stream)
        stream.replay.accept(index, delta)
        stream.update(index)
        return packet[:header] + keys.cipher.xor(keys.iv(ssrc, index), body[header:])

    # ------------------------------------------------------------------ SRTCP

    def protect_rtcp(self, packet: bytes) -> bytes:
        if len(packet) < 8 or packet[0] >> 6 != 2:
            raise SrtpError("not an RTCP packet")
        ssrc = int.from_bytes(packet[4:8], "big")
        stream = self._rtcp_streams.setdefault(ssrc, _RtcpStream())
        index = stream.next_index
        stream.next_index = (index + 1) & _MAX_INDEX_RTCP
        keys = self._rtcp
        body = packet[:8] + keys.cipher.xor(keys.iv(ssrc, index), memoryview(packet)[8:])
        trailer = struct.pack("!I", 0x80000000 | index)
        return body + trailer + keys.tag(body, trailer)[:SRTCP_TAG_LENGTH]

    def unprotect_rtcp(self, packet: bytes) -> bytes:
        if len(packet) < 8 + 4 + SRTCP_TAG_LENGTH or packet[0] >> 6 != 2:
            raise SrtpError("not an SRTCP packet")
        end = len(packet) - SRTCP_TAG_LENGTH
        keys = self._rtcp
        if not hmac.compare_digest(
            keys.tag(memoryview(packet)[:end])[:SRTCP_TAG_LENGTH], packet[end:]
        ):
            raise SrtpError("SRTCP authentication failed")
        word = int.from_bytes(packet[end - 4 : end], "big")
        encrypted, index = bool(word >> 31), word & _MAX_INDEX_RTCP
        ssrc = int.from_bytes(packet[4:8], "big")
        stream = self._rtcp_streams.get(ssrc) or _RtcpStream()
        delta = stream.replay.check(index)
        self._rtcp_streams.setdefault(ssrc, stream)
        stream.replay.accept(index, delta)
        payload = memoryview(packet)[8 : end - 4]
        if not encrypted:
            return bytes(packet[: end - 4])
        return packet[:8] + keys.cipher.xor(keys.iv(ssrc, index), payload)
