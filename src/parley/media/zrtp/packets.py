"""ZRTP packets and messages: the wire format of RFC 6189 §5.

A ZRTP packet is a 12-byte header (0x10 0x00, sequence number, magic cookie "ZRTP",
SSRC), one message, and a CRC-32C. A message starts with the preamble 0x505A, its
length in 32-bit words (preamble to end of message, CRC excluded) and an 8-character
type block; its body depends on the type.

- `encode_message` / `decode_message`: a message dataclass to and from its bytes
  (the bytes that the hashes of §4 cover: hvi, total_hash, the Hello hash of §8.1).
- `encode_packet` / `decode_packet`: a message's bytes inside a packet with the CRC.
- `with_mac` / `mac_matches`: the trailing MAC of Hello, Commit, DHPart1 and DHPart2,
  keyed with the hash-chain images H2, H1 and H0 (§9).

Anything that is not a well-formed packet raises `ZrtpError`; nothing else escapes.
"""

from __future__ import annotations

import hmac
import struct
from dataclasses import dataclass, replace
from typing import ClassVar, TypeVar

from parley.media.zrtp.crc32c import crc32c_bytes
from parley.media.zrtp.crypto import mac64
from parley.media.zrtp.errors import ErrorCode, ZrtpError

VERSION = b"1.10"
PREAMBLE = 0x505A
MAGIC = b"ZRTP"
HEADER_BYTES = 12
CRC_BYTES = 4
MESSAGE_HEAD_BYTES = 12  # preamble, length, type block
MAC_BYTES = 8
HASH_BYTES = 32  # hash images H0..H3 and hvi are SHA-256 sized (§5.1.2)
ZID_BYTES = 12
MAX_ALGORITHMS = 7  # §5.2: each list holds at most seven entries
MAX_PACKET_BYTES = 3072  # far above the largest message of §5 (a signed Confirm)

_HEADER = struct.Struct("!BBH4sI")
_MESSAGE_HEAD = struct.Struct("!HH8s")


def _need(body: bytes, size: int, what: str) -> None:
    if len(body) != size:
        raise ZrtpError(f"{what}: {len(body)} bytes where {size} were expected")


def _algorithms(raw: bytes) -> tuple[str, ...]:
    return tuple(raw[i : i + 4].decode("latin-1") for i in range(0, len(raw), 4))


def _algorithm_bytes(name: str) -> bytes:
    raw = name.encode("latin-1")
    if len(raw) != 4:
        raise ValueError(f"algorithm name {name!r} is not four characters")
    return raw


# --- messages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Hello:
    """§5.2. The MAC is keyed with H2 (revealed later in the Commit or DHPart1)."""

    TYPE: ClassVar[bytes] = b"Hello   "
    version: bytes
    client_id: bytes
    h3: bytes
    zid: bytes
    signature_capable: bool
    mitm: bool
    passive: bool
    hash_types: tuple[str, ...]
    cipher_types: tuple[str, ...]
    auth_tags: tuple[str, ...]
    key_agreements: tuple[str, ...]
    sas_types: tuple[str, ...]
    mac: bytes = bytes(MAC_BYTES)

    def body(self) -> bytes:
        lists = (
            self.hash_types,
            self.cipher_types,
            self.auth_tags,
            self.key_agreements,
            self.sas_types,
        )
        if any(len(x) > MAX_ALGORITHMS for x in lists):
            raise ValueError("a Hello lists at most seven algorithms of each kind")
        flags = (self.signature_capable << 6) | (self.mitm << 5) | (self.passive << 4)
        counts = (
            (len(self.hash_types) << 16)
            | (len(self.cipher_types) << 12)
            | (len(self.auth_tags) << 8)
            | (len(self.key_agreements) << 4)
            | len(self.sas_types)
        )
        algos = b"".join(_algorithm_bytes(a) for lst in lists for a in lst)
        client = self.client_id[:16].ljust(16, b" ")
        return (
            self.version
            + client
            + self.h3
            + self.zid
            + ((flags << 24) | counts).to_bytes(4, "big")
            + algos
            + self.mac
        )

    @classmethod
    def parse(cls, body: bytes) -> Hello:
        fixed = 4 + 16 + HASH_BYTES + ZID_BYTES + 4
        if len(body) < fixed + MAC_BYTES:
            raise ZrtpError("Hello: too short")
        word = int.from_bytes(body[fixed - 4 : fixed], "big")
        counts = [(word >> shift) & 0xF for shift in (16, 12, 8, 4, 0)]
        if any(c > MAX_ALGORITHMS for c in counts):
            raise ZrtpError("Hello: more than seven algorithms of one kind")
        _need(body, fixed + 4 * sum(counts) + MAC_BYTES, "Hello")
        lists: list[tuple[str, ...]] = []
        at = fixed
        for count in counts:
            lists.append(_algorithms(body[at : at + 4 * count]))
            at += 4 * count
        flags = word >> 24
        return cls(
            version=body[0:4],
            client_id=body[4:20],
            h3=body[20:52],
            zid=body[52:64],
            signature_capable=bool(flags & 0x40),
            mitm=bool(flags & 0x20),
            passive=bool(flags & 0x10),
            hash_types=lists[0],
            cipher_types=lists[1],
            auth_tags=lists[2],
            key_agreements=lists[3],
            sas_types=lists[4],
            mac=body[at:],
        )


