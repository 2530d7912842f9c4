"""Keep-alives: the handle of a running keep-alive (RFC 5626 §4.4.1 CRLF keep-alives on
TCP/TLS) and the OPTIONS probe that UDP uses instead when the caller wants to know that
the server is still there.

A UDP CRLF keep-alive is never answered, so a dead server goes unnoticed until the next
registration refresh. An OPTIONS request is answered by every SIP server (200, or a 4xx
such as 401/404/405: any answer proves the server lives), so it keeps the NAT binding
open and tells a live server from a dead one within one keep-alive interval.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import Callable

from parley.net.address import Address, family_of
from parley.sip.message import Headers, Request

PONG_TIMEOUT = 10.0
"""RFC 5626 §4.4.1: a flow that does not pong within 10 s of a ping has failed."""

PROBE_RETRANSMIT = 0.5
"""First retransmission of an unanswered UDP probe (T1); it doubles, up to 4 s (T2)."""

ProbeHandler = Callable[[bool], None]
"""Told after each UDP probe whether the server answered it."""


def probe_timeout(interval: float) -> float:
    """How long a UDP probe waits for its answer: the RFC 5626 pong time, but never
    longer than the interval, so a dead server is noticed within one interval."""
    return min(PONG_TIMEOUT, interval)


def probe_request(dest: Address, local: tuple[str, int], seq: int) -> tuple[Request, str]:
    """An OPTIONS request to the server itself (no user part) and its Via branch."""
    host = _via_host(local[0], dest)
    branch = "z9hG4bK-ka-" + secrets.token_hex(8)
    server = f"[{dest.host}]" if ":" in dest.host else dest.host
    headers = Headers(
        [
            ("Via", f"SIP/2.0/UDP {host}:{local[1]};branch={branch};rport"),
            ("Max-Forwards", "70"),
            ("From", f"<sip:keepalive@{host}>;tag={secrets.token_hex(6)}"),
            ("To", f"<sip:{server}:{dest.port}>"),
            ("Call-ID", f"{secrets.token_hex(10)}@{host}"),
            ("CSeq", f"{seq} OPTIONS"),
            ("Content-Length", "0"),
        ]
    )
    return Request(method="OPTIONS", uri=f"sip:{server}:{dest.port}", headers=headers), branch


def _via_host(host: str, dest: Address) -> str:
    """A wildcard bind address is no Via host: the address that reaches `dest` (a
    connected UDP socket sends nothing)."""
    if host not in ("0.0.0.0", "::"):
        return f"[{host}]" if ":" in host else host
    with socket.socket(family_of(dest.host), socket.SOCK_DGRAM) as probe:
        probe.connect((dest.host, dest.port))
        local = str(probe.getsockname()[0])
    return f"[{local}]" if ":" in local else local


class KeepAlive:
    """A periodic keep-alive towards one destination; `cancel()` stops it."""

    def __init__(
        self,
        dest: Address,
        interval: float,
        task: asyncio.Task[None],
        on_done: Callable[[KeepAlive], None],
    ) -> None:
        self.dest = dest
        self.interval = interval
        self._task = task
        task.add_done_callback(lambda _t: on_done(self))

    @property
    def active(self) -> bool:
        return not self._task.done()

    def cancel(self) -> None:
        self._task.cancel()

    async def wait_cancelled(self) -> None:
        """Cancel and wait until the timer task has really ended."""
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass

    def __repr__(self) -> str:
        return f"<KeepAlive {self.dest} every {self.interval}s active={self.active}>"
