"""The media transport under one call's RTP session: where packets go and come from.

`UdpMediaTransport` is the UDP socket pair (RTP on an even port, RTCP on the next, RFC
3550 §11), demultiplexes RTCP that arrives on the RTP port (RFC 5761 §4), and does
symmetric RTP: it sends to where the far end's packets really come from (RFC 4961),
which gets audio through NATs the SDP does not describe.

The RTP session (`parley.media.stream.RtpStream`) sees only the `MediaTransport`
interface, so a transport can be wrapped: `TransportAdapter` is the base for layers
that transform every packet both ways, as SRTP and ZRTP will (in the way PJSIP's
transport_srtp wraps its UDP transport), without touching the session.

Latching: the session's RTP handler answers whether a packet belongs to the call
(payload type and SSRC, see `RtpStream`); only such a packet may move where we send.
A stray packet from a scanner, or a late one from an earlier peer, never does.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

Address = tuple[str, int]
# Handed every RTP packet with its source; True when it belongs to the call.
RtpHandler = Callable[[bytes, Address], bool]
RtcpHandler = Callable[[bytes, Address], None]

PORT_TRIES = 200  # bind attempts before giving up on a range


class RtpPortError(OSError):
    """No free RTP port in the configured range, or a range that cannot hold a pair."""


class MediaTransport(Protocol):
    """What an RTP session needs from the layer below it."""

    @property
    def local_address(self) -> Address:
        """The RTP address we receive on (RTCP is on the next port)."""
        ...

    @property
    def remote_rtp(self) -> Address | None:
        """Where RTP goes now (the SDP's address, or the latched one)."""
        ...

    @property
    def remote_rtcp(self) -> Address | None: ...

    def attach(self, on_rtp: RtpHandler, on_rtcp: RtcpHandler) -> None:
        """Deliver received packets to these handlers (replacing earlier ones)."""
        ...

    def set_remote(self, rtp: Address | None, rtcp: Address | None) -> None:
        """Where the SDP says to send; None sends nothing. Allows latching again."""
        ...

    def send_rtp(self, data: bytes) -> bool:
        """Send one RTP packet to the remote; False when it could not be sent."""
        ...

    def send_rtcp(self, data: bytes) -> bool: ...

    def close(self) -> None: ...


def is_rtcp(data: bytes) -> bool:
    """RFC 5761 §4: RTCP packet types 192-223 sit where RTP has marker + payload type
    64-95, which RTP never uses dynamically alongside RTCP."""
    return len(data) >= 2 and 192 <= data[1] <= 223


def _is_stun(data: bytes) -> bool:
    """RFC 7983 §7 / RFC 5389 §6: first byte 0-3 and the magic cookie 0x2112A442."""
    return len(data) >= 20 and data[0] < 4 and data[4:8] == b"\x21\x12\xa4\x42"


def port_candidates(low: int, high: int) -> list[int]:
    """RTP ports whose RTCP port (the next one) also lies in [low, high]: even ones
    (RFC 3550 §11), or the one odd port when the range is a single odd-even pair."""
    if low > high:
        raise RtpPortError(
            f"the RTP port range {low}-{high} is empty: the lowest port is above the "
            "highest; set rtp_port_min below rtp_port_max"
        )
    if high - low < 1:
        raise RtpPortError(
            f"the RTP port range {low}-{high} holds one port; a call needs two (RTP and "
            "RTCP): set rtp_port_max to at least rtp_port_min + 1"
        )
    evens = list(range(low + low % 2, high, 2))
    return evens or list(range(low, high))


class _Socket(asyncio.DatagramProtocol):
    def __init__(self, receive: Callable[[bytes, Address], None]) -> None:
        self.receive = receive
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, ...]) -> None:
        try:
            self.receive(data, (str(addr[0]), int(addr[1])))
        except Exception:  # the engine never dies from a packet
            log.exception("RTP packet handling failed")

    def error_received(self, exc: Exception) -> None:
        log.debug("RTP socket error: %s", exc)

    def sendto(self, data: bytes, addr: Address) -> bool:
        if self.transport is None:
            return False
        try:
            self.transport.sendto(data, addr)
        except OSError as exc:
            log.debug("RTP send failed: %s", exc)
            return False
        return True

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None


def _drop_rtp(_data: bytes, _source: Address) -> bool:
    return False


def _drop_rtcp(_data: bytes, _source: Address) -> None:
    return None


