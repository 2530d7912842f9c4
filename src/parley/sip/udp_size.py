"""When a request is too large for UDP (RFC 3261 §18.1.1).

"If a request is within 200 bytes of the path MTU, or if it is larger than 1300 bytes and
the path MTU is unknown, the request MUST be sent using an RFC 2914 congestion controlled
transport protocol, such as TCP." A large datagram is fragmented, and one lost fragment
loses the whole request. The top Via then names the transport the request really goes
over; the branch stays, so the transaction is the same one. Responses come back on the
request's connection (§18.2.2), so nothing else changes.
"""

from __future__ import annotations

from parley.sip.headers import Via
from parley.sip.message import Request

UDP_SIZE_LIMIT = 1300
"""The limit when the path MTU is unknown (§18.1.1)."""

MTU_MARGIN = 200
"""A request within this many bytes of the path MTU goes over TCP (§18.1.1)."""


def udp_limit(path_mtu: int | None = None) -> int:
    """The largest request that may go over UDP: MTU - 200, or 1300 with no MTU known."""
    if path_mtu is None:
        return UDP_SIZE_LIMIT
    return max(0, path_mtu - MTU_MARGIN)


def too_large_for_udp(request: Request, path_mtu: int | None = None) -> bool:
    """True when `request` must not go over UDP (§18.1.1). ACK and CANCEL are exempt in
    practice: they follow the transport of the request they belong to."""
    if request.method in ("ACK", "CANCEL"):
        return False
    return len(request.to_bytes()) > udp_limit(path_mtu)


def with_via_transport(request: Request, transport: str) -> Request:
    """A copy of `request` whose top Via names `transport` (same sent-by and branch)."""
    vias = request.headers.get_all("Via")
    if not vias:
        return request
    top = Via.parse(vias[0])
    new_top = str(Via(transport.upper(), top.host, top.port, dict(top.params)))
    headers = request.headers.copy()
    headers.remove_first("Via")
    headers.add("Via", new_top, first=True)
    return Request(method=request.method, uri=request.uri, headers=headers, body=request.body)