@dataclass(frozen=True)
class Commit:
    """§5.4. DH mode carries hvi; Multistream a nonce; Preshared a nonce and key ID.
    The MAC is keyed with H1."""

    TYPE: ClassVar[bytes] = b"Commit  "
    h2: bytes
    zid: bytes
    hash_type: str
    cipher_type: str
    auth_tag: str
    key_agreement: str
    sas_type: str
    hvi: bytes = b""
    nonce: bytes = b""
    key_id: bytes = b""
    mac: bytes = bytes(MAC_BYTES)

    def body(self) -> bytes:
        sizes = {"Mult": (0, 16, 0), "Prsh": (0, 16, 8)}.get(self.key_agreement, (32, 0, 0))
        if (len(self.hvi), len(self.nonce), len(self.key_id)) != sizes:
            raise ValueError(f"Commit for {self.key_agreement}: wrong hvi/nonce/key ID sizes")
        names = (self.hash_type, self.cipher_type, self.auth_tag, self.key_agreement)
        algos = b"".join(_algorithm_bytes(a) for a in (*names, self.sas_type))
        return self.h2 + self.zid + algos + self.hvi + self.nonce + self.key_id + self.mac

    @classmethod
    def parse(cls, body: bytes) -> Commit:
        fixed = HASH_BYTES + ZID_BYTES + 20
        if len(body) < fixed:
            raise ZrtpError("Commit: too short")
        names = _algorithms(body[HASH_BYTES + ZID_BYTES : fixed])
        mode = names[3]
        rest = body[fixed:]
        hvi = nonce = key_id = b""
        if mode == "Mult":
            _need(rest, 16 + MAC_BYTES, "Commit (Multistream)")
            nonce = rest[:16]
        elif mode == "Prsh":
            _need(rest, 16 + 8 + MAC_BYTES, "Commit (Preshared)")
            nonce, key_id = rest[:16], rest[16:24]
        else:
            _need(rest, HASH_BYTES + MAC_BYTES, "Commit (DH)")
            hvi = rest[:HASH_BYTES]
        return cls(
            h2=body[:HASH_BYTES],
            zid=body[HASH_BYTES : HASH_BYTES + ZID_BYTES],
            hash_type=names[0],
            cipher_type=names[1],
            auth_tag=names[2],
            key_agreement=mode,
            sas_type=names[4],
            hvi=hvi,
            nonce=nonce,
            key_id=key_id,
            mac=rest[-MAC_BYTES:],
        )


@dataclass(frozen=True)
class _DHPart:
    """DHPart1 and DHPart2 (§5.5, §5.6) share one layout: H1, the IDs of the retained,
    auxiliary and PBX secrets, the public value; the MAC is keyed with H0."""

    TYPE: ClassVar[bytes]
    h1: bytes
    rs1_id: bytes
    rs2_id: bytes
    aux_id: bytes
    pbx_id: bytes
    pv: bytes
    mac: bytes = bytes(MAC_BYTES)

    def body(self) -> bytes:
        return self.h1 + self.rs1_id + self.rs2_id + self.aux_id + self.pbx_id + self.pv + self.mac

    @classmethod
    def _fields(cls, body: bytes) -> tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes]:
        fixed = HASH_BYTES + 4 * 8
        # The smallest public value is EC25's 64 bytes; the largest DH3k's 384 (§5.1.5).
        if not fixed + 64 + MAC_BYTES <= len(body) <= fixed + 512 + MAC_BYTES:
            raise ZrtpError(f"{cls.TYPE.decode().strip()}: bad length {len(body)}")
        return (
            body[:32],
            body[32:40],
            body[40:48],
            body[48:56],
            body[56:64],
            body[64:-MAC_BYTES],
            body[-MAC_BYTES:],
        )


