"""Call history entries and the rule that gives every finished call its type.

The manual's caller list knows six call types: successful and unsuccessful outgoing
calls, accepted and rejected incoming calls, outgoing calls the far end rejected, and
missed calls — and a seventh, the successful transferred call. Two more say what call
forwarding and deflection did: a forwarded call and a deflected call. `classify` derives
the type from how a call ended (and the `note` its events carried); it is pure so that
every combination can be tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parley.sip.headers import SipParseError
from parley.sip.uri import SipURI


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class CallType(StrEnum):
    """The manual's call types, and what forwarding and deflection did (the values are
    stored in the database: never rename; a Parley that does not know a value skips the
    row, see `history/store.py`)."""

    SUCCESSFUL_OUTGOING = "successful_outgoing"
    UNSUCCESSFUL_OUTGOING = "unsuccessful_outgoing"
    REJECTED_OUTGOING = "rejected_outgoing"
    ACCEPTED_INCOMING = "accepted_incoming"
    REJECTED_INCOMING = "rejected_incoming"
    MISSED = "missed"
    TRANSFERRED = "transferred"  # the call ended because it was transferred (or replaced)
    FORWARDED = "forwarded"  # call forwarding sent it on (302) before or while it rang
    DEFLECTED = "deflected"  # the person sent it on (302) while it rang

    @property
    def label(self) -> str:
        """Words for a person."""
        return _LABELS[self]

    @property
    def direction(self) -> Direction:
        """The direction calls of this type have (a transferred call may have either:
        its entry's own `direction` says; this gives outgoing)."""
        if self in _INCOMING_TYPES:
            return Direction.INCOMING
        return Direction.OUTGOING


_INCOMING_TYPES = frozenset(
    {
        CallType.ACCEPTED_INCOMING,
        CallType.REJECTED_INCOMING,
        CallType.MISSED,
        CallType.FORWARDED,
        CallType.DEFLECTED,
    }
)


_LABELS = {
    CallType.SUCCESSFUL_OUTGOING: "Outgoing call",
    CallType.UNSUCCESSFUL_OUTGOING: "Outgoing call, not connected",
    CallType.REJECTED_OUTGOING: "Outgoing call, rejected by the other side",
    CallType.ACCEPTED_INCOMING: "Incoming call",
    CallType.REJECTED_INCOMING: "Incoming call, rejected",
    CallType.MISSED: "Missed call",
    CallType.TRANSFERRED: "Successful transferred call",
    CallType.FORWARDED: "Forwarded call",
    CallType.DEFLECTED: "Deflected call",
}

# Final answers by which the called party itself refuses the call (RFC 3261 §21.4.25,
# §21.6; RFC 8197 607 Unwanted, RFC 8688 608 Rejected). Everything else that stops an
# outgoing call (404, 408, 480, 5xx, network failures, our own cancel) is a failure.
REFUSED_BY_CALLEE = frozenset({486, 600, 603, 607, 608})


def classify(
    direction: Direction | str,
    answered: bool,
    status: int | None,
    *,
    rejected_by_us: bool = False,
    note: str | None = None,
) -> CallType:
    """The call type of a finished call.

    `direction`: "incoming" or "outgoing". `answered`: the call was connected at some
    point (we took an incoming call, or the far end took ours). `status`: the SIP status
    that ended it (None for a plain hang-up, a cancel, or a network failure without an
    answer). `rejected_by_us`: the user (or a rule acting for the user) refused an
    incoming call; an incoming call that ends unanswered otherwise — the caller gave up,
    it rang out, we were busy — is missed.

    `note`: the `CallNote` value the call's last event carried. "transferred" (a transfer
    succeeded) and "replaced" on a call that was connected (a transfer completed at this
    end: an INVITE with Replaces took its place; the recorder does not pass the note of
    the call that did the replacing) give a transferred call; "forwarded" or
    "deflected" on an incoming call that was never answered give those types; "auto
    rejected" (refused for our presence status) gives a rejected one.
    """
    direction = Direction(direction)
    if note == "transferred" or (note == "replaced" and answered):
        return CallType.TRANSFERRED
    if direction is Direction.INCOMING and not answered:
        if note == "forwarded":
            return CallType.FORWARDED
        if note == "deflected":
            return CallType.DEFLECTED
    if direction is Direction.OUTGOING:
        if answered:
            return CallType.SUCCESSFUL_OUTGOING
        if status in REFUSED_BY_CALLEE:
            return CallType.REJECTED_OUTGOING
        return CallType.UNSUCCESSFUL_OUTGOING
    if answered:
        return CallType.ACCEPTED_INCOMING
    if rejected_by_us or note == "auto rejected":  # "auto reject calls if status is…"
        return CallType.REJECTED_INCOMING
    return CallType.MISSED


def number_of(remote: str) -> str:
    """The number (or user) to show and dial back for a remote party's URI.

    ``sip:1002@pbx;user=phone`` gives "1002", ``tel:+4930123`` gives "+4930123"; a URI
    without a user part gives its host, and text that is no URI is returned as it is.
    """
    text = remote.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    try:
        uri = SipURI.parse(text)
    except (SipParseError, ValueError):
        return text
    if uri.user:
        return uri.user
    return uri.host or text


@dataclass(frozen=True)
class HistoryEntry:
    """One call in the history.

    `start` is when the call began (an aware UTC datetime), `duration` the connected
    time in seconds (0 for calls that never connected), `sip_code`/`reason` the SIP
    answer that ended or refused it. `uri` is the remote party's full address. `id` is
    None until the entry is stored. `contact_name` is not stored: the application fills
    it from the contacts when it lists the history, so renamed contacts show their new name.
    """

    direction: Direction
    type: CallType
    number: str
    name: str | None
    account: str
    start: datetime
    duration: float = 0.0
    sip_code: int | None = None
    reason: str = ""
    uri: str = ""
    id: int | None = None
    contact_name: str | None = None

    @property
    def shown_name(self) -> str:
        """What a list shows: the contact's name, else the caller's own name, else the number."""
        return self.contact_name or self.name or self.number
