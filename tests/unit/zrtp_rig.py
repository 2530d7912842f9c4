"""Two ZRTP sessions wired to each other on a fake network with a virtual clock.

Delivery is in rounds: everything both sides have queued is taken first, then handed
over, so that two sessions that become ready at the same moment both act (that is how
both end up sending a Commit). `drop` decides per packet whether the network loses it;
every packet that went on the wire is kept in `wire` for the test to look at, and
`alter` may rewrite a packet on its way (a man in the middle).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from parley.media.zrtp import ZidCache, ZrtpConfig, ZrtpEvent, ZrtpSession, crypto
from parley.media.zrtp.crypto import hash_chain
from parley.media.zrtp.packets import (
    VERSION,
    Commit,
    DHPart2,
    Hello,
    HelloAck,
    Message,
    decode_packet,
    encode_message,
    encode_packet,
    with_mac,
)


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


class ManualPeer:
    """A hand-driven ZRTP endpoint made of the packet and crypto modules, to send what a
    well-behaved session never would (a Preshared Commit, a bad public value, ...)."""

    def __init__(self, ssrc: int = 0xC, zid: bytes | None = None) -> None:
        self.h0, self.h1, self.h2, self.h3 = hash_chain(secrets.token_bytes(32))
        self.zid = zid if zid is not None else secrets.token_bytes(12)
        self.ssrc = ssrc
        self.sequence = 100
        hello = Hello(
            VERSION, b"manual peer     ", self.h3, self.zid, False, False, False,
            ("S256",), ("AES1",), ("HS32", "HS80"), ("DH3k",), ("B32 ",),
        )  # fmt: skip
        self.hello_bytes = encode_message(with_mac(hello, self.h2))

    def packet(self, message: Message | bytes) -> bytes:
        raw = message if isinstance(message, bytes) else encode_message(message)
        self.sequence += 1
        return encode_packet(raw, self.sequence, self.ssrc)

    def dhpart2(self, pv: bytes) -> bytes:
        part = DHPart2(self.h1, *(secrets.token_bytes(8) for _ in range(4)), pv)
        return encode_message(with_mac(part, self.h0))

    def commit(
        self,
        peer_hello: bytes,
        key_agreement: str = "DH3k",
        cipher: str = "AES1",
        dhpart2: bytes = b"",
        hvi: bytes | None = None,
    ) -> bytes:
        if key_agreement in ("Mult", "Prsh"):
            extra = {"nonce": b"n" * 16, "key_id": b"k" * 8 if key_agreement == "Prsh" else b""}
        else:
            extra = {"hvi": hvi if hvi is not None else crypto.hvi(dhpart2, peer_hello)}
        commit = Commit(self.h2, self.zid, "S256", cipher, "HS32", key_agreement, "B32 ", **extra)
        return encode_message(with_mac(commit, self.h1))

    def introduce(self, session: ZrtpSession, now: float = 0.0) -> bytes:
        """Exchange Hello/HelloACK with a session; returns the session's Hello bytes."""
        hellos = [p for p in session.send_pending() if decode_packet(p).message.TYPE == b"Hello   "]
        session.receive(self.packet(self.hello_bytes), now)
        session.receive(self.packet(HelloAck()), now)
        return decode_packet(hellos[0]).message_bytes
