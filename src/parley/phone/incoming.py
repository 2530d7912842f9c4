"""Incoming-call policy: what happens to a new INVITE, decided before anything rings.

One pure function, `decide`, turns the facts (is there an account for it, does it come
from that account's server, which calls are up, the settings) into a `Decision`;
`IncomingCalls` carries the decision out through a narrow context. Nothing rings, and
no "incoming call" event goes out, for a call that is refused (403, 404, 486): a busy
caller is turned away before the phone has said a word about it. "Auto reject calls if
status is set to" refuses a call (486 or 603, as `functions.reject_with` says) while what
watchers see of our presence is one of `functions.auto_reject_presence`. Auto-answer during a
call first holds the call that is up, so the microphone is never on two calls at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from parley.net.address import Address, Source
from parley.phone.auto_answer import AutoAnswer
from parley.settings.model import Settings
from parley.sip.message import Request
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.phone.account import Account
    from parley.phone.call import Call
    from parley.phone.ringer import Ringer

log = logging.getLogger(__name__)


class Decision(Enum):
    """What becomes of an incoming INVITE."""

    NOT_FOUND = "not found"  # 404: no account it could be for
    FORBIDDEN = "forbidden"  # 403: not from our server, and direct calls are not allowed
    BUSY = "busy"  # 486: on a call with call waiting off, or a call is already waiting
    RING = "ring"  # rings with the ringtone
    WAIT = "wait"  # rings with the call-waiting tone (another call is up)
    ANSWER = "answer"  # auto-answer: taken at once (the call that is up is held first)
    REJECT = "reject"  # our presence status is one of functions.auto_reject_presence

    def refusal_for(self, settings: Settings) -> tuple[int, str] | None:
        """`refusal`, with REJECT answered as `functions.reject_with` says."""
        if self is Decision.REJECT:
            return REJECT_WITH[settings.functions.reject_with]
        return self.refusal

    @property
    def refusal(self) -> tuple[int, str] | None:
        """The SIP status and reason the caller gets, for a refused call."""
        return _REFUSALS.get(self)


_REFUSALS = {
    Decision.NOT_FOUND: (404, "Not Found"),
    Decision.FORBIDDEN: (403, "Forbidden"),
    Decision.BUSY: (486, "Busy Here"),
}
REJECT_WITH = {"busy": (486, "Busy Here"), "decline": (603, "Decline")}


@dataclass(frozen=True)
class CallsUp:
    """What the policy needs to know of the calls the phone has."""

    live: int = 0  # calls that have not ended, in any state and direction
    active: int = 0  # connected (or held) calls
    waiting: int = 0  # incoming calls not yet answered

    @classmethod
    def of(cls, calls: Iterable[Call]) -> CallsUp:
        live = [c for c in calls if not c.ended]
        return cls(
            live=len(live),
            active=sum(1 for c in live if c.state in ("connected", "held")),
            waiting=sum(1 for c in live if c.direction == "incoming" and c.state == "incoming"),
        )


def decide(
    *,
    has_account: bool,
    trusted: bool,
    calls: CallsUp,
    call_waiting: bool,
    auto_answer: bool,
    presence_rejects: bool = False,
) -> Decision:
    """The fate of a new incoming call. One waiting call at a time, like a desk phone:
    a third call is busy even with call waiting on. `presence_rejects`: our presence
    status is one the person wants calls rejected in."""
    if not has_account:
        return Decision.NOT_FOUND
    if not trusted:
        return Decision.FORBIDDEN
    if presence_rejects:
        return Decision.REJECT
    if calls.live and (not call_waiting or calls.waiting):
        return Decision.BUSY
    if auto_answer:
        return Decision.ANSWER
    return Decision.WAIT if calls.active else Decision.RING


def trusted_source(source: Source, servers: Iterable[Address], *, allow_direct: bool) -> bool:
    """No ghost calls: INVITEs only from an account's server, unless direct calls are
    allowed. Over UDP the server sends from its own port; a TCP/TLS connection may be
    one the server opened to us, from any port of its host."""
    if allow_direct:
        return True
    return any(
        server.host == source.host and (source.transport != "udp" or source.port == server.port)
        for server in servers
    )


@dataclass
class IncomingContext:
    """What the policy may touch: the settings, the accounts and calls (read), a way to
    answer a request without a call, a way to start a call, and the ringer."""

    settings: Callable[[], Settings]
    auto_answer: Callable[[], bool]
    accounts: Callable[[], Iterable[Account]]
    calls: Callable[[], Iterable[Call]]
    respond: Callable[[ServerTransaction, Request, int, str], None]
    start_call: Callable[[Account, Request, ServerTransaction, Decision], Awaitable[Call]]
    ringer: Ringer
    presence: Callable[[], str] = lambda: "online"  # what watchers see of us now


class IncomingCalls:
    """Carries out the decision for each new INVITE."""

    def __init__(self, context: IncomingContext) -> None:
        self.ctx = context
        self.auto = AutoAnswer(context.settings, context.auto_answer, context.calls)

    def decision_for(
        self, request: Request, source: Source, *, auto_answer: bool | None = None
    ) -> tuple[Decision, Account | None]:
        account = self.account_for(request)
        servers = [a.server for a in self.ctx.accounts() if a.server is not None]
        settings = self.ctx.settings()
        decision = decide(
            has_account=account is not None,
            trusted=trusted_source(
                source, servers, allow_direct=settings.functions.allow_direct_calls
            ),
            calls=CallsUp.of(self.ctx.calls()),
            call_waiting=settings.media.call_waiting,
            auto_answer=self.ctx.auto_answer() if auto_answer is None else auto_answer,
            presence_rejects=self.ctx.presence() in settings.functions.auto_reject_presence,
        )
        return decision, account

    async def handle(self, tx: ServerTransaction, request: Request, source: Source) -> Call | None:
        try:
            return await self._handle(tx, request, source)
        except Exception:  # a bug here must not pass silently in a forgotten task
            log.exception("incoming INVITE from %s:%s", source.host, source.port)
            return None

    async def _handle(self, tx: ServerTransaction, request: Request, source: Source) -> Call | None:
        # Automatic answer and intercom (phone/auto_answer.py): answered at once or later.
        target = self.account_for(request)
        plan, refusal = self.auto.plan(target, request, source) if target else (None, None)
        at_once = plan is not None and plan.at_once
        decision, account = self.decision_for(request, source, auto_answer=at_once)
        if account is None or decision in (Decision.NOT_FOUND, Decision.FORBIDDEN):
            status, reason = decision.refusal or (404, "Not Found")
            log.info("INVITE from %s:%s refused: %s", source.host, source.port, decision.value)
            self.ctx.respond(tx, request, status, reason)
            return None
        if refusal is not None and decision not in (Decision.BUSY, Decision.REJECT):
            self.ctx.respond(tx, request, *refusal)
            return None
        if decision is not Decision.RING and decision is not Decision.WAIT:
            self.ctx.ringer.keep_quiet(request)  # busy or auto-answer: never a sound
        call = await self.ctx.start_call(account, request, tx, decision)
        rings = decision in (Decision.RING, Decision.WAIT)
        self.auto.started(call, answer_now=decision is Decision.ANSWER, rings=rings, plan=plan)
        return call

    def account_for(self, request: Request) -> Account | None:
        """The account a call is for: by the Request-URI's user, else the first account."""
        user = request.uri.user if isinstance(request.uri, SipURI) else None
        accounts = list(self.ctx.accounts())
        for account in accounts:
            if account.settings.username == user:
                return account
        return accounts[0] if accounts else None
