"""Two user agents wired back to back in one process (like h11's connection pair).

Each `UserAgent` is a real `UserAgentCore` (transactions, dialog table, routing, one
timer) with INVITE sessions attached as `InviteUsage`s, exactly as the phone attaches
them; only the sockets and the clock are fake. Every message is serialised and parsed
again on the way, so a header written wrongly breaks the test. `Pair.advance` steps the
fake clock from deadline to deadline of the two cores.

    pair = Pair()
    pair.a.call(OFFER)
    pair.deliver()
    pair.b.do(lambda s: s.accept(ANSWER, pair.now))
"""

from __future__ import annotations

import random
from collections.abc import Callable

from parley.sip.core import Transmit, UserAgentCore
from parley.sip.dialog import LocalEndpoint
from parley.sip.headers import NameAddr
from parley.sip.ids import IdSource
from parley.sip.invite import InviteSession, SessionConfig
from parley.sip.invite_events import (
    CallState,
    SendAck,
    SendRequest,
    SessionOutput,
    StateChanged,
)
from parley.sip.invite_usage import InviteUsage, register_invite_usage
from parley.sip.message import Request, Response
from parley.sip.parser import parse_message
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

Message = Request | Response


class UserAgent:
    """One phone: a user-agent core and (at most) one INVITE session at a time."""

    def __init__(self, pair: Pair, name: str, port: int, config: SessionConfig) -> None:
        self.pair = pair
        self.name = name
        self.core = UserAgentCore(
            config.timers,
            user_agent="",
            ids=IdSource(random.Random(name)),
            send_trying=pair.send_trying,
        )
        register_invite_usage(self.core)
        self.core.on_request("INVITE", self._on_invite)
        self.local = LocalEndpoint(
            "127.0.0.1", port, "UDP", contact=f"<sip:{name}@127.0.0.1:{port}>"
        )
        self.config = config
        self.session: InviteSession | None = None
        self.usage: InviteUsage | None = None
        self.events: list[SessionOutput] = []
        self.wire: list[Message] = []  # everything this side sent
        self.handlers: dict[str, Callable[[ServerTransaction, Request, float], None]] = {}

    @property
    def peer(self) -> UserAgent:
        return self.pair.b if self is self.pair.a else self.pair.a

    def call(self, offer: bytes | None, **kw: object) -> None:
        target = SipURI.parse(f"sip:{self.peer.name}@127.0.0.1:{self.peer.local.port}")
        self.session = InviteSession.outgoing(
            target,
            from_=NameAddr(None, SipURI.parse(f"sip:{self.name}@127.0.0.1")),
            to=NameAddr(None, target),
            local=self.local,
            config=self.config,
            rng=random.Random(self.name),
            **kw,  # type: ignore[arg-type]
        )
        self.usage = InviteUsage(self.core, self.session, self._sink)
        self.apply(self.session.invite(offer, self.pair.now))

    def do(self, fn: Callable[[InviteSession], list[SessionOutput]]) -> None:
        assert self.session is not None
        self.apply(fn(self.session))

    def apply(self, outputs: list[SessionOutput]) -> None:
        """Carry out what the session returned, as the phone does."""
        assert self.usage is not None
        self.usage.run(outputs)
        self.flush()

    # -- what the usage hands its owner: requests to route, events
    def _sink(self, outputs: list[SessionOutput]) -> None:
        assert self.usage is not None
        for out in outputs:
            if isinstance(out, SendRequest):
                self.usage.send(out.request, self.peer.name)
            elif isinstance(out, SendAck):
                self.usage.send_ack(out.ack, self.peer.name)
            else:
                self.events.append(out)

    def _on_invite(self, tx: ServerTransaction, request: Request, now: float) -> None:
        handler = self.handlers.get("INVITE")
        if handler is not None:
            handler(tx, request, now)
            return
        s = self.session
        if s is None or s.state is CallState.ENDED:
            self.session = InviteSession.incoming(
                request, tx, local=self.local, config=self.config, rng=random.Random(1)
            )
            self.usage = InviteUsage(self.core, self.session, self._sink, invite_tx=tx)
            self.usage.run(self.session.receive_invite(now))
        elif self.usage is not None:
            self.usage.on_request(request, tx, now)

    # -- the core's outputs onto the fake network
    def flush(self) -> None:
        for out in self.core.take_outputs():
            if isinstance(out, Transmit):
                self.wire.append(out.message)
                self.pair.queue.append((self.peer, out.message.to_bytes()))

    # -- looking at what happened
    def states(self) -> list[CallState]:
        return [e.state for e in self.events if isinstance(e, StateChanged)]

    def ended(self) -> StateChanged:
        ends = [
            e for e in self.events if isinstance(e, StateChanged) and e.state is CallState.ENDED
        ]
        assert len(ends) == 1, self.events
        return ends[0]

    def of(self, kind: type) -> list[object]:
        return [e for e in self.events if isinstance(e, kind)]

    def sent(self, method_or_status: str | int) -> list[Message]:
        out: list[Message] = []
        for m in self.wire:
            if isinstance(m, Request) and m.method == method_or_status:
                out.append(m)
            elif isinstance(m, Response) and m.status == method_or_status:
                out.append(m)
        return out


class Pair:
    """Alice and Bob on a fake network with a fake clock."""

    def __init__(
        self,
        a_config: SessionConfig | None = None,
        b_config: SessionConfig | None = None,
        *,
        send_trying: bool = True,
    ) -> None:
        self.now = 1000.0
        self.send_trying = send_trying
        self.queue: list[tuple[UserAgent, bytes]] = []
        self.drop: Callable[[UserAgent, Message], bool] = lambda to, msg: False
        self.a = UserAgent(self, "alice", 5061, a_config or SessionConfig())
        self.b = UserAgent(self, "bob", 5062, b_config or SessionConfig())

    def deliver(self, limit: int = 1000) -> None:
        """Deliver queued datagrams (and whatever they cause) until the network is quiet."""
        for _ in range(limit):
            if not self.queue:
                return
            to, data = self.queue.pop(0)
            msg = parse_message(data)
            if self.drop(to, msg):
                continue
            to.core.receive(msg, to.peer.name, self.now)
            to.flush()
        raise AssertionError("network never went quiet")

    def deadline(self) -> float | None:
        times = [t for side in (self.a, self.b) if (t := side.core.next_timer()) is not None]
        return min(times, default=None)

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass, firing every timer on the way (one timer per core)."""
        end = self.now + seconds
        self.deliver()
        while (due := self.deadline()) is not None and due <= end:
            self.now = max(self.now, due)
            for side in (self.a, self.b):
                side.core.handle_timer(self.now)
                side.flush()
            self.deliver()
        self.now = end
