"""A request too large for UDP goes over TCP to the same place (RFC 3261 §18.1.1).

The rule itself is sans-IO (`parley.sip.udp_size`); here the phone tries the TCP
connection. A server that takes no TCP gets the request over UDP after all (fragmented,
but better than no call), and the log says so.
"""

from __future__ import annotations

import logging

from parley.net.address import Address, TransportError
from parley.net.driver import SipDriver
from parley.sip.message import Request
from parley.sip.udp_size import too_large_for_udp, with_via_transport

log = logging.getLogger(__name__)


async def route_by_size(
    driver: SipDriver, request: Request, dest: Address
) -> tuple[Request, Address]:
    """`(request, dest)` unchanged, or over TCP with the top Via saying so when the request
    is too large for UDP and the destination accepts a TCP connection."""
    if dest.transport != "udp" or not too_large_for_udp(request):
        return request, dest
    tcp = Address("tcp", dest.host, dest.port)
    try:
        await driver.transport.connect(tcp)
    except (TransportError, OSError) as exc:
        log.info(
            "%s of %d bytes: no TCP to %s (%s), sending it over UDP",
            request.method,
            len(request.to_bytes()),
            tcp,
            exc,
        )
        return request, dest
    log.info(
        "%s of %d bytes goes over TCP to %s (RFC 3261 §18.1.1)",
        request.method,
        len(request.to_bytes()),
        tcp,
    )
    return with_via_transport(request, "TCP"), tcp
