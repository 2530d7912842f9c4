"""Presence documents (RFC 3863 PIDF, RFC 4480 RPID), sans-IO.

`PresenceState` is the manual's eight states, spelt as the console and the settings file
spell them; the codec between them and PIDF/RPID bodies lives here too.
"""

from __future__ import annotations

import enum

__all__ = ["PresenceState"]


class PresenceState(enum.StrEnum):
    """What a person chooses in the status bar (and what we make of a watched body)."""

    ONLINE = "online"
    INVISIBLE = "invisible"  # others see us offline; we still see them
    AWAY = "away"
    BUSY = "busy"
    OFFLINE = "offline"
    LUNCH = "lunch"
    ON_THE_PHONE = "on-the-phone"
    BRB = "brb"  # briefly absent
