"""SIP transaction timer values (RFC 3261 §17 and Table 4 of Appendix A, RFC 6026 §8.11)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TimerConfig:
    """Base timer values in seconds; every transaction timer derives from these.

    t1: RTT estimate (default 500 ms), t2: cap on non-INVITE and final-response
    retransmission intervals (4 s), t4: how long a message may linger in the network
    (5 s), timer_d: how long a client INVITE transaction waits for retransmitted final
    responses over unreliable transports (at least 32 s).
    """

    t1: float = 0.5
    t2: float = 4.0
    t4: float = 5.0
    timer_d: float = 32.0

    def __post_init__(self) -> None:
        if self.t1 <= 0 or self.t2 < self.t1 or self.t4 < 0 or self.timer_d < 0:
            raise ValueError(f"inconsistent SIP timer values: {self}")

    @property
    def timeout(self) -> float:
        """64*T1: timers B, F, H, J and RFC 6026's L and M."""
        return 64 * self.t1
