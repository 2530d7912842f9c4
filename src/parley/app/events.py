"""Events the application adds to the phone's own (`parley.phone.events`)."""

from __future__ import annotations

import enum
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


class AudioDeviceChange(enum.StrEnum):
    ADDED = "added"  # a sound device appeared (a headset plugged in)
    REMOVED = "removed"  # one went away


@dataclass(frozen=True)
class AudioDeviceChanged(PhoneEvent):
    """A sound device appeared or went away (`parley.app.audio_devices`). `inputs` and
    `outputs` are its channel counts; `microphone`/`speaker` are the devices the audio
    uses since this change when it switched them (automatic microphone selection, or
    the fallback from a removed device in use), else None."""

    change: AudioDeviceChange
    device: str
    inputs: int
    outputs: int
    microphone: str | None = None
    speaker: str | None = None

    @property
    def kind(self) -> str:
        return "audio_device"
