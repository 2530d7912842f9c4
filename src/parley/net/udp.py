"""The UDP socket of a phone: an asyncio datagram protocol that hands datagrams up.

Parsing and the rest of the policy live in `parley.net.transport`; this class only
owns the socket, so it stays trivial to reason about.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import cast

log = logging.getLogger(__name__)

DatagramHandler = Callable[["UdpEndpoint", bytes, tuple[str, int]], None]


class UdpEndpoint(asyncio.DatagramProtocol):
    """One bound UDP socket; `on_datagram(endpoint, data, (host, port))` for each packet."""

    def __init__(self, on_datagram: DatagramHandler) -> None:
        self._on_datagram = on_datagram
        self.transport: asyncio.DatagramTransport | None = None
        self.local: tuple[str, int] = ("", 0)
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)
        sockname = transport.get_extra_info("sockname")
        self.local = (str(sockname[0]), int(sockname[1]))

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        # addr may carry flowinfo/scope for IPv6; only host and port matter to SIP.
        self._on_datagram(self, data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and friends arrive here on Linux; the transaction layer
        # learns of the failure by its timers, so a log line is enough.
        log.info("UDP socket %s:%s: %s", self.local[0], self.local[1], exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport is None or self.transport.is_closing():
            raise OSError(f"UDP socket {self.local[0]}:{self.local[1]} is closed")
        self.transport.sendto(data, addr)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