@dataclass(frozen=True)
class DHPart1(_DHPart):
    """§5.5, sent by the responder (pvr)."""

    TYPE: ClassVar[bytes] = b"DHPart1 "

    @classmethod
    def parse(cls, body: bytes) -> DHPart1:
        return cls(*cls._fields(body))


@dataclass(frozen=True)
class DHPart2(_DHPart):
    """§5.6, sent by the initiator (pvi)."""

    TYPE: ClassVar[bytes] = b"DHPart2 "

    @classmethod
    def parse(cls, body: bytes) -> DHPart2:
        return cls(*cls._fields(body))


@dataclass(frozen=True)
class _Confirm:
    """Confirm1 and Confirm2 (§5.7, §5.8): `encrypted` is the CFB-encrypted
    `ConfirmBody`, `confirm_mac` the MAC over it with the sender's mackey."""

    TYPE: ClassVar[bytes]
    confirm_mac: bytes
    iv: bytes
    encrypted: bytes

    def body(self) -> bytes:
        return self.confirm_mac + self.iv + self.encrypted

    @classmethod
    def _fields(cls, body: bytes) -> tuple[bytes, bytes, bytes]:
        if len(body) < MAC_BYTES + 16 + ConfirmBody.FIXED_BYTES:
            raise ZrtpError(f"{cls.TYPE.decode()}: too short")
        return body[:8], body[8:24], body[24:]


@dataclass(frozen=True)
class Confirm1(_Confirm):
    """§5.7, sent by the responder (keys zrtpkeyr, mackeyr)."""

    TYPE: ClassVar[bytes] = b"Confirm1"

    @classmethod
    def parse(cls, body: bytes) -> Confirm1:
        return cls(*cls._fields(body))


@dataclass(frozen=True)
class Confirm2(_Confirm):
    """§5.8, sent by the initiator (keys zrtpkeyi, mackeyi)."""

    TYPE: ClassVar[bytes] = b"Confirm2"

    @classmethod
    def parse(cls, body: bytes) -> Confirm2:
        return cls(*cls._fields(body))


