"""What an `InviteSession` hands its owner: messages to send and events (frozen dataclasses).

The session never sends anything itself. `SendRequest`, `SendResponse` and `SendAck`
ask the owner (the phone) to start a client transaction, answer a server transaction
or send an ACK for a 2xx outside any transaction (RFC 3261 §13.2.2.4). The other outputs
are events: call state changes, SDP offers and answers (opaque bytes here; the phone
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
    "InfoReceived",
    "OfferReceived",
    "OfferRejected",
    "OfferRequested",
    "SendAck",
    "SendRequest",
    "SendResponse",
    "SessionOutput",
    "StateChanged",
    "UnhandledRequest",
    "end_reason_text",
]


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
    local hang-up), its reason phrase, a short text for a person, and who ended it:
    "local", "remote" or "network"."""

    state: CallState
    status: int | None = None
    reason: str = ""
    text: str = ""
    by: str | None = None


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

# --------------------------------------------------------------------------- end reasons

_TEXTS: dict[int, str] = {
    200: "Call ended",
    400: "Bad request",
    401: "Authentication failed",
    403: "Forbidden",
    404: "Not found",
    405: "Not supported",
    407: "Authentication failed",
    408: "No answer",
    410: "Number no longer in service",
    415: "Not supported",
    416: "Not supported",
    420: "Not supported",
    421: "Not supported",
    422: "Session interval too small",
    480: "No answer",
    481: "Call no longer exists",
    482: "Routing loop",
    483: "Routing loop",
    484: "Incomplete number",
    485: "Ambiguous number",
    486: "Busy",
    487: "Cancelled",
    488: "No common codec",
    491: "Request pending",
    500: "Server error",
    501: "Not supported",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Server timeout",
    600: "Busy",
    604: "Not found",
    606: "No common codec",
}


def end_reason_text(status: int | None, reason: str = "", direction: str = "outgoing") -> str:
    """A short text a person understands for why a call ended.

    `status` is the final response (or the status the session synthesised: 408 for a
    timeout, 487 for a cancel), None for a plain hang-up. `direction` ("outgoing" or
    "incoming") only changes the word for 603: the callee *declined* our call, while
    *we rejected* an incoming one.
    """
    if status is None:
        return "Call ended"
    if status == 603:
        return "Declined" if direction == "outgoing" else "Rejected"
    text = _TEXTS.get(status)
    if text is not None:
        return text
    if 300 <= status < 400:
        return "Moved"
    if 400 <= status < 500:
        return "Call failed"
    if 500 <= status < 600:
        return "Server error"
    if status >= 600:
        return "Declined"
    return "Call ended"
