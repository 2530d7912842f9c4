"""Call transfer by REFER (RFC 3515, RFC 4488, RFC 3892) as dialog usages of the core, sans-IO.

A REFER sent inside a call's dialog shares that dialog (RFC 5057): its CSeq space, its
route set, its remote target. The `Dialog` object of the INVITE session is used as it is,
so the REFER and the NOTIFYs of its implicit subscription take their numbers from the
same counter as the call's re-INVITEs and BYE.

- `ReferClient` (the transferor): sends one REFER, follows the answers and the NOTIFYs
  (``Event: refer;id=N``, ``message/sipfrag`` bodies) to the end and reports each step
  as a `ReferUpdate`. A 202 and then silence ends as failed after `timeout` seconds
  without a word; a refusal (4xx-6xx), a sipfrag with a failure status, or a subscription
  terminated without a final status end as failed too.
- `ReferServer` (the transferee): takes the REFERs of one call's dialog set and hands
  each, checked, to its owner as an `IncomingRefer`, which the owner accepts (202 and a
  first NOTIFY ``100 Trying``) or refuses, and then reports the new call's progress on
  (`IncomingRefer.notify`), the last NOTIFY with ``Subscription-State: terminated``.
  ``Refer-Sub: false`` (RFC 4488) is honoured: 202 with ``Refer-Sub: false``, no NOTIFY.

Where a request goes is the owner's business (RFC 3263 resolving awaits): every request
leaves through the owner's `Transmit(request, next_hop, callbacks)`, which sends it
with the core's non-INVITE client (`UserAgentCore.send_request(..., credentials=)`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from parley.sip.core import UserAgentCore
from parley.sip.dialog import Dialog
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.message import Request, Response
from parley.sip.replaces import Replaces
from parley.sip.request_client import ClientCallbacks
from parley.sip.sipfrag import SIPFRAG_TYPE, SipFragError, format_sipfrag, parse_sipfrag
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

__all__ = [
    "DEFAULT_TIMEOUT",
    "REFER_BODY_TYPES",
    "REFER_EXTENSIONS",
    "REFER_METHODS",
    "IncomingRefer",
    "ReferClient",
    "ReferServer",
    "ReferState",
    "ReferUpdate",
    "Transmit",
    "register_refer_usage",
]

log = logging.getLogger(__name__)

REFER_METHODS = ("REFER", "NOTIFY")
REFER_EXTENSIONS = ("norefersub",)  # RFC 4488
REFER_BODY_TYPES = (SIPFRAG_TYPE,)
SIPFRAG_CONTENT_TYPE = "message/sipfrag;version=2.0"

DEFAULT_TIMEOUT = 32.0  # seconds without any word from the transferee: failed
SUBSCRIPTION_SECONDS = 60  # the expiry our NOTIFYs announce while the new call runs
LINGER_SECONDS = 5.0  # after the final status: still answer a late terminating NOTIFY

# The owner's way to send a request of the dialog: (request, next hop, callbacks).
Transmit = Callable[[Request, SipURI, ClientCallbacks], None]


def register_refer_usage(core: UserAgentCore) -> None:
    """Tell the core that REFER usages are here (Allow, Supported, Accept) and refuse
    REFER outside a call: Parley transfers calls, nothing else (403)."""
    core.capabilities.add(
        methods=REFER_METHODS, extensions=REFER_EXTENSIONS, accept=REFER_BODY_TYPES
    )

    def outside_dialog(tx: ServerTransaction, request: Request, now: float) -> None:
        core.answer(tx, 403, "REFER Outside A Call Not Supported", now=now)

    core.on_request("REFER", outside_dialog)


def _next_seq(dialog: Dialog) -> Callable[[Request], int]:
    def seq(_request: Request) -> int:
        dialog.local_seq += 1
        return dialog.local_seq

    return seq


def _event_id(request: Request) -> tuple[str, str | None] | None:
    """(event type, id) of an Event header, or None when there is none or it is unreadable."""
    value = request.headers.get("Event") or request.headers.get("o")
    if not value:
        return None
    parts = [p.strip() for p in value.split(";")]
    ident = None
    for part in parts[1:]:
        name, _, val = part.partition("=")
        if name.strip().lower() == "id":
            ident = val.strip() or None
    return parts[0].lower(), ident


@dataclass(frozen=True)
class SubscriptionState:
    """A Subscription-State header (RFC 6665 §8.2.3)."""

    state: str  # active, pending, terminated (or an extension)
    reason: str | None = None
    expires: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> SubscriptionState:
        if not value or not value.strip():
            raise SipParseError("NOTIFY without Subscription-State")
        parts = [p.strip() for p in value.split(";")]
        params: dict[str, str] = {}
        for part in parts[1:]:
            name, _, val = part.partition("=")
            params[name.strip().lower()] = val.strip()
        expires = None
        if params.get("expires", "").isdigit():
            expires = int(params["expires"])
        return cls(parts[0].lower(), params.get("reason") or None, expires)

    @property
    def terminated(self) -> bool:
        return self.state == "terminated"


# ====================================================================== transferor


class ReferState(enum.StrEnum):
    TRYING = "trying"  # REFER sent
    ACCEPTED = "accepted"  # 2xx to the REFER (and any 1xx sipfrag after it)
    DONE = "done"  # a 2xx sipfrag: the new call was answered
    FAILED = "failed"


class FailCode(enum.StrEnum):
    """Why a transfer failed when no SIP status says it."""

    REFUSED = "refused"  # the REFER was answered 3xx-6xx (see status)
    CALL_FAILED = "call failed"  # the transferee's new call failed (sipfrag status)
    NO_RESPONSE = "no response"  # the REFER was never answered
    TRANSPORT = "transport"  # it could not be sent
    TIMEOUT = "timeout"  # accepted, then no final NOTIFY in time
    NO_RESULT = "no result"  # the subscription ended without a final status
    BAD_NOTIFY = "bad notify"  # a NOTIFY whose sipfrag could not be read ended it


@dataclass(frozen=True)
class ReferUpdate:
    """A step of a transfer we asked for. `status`/`reason`: the REFER's answer or the
    sipfrag's status line; `code`: why it failed, for FAILED."""

    state: ReferState
    status: int | None = None
    reason: str = ""
    code: FailCode | None = None