class UdpMediaTransport:
    """RTP and RTCP on a UDP socket pair, with symmetric-RTP latching."""

    def __init__(self, rtp: _Socket, rtcp: _Socket, local: Address, *, symmetric: bool) -> None:
        self._rtp = rtp
        self._rtcp = rtcp
        self._local = local
        self.symmetric = symmetric
        self._remote_rtp: Address | None = None
        self._remote_rtcp: Address | None = None
        self._latched = False
        self._on_rtp: RtpHandler = _drop_rtp
        self._on_rtcp: RtcpHandler = _drop_rtcp
        # STUN on the RTP port (the RTP socket's own NAT mapping): the phone layer's
        # STUN client reads the answers here and sends its requests with `send_raw`.
        self.on_stun: Callable[[bytes, Address], None] | None = None
        rtp.receive = self._rtp_datagram
        rtcp.receive = self._rtcp_datagram

    @classmethod
    async def open(
        cls,
        host: str,
        port_range: tuple[int, int] = (16384, 32767),
        *,
        symmetric: bool = True,
        rng: random.Random | None = None,
    ) -> UdpMediaTransport:
        """Bind RTP and RTCP on a port pair of the range (both ends included)."""
        loop = asyncio.get_running_loop()
        low, high = port_range
        candidates = port_candidates(low, high)
        (rng or random.SystemRandom()).shuffle(candidates)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        for port in candidates[:PORT_TRIES]:
            try:
                _t, rtp = await loop.create_datagram_endpoint(
                    lambda: _Socket(_drop_rtcp), local_addr=(host, port), family=family
                )
            except OSError:
                continue
            try:
                _t, rtcp = await loop.create_datagram_endpoint(
                    lambda: _Socket(_drop_rtcp), local_addr=(host, port + 1), family=family
                )
            except OSError:
                rtp.close()
                continue
            return cls(rtp, rtcp, (host, port), symmetric=symmetric)
        raise RtpPortError(f"no free RTP port pair between {low} and {high} on {host}")

    @property
    def local_address(self) -> Address:
        return self._local

    @property
    def remote_rtp(self) -> Address | None:
        return self._remote_rtp

    @property
    def remote_rtcp(self) -> Address | None:
        return self._remote_rtcp

    @property
    def latched(self) -> bool:
        return self._latched

    def attach(self, on_rtp: RtpHandler, on_rtcp: RtcpHandler) -> None:
        self._on_rtp, self._on_rtcp = on_rtp, on_rtcp

    def set_remote(self, rtp: Address | None, rtcp: Address | None) -> None:
        self._remote_rtp, self._remote_rtcp = rtp, rtcp
        if rtp is not None:
            self._latched = False

    def send_rtp(self, data: bytes) -> bool:
        return self._remote_rtp is not None and self._rtp.sendto(data, self._remote_rtp)

    def send_rtcp(self, data: bytes) -> bool:
        return self._remote_rtcp is not None and self._rtcp.sendto(data, self._remote_rtcp)

    def send_raw(self, data: bytes, dest: Address) -> bool:
        """Send a datagram that is not RTP (a STUN request) from the RTP socket."""
        return self._rtp.sendto(data, dest)

    def close(self) -> None:
        self._rtp.close()
        self._rtcp.close()

    def _rtp_datagram(self, data: bytes, source: Address) -> None:
        if _is_stun(data):  # never RTP (version 2): the STUN client's answer
            if self.on_stun is not None:
                self.on_stun(data, source)
            return
        if is_rtcp(data):  # RTCP multiplexed on the RTP port (RFC 5761)
            self._on_rtcp(data, source)
            return
        belongs = self._on_rtp(data, source)
        if belongs and self.symmetric and not self._latched:
            # Symmetric RTP: answer to where the far end really sends from.
            self._latched = True
            if source != self._remote_rtp:
                log.debug("RTP latched onto %s:%d", *source)
                self._remote_rtp = source
                self._remote_rtcp = (source[0], source[1] + 1)

    def _rtcp_datagram(self, data: bytes, source: Address) -> None:
        self._on_rtcp(data, source)


class TransportAdapter:
    """A transport wrapped around another one, transforming every packet both ways.

    Subclasses override `protect_*` (on the way out) and `unprotect_*` (on the way in;
    None drops a packet that fails, e.g. an SRTP authentication check, and a dropped
    packet never latches). Everything else passes through to the inner transport.
    """

    def __init__(self, inner: MediaTransport) -> None:
        self.inner = inner
        self._on_rtp: RtpHandler = _drop_rtp
        self._on_rtcp: RtcpHandler = _drop_rtcp

    def protect_rtp(self, data: bytes) -> bytes | None:
        return data

    def unprotect_rtp(self, data: bytes) -> bytes | None:
        return data

    def protect_rtcp(self, data: bytes) -> bytes | None:
        return data

    def unprotect_rtcp(self, data: bytes) -> bytes | None:
        return data

    @property
    def local_address(self) -> Address:
        return self.inner.local_address

    @property
    def remote_rtp(self) -> Address | None:
        return self.inner.remote_rtp

    @property
    def remote_rtcp(self) -> Address | None:
        return self.inner.remote_rtcp

    def attach(self, on_rtp: RtpHandler, on_rtcp: RtcpHandler) -> None:
        self._on_rtp, self._on_rtcp = on_rtp, on_rtcp
        self.inner.attach(self._rtp_in, self._rtcp_in)

    def set_remote(self, rtp: Address | None, rtcp: Address | None) -> None:
        self.inner.set_remote(rtp, rtcp)

    def replace_inner(self, inner: MediaTransport) -> None:
        """Wrap `inner` instead (a socket pair bound again on a new address)."""
        self.inner = inner
        inner.attach(self._rtp_in, self._rtcp_in)

    def send_rtp(self, data: bytes) -> bool:
        out = self.protect_rtp(data)
        return out is not None and self.inner.send_rtp(out)

    def send_rtcp(self, data: bytes) -> bool:
        out = self.protect_rtcp(data)
        return out is not None and self.inner.send_rtcp(out)

    def close(self) -> None:
        self.inner.close()

    def _rtp_in(self, data: bytes, source: Address) -> bool:
        plain = self.unprotect_rtp(data)
        return plain is not None and self._on_rtp(plain, source)

    def _rtcp_in(self, data: bytes, source: Address) -> None:
        plain = self.unprotect_rtcp(data)
        if plain is not None:
            self._on_rtcp(plain, source)
