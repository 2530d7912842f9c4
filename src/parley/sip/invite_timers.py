"""The timers of one INVITE session, named by an enum (the transaction layer has its own).

`Timer` is a `StrEnum` so a log line or a test reads the same short name as before.
"""

from __future__ import annotations

import enum

__all__ = ["Timer", "TimerSet"]


class Timer(enum.StrEnum):
    ACK_RETRANSMIT = "2xx"  # our 2xx to an INVITE, again until the ACK (§13.3.1.4)
    ACK_GIVEUP = "2xx_giveup"  # no ACK within 64*T1
    PRACK_RETRANSMIT = "rel1xx"  # our reliable 1xx, again until the PRACK (RFC 3262 §3)
    PRACK_GIVEUP = "rel1xx_giveup"  # no PRACK within 64*T1
    GLARE = "glare"  # retry of a re-INVITE that got 491 (§14.1)
    SESSION = "session"  # refresh, or give up on the far end's refresh (RFC 4028 §10)
    CANCEL_GIVEUP = "cancel_giveup"  # no final response after our CANCEL (§9.1)
    BYE_DEFERRED = "bye_deferred"  # hung up during our re-INVITE/UPDATE: BYE at the latest


class TimerSet(dict[Timer, float]):
    """Armed timers and when they fire; the owner wakes us at the earliest."""

    def arm(self, timer: Timer, when: float) -> None:
        self[timer] = when

    def disarm(self, *timers: Timer) -> None:
        for timer in timers:
            self.pop(timer, None)

    def earliest(self) -> float | None:
        return min(self.values(), default=None)

    def pop_due(self, now: float) -> Timer | None:
        """The earliest timer due at `now`, disarmed; None when none is due."""
        due = [(when, timer) for timer, when in self.items() if when <= now]
        if not due:
            return None
        _, timer = min(due)
        del self[timer]
        return timer