class ReferClient:
    """The REFER we send in `dialog` and its implicit subscription (RFC 3515 §2.4.4)."""

    def __init__(
        self,
        core: UserAgentCore,
        dialog: Dialog,
        refer_to: SipURI,
        *,
        transmit: Transmit,
        on_update: Callable[[ReferUpdate], None],
        referred_by: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.core = core
        self.dialog = dialog
        self.refer_to = refer_to
        self.referred_by = referred_by
        self.timeout = timeout
        self._transmit = transmit
        self._on_update = on_update
        self.state: ReferState | None = None
        self.request: Request | None = None
        self._deadline: float | None = None
        self._finished = False

    def __repr__(self) -> str:
        return f"<ReferClient {self.dialog.call_id} {self.state}>"

    # ------------------------------------------------------------------ command

    def start(self, now: float) -> Request:
        """Send the REFER (through the owner's `transmit`)."""
        headers = [("Refer-To", f"<{self.refer_to}>")]
        if self.referred_by:
            headers.append(("Referred-By", self.referred_by))
        request = self.dialog.create_request("REFER", headers=headers)
        self.request = request
        self.core.bind_dialog(self.dialog.id, self)
        self._deadline = now + self.timeout
        self._set(ReferUpdate(ReferState.TRYING))
        self._transmit(
            request,
            self.dialog.next_hop,
            ClientCallbacks(
                on_response=self._on_response,
                on_timeout=lambda: self._fail(None, "", FailCode.NO_RESPONSE),
                on_transport_error=lambda _t: self._fail(None, "", FailCode.TRANSPORT),
                on_retry=self._retried,
                retry_seq=_next_seq(self.dialog),
            ),
        )
        return request

    def cancel(self) -> None:
        """Stop following (the call this transfer was for is gone)."""
        self._finish()

    # ------------------------------------------------------------------ answers

    @property
    def final(self) -> bool:
        return self.state in (ReferState.DONE, ReferState.FAILED)

    def _retried(self, new: Request) -> None:
        self.request = new  # its CSeq is the subscription's id now

    def _on_response(self, response: Response) -> None:
        if self.final or response.status < 200:
            return
        if response.status < 300:
            if self.state is ReferState.TRYING:
                self._set(ReferUpdate(ReferState.ACCEPTED, response.status, response.reason))
            self._deadline = self.core.now + self.timeout
            if (response.headers.get("Refer-Sub") or "").strip().lower() == "false":
                # RFC 4488: no NOTIFY will come; nobody can say how the call went.
                self._fail(None, "", FailCode.NO_RESULT)
            return
        self._fail(response.status, response.reason, FailCode.REFUSED)

    # ------------------------------------------------------------------ DialogUsage

    @property
    def finished(self) -> bool:
        return self._finished

    def accepts(self, request: Request) -> bool:
        if request.method.upper() != "NOTIFY" or self.request is None or self._finished:
            return False
        event = _event_id(request)
        if event is None or event[0] != "refer":
            return False
        return event[1] is None or event[1] == str(self.request.cseq.seq)

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        bad = self.dialog.check_request(request)
        if bad is not None:
            self.core.answer(tx, bad, now=now)
            return
        try:
            sub = SubscriptionState.parse(request.headers.get("Subscription-State"))
        except SipParseError as exc:
            self.core.answer(tx, 400, "Missing Subscription-State", now=now)
            log.info("REFER NOTIFY refused: %s", exc)
            return
        frag = None
        problem = ""
        try:
            frag = parse_sipfrag(request.body)
        except SipFragError as exc:
            problem = str(exc)
        if frag is None and not sub.terminated:
            # An unreadable progress report: say so, keep waiting for the next one.
            self.core.answer(tx, 400, "Bad Sipfrag Body", now=now)
            log.info("REFER NOTIFY with an unreadable body: %s", problem)
            return
        self.core.answer(tx, 200, now=now)
        self._deadline = now + (LINGER_SECONDS if self.final else self.timeout)
        if frag is not None and not self.final:
            if frag.success:
                self._set(ReferUpdate(ReferState.DONE, frag.status, frag.reason))
            elif frag.final:
                self._fail(frag.status, frag.reason, FailCode.CALL_FAILED)
            else:
                if self.state is ReferState.TRYING:  # the NOTIFY overtook the 202
                    self.state = ReferState.ACCEPTED
                self._set(ReferUpdate(ReferState.ACCEPTED, frag.status, frag.reason))
        if sub.terminated:
            if not self.final:
                code = FailCode.BAD_NOTIFY if problem else FailCode.NO_RESULT
                self._fail(None, sub.reason or "", code)
            self._finish()
        elif self.final:
            self._deadline = now + LINGER_SECONDS

    def on_ack(self, ack: Request, now: float) -> None:
        pass

    def on_stray_response(self, response: Response, now: float) -> None:
        pass

    def next_timer(self) -> float | None:
        return None if self._finished else self._deadline

    def handle_timer(self, now: float) -> None:
        if self._deadline is None or now < self._deadline or self._finished:
            return
        if not self.final:
            self._fail(None, "", FailCode.TIMEOUT)
        self._finish()

    # ------------------------------------------------------------------ inside

    def _set(self, update: ReferUpdate) -> None:
        self.state = update.state
        try:
            self._on_update(update)
        except Exception:  # the owner's trouble must not break the dialog's routing
            log.exception("REFER update handler failed")

    def _fail(self, status: int | None, reason: str, code: FailCode) -> None:
        if self.final:
            return
        self._set(ReferUpdate(ReferState.FAILED, status, reason, code))
        if code in (FailCode.REFUSED, FailCode.NO_RESPONSE, FailCode.TRANSPORT):
            self._finish()  # no subscription was made
        else:
            self._deadline = self.core.now + LINGER_SECONDS

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._deadline = None
        self.core.detach(self)
        self.core.wake()


# ====================================================================== transferee


class NotifierState(enum.StrEnum):
    PENDING = "pending"  # the owner has not decided yet
    ACTIVE = "active"  # 202 sent, the new call runs
    TERMINATED = "terminated"  # refused, or the final NOTIFY sent


class IncomingRefer:
    """A REFER we received: accept or refuse it, then report the new call's progress."""

    def __init__(
        self,
        server: ReferServer,
        request: Request,
        tx: ServerTransaction,
        dialog: Dialog,
        target: SipURI,
        replaces: Replaces | None,
        referred_by: str,
        subscribe: bool,
    ) -> None:
        self.server = server
        self.request = request
        self.tx = tx
        self.dialog = dialog
        self.target = target
        self.replaces = replaces
        self.referred_by = referred_by
        self.subscribe = subscribe
        self.state = NotifierState.PENDING
        self.last_status: int | None = None

    @property
    def id(self) -> str:
        return str(self.request.cseq.seq)

    def accept(self, now: float) -> None:
        """202 Accepted, then ``100 Trying`` in a first NOTIFY (RFC 3515 §2.4.4)."""
        if self.state is not NotifierState.PENDING:
            return
        core = self.server.core
        headers = [] if self.subscribe else [("Refer-Sub", "false")]
        core.send_response(self.tx, core.response(self.request, 202, headers=headers), now)
        if not self.subscribe:
            self.state = NotifierState.TERMINATED
            return
        self.state = NotifierState.ACTIVE
        self.notify(100, "Trying", now)

    def refuse(self, now: float, status: int = 603, reason: str | None = None) -> None:
        if self.state is not NotifierState.PENDING:
            return
        self.state = NotifierState.TERMINATED
        core = self.server.core
        core.send_response(self.tx, core.response(self.request, status, reason), now)
        core.wake()

    def notify(
        self,
        status: int,
        reason: str | None,
        now: float,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        """Report the new call's status; a final one (>= 200) ends the subscription.

        `on_done` runs once this NOTIFY's transaction has ended (answered, timed out or
        failed), at once when none is sent: a transferee hangs up the old call only then,
        since a BYE that overtook the final NOTIFY would end the transferor's dialog
        before it learnt the transfer worked (RFC 5589 §6: NOTIFY, then BYE)."""
        if self.state is not NotifierState.ACTIVE:
            if on_done is not None:
                on_done()
            return
        final = status >= 200
        self.last_status = status
        state = (
            "terminated;reason=noresource" if final else f"active;expires={SUBSCRIPTION_SECONDS}"
        )
        request = self.dialog.create_request(
            "NOTIFY",
            headers=[("Event", f"refer;id={self.id}"), ("Subscription-State", state)],
            body=format_sipfrag(status, reason),
            content_type=SIPFRAG_CONTENT_TYPE,
        )
        if final:
            self.state = NotifierState.TERMINATED
        done = _Once(on_done)

        def on_response(response: Response) -> None:
            self._on_response(response)
            if response.status >= 200:
                done()

        self.server.transmit(
            request,
            self.dialog.next_hop,
            ClientCallbacks(
                on_response=on_response,
                on_timeout=done,
                on_transport_error=lambda _t: done(),
                retry_seq=_next_seq(self.dialog),
            ),
        )
        self.server.core.wake()

    def _on_response(self, response: Response) -> None:
        if response.status in (481, 408) or response.status >= 500:
            # The transferor forgot the subscription: no more NOTIFYs (RFC 6665 §4.1.2.3).
            self.state = NotifierState.TERMINATED


class ReferServer:
    """Takes the REFERs sent in one call's dialog set (attached beside its INVITE usage).

    `dialog()` gives the call's confirmed dialog (None while there is none); `on_refer`
    is told each acceptable REFER; `done()` says the call is over, so that the usage
    may leave the core once no subscription of its own is active.
    """

    def __init__(
        self,
        core: UserAgentCore,
        *,
        call_id: str,
        local_tag: str,
        dialog: Callable[[], Dialog | None],
        transmit: Transmit,
        on_refer: Callable[[IncomingRefer], None],
        done: Callable[[], bool],
    ) -> None:
        self.core = core
        self.transmit = transmit
        self._dialog = dialog
        self._on_refer = on_refer
        self._done = done
        self.refers: list[IncomingRefer] = []
        core.attach(self, call_id=call_id, local_tag=local_tag)

    def __repr__(self) -> str:
        return f"<ReferServer {len(self.refers)} refers>"

    @property
    def finished(self) -> bool:
        return self._done() and all(r.state is NotifierState.TERMINATED for r in self.refers)

    def accepts(self, request: Request) -> bool:
        return request.method.upper() == "REFER"

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        dialog = self._dialog()
        if dialog is None or not dialog.confirmed or self._done():
            self.core.answer(tx, 481, now=now)
            return
        bad = dialog.check_request(request)
        if bad is not None:
            self.core.answer(tx, bad, now=now)
            return
        values = request.headers.get_all("Refer-To")
        try:
            if len(values) != 1:
                raise SipParseError(f"{len(values)} Refer-To headers (RFC 3515 §2.4.1 wants one)")
            uri = NameAddr.parse(values[0]).uri
            if not uri.is_sip:
                raise SipParseError(f"Refer-To {uri} is not a SIP URI")
            replaces = Replaces.from_uri(uri)
        except SipParseError as exc:
            log.info("REFER refused: %s", exc)
            self.core.answer(tx, 400, "Bad Refer-To", now=now)
            return
        target = uri.copy()
        target.headers = {}  # only Replaces is honoured from the URI's headers
        target = target.without_params("method")
        referred_by = request.headers.get("Referred-By") or ""
        if not referred_by:
            referred_by = str(dialog.remote_uri)
        subscribe = (request.headers.get("Refer-Sub") or "").strip().lower() != "false"
        refer = IncomingRefer(
            self, request, tx, dialog, target, replaces, referred_by.strip(), subscribe
        )
        self.refers.append(refer)
        self._on_refer(refer)

    def on_ack(self, ack: Request, now: float) -> None:
        pass

    def on_stray_response(self, response: Response, now: float) -> None:
        pass

    def next_timer(self) -> float | None:
        return None

    def handle_timer(self, now: float) -> None:
        pass


class _Once:
    """Calls `action` (if any) the first time it is called; later calls do nothing."""

    def __init__(self, action: Callable[[], None] | None) -> None:
        self._action = action

    def __call__(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            try:
                action()
            except Exception:  # the owner's trouble must not break the transaction layer
                log.exception("NOTIFY completion handler failed")
