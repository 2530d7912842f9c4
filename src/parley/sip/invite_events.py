"""What an `InviteSession` hands its owner: messages to send and events (frozen dataclasses).

The session never sends anything itself. `SendRequest`, `SendResponse` and `SendAck`
ask the owner (the phone) to start a client transaction, answer a server transaction
or send an ACK for a 2xx outside any transaction (RFC 3261 §13.2.2.4). The other outputs
are events: call state changes (with why and by whom a call ended, as enums: the
sentences are the front-ends'), SDP offers and answers (opaque bytes here; the phone
reads them with `parley.sip.sdp`), INFO and DTMF, and requests the session leaves to
the phone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias

from parley.sip.message import Request, Response
from parley.sip.uri import SipURI

__all__ = [
    "AnswerReceived",
    "CallState",
    "DtmfInfoReceived",
    "EndCause",
    "InfoReceived",
    "OfferReceived",
    "OfferRejected",
    "OfferRequested",
    "Party",
    "SendAck",
    "SendRequest",
    "SendResponse",
    "SessionOutput",
    "StateChanged",
    "UnhandledRequest",
]


class Party(enum.StrEnum):
    """Who did something to a call: ended it, held it."""

    LOCAL = "local"  # we (the user, or Parley on the user's behalf)
    REMOTE = "remote"  # the far end (or a proxy answering for it)
    NETWORK = "network"  # nobody: a timer ran out, a message could not be delivered


class EndCause(enum.StrEnum):
    """Why a call ended, in words a front-end translates (with the SIP status beside it).

    A status the far end sent is REJECTED (its 408 or 480 means nobody picked up);
    a 408 we made up because no response came is NO_RESPONSE ("the server did not
    answer"), a 503 we made up because the request could not be sent is UNREACHABLE
    (RFC 3261 §8.1.3.1).
    """

    HANGUP = "hangup"  # a BYE, from either side
    CANCELLED = "cancelled"  # the caller gave up before the call was answered
    REJECTED = "rejected"  # a final failure response to the INVITE, from either side
    NO_RESPONSE = "no response"  # a request of ours timed out (Timer B/F)
    UNREACHABLE = "unreachable"  # a request of ours could not be sent
    CONNECTION_LOST = "connection lost"  # no ACK for our 2xx, no PRACK for our 1xx
    SESSION_EXPIRED = "session expired"  # no session refresh came (RFC 4028 §10)
    MEDIA_FAILED = "media failed"  # no usable offer/answer (no common codec, no SDP)
    MEDIA_TIMEOUT = "media timeout"  # no RTP came for a long time: network or far end gone
    DIALOG_GONE = "dialog gone"  # the far end answered 481/408 in the dialog
    BAD_REQUEST = "bad request"  # we refused an INVITE for its form (400, 422...)


class CallState(enum.Enum):
    """Call states the phone shows. Hold is not a state here: the phone derives it from
    the SDP directions it reads in offers and answers (RFC 3264 §8.4)."""

    CALLING = "calling"  # INVITE sent, nothing heard yet
    PROCEEDING = "proceeding"  # 100 or 183 without media
    RINGING = "ringing"  # 180/181/182 without SDP: play local ringback
    EARLY_MEDIA = "early media"  # 18x with SDP: play what the far end sends
    INCOMING = "incoming"  # an INVITE for us, not answered yet
    CONNECTED = "connected"
    ENDED = "ended"


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class SendRequest:
    """Start a client transaction for `request` and route its answers back to the session.

    `next_hop` is the URI to resolve (RFC 3263) for the destination: for in-dialog
    requests the dialog's first route or remote target; for the initial INVITE the first
    pre-loaded route or the target; a CANCEL carries the INVITE's next hop and must go
    to the same address and transport as the INVITE did (RFC 3261 §9.1).
    """

    request: Request
    in_dialog: bool
    next_hop: SipURI | None = None


@dataclass(frozen=True)
class SendResponse:
    """Answer through the server transaction `tx` (the opaque reference the owner gave
    with the request)."""

    tx: object
    response: Response


@dataclass(frozen=True)
class SendAck:
    """Send the ACK for a 2xx statelessly to `next_hop` (RFC 3261 §13.2.2.4)."""

    ack: Request
    next_hop: SipURI


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class StateChanged:
    """The call moved to `state`. For ENDED: the SIP status that ended it (None for a
    hang-up), its reason phrase, why (`cause`) and who ended it (`by`). Front-ends
    make the sentence from these."""

    state: CallState
    status: int | None = None
    reason: str = ""
    cause: EndCause | None = None
    by: Party | None = None


@dataclass(frozen=True)
class OfferReceived:
    """The far end made an SDP offer. `initial`: it came with the INVITE of an incoming
    call, so the answer goes with `accept()`; otherwise call `answer()` (or
    `reject_offer()`) — soon: the far end is waiting."""

    sdp: bytes
    initial: bool = False


@dataclass(frozen=True)
class OfferRequested:
    """The far end wants our offer (INVITE or re-INVITE without SDP). `initial`: give it
    with `accept()`; otherwise with `answer()`. Its answer arrives in the ACK."""

    initial: bool = False


@dataclass(frozen=True)
class AnswerReceived:
    """The far end answered our offer. `early`: in a provisional response (early media);
    `remote_tag` tells the forks of one call apart (RFC 3261 §13.2.2.4)."""

    sdp: bytes
    early: bool = False
    remote_tag: str = ""


@dataclass(frozen=True)
class OfferRejected:
    """Our re-INVITE or UPDATE was refused; the previous session stays (RFC 3261 §14.1)."""

    status: int
    reason: str


@dataclass(frozen=True)
class InfoReceived:
    """An in-dialog INFO (already answered 200) the session did not interpret."""

    request: Request


@dataclass(frozen=True)
class DtmfInfoReceived:
    """A DTMF digit sent by SIP INFO (application/dtmf-relay or application/dtmf)."""

    digit: str
    duration_ms: int | None = None


@dataclass(frozen=True)
class UnhandledRequest:
    """An in-dialog request (REFER, NOTIFY, MESSAGE...) the session passed the dialog
    checks for but does not handle; the owner answers it through `tx`."""

    request: Request
    tx: object


SessionOutput: TypeAlias = (
    SendRequest
    | SendResponse
    | SendAck
    | StateChanged
    | OfferReceived
    | OfferRequested
    | AnswerReceived
    | OfferRejected
    | InfoReceived
    | DtmfInfoReceived
    | UnhandledRequest
)
