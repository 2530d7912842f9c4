"""STUN Binding (RFC 5389) as a sans-IO client: messages as bytes, time passed in.

Only what a softphone behind a NAT needs: a Binding request, the mapped address out of
the success response (XOR-MAPPED-ADDRESS, or the classic MAPPED-ADDRESS of RFC 3489
servers), the error response, and the retransmission rule of RFC 5389 §7.2.1 (RTO
500 ms, doubled after each send, 7 sends, then 16 × RTO of waiting). The asyncio side
(`net/stun_client.py`) owns the sockets and the clock.

Bad input never raises anything but `StunError`: a datagram that is not STUN, is not
ours (transaction id), is cut short, or carries a wrong FINGERPRINT is refused.
"""

from __future__ import annotations

import ipaddress
import os
import struct
import zlib
from dataclasses import dataclass, field
from enum import Enum

MAGIC_COOKIE = 0x2112A442
HEADER = struct.Struct("!HHI12s")  # type, length, cookie, transaction id

BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
BINDING_ERROR = 0x0111

ATTR_MAPPED_ADDRESS = 0x0001
ATTR_ERROR_CODE = 0x0009
ATTR_XOR_MAPPED_ADDRESS = 0x0020
ATTR_SOFTWARE = 0x8022
ATTR_FINGERPRINT = 0x8028
FINGERPRINT_XOR = 0x5354554E  # RFC 5389 §15.5: "STUN"

RTO = 0.5  # RFC 5389 §7.2.1: initial retransmission time-out
MAX_SENDS = 7  # Rc
LAST_WAIT_FACTOR = 16  # Rm: after the last send, wait Rm × RTO

Address = tuple[str, int]


class StunError(ValueError):
    """A datagram that is not a usable STUN response."""


def looks_like_stun(data: bytes) -> bool:
    """RFC 5389 §6 / RFC 7983: the two top bits zero and the magic cookie in place —
    what tells a STUN packet from SIP text or RTP on a shared socket."""
    return (
        len(data) >= HEADER.size
        and data[0] < 4
        and int.from_bytes(data[4:8], "big") == MAGIC_COOKIE
        and len(data) % 4 == 0
    )


def _fingerprint(message: bytes) -> int:
    return (zlib.crc32(message) & 0xFFFFFFFF) ^ FINGERPRINT_XOR


def binding_request(
    transaction_id: bytes, *, software: str | None = None, fingerprint: bool = True
) -> bytes:
    """A Binding request (§6), with SOFTWARE and FINGERPRINT (§15.5) when asked."""
    if len(transaction_id) != 12:
        raise ValueError("a STUN transaction id has 96 bits (12 bytes)")
    attrs = b""
    if software:
        raw = software.encode("utf-8")[:127]
        attrs += struct.pack("!HH", ATTR_SOFTWARE, len(raw)) + raw + b"\0" * (-len(raw) % 4)
    if not fingerprint:
        return HEADER.pack(BINDING_REQUEST, len(attrs), MAGIC_COOKIE, transaction_id) + attrs
    # The length counts the FINGERPRINT attribute (8 bytes) before its CRC is taken.
    head = HEADER.pack(BINDING_REQUEST, len(attrs) + 8, MAGIC_COOKIE, transaction_id)
    crc = _fingerprint(head + attrs)
    return head + attrs + struct.pack("!HHI", ATTR_FINGERPRINT, 4, crc)


@dataclass(frozen=True)
class BindingResponse:
    """What a Binding response said: the mapped address, or the error class and code."""

    transaction_id: bytes
    mapped: Address | None = None
    error_code: int | None = None
    error_reason: str = ""
    software: str = ""


def transaction_id_of(data: bytes) -> bytes | None:
    """The transaction id of a STUN datagram, or None for anything else."""
    return data[8:20] if looks_like_stun(data) else None


def parse_response(data: bytes) -> BindingResponse:
    """Read a Binding success or error response; `StunError` for anything else."""
    if not looks_like_stun(data):
        raise StunError("not a STUN message")
    kind, length, _cookie, tid = HEADER.unpack_from(data)
    if kind not in (BINDING_SUCCESS, BINDING_ERROR):
        raise StunError(f"not a Binding response (type 0x{kind:04x})")
    if HEADER.size + length != len(data):
        raise StunError(f"length field {length} does not match the datagram ({len(data)} bytes)")
    attrs = _attributes(data, length)
    if ATTR_FINGERPRINT in attrs:
        offset, value = attrs[ATTR_FINGERPRINT]
        if len(value) != 4 or offset + 8 != len(data):
            raise StunError("FINGERPRINT is not the last attribute")
        if struct.unpack("!I", value)[0] != _fingerprint(data[:offset]):
            raise StunError("FINGERPRINT does not match")
    software = attrs[ATTR_SOFTWARE][1].decode("utf-8", "replace") if ATTR_SOFTWARE in attrs else ""
    if kind == BINDING_ERROR:
        if ATTR_ERROR_CODE not in attrs:
            raise StunError("error response without ERROR-CODE")
        value = attrs[ATTR_ERROR_CODE][1]
        if len(value) < 4:
            raise StunError("ERROR-CODE too short")
        code = (value[2] & 0x07) * 100 + value[3]
        reason = value[4:].decode("utf-8", "replace")
        return BindingResponse(tid, error_code=code, error_reason=reason, software=software)
    if ATTR_XOR_MAPPED_ADDRESS in attrs:
        mapped = _address(attrs[ATTR_XOR_MAPPED_ADDRESS][1], xor=tid)
    elif ATTR_MAPPED_ADDRESS in attrs:
        mapped = _address(attrs[ATTR_MAPPED_ADDRESS][1], xor=None)
    else:
        raise StunError("success response without a mapped address")
    return BindingResponse(tid, mapped=mapped, software=software)


