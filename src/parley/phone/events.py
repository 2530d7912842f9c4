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
