"""Events the phone reports to the application (and the console prints).

Frozen dataclasses: each is a fact that happened, told in codes and enums — states,
directions, who acted, why a call ended or a registration failed, the SIP status — so
that every front-end can say it in its own language (`parley.cli.texts`,
`parley.gui.texts`). The enums are `StrEnum`s: they compare equal to their values
("connected", "failed"...) and `to_dict()` gives the JSON form the console's `--json`
mode prints.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

from parley.sip.invite_events import EndCause, Party
from parley.sip.registration import RegCause, RegState

__all__ = [
    "AccountStateChanged",
    "CallDirection",
    "CallPhase",
    "CallStateChanged",
    "DtmfReceived",
    "EndCause",
    "HeldBy",
    "Party",
    "PhoneError",
    "PhoneEvent",
    "RegCause",
    "RegState",
]


class Reachability(enum.StrEnum):
    """An account state beside the registration's own (`RegState`): registered, but
    the server stopped answering its keep-alive probes or transactions
    (`phone/reachability.py`). Registration starts again when it answers."""

    UNREACHABLE = "unreachable"


class CallDirection(enum.StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


class CallPhase(enum.StrEnum):
    """The states of a call a person sees."""

    DIALING = "dialing"
    RINGING = "ringing"  # the far end rings
    EARLY_MEDIA = "early media"  # the far end plays something before answering
    INCOMING = "incoming"  # rings here
    CONNECTED = "connected"
    HELD = "held"  # connected, and held by one side or both (see `HeldBy`)
    ENDED = "ended"


class HeldBy(enum.StrEnum):
    US = "us"
    THEM = "them"
    BOTH = "both"


@dataclass(frozen=True)
class PhoneEvent:
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event"] = self.kind
        return data

    @property
    def kind(self) -> str:
        return "event"


@dataclass(frozen=True)
class AccountStateChanged(PhoneEvent):
    """An account's registration state changed.

    `status`/`reason` are the SIP answer that caused it, if any; `cause` says why it
    failed, `detail` the transport's own words when the REGISTER could not be sent
    (a DNS or TLS error). `user`, `domain` and `transport` are what it registers with,
    so that a front-end can name them.
    """

    account: str
    state: RegState | Reachability
    status: int | None
    reason: str
    cause: RegCause | None = None
    detail: str = ""
    expires: int | None = None
    server: str | None = None
    user: str = ""
    domain: str = ""
    transport: str = ""
    at: float = 0.0  # when, in seconds since the epoch

    @property
    def kind(self) -> str:
        return "account"


@dataclass(frozen=True)
class PhoneError(PhoneEvent):
    """Something went wrong that a person should know about (not tied to a call)."""

    text: str
    account: str | None = None

    @property
    def kind(self) -> str:
        return "error"


@dataclass(frozen=True)
class CallStateChanged(PhoneEvent):
    """A call changed state, or something a person sees of it did (hold, mute, codec).

    `held` says who holds while the call is HELD. `status`/`reason` are the SIP answer
    behind the change. For ENDED: `cause` (why), `ended_by` (which party) and `detail`
    (the offer/answer problem behind MEDIA_FAILED, in the SDP layer's words). `at`: when,
    in seconds since the epoch.
    """

    call: int
    account: str
    direction: CallDirection
    state: CallPhase
    remote: str
    remote_name: str | None = None
    status: int | None = None
    reason: str = ""
    held: HeldBy | None = None
    codec: str | None = None
    muted: bool = False
    cause: EndCause | None = None
    ended_by: Party | None = None
    detail: str = ""
    at: float = 0.0

    @property
    def kind(self) -> str:
        return "call"


@dataclass(frozen=True)
class DtmfReceived(PhoneEvent):
    """A key the far end pressed (`via` "rfc4733", "info" or "inband")."""

    call: int
    digit: str
    via: str

    @property
    def kind(self) -> str:
        return "dtmf"
