"""Two ZRTP sessions wired to each other on a fake network with a virtual clock.

Delivery is in rounds: everything both sides have queued is taken first, then handed
over, so that two sessions that become ready at the same moment both act (that is how
both end up sending a Commit). `drop` decides per packet whether the network loses it;
every packet that went on the wire is kept in `wire` for the test to look at, and
`alter` may rewrite a packet on its way (a man in the middle).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from parley.media.zrtp import ZidCache, ZrtpConfig, ZrtpEvent, ZrtpSession
from parley.media.zrtp.packets import Message, decode_packet


@dataclass
class Sent:
    sender: str  # "a" or "b"
    at: float
    data: bytes
    dropped: bool

    @property
    def message(self) -> Message:
        return decode_packet(self.data).message

    @property
    def kind(self) -> str:
        return type(self.message).__name__


@dataclass
class Wire:
    a: ZrtpSession
    b: ZrtpSession
    now: float = 0.0
    drop: Callable[[Sent], bool] = lambda sent: False
    alter: Callable[[Sent], bytes] | None = None  # a man in the middle rewriting packets
    wire: list[Sent] = field(default_factory=list)
    events_a: list[ZrtpEvent] = field(default_factory=list)
    events_b: list[ZrtpEvent] = field(default_factory=list)

    def _collect_events(self) -> None:
        for session, into in ((self.a, self.events_a), (self.b, self.events_b)):
            while (event := session.next_event()) is not None:
                into.append(event)

    def _deliver(self, sent: Sent) -> bytes:
        return sent.data if self.alter is None else self.alter(sent)

    def pump(self) -> bool:
        """One round of delivery; True if anything was sent."""
        out_a = [Sent("a", self.now, d, False) for d in self.a.send_pending()]
        out_b = [Sent("b", self.now, d, False) for d in self.b.send_pending()]
        for sent in out_a + out_b:
            sent.dropped = self.drop(sent)
            self.wire.append(sent)
        for sent in out_a:
            if not sent.dropped:
                self.b.receive(self._deliver(sent), self.now)
        for sent in out_b:
            if not sent.dropped:
                self.a.receive(self._deliver(sent), self.now)
        self._collect_events()
        return bool(out_a or out_b)

    def run(self, until: float = 60.0) -> None:
        """Deliver and fire timers until both sides are quiet (or `until` seconds)."""
        while self.now <= until:
            while self.pump():
                pass
            timers = [t for t in (self.a.get_timer(), self.b.get_timer()) if t is not None]
            if not timers:
                return
            self.now = max(self.now, min(timers))
            self.a.handle_timer(self.now)
            self.b.handle_timer(self.now)
            self._collect_events()

    def kinds(self, sender: str | None = None) -> list[str]:
        return [s.kind for s in self.wire if sender is None or s.sender == sender]


def make_pair(
    cache_a: ZidCache | None = None,
    cache_b: ZidCache | None = None,
    drop: Callable[[Sent], bool] | None = None,
    **config: object,
) -> Wire:
    """Two sessions (SSRC 0xA and 0xB) with the same config keywords for both; `a_` /
    `b_` prefixed keywords go to one side only."""
    shared = {k: v for k, v in config.items() if not k.startswith(("a_", "b_"))}
    only_a = {k[2:]: v for k, v in config.items() if k.startswith("a_")}
    only_b = {k[2:]: v for k, v in config.items() if k.startswith("b_")}
    a = ZrtpSession(
        ZrtpConfig(ssrc=0xA, **{**shared, **only_a}),  # type: ignore[arg-type]
        cache_a if cache_a is not None else ZidCache(),
        0.0,
    )
    b = ZrtpSession(
        ZrtpConfig(ssrc=0xB, **{**shared, **only_b}),  # type: ignore[arg-type]
        cache_b if cache_b is not None else ZidCache(),
        0.0,
    )
    wire = Wire(a, b)
    if drop is not None:
        wire.drop = drop
    return wire
