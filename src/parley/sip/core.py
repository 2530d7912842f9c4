"""The user-agent core (RFC 3261 §8, §12, §17; RFC 5057 dialog usages), sans-IO.

One `UserAgentCore` per phone. It owns the transaction layer and the dialogs, keyed by
their full id (Call-ID, local tag, remote tag), and routes every request:

- CANCEL to the usage whose INVITE it cancels, else 481 (§9.2);
- a method nobody registered: 405 with Allow for a SIP method, 501 for others (§8.2.1);
- a Require we do not support: 420 with Unsupported; a body we cannot read: 415 (§8.2.2);
- a request with a To tag to the usages of its dialog (or of its dialog set: the dialogs
  one INVITE forks into share Call-ID and local tag), else 481 (§12.2.2);
- a request without To tag to the handler registered for its method; OPTIONS without
  a handler is answered here with Allow, Accept and Supported (§11.2).

Inputs are parsed messages with their source (opaque to the core) and the time; out come
`Transmit` outputs for the driver (message and destination) and calls into the
handlers and usages registered. The core, its transactions, its usages and anything
else registered with `add_timed` share one `next_timer()` / `handle_timer(now)`, so the
driver arms one timer.

    core = UserAgentCore(user_agent="Parley")
    core.on_request("INVITE", handler)          # handler(tx, request, now)
    core.receive(message, source, now)
    for out in core.take_outputs(): ...         # Transmit(message, dest)
    core.handle_timer(now) at core.next_timer()
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TypeAlias

from parley.sip.capabilities import STANDARD_METHODS, Capabilities
from parley.sip.dialog import DialogId, DialogRegistry
from parley.sip.headers import SipParseError
from parley.sip.ids import IdSource
from parley.sip.message import Message, Request, Response
from parley.sip.request_client import ClientCallbacks, Credentials, DigestRetry
from parley.sip.responses import make_response
from parley.sip.timers import TimerConfig
from parley.sip.transaction import TransactionLayer
from parley.sip.transaction_base import (
    AckReceived,
    MessageDropped,
    RequestReceived,
    ResponseReceived,
    SendMessage,
    StrayResponse,
    TransactionTerminated,
    TransactionTimeout,
    TransportFailed,
)
from parley.sip.transaction_client import ClientTransaction
from parley.sip.transaction_server import ServerTransaction
from parley.sip.usage import DialogUsage, Timed
from parley.sip.validate import validate_request

__all__ = [
    "IN_DIALOG_METHODS",
    "CoreOutput",
    "Dropped",
    "RequestHandler",
    "Transmit",
    "UserAgentCore",
]

log = logging.getLogger(__name__)

# Methods that only make sense inside a dialog: without one they get 481, not 405.
IN_DIALOG_METHODS = frozenset({"BYE", "PRACK", "UPDATE", "INFO", "NOTIFY"})


@dataclass(frozen=True)
class Transmit:
    """Send `message` to `dest`: the destination given to `send_request`, or the source
    of the request being answered (opaque to the core)."""

    message: Request | Response
    dest: object


@dataclass(frozen=True)
class Dropped:
    """An incoming message nobody could use (for traces and statistics)."""

    message: Request | Response
    reason: str


CoreOutput: TypeAlias = Transmit | Dropped

# A handler for requests outside any dialog: (server transaction, request, now). The
# request's source is `tx.peer`.
RequestHandler = Callable[[ServerTransaction, Request, float], None]


@dataclass(frozen=True)
class _Waiter:
    """A request we sent and who wants its answers."""

    tx: ClientTransaction
    callbacks: ClientCallbacks
    dest: object
    reliable: bool
    retry: DigestRetry | None


class UserAgentCore:
    """Transactions, dialogs and request routing of one user agent."""

    def __init__(
        self,
        timers: TimerConfig | None = None,
        *,
        user_agent: str = "Parley",
        ids: IdSource | None = None,
        send_trying: bool = True,
    ) -> None:
        self.transactions = TransactionLayer(timers or TimerConfig(), send_trying=send_trying)
        self.capabilities = Capabilities()
        self.ids = ids or IdSource()
        self.user_agent = user_agent
        self._out: list[CoreOutput] = []
        self._handlers: dict[str, RequestHandler] = {}
        self._dialogs: DialogRegistry[DialogUsage] = DialogRegistry()
        self._sets: dict[tuple[str, str], list[DialogUsage]] = {}  # (Call-ID, local tag)
        self._invites: dict[int, DialogUsage] = {}  # INVITE server tx id -> usage (CANCEL)
        self._usages: list[DialogUsage] = []
        self._timed: list[Timed] = []
        self._waiters: dict[int, _Waiter] = {}
        self._now = 0.0
        # Called whenever there may be new outputs or a new deadline: the driver's cue to
        # flush `take_outputs()` and re-arm its one timer. Plain data, no I/O here.
        self.on_wake: Callable[[], None] | None = None

    @property
    def now(self) -> float:
        """The time of the latest input (for callbacks that are not handed one)."""
        return self._now

    @property
    def timers(self) -> TimerConfig:
        return self.transactions.config

    # ================================================================== registration

    def on_request(self, method: str, handler: RequestHandler) -> None:
        """Requests of `method` outside any dialog go to `handler`; the method is then
        in Allow."""
        method = method.upper()
        self._handlers[method] = handler
        self.capabilities.add(methods=[method])

    def attach(
        self,
        usage: DialogUsage,
        *,
        call_id: str,
        local_tag: str,
        invite_tx: ServerTransaction | None = None,
    ) -> None:
        """Give `usage` the dialog set (Call-ID, local tag): every dialog with that
        pair routes to it unless a dialog bound with `bind_dialog` says otherwise.
        `invite_tx`: the INVITE it answers, so its CANCEL finds it."""
        if not any(u is usage for u in self._usages):
            self._usages.append(usage)
        members = self._sets.setdefault((call_id, local_tag), [])
        if not any(u is usage for u in members):
            members.append(usage)
        if invite_tx is not None:
            self._invites[invite_tx.id] = usage

    def bind_dialog(self, dialog_id: DialogId, usage: DialogUsage) -> None:
        """`usage` is (one of) the usages of the dialog `dialog_id` (RFC 5057)."""
        if not any(u is usage for u in self._usages):
            self._usages.append(usage)
        self._dialogs.add(dialog_id, usage)

    def detach(self, usage: DialogUsage) -> None:
        """Forget `usage` everywhere; its dialogs answer 481 once no usage is left."""
        self._usages = [u for u in self._usages if u is not usage]
        self._dialogs.remove_owner(usage)
        for key in list(self._sets):
            rest = [u for u in self._sets[key] if u is not usage]
            if rest:
                self._sets[key] = rest
            else:
                del self._sets[key]
        for tx_id in [k for k, v in self._invites.items() if v is usage]:
            del self._invites[tx_id]

    def usages_of(self, dialog_id: DialogId) -> list[DialogUsage]:
        """The usages bound to a dialog (for tests and for usages that join one)."""
        return self._dialogs.owners(dialog_id)

    def add_timed(self, timed: Timed) -> None:
        """Drive `timed` (e.g. a registration) from the core's one timer."""
        if not any(t is timed for t in self._timed):
            self._timed.append(timed)

    def remove_timed(self, timed: Timed) -> None:
        self._timed = [t for t in self._timed if t is not timed]

    def wake(self) -> None:
        """Tell the driver to look at the outputs and the deadline again."""
        if self.on_wake is not None:
            self.on_wake()

    # ================================================================== input

    def receive(
        self, message: Message, source: object, now: float, *, reliable: bool = False
    ) -> None:
        """One parsed message from the network. Never raises for bad input."""
        self._now = now
        try:
            self.transactions.receive(message, source, now, reliable=reliable)
        except SipParseError as exc:
            # Framing was fine but a key header is not: answer a request with 400 when
            # there is a Via to answer to, drop a response (§18.1.2, §8.2.2).
            self._out.append(Dropped(message, str(exc)))
            if (
                isinstance(message, Request)
                and message.method != "ACK"
                and ("Via" in message.headers)
            ):
                bad = self.response(message, exc.status, exc.reason or None)
                self._out.append(Transmit(bad, source))
        self._pump(now)
        self.wake()

    def transport_error(self, message: Message, text: str, now: float) -> None:
        """The driver could not deliver `message`: the request's sender hears of it."""
        self._now = now
        if isinstance(message, Request):
            for tx_id, waiter in list(self._waiters.items()):
                if waiter.tx.request is message:
                    del self._waiters[tx_id]
                    self.transactions.report_transport_error(waiter.tx, now)
                    waiter.callbacks.on_transport_error(text)
        self._pump(now)
        self.wake()

    # ================================================================== time

    def next_timer(self) -> float | None:
        """The earliest deadline of anything inside: transactions, usages, timed."""
        deadlines = [self.transactions.next_timer()]
        deadlines += [t.next_timer() for t in (*self._usages, *self._timed)]
        return min((d for d in deadlines if d is not None), default=None)

    def handle_timer(self, now: float) -> None:
        """Fire everything due at `now` (each timed object at most once per call)."""
        self._now = now
        self.transactions.handle_timer(now)
        self._pump(now)
        for timed in [*self._usages, *self._timed]:
            deadline = timed.next_timer()
            if deadline is None or deadline > now:
                continue
            try:
                timed.handle_timer(now)
            except Exception:  # one broken usage must not stop the phone's clock
                log.exception("timer of %r failed", timed)
            self._pump(now)
        self._forget_finished()
        self.wake()

    # ================================================================== output

    def take_outputs(self) -> list[CoreOutput]:
        out = list(self._out)
        self._out.clear()
        return out

    def send_request(
        self,
        request: Request,
        dest: object,
        callbacks: ClientCallbacks,
        now: float,
        *,
        reliable: bool = False,
        credentials: Credentials | None = None,
    ) -> ClientTransaction:
        """Start a client transaction for `request` towards `dest`.

        With `credentials`, a 401/407 to a non-INVITE request is answered here (digest,
        stale nonces, nonce counts) and the request sent again; the caller hears only of
        the retry (`on_retry`) and of the final answer.
        """
        self._now = now
        retry = None
        if credentials is not None and request.method not in ("INVITE", "CANCEL"):
            retry = DigestRetry(credentials, self.ids.branch)
        tx = self.transactions.send_request(request, dest, now, reliable=reliable)
        self._waiters[tx.id] = _Waiter(tx, callbacks, dest, reliable, retry)
        self._pump(now)
        self.wake()
        return tx

    def send_response(self, tx: ServerTransaction, response: Response, now: float) -> None:
        self._now = now
        self.transactions.send_response(tx, response, now)
        self._pump(now)
        self.wake()

    def send_stateless(self, message: Request | Response, dest: object) -> None:
        """An ACK for a 2xx (RFC 3261 §13.2.2.4), outside any transaction."""
        self._out.append(Transmit(message, dest))
        self.wake()

    def response(
        self,
        request: Request,
        status: int,
        reason: str | None = None,
        *,
        to_tag: str | None = None,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Response:
        """A response to `request` (`parley.sip.responses.make_response`) with what this
        UA says about itself: Allow on 405 and 2xx to OPTIONS, Accept and Supported too
        on the latter (RFC 3261 §8.2.1, §11.2), and a To tag on final responses."""
        extra = list(headers)
        names = {name.lower() for name, _ in extra}
        caps = self.capabilities
        if (status == 405 or (request.method == "OPTIONS" and 200 <= status < 300)) and (
            "allow" not in names
        ):
            extra.append(("Allow", caps.allow))
        if request.method == "OPTIONS" and 200 <= status < 300:
            if "accept" not in names and caps.accept:
                extra.append(("Accept", caps.accept))
            if "supported" not in names and caps.supported:
                extra.append(("Supported", caps.supported))
        if to_tag is None and status > 100:
            to_tag = self.ids.tag()
        if self.user_agent and "server" not in names:
            extra.append(("Server", self.user_agent))
        return make_response(request, status, reason, to_tag=to_tag, headers=extra, body=body)

    def answer(
        self,
        tx: ServerTransaction,
        status: int,
        reason: str | None = None,
        *,
        headers: Iterable[tuple[str, str]] = (),
        now: float | None = None,
    ) -> None:
        """Answer `tx`'s request with a response of our own making."""
        response = self.response(tx.request, status, reason, headers=headers)
        self.send_response(tx, response, self._now if now is None else now)

    def refuse(self, tx: ServerTransaction, now: float | None = None) -> None:
        """The answer for a request nobody here handles: 405 with Allow for a SIP
        method, 501 for one we do not know (RFC 3261 §8.2.1)."""
        method = tx.request.method.upper()
        self.answer(tx, 405 if method in STANDARD_METHODS else 501, now=now)

    # ================================================================== the pump

    def _pump(self, now: float) -> None:
        # Handling one output may make more (a retry, a response): loop until quiet.
        while outputs := self.transactions.take_outputs():
            for out in outputs:
                try:
                    self._carry_out(out, now)
                except Exception:  # one bad event must not stop the others
                    log.exception("while handling %r", out)

    def _carry_out(self, out: object, now: float) -> None:
        if isinstance(out, SendMessage):
            self._out.append(Transmit(out.message, out.dest))
        elif isinstance(out, ResponseReceived):
            self._on_response(out.tx, out.response, now)
        elif isinstance(out, TransactionTerminated):
            self._waiters.pop(out.tx.id, None)
            self._invites.pop(out.tx.id, None)
        elif isinstance(out, TransactionTimeout):
            waiter = self._waiters.pop(out.tx.id, None)
            if waiter is not None:
                waiter.callbacks.on_timeout()
        elif isinstance(out, TransportFailed):
            waiter = self._waiters.pop(out.tx.id, None)
            if waiter is not None:
                waiter.callbacks.on_transport_error("the message could not be delivered")
        elif isinstance(out, RequestReceived):
            self._route(out.tx, out.request, now)
        elif isinstance(out, AckReceived):
            self._route_ack(out.request, now)
        elif isinstance(out, StrayResponse):
            self._route_stray(out.response, now)
        elif isinstance(out, MessageDropped):
            self._out.append(Dropped(out.message, out.reason))

    def _on_response(self, tx: ClientTransaction, response: Response, now: float) -> None:
        waiter = self._waiters.get(tx.id)
        if waiter is None:
            return
        if response.status in (401, 407) and waiter.retry is not None:
            seq = waiter.callbacks.retry_seq
            again = waiter.retry.retry(
                tx.request, response, seq=seq(tx.request) if seq is not None else None
            )
            if again is not None:
                del self._waiters[tx.id]
                waiter.callbacks.on_retry(again)
                new_tx = self.transactions.send_request(
                    again, waiter.dest, now, reliable=waiter.reliable
                )
                self._waiters[new_tx.id] = replace(waiter, tx=new_tx)
                return
        if response.status >= 200 and tx.method != "INVITE":
            # INVITE waiters stay: 2xx retransmissions still need their ACK.
            self._waiters.pop(tx.id, None)
        waiter.callbacks.on_response(response)

    # ================================================================== routing

    def _route(self, tx: ServerTransaction, request: Request, now: float) -> None:
        method = request.method.upper()
        if method == "CANCEL":
            self._route_cancel(tx, request, now)
            return
        if not self.capabilities.allows(method):
            self.refuse(tx, now)
            return
        caps = self.capabilities
        error = validate_request(
            request, supported=set(caps.extensions), accepted_types=set(caps.accepted_for(method))
        )
        if error is not None:
            self.send_response(tx, error, now)
            return
        try:
            to_tag = request.to.tag
        except SipParseError:
            self.answer(tx, 400, now=now)
            return
        if to_tag is not None:
            usage = self._usage_for(request, to_tag)
            if usage is not None:
                usage.on_request(request, tx, now)
                self._forget_finished()
                return
            # No such dialog (§12.2.2): 481 — but OPTIONS, and MESSAGE or NOTIFY that a
            # handler takes out of dialog, are answered as if they had no To tag (PBXs
            # send them with one).
            tolerated = method == "OPTIONS" or (
                method in ("MESSAGE", "NOTIFY") and method in self._handlers
            )
            if not tolerated:
                self.answer(tx, 481, now=now)
                return
        handler = self._handlers.get(method)
        if handler is not None:
            handler(tx, request, now)
        elif method == "OPTIONS":
            self.answer(tx, 200, now=now)
        elif method in IN_DIALOG_METHODS:
            self.answer(tx, 481, now=now)
        else:
            self.refuse(tx, now)

    def _usage_for(self, request: Request, to_tag: str) -> DialogUsage | None:
        """The usage an in-dialog request (or ACK) belongs to: first among the usages
        of its dialog, then of its dialog set, that accepts it."""
        call_id = request.call_id
        dialog_id = DialogId(call_id, to_tag, request.from_.tag or "")
        candidates = [*self._dialogs.owners(dialog_id), *self._sets.get((call_id, to_tag), ())]
        return next((u for u in candidates if u.accepts(request)), None)

    def _route_cancel(self, tx: ServerTransaction, cancel: Request, now: float) -> None:
        invite_tx = self.transactions.find_cancelled(cancel)
        usage = self._invites.get(invite_tx.id) if invite_tx is not None else None
        if usage is None:
            self.answer(tx, 481, now=now)
            return
        usage.on_request(cancel, tx, now)
        self._forget_finished()

    def _route_ack(self, ack: Request, now: float) -> None:
        try:
            to_tag = ack.to.tag
            usage = self._usage_for(ack, to_tag) if to_tag else None
        except SipParseError:
            usage = None
        if usage is None:
            self._out.append(Dropped(ack, "ACK for no dialog"))
            return
        usage.on_ack(ack, now)
        self._forget_finished()

    def _route_stray(self, response: Response, now: float) -> None:
        try:
            call_id, local_tag = response.call_id, response.from_.tag or ""
            dialog_id = DialogId.of_response(response)
        except SipParseError:
            self._out.append(Dropped(response, "unreadable stray response"))
            return
        candidates = [*self._sets.get((call_id, local_tag), ()), *self._dialogs.owners(dialog_id)]
        if not candidates:
            self._out.append(Dropped(response, "2xx for no dialog"))
            return
        candidates[0].on_stray_response(response, now)
        self._forget_finished()

    def _forget_finished(self) -> None:
        for usage in [u for u in self._usages if u.finished]:
            self.detach(usage)
