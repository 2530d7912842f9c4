"""A request too large for UDP goes over TCP to the same place (RFC 3261 §18.1.1).

The rule itself is sans-IO (`parley.sip.udp_size`); here the phone tries the TCP
connection. A server that takes no TCP gets the request over UDP after all (fragmented,
but better than no call), and the log says so. A CANCEL follows its INVITE: "the
destination address, port, and transport for the CANCEL MUST be identical to those used
to send the original request" (§9.1), so an INVITE moved to TCP is cancelled over TCP.
"""

from __future__ import annotations

import logging

from parley.net.address import Address, TransportError
from parley.net.driver import SipDriver
from parley.sip.headers import SipParseError
from parley.sip.message import Request
from parley.sip.udp_size import too_large_for_udp, with_via_transport

log = logging.getLogger(__name__)


class LargeRequests:
    """One call's requests, routed by size; remembers which INVITEs went over TCP."""

    def __init__(self, driver: SipDriver) -> None:
        self._driver = driver
        self._moved: dict[str, Address] = {}  # Via branch of a moved INVITE -> TCP address

    async def route(self, request: Request, dest: Address) -> tuple[Request, Address]:
        """`(request, dest)` unchanged, or over TCP with the top Via saying so."""
        branch = _branch(request)
        if request.method == "CANCEL" and branch in self._moved:
            return with_via_transport(request, "TCP"), self._moved[branch]
        if dest.transport != "udp" or not too_large_for_udp(request):
            return request, dest
        tcp = Address("tcp", dest.host, dest.port)
        size = len(request.to_bytes())
        try:
            await self._driver.transport.connect(tcp)
        except (TransportError, OSError) as exc:
            log.info(
                "%s of %d bytes: no TCP to %s (%s), sent over UDP", request.method, size, tcp, exc
            )
            return request, dest
        log.info("%s of %d bytes goes over TCP to %s (RFC 3261 §18.1.1)", request.method, size, tcp)
        if request.method == "INVITE" and branch:
            self._moved[branch] = tcp
        return with_via_transport(request, "TCP"), tcp


def _branch(request: Request) -> str:
    try:
        return request.top_via.branch or ""
    except SipParseError:
        return ""
