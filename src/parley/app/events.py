"""Events the application adds to the phone's own (`parley.phone.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from parley.phone.events import PhoneEvent


@dataclass(frozen=True)
class HistoryAdded(PhoneEvent):
    """A finished call was written to the history (`entry_id` in `Application.history`)."""

    entry_id: int
    call: int | None
    type: str
    direction: str
    number: str
    name: str | None
    account: str
    duration: float
    sip_code: int | None

    @property
    def kind(self) -> str:
        return "history"


@dataclass(frozen=True)
class SettingsApplied(PhoneEvent):
    """New settings were saved and applied; `restart_needed` names what only takes
    effect at the next start."""

    restart_needed: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "settings"