def _attributes(data: bytes, length: int) -> dict[int, tuple[int, bytes]]:
    """Attribute type → (offset of the attribute, value); the first of each type counts."""
    out: dict[int, tuple[int, bytes]] = {}
    pos = HEADER.size
    end = HEADER.size + length
    while pos < end:
        if pos + 4 > end:
            raise StunError("attribute header cut short")
        kind, size = struct.unpack_from("!HH", data, pos)
        if pos + 4 + size > end:
            raise StunError(f"attribute 0x{kind:04x} runs past the message")
        out.setdefault(kind, (pos, data[pos + 4 : pos + 4 + size]))
        pos += 4 + size + (-size % 4)
    return out


def _address(value: bytes, *, xor: bytes | None) -> Address:
    """(XOR-)MAPPED-ADDRESS (§15.1, §15.2): family, port and address."""
    if len(value) < 8:
        raise StunError("mapped address too short")
    family, port = value[1], struct.unpack("!H", value[2:4])[0]
    if family == 0x01:
        raw = value[4:8]
    elif family == 0x02:
        if len(value) < 20:
            raise StunError("IPv6 mapped address too short")
        raw = value[4:20]
    else:
        raise StunError(f"unknown address family {family}")
    if xor is not None:
        port ^= MAGIC_COOKIE >> 16
        key = struct.pack("!I", MAGIC_COOKIE) + xor
        raw = bytes(a ^ b for a, b in zip(raw, key, strict=False))
    host = str(ipaddress.ip_address(raw))
    if port == 0:
        raise StunError("mapped port 0")
    return host, port


class BindingState(Enum):
    WAITING = "waiting"
    DONE = "done"
    FAILED = "failed"  # an error response
    TIMED_OUT = "timed out"


@dataclass
class BindingTransaction:
    """One Binding request to one server, retransmitted over UDP as §7.2.1 says.

    `start(now)` and `handle_timer(now)` return the datagram to send (or None); feed
    every datagram that `looks_like_stun` to `receive`, which ignores other
    transactions' responses and refuses malformed ones without ending the wait.
    """

    server: Address
    software: str | None = "Parley"
    transaction_id: bytes = field(default_factory=lambda: os.urandom(12))
    rto: float = RTO
    max_sends: int = MAX_SENDS

    def __post_init__(self) -> None:
        self.state = BindingState.WAITING
        self.result: BindingResponse | None = None
        self.problem = ""  # the last malformed response, for a log line
        self._request = binding_request(self.transaction_id, software=self.software)
        self._sends = 0
        self._deadline: float | None = None
        self._interval = self.rto

    def start(self, now: float) -> bytes:
        self._sends = 1
        self._interval = self.rto
        self._deadline = now + self._interval
        return self._request

    def next_timer(self) -> float | None:
        return self._deadline if self.state is BindingState.WAITING else None

    def handle_timer(self, now: float) -> bytes | None:
        if self.state is not BindingState.WAITING or self._deadline is None:
            return None
        if now < self._deadline:
            return None
        if self._sends >= self.max_sends:
            self.state = BindingState.TIMED_OUT
            self._deadline = None
            return None
        self._sends += 1
        self._interval *= 2
        # After the last send wait Rm × RTO rather than the doubled interval.
        wait = self.rto * LAST_WAIT_FACTOR if self._sends == self.max_sends else self._interval
        self._deadline = now + wait
        return self._request

    def receive(self, data: bytes, source: Address) -> bool:
        """True when `data` ended this transaction (success or error response)."""
        if self.state is not BindingState.WAITING or transaction_id_of(data) != self.transaction_id:
            return False
        try:
            response = parse_response(data)
        except StunError as exc:
            self.problem = f"malformed STUN response from {source[0]}:{source[1]}: {exc}"
            return False
        self.result = response
        self.state = BindingState.DONE if response.mapped is not None else BindingState.FAILED
        self._deadline = None
        return True

    @property
    def mapped(self) -> Address | None:
        return self.result.mapped if self.result is not None else None
