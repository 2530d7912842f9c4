"""Events the phone reports to the application (and the console prints).

Frozen dataclasses: each is a fact that happened, with a sentence for a person in `text`.
`to_dict()` gives the JSON form the console's `--json` mode prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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

    `state` is one of "not registered", "registering", "registered", "failed",
    "unregistering"; `status`/`reason` are the SIP answer that caused it, if any.
    """

    account: str
    state: str
    status: int | None
    reason: str
    text: str
    expires: int | None = None
    server: str | None = None

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
    """A call changed state.

    `state`: "dialing", "ringing" (the far end rings), "early media", "incoming",
    "connected", "held", "ended". `held` says who holds ("us", "them", "both") while
    connected-and-held. `status`/`reason` are the SIP answer behind the change;
    `text` is a sentence for a person ("Busy", "No answer"…).
    """

    call: int
    account: str
    direction: str  # "outgoing" | "incoming"
    state: str
    remote: str
    remote_name: str | None = None
    status: int | None = None
    reason: str = ""
    text: str = ""
    held: str | None = None
    codec: str | None = None

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
