"""Bookkeeping of an INVITE session's own requests: what is in flight, the ACKs we sent,
and our 2xx waiting for its ACK (RFC 3261 §13.2.2.4, §13.3.1.4, §14.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from parley.sip.message import Request, Response
from parley.sip.request_client import DigestRetry
from parley.sip.uri import SipURI

__all__ = ["AckWait", "OurRequests", "renewed"]


@dataclass
class AckWait:
    """Our 2xx to an INVITE, retransmitted until its ACK comes (§13.3.1.4).

    `bye_after_ack`: we hung up meanwhile; §15 lets the callee send its BYE only once the
    ACK came (or its wait timed out)."""

    tx: object
    response: Response
    seq: int
    interval: float
    bye_after_ack: bool = False


class OurRequests:
    """Requests we sent in the session and have no final answer to yet, and the ACKs we
    sent (to repeat when a 2xx is retransmitted)."""

    def __init__(self) -> None:
        self.reinvite: Request | None = None  # our re-INVITE awaiting its final answer
        self.update: Request | None = None  # our UPDATE awaiting its final answer
        self._other: dict[tuple[str, int], Request] = {}  # BYE, INFO, PRACK, CANCEL...
        self._acks: dict[tuple[str, int], tuple[Request, SipURI]] = {}
        self.auth: DigestRetry | None = None  # our digest answers, rounds counted

    @property
    def offer_exchange_open(self) -> bool:
        """A re-INVITE or UPDATE of ours is waiting for its final answer."""
        return self.reinvite is not None or self.update is not None

    def track(self, request: Request) -> None:
        self._other[(request.method, request.cseq.seq)] = request

    def is_tracked(self, method: str, seq: int) -> bool:
        return (method, seq) in self._other

    def pop(self, method: str, seq: int) -> Request | None:
        return self._other.pop((method, seq), None)

    def replace(self, old: Request, new: Request) -> None:
        """`old` went out again as `new` (a digest retry done by the core's client)."""
        if self.update is old:
            self.update = new
        elif self._other.pop((old.method, old.cseq.seq), None) is not None:
            self.track(new)

    def ack_sent(self, remote_tag: str, seq: int, ack: Request, next_hop: SipURI) -> None:
        self._acks[(remote_tag, seq)] = (ack, next_hop)

    def ack_for(self, remote_tag: str, seq: int) -> tuple[Request, SipURI] | None:
        """The ACK we sent for the 2xx of (`remote_tag`, `seq`), to repeat."""
        return self._acks.get((remote_tag, seq))


def renewed(request: Request, seq: int, via: str) -> Request:
    """`request` again with CSeq `seq` and a new Via (after 401/407/422)."""
    new = Request(
        method=request.method,
        uri=request.uri,
        headers=request.headers.copy(),
        body=request.body,
    )
    new.headers.set("CSeq", f"{seq} {request.method}")
    new.headers.set("Via", via)
    return new