@dataclass(frozen=True)
class ConfirmBody:
    """The encrypted part of Confirm1/2 (§5.7): H0, flags, cache expiration interval
    and an optional signature block (length in words, kept as opaque bytes).

    Flags: E (PBX enrollment), V (SAS verified), A (allow clear), D (disclosure).
    """

    FIXED_BYTES: ClassVar[int] = HASH_BYTES + 8
    h0: bytes
    pbx_enrollment: bool = False
    sas_verified: bool = False
    allow_clear: bool = False
    disclosure: bool = False
    cache_expiry: int = 0xFFFFFFFF
    signature: bytes = b""

    def encode(self) -> bytes:
        if len(self.signature) % 4 or len(self.signature) // 4 > 0x1FF:
            raise ValueError("signature block must be whole words, at most 511")
        flags = (
            (self.pbx_enrollment << 3)
            | (self.sas_verified << 2)
            | (self.allow_clear << 1)
            | int(self.disclosure)
        )
        word = ((len(self.signature) // 4) << 8) | flags
        return (
            self.h0
            + word.to_bytes(4, "big")
            + self.cache_expiry.to_bytes(4, "big")
            + self.signature
        )

    @classmethod
    def decode(cls, data: bytes) -> ConfirmBody:
        if len(data) < cls.FIXED_BYTES:
            raise ZrtpError("Confirm: encrypted part too short")
        word = int.from_bytes(data[32:36], "big")
        sig_words = (word >> 8) & 0x1FF
        _need(data, cls.FIXED_BYTES + 4 * sig_words, "Confirm encrypted part")
        return cls(
            h0=data[:32],
            pbx_enrollment=bool(word & 8),
            sas_verified=bool(word & 4),
            allow_clear=bool(word & 2),
            disclosure=bool(word & 1),
            cache_expiry=int.from_bytes(data[36:40], "big"),
            signature=data[40:],
        )


@dataclass(frozen=True)
class _Empty:
    """A message with no body."""

    def body(self) -> bytes:
        return b""


@dataclass(frozen=True)
class HelloAck(_Empty):
    TYPE: ClassVar[bytes] = b"HelloACK"

    @classmethod
    def parse(cls, body: bytes) -> HelloAck:
        _need(body, 0, "HelloACK")
        return cls()


@dataclass(frozen=True)
class Conf2Ack(_Empty):
    TYPE: ClassVar[bytes] = b"Conf2ACK"

    @classmethod
    def parse(cls, body: bytes) -> Conf2Ack:
        _need(body, 0, "Conf2ACK")
        return cls()


@dataclass(frozen=True)
class ErrorAck(_Empty):
    TYPE: ClassVar[bytes] = b"ErrorACK"

    @classmethod
    def parse(cls, body: bytes) -> ErrorAck:
        _need(body, 0, "ErrorACK")
        return cls()


@dataclass(frozen=True)
class ClearAck(_Empty):
    TYPE: ClassVar[bytes] = b"ClearACK"

    @classmethod
    def parse(cls, body: bytes) -> ClearAck:
        _need(body, 0, "ClearACK")
        return cls()


@dataclass(frozen=True)
class RelayAck(_Empty):
    TYPE: ClassVar[bytes] = b"RelayACK"

    @classmethod
    def parse(cls, body: bytes) -> RelayAck:
        _need(body, 0, "RelayACK")
        return cls()


@dataclass(frozen=True)
class Error:
    """§5.9. The code is one of `ErrorCode`; unknown codes are kept as numbers."""

    TYPE: ClassVar[bytes] = b"Error   "
    code: int

    def body(self) -> bytes:
        return self.code.to_bytes(4, "big")

    @classmethod
    def parse(cls, body: bytes) -> Error:
        _need(body, 4, "Error")
        return cls(int.from_bytes(body, "big"))


@dataclass(frozen=True)
class GoClear:
    """§5.11. clear_mac = MAC(sender's mackey, "GoClear ")."""

    TYPE: ClassVar[bytes] = b"GoClear "
    clear_mac: bytes

    def body(self) -> bytes:
        return self.clear_mac

    @classmethod
    def parse(cls, body: bytes) -> GoClear:
        _need(body, MAC_BYTES, "GoClear")
        return cls(body)


@dataclass(frozen=True)
class SasRelay:
    """§5.13. `encrypted` holds flags, the rendering scheme and the trusted MiTM's
    SAS hash (and a signature); Parley never trusts a MiTM, so it is not decoded."""

    TYPE: ClassVar[bytes] = b"SASrelay"
    mac: bytes
    iv: bytes
    encrypted: bytes

    def body(self) -> bytes:
        return self.mac + self.iv + self.encrypted

    @classmethod
    def parse(cls, body: bytes) -> SasRelay:
        if len(body) < MAC_BYTES + 16 + 40 or len(body) % 4:
            raise ZrtpError("SASrelay: bad length")
        return cls(body[:8], body[8:24], body[24:])


@dataclass(frozen=True)
class Ping:
    """§5.15: version and the sender's endpoint hash."""

    TYPE: ClassVar[bytes] = b"Ping    "
    version: bytes
    endpoint_hash: bytes

    def body(self) -> bytes:
        return self.version + self.endpoint_hash

    @classmethod
    def parse(cls, body: bytes) -> Ping:
        _need(body, 12, "Ping")
        return cls(body[:4], body[4:12])


@dataclass(frozen=True)
class PingAck:
    """§5.16: our version and endpoint hash, the one from the Ping, its SSRC."""

    TYPE: ClassVar[bytes] = b"PingACK "
    version: bytes
    endpoint_hash: bytes
    received_endpoint_hash: bytes
    ssrc: int

    def body(self) -> bytes:
        return (
            self.version
            + self.endpoint_hash
            + self.received_endpoint_hash
            + self.ssrc.to_bytes(4, "big")
        )

    @classmethod
    def parse(cls, body: bytes) -> PingAck:
        _need(body, 24, "PingACK")
        return cls(body[:4], body[4:12], body[12:20], int.from_bytes(body[20:24], "big"))


Message = (
    Hello
    | HelloAck
    | Commit
    | DHPart1
    | DHPart2
    | Confirm1
    | Confirm2
    | Conf2Ack
    | Error
    | ErrorAck
    | GoClear
    | ClearAck
    | SasRelay
    | RelayAck
    | Ping
    | PingAck
)

_TYPES: dict[bytes, type[Message]] = {
    cls.TYPE: cls
    for cls in (
        Hello,
        HelloAck,
        Commit,
        DHPart1,
        DHPart2,
        Confirm1,
        Confirm2,
        Conf2Ack,
        Error,
        ErrorAck,
        GoClear,
        ClearAck,
        SasRelay,
        RelayAck,
        Ping,
        PingAck,
    )
}

# Fields that must have a fixed size when we encode (a wrong size is our bug).
_SIZES = {
    "h0": 32,
    "h1": 32,
    "h2": 32,
    "h3": 32,
    "zid": ZID_BYTES,
    "mac": MAC_BYTES,
    "confirm_mac": MAC_BYTES,
    "clear_mac": MAC_BYTES,
    "iv": 16,
    "version": 4,
    "rs1_id": 8,
    "rs2_id": 8,
    "aux_id": 8,
    "pbx_id": 8,
    "endpoint_hash": 8,
    "received_endpoint_hash": 8,
}


def encode_message(message: Message) -> bytes:
    """The message's bytes: preamble, length in words, type block, body."""
    for name, size in _SIZES.items():
        value = getattr(message, name, None)
        if isinstance(value, bytes) and len(value) != size:
            raise ValueError(f"{type(message).__name__}.{name} must be {size} bytes")
    body = message.body()
    total = MESSAGE_HEAD_BYTES + len(body)
    if total % 4:
        raise ValueError(f"{type(message).__name__} is not a whole number of words")
    return _MESSAGE_HEAD.pack(PREAMBLE, total // 4, message.TYPE) + body


def decode_message(data: bytes) -> Message:
    """Parse one message (preamble to end); `ZrtpError` if it is not well formed."""
    if len(data) < MESSAGE_HEAD_BYTES:
        raise ZrtpError("message shorter than its header")
    preamble, words, kind = _MESSAGE_HEAD.unpack_from(data)
    if preamble != PREAMBLE:
        raise ZrtpError(f"bad message preamble {preamble:#06x}")
    if words * 4 != len(data):
        raise ZrtpError(f"message length field says {words * 4} bytes, it has {len(data)}")
    cls = _TYPES.get(kind)
    if cls is None:
        raise ZrtpError(f"unknown message type {kind!r}")
    return cls.parse(data[MESSAGE_HEAD_BYTES:])


# --- packets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Packet:
    """A received packet: header fields, the message and its exact bytes."""

    sequence: int
    ssrc: int
    message: Message
    message_bytes: bytes


def looks_like_zrtp(datagram: bytes) -> bool:
    """True for a datagram with the ZRTP header (first bits 0001, magic cookie): how a
    media transport tells ZRTP from RTP and RTCP on the same port (§5)."""
    return len(datagram) >= HEADER_BYTES and datagram[0] == 0x10 and datagram[4:8] == MAGIC


def encode_packet(message_bytes: bytes, sequence: int, ssrc: int) -> bytes:
    """Header + message + CRC-32C."""
    head = _HEADER.pack(0x10, 0, sequence & 0xFFFF, MAGIC, ssrc & 0xFFFFFFFF)
    packet = head + message_bytes
    return packet + crc32c_bytes(packet)


def decode_packet(datagram: bytes) -> Packet:
    """Check header and CRC, then parse the message; `ZrtpError` otherwise."""
    if len(datagram) < HEADER_BYTES + MESSAGE_HEAD_BYTES + CRC_BYTES:
        raise ZrtpError("packet too short")
    if len(datagram) > MAX_PACKET_BYTES:
        raise ZrtpError("packet too long")
    first, _, sequence, magic, ssrc = _HEADER.unpack_from(datagram)
    if first != 0x10 or magic != MAGIC:
        raise ZrtpError("not a ZRTP packet (header or magic cookie)")
    if not hmac.compare_digest(crc32c_bytes(datagram[:-CRC_BYTES]), datagram[-CRC_BYTES:]):
        raise ZrtpError("CRC mismatch")
    message_bytes = datagram[HEADER_BYTES:-CRC_BYTES]
    return Packet(sequence, ssrc, decode_message(message_bytes), message_bytes)


# --- MACs of Hello, Commit, DHPart1/2 (§9) ---------------------------------------------

_M = TypeVar("_M", bound=Hello | Commit | DHPart1 | DHPart2)


def with_mac(message: _M, key: bytes) -> _M:
    """The message with its trailing MAC computed over everything before it."""
    unsigned = encode_message(replace(message, mac=bytes(MAC_BYTES)))
    return replace(message, mac=mac64(key, unsigned[:-MAC_BYTES]))


def mac_matches(message_bytes: bytes, key: bytes) -> bool:
    """Does the trailing MAC of a Hello/Commit/DHPart message's bytes verify with key?"""
    if len(message_bytes) < MESSAGE_HEAD_BYTES + MAC_BYTES:
        return False
    expected = mac64(key, message_bytes[:-MAC_BYTES])
    return hmac.compare_digest(expected, message_bytes[-MAC_BYTES:])


def error_code_name(code: int) -> str:
    """The enum name of an Error code, or its hex for one RFC 6189 does not define."""
    try:
        return ErrorCode(code).name
    except ValueError:
        return f"{code:#x}"
