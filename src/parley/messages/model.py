"""A stored instant message, a conversation's summary, and the peer key that makes
one conversation per person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from parley.sip.headers import NameAddr, SipParseError
from parley.sip.uri import SipURI

__all__ = ["RECEIVED", "ConversationInfo", "Direction", "StoredMessage", "normalise_peer"]

Direction = Literal["in", "out"]
RECEIVED = "received"  # the state of every incoming message

_DEFAULT_PORTS = {"sip": 5060, "sips": 5061}


@dataclass(frozen=True)
class StoredMessage:
    """One message of a conversation. `state` is a `MessageDelivery` value (sending,
    sent, delivered, failed) for ours, "received" for theirs; `status`/`reason` the SIP
    answer that decided it; `at` epoch seconds (the sender's Date when it had one)."""

    id: int
    peer: str
    account: str
    direction: Direction
    text: str
    at: float
    state: str
    status: int | None = None
    reason: str = ""
    read: bool = False


@dataclass(frozen=True)
class ConversationInfo:
    """One conversation as a list shows it: the peer, its name when known, the last
    message and how many of theirs are unread."""

    peer: str
    name: str | None
    last_text: str
    last_at: float
    unread: int
    last_direction: Direction = "in"


def normalise_peer(uri: str) -> str:
    """The key of a conversation: ``sip:user@host[:port]`` without display name,
    parameters or headers, host lower-case, sips taken as sip, the default port left
    out; a tel: URI keeps its number. Text that is no URI is kept, trimmed."""
    text = uri.strip()
    if not text:
        return text
    try:
        parsed = NameAddr.parse(text).uri if "<" in text else SipURI.parse(text)
    except SipParseError:
        return text
    scheme = parsed.scheme.lower()
    if scheme == "tel":
        return f"tel:{parsed.user or parsed.host}"
    if scheme not in _DEFAULT_PORTS:
        return text
    host = parsed.host.lower()
    port = parsed.port
    if port == _DEFAULT_PORTS[scheme] or port == 5060:
        port = None
    clean = SipURI("sip", parsed.user, None, host, port, {}, {})
    return str(clean)
