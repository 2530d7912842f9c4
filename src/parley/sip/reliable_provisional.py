"""Reliable provisional responses (RFC 3262): our 1xx waiting for PRACK, their 1xx to PRACK.

Two small state holders an `InviteSession` keeps: `ReliableSender` as callee (the
RSeq space and the one unacknowledged reliable 1xx), `ReliableReceiver` as caller (the
last RSeq per early dialog, so retransmissions and out-of-order 1xx are discarded).
The session arms the timers; these classes say what to send.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from parley.sip.message import Request, Response

__all__ = ["Arrival", "ReliableReceiver", "ReliableSender", "requires_100rel"]


def requires_100rel(message: Request | Response) -> bool:
    return "100rel" in [t.lower() for t in message.tokens("Require")]


@dataclass
class _Outstanding:
    response: Response
    rseq: int
    interval: float


class ReliableSender:
    """Callee side (RFC 3262 §3): one reliable provisional at a time, retransmitted with
    doubling intervals until its PRACK, given up after 64*T1."""

    def __init__(self) -> None:
        self.required = False  # the caller's INVITE had Require: 100rel
        self._rseq = 0
        self._outstanding: _Outstanding | None = None

    @property
    def awaiting_prack(self) -> bool:
        return self._outstanding is not None

    def next_headers(self, rng: random.Random) -> list[tuple[str, str]]:
        """Require and RSeq of the next reliable 1xx: a random first RSeq, then +1."""
        self._rseq = rng.randint(1, 2**31 - 1) if self._rseq == 0 else self._rseq + 1
        return [("Require", "100rel"), ("RSeq", str(self._rseq))]

    def sent(self, response: Response, t1: float) -> None:
        """`response` (built with `next_headers`) went out: wait for its PRACK."""
        self._outstanding = _Outstanding(response, self._rseq, t1)

    def retransmit(self) -> tuple[Response, float]:
        """The response to send again and the interval to the next time (no cap, §3)."""
        out = self._outstanding
        assert out is not None
        out.interval *= 2
        return out.response, out.interval

    def acknowledges(self, prack: Request, invite_seq: int) -> bool:
        """Does this PRACK's RAck name our outstanding reliable 1xx?"""
        rack = (prack.headers.get("RAck") or "").split()
        out = self._outstanding
        return (
            out is not None
            and len(rack) == 3
            and rack[0] == str(out.rseq)
            and rack[1] == str(invite_seq)
            and rack[2].upper() == "INVITE"
        )

    def stop(self) -> None:
        self._outstanding = None


class Arrival(enum.Enum):
    """What a provisional response is to the caller (RFC 3262 §4)."""

    UNRELIABLE = "unreliable"  # no 100rel: nothing to acknowledge
    RELIABLE = "reliable"  # the next in sequence: PRACK it
    DISCARD = "discard"  # a retransmission, out of order, or a bad RSeq


class ReliableReceiver:
    """Caller side: the last RSeq seen per early dialog (remote tag)."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def receive(self, response: Response, tag: str) -> tuple[Arrival, str]:
        """How to take `response` from the early dialog `tag`, and the RAck value to
        PRACK it with (empty unless RELIABLE)."""
        rseq_text = response.headers.get("RSeq")
        if rseq_text is None or not requires_100rel(response):
            return Arrival.UNRELIABLE, ""
        if not rseq_text.strip().isdigit() or len(rseq_text.strip()) > 10:
            return Arrival.DISCARD, ""
        rseq = int(rseq_text)
        last = self._last.get(tag)
        if last is not None and rseq != last + 1:
            return Arrival.DISCARD, ""
        self._last[tag] = rseq
        return Arrival.RELIABLE, f"{rseq} {response.cseq.seq} INVITE"

    def clear(self) -> None:
        """A new INVITE (after 401/407/422): a fresh RSeq space."""
        self._last.clear()
