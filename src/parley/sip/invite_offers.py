"""Offer/answer state of one INVITE session, and glare (RFC 3264 §4, RFC 3261 §13-14,
RFC 3311 §5).

`Negotiation` holds where the exchange stands (`OfferState`), our current session
description, what the phone's next `answer()` completes (`Pending`), a re-INVITE queued
behind a running exchange and one waiting out a 491. The session decides when; the
rules that do not depend on the rest of the session live here as small functions.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from parley.sip.message import Request
from parley.sip.session_timer import Negotiated

__all__ = [
    "Awaiting",
    "Negotiation",
    "OfferState",
    "Pending",
    "QueuedOffer",
    "conflict_status",
    "glare_retry_delay",
]


class OfferState(enum.Enum):
    """Where the offer/answer exchange stands (RFC 3264 §4, RFC 3311 §5)."""

    STABLE = "stable"
    LOCAL_OFFER = "local offer"  # we sent an offer, no answer yet
    REMOTE_OFFER = "remote offer"  # they sent an offer, we have not answered


class Awaiting(enum.Enum):
    """Where the SDP of the phone's next `answer()` goes."""

    ACK = "ack"  # the ACK of a 2xx that brought an offer (late offer, offerless re-INVITE)
    REINVITE = "reinvite"  # the 200 to their re-INVITE's offer: our answer
    REINVITE_OFFER = "reinvite_offer"  # the 200 to their offerless re-INVITE: our offer
    UPDATE = "update"  # the 200 to their UPDATE's offer: our answer


@dataclass
class Pending:
    """What the phone's next `answer()` completes."""

    kind: Awaiting
    request: Request | None = None
    tx: object = None
    seq: int = 0
    negotiated: Negotiated | None = None


@dataclass(frozen=True)
class QueuedOffer:
    """A re-INVITE to send later; `offer` None asks the far end for an offer."""

    offer: bytes | None


class Negotiation:
    """The offer/answer side of one session."""

    def __init__(self) -> None:
        self.state = OfferState.STABLE
        self.local_sdp: bytes | None = None  # our current session description
        self.pending: Pending | None = None
        self.queued: QueuedOffer | None = None  # waits for the running exchange
        self.glare: QueuedOffer | None = None  # waits out a 491 (§14.1)
        self.answered_early = False  # the initial exchange completed in a reliable 1xx

    def offered(self, sdp: bytes) -> None:
        """We sent `sdp` as an offer."""
        self.state = OfferState.LOCAL_OFFER
        self.local_sdp = sdp

    def drop_retries(self) -> None:
        """The session ended: nothing queued goes out any more."""
        self.queued = None
        self.glare = None


def glare_retry_delay(we_own_call_id: bool, rng: random.Random) -> float:
    """RFC 3261 §14.1: after a 491, retry in 2.1-4 s if we own the Call-ID (we called),
    else in 0-2 s, in units of 10 ms."""
    if we_own_call_id:
        return rng.randint(210, 400) / 100
    return rng.randint(0, 200) / 100


def conflict_status(*, ours_open: bool, theirs_open: bool) -> int | None:
    """What an incoming offer gets while another exchange is open (RFC 3261 §14.2,
    RFC 3311 §5.2): 491 when we have an offer out (glare), 500 with Retry-After when
    they have one we have not answered yet, None when it can be taken."""
    if ours_open:
        return 491
    if theirs_open:
        return 500
    return None
