"""One TCP or TLS connection carrying SIP (RFC 3261 §18.3 framing, RFC 5626 §4.4.1 keep-alive).

The connection frames incoming bytes with `StreamParser` and hands the results to the
transport layer; it answers CRLFCRLF pings itself and notes CRLF pongs for the
keep-alive timer. Who opened the connection does not matter once it is up.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from typing import Any, cast

from parley.net.address import Address
from parley.sip.parser import StreamParser

log = logging.getLogger(__name__)

PING = b"\r\n\r\n"
PONG = b"\r\n"

_ids = itertools.count(1)

ItemsHandler = Callable[["StreamConnection", bytes, list[Any]], None]
LostHandler = Callable[["StreamConnection", "Exception | None"], None]


class StreamConnection(asyncio.Protocol):
    """A SIP flow over TCP or TLS; `id` is unique within the process."""

    def __init__(
        self,
        transport_name: str,
        *,
        on_made: Callable[[StreamConnection], None],
        on_items: ItemsHandler,
        on_lost: LostHandler,
        outgoing: bool,
    ) -> None:
        self.id = next(_ids)
        self.transport_name = transport_name
        self.outgoing = outgoing
        self._on_made = on_made
        self._on_items = on_items
        self._on_lost = on_lost
        self._parser = StreamParser()
        self.transport: asyncio.Transport | None = None
        self.remote = Address(transport_name, "", 0)
        self.local: tuple[str, int] = ("", 0)
        # Keep-alive state: servers that never pong must not be punished (RFC 5626 §4.4.1
        # applies only once the server showed it does pong).
        self.pong_seen = False
        self._pong_waiter: asyncio.Future[None] | None = None
        # False when we close on purpose (phone shutdown): then nobody needs telling.
        self.report_loss = True
        self.close_reason: str | None = None
        # Application bytes received (after any TLS handshake): 0 tells a connection the
        # server closed before it ever spoke.
        self.bytes_in = 0
        self.lost = asyncio.get_running_loop().create_future()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        sock = transport.get_extra_info("sockname")
        self.remote = Address(self.transport_name, str(peer[0]), int(peer[1]))
        self.local = (str(sock[0]), int(sock[1]))
        self._on_made(self)

    def data_received(self, data: bytes) -> None:
        self.bytes_in += len(data)
        try:
            items = self._parser.feed(data)
        except Exception:  # the parser promises not to raise; a bug must not kill the loop
            log.exception("stream parser failed on data from %s; closing the connection", self)
            self.close("stream parser failure")
            return
        self._on_items(self, data, items)
        if self._parser.desynchronized and self.is_open:
            # RFC 3261 §18.3: without usable framing the rest of the stream is noise.
            log.warning("lost SIP framing on %s; closing the connection", self)
            self.close("the peer sent bytes that cannot be framed as SIP")

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self._pong_waiter is not None and not self._pong_waiter.done():
            self._pong_waiter.cancel()
        if not self.lost.done():
            self.lost.set_result(None)
        self._on_lost(self, exc)

    # keep-alive

    def pong_received(self) -> None:
        self.pong_seen = True
        if self._pong_waiter is not None and not self._pong_waiter.done():
            self._pong_waiter.set_result(None)

    def expect_pong(self) -> asyncio.Future[None]:
        """A future resolved by the next pong (call before sending the ping)."""
        self._pong_waiter = asyncio.get_running_loop().create_future()
        return self._pong_waiter

    # sending and closing

    @property
    def is_open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    def write(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise OSError(f"connection to {self.remote} is closed")
        self.transport.write(data)

    def close(self, reason: str | None = None, *, report: bool = True) -> None:
        """Close; `report=False` when we close on purpose and nobody needs telling."""
        self.close_reason = self.close_reason or reason
        if not report:
            self.report_loss = False
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def __str__(self) -> str:
        return f"{self.remote} (connection {self.id})"
