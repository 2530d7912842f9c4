"""The SIP transaction layer (RFC 3261 §17, RFC 6026), sans-IO.

`TransactionLayer` owns every client and server transaction. Its user feeds it parsed
messages and the time; it answers with a queue of outputs (`take_outputs()`): messages
to send and events for the transaction user (dialogs, registration, the UA core).

    layer = TransactionLayer()
    tx = layer.send_request(invite, dest, now, reliable=False)
    for out in layer.take_outputs(): ...     # SendMessage(invite, dest)
    layer.receive(response, source, now, reliable=False)
    deadline = layer.next_timer()            # arm one timer; at that time:
    layer.handle_timer(now)

The states themselves live in `transaction_client` and `transaction_server`.
"""

from __future__ import annotations

from parley.sip.headers import SipParseError, Via
from parley.sip.message import Request, Response
from parley.sip.responses import make_response
from parley.sip.timers import TimerConfig
from parley.sip.transaction_base import (
    MAGIC_COOKIE,
    AckReceived,
    MessageDropped,
    Output,
    RequestReceived,
    ResponseReceived,
    SendMessage,
    State,
    StrayResponse,
    Transaction,
    TransactionTerminated,
    TransactionTimeout,
    TransportFailed,
)
from parley.sip.transaction_client import (
    ClientInviteTransaction,
    ClientNonInviteTransaction,
    ClientTransaction,
    make_ack,
    make_cancel,
)
from parley.sip.transaction_server import (
    ServerInviteTransaction,
    ServerNonInviteTransaction,
    ServerTransaction,
    make_trying,
)

__all__ = [
    "MAGIC_COOKIE",
    "AckReceived",
    "ClientInviteTransaction",
    "ClientNonInviteTransaction",
    "ClientTransaction",
    "MessageDropped",
    "Output",
    "RequestReceived",
    "ResponseReceived",
    "SendMessage",
    "ServerInviteTransaction",
    "ServerNonInviteTransaction",
    "ServerTransaction",
    "State",
    "StrayResponse",
    "TimerConfig",
    "Transaction",
    "TransactionLayer",
    "TransactionTerminated",
    "TransactionTimeout",
    "TransportFailed",
    "make_ack",
    "make_cancel",
    "make_trying",
]

_DEFAULT_PORTS = {"TLS": 5061, "WSS": 443, "WS": 80}


def _sent_by(via: Via) -> tuple[str, int]:
    """Via sent-by with the port made explicit, so "a" and "a:5060" match (§18.2.2)."""
    port = via.port if via.port is not None else _DEFAULT_PORTS.get(via.transport.upper(), 5060)
    return via.host.lower(), port


def _via_identity(via: Via) -> tuple[object, ...]:
    params = tuple(sorted((k.lower(), v) for k, v in via.params.items()))
    return (via.transport.upper(), *_sent_by(via), params)


def _server_key(request: Request, method: str) -> tuple[object, ...]:
    """The §17.2.3 matching key of a request, as if its method were `method`.

    With a magic-cookie branch: branch + sent-by + method. Otherwise the RFC 2543 rule:
    Request-URI, From tag, Call-ID, CSeq number and the whole top Via (the To tag is
    compared separately, because an ACK carries the tag of our response).
    """
    via = request.top_via
    branch = via.branch
    if branch is not None and branch.startswith(MAGIC_COOKIE):
        return ("3261", branch, *_sent_by(via), method)
    return (
        "2543",
        str(request.uri),
        request.from_.tag,
        request.call_id,
        request.cseq.seq,
        _via_identity(via),
        method,
    )


def _bad_request(request: Request, error: SipParseError) -> Response:
    """A best-effort stateless 400 for a request whose Via we could read (§8.2, §8.2.6)."""
    reason = "Bad Request" if error.status == 400 else (error.reason or "Bad Request")
    return make_response(request, error.status, reason)


class TransactionLayer:
    """All transactions of one UA, matched and timed (RFC 3261 §17.1.3, §17.2.3).

    Nothing here blocks or reads a clock: `now` is passed in, `dest`/`source` are opaque
    transport targets handed back in `SendMessage`. With `send_trying`, new INVITE server
    transactions answer 100 Trying at once (§17.2.1 allows skipping it only when the TU
    is known to answer within 200 ms).
    """

    def __init__(self, config: TimerConfig | None = None, *, send_trying: bool = True) -> None:
        self.config = config or TimerConfig()
        self.send_trying = send_trying
        self._out: list[Output] = []
        self._clients: dict[tuple[str, str], ClientTransaction] = {}
        self._servers: dict[tuple[object, ...], ServerTransaction] = {}

    # ------------------------------------------------------------------ outputs and time

    def take_outputs(self) -> list[Output]:
        """Everything produced since the last call, in order."""
        out = list(self._out)
        self._out.clear()  # cleared in place: every transaction appends to this list
        return out

    def next_timer(self) -> float | None:
        """The earliest deadline of any transaction, or None when nothing is pending."""
        deadlines = [d for tx in self._all() if (d := tx.next_deadline()) is not None]
        return min(deadlines, default=None)

    def handle_timer(self, now: float) -> None:
        """Fire every timer due at `now`, earliest first."""
        while True:
            due: Transaction | None = None
            due_at = now
            for tx in self._all():
                deadline = tx.next_deadline()
                if deadline is not None and deadline <= due_at:
                    due, due_at = tx, deadline
            if due is None:
                return
            due.fire_due(now)
            self._forget_if_done(due)

    @property
    def client_transactions(self) -> list[ClientTransaction]:
        return list(self._clients.values())

    @property
    def server_transactions(self) -> list[ServerTransaction]:
        return list(self._servers.values())

    # ------------------------------------------------------------------ sending

    def send_request(
        self, request: Request, dest: object, now: float, reliable: bool
    ) -> ClientTransaction:
        """Start a client transaction for `request` and send it (§17.1).

        The request must carry a top Via whose branch starts with the magic cookie and is
        unique (`parley.sip.ids.new_branch()`); ACK has no transaction — use `send_stateless`.
        Raises ValueError on those programming errors.
        """
        if request.method == "ACK":
            raise ValueError("ACK is not sent in a transaction; use send_stateless()")
        branch = request.top_via.branch
        if branch is None or not branch.startswith(MAGIC_COOKIE):
            raise ValueError("request needs a top Via branch starting with z9hG4bK")
        key = (branch, request.method)
        if key in self._clients:
            raise ValueError(f"branch {branch} is already used by a {request.method} transaction")
        cls = ClientInviteTransaction if request.method == "INVITE" else ClientNonInviteTransaction
        tx = cls(request, dest, reliable=reliable, config=self.config, out=self._out)
        self._clients[key] = tx
        tx.start(now)
        self._forget_if_done(tx)
        return tx

    def send_stateless(self, message: Request | Response, dest: object) -> None:
        """Send outside any transaction: ACK for 2xx, stateless responses (§13.2.2.4)."""
        self._out.append(SendMessage(message, dest))

    def send_response(self, tx: ServerTransaction, response: Response, now: float) -> None:
        """Answer the request of server transaction `tx` (§17.2.1, §17.2.2).

        Responses the state does not allow (a second final, anything after Terminated)
        are ignored: a late TU must not break the engine.
        """
        if tx.terminated:
            return
        tx.send_response(response, now)
        self._forget_if_done(tx)

    def report_transport_error(self, tx: Transaction, now: float) -> None:
        """The transport could not deliver for `tx`: emits TransportFailed, ends `tx`."""
        tx.transport_error(now)
        self._forget_if_done(tx)

    # ------------------------------------------------------------------ receiving

    def receive(
        self, message: Request | Response, source: object, now: float, reliable: bool
    ) -> None:
        """Feed one parsed incoming message. Never raises for bad network input."""
        try:
            if isinstance(message, Response):
                self._receive_response(message, source, now)
            else:
                self._receive_request(message, source, now, reliable)
        except SipParseError as exc:
            self._out.append(MessageDropped(message, str(exc)))

    def find_server_transaction(self, request: Request) -> ServerTransaction | None:
        """The live server transaction `request` belongs to (§17.2.3), if any."""
        method = "INVITE" if request.method == "ACK" else request.method
        try:
            return self._servers.get(_server_key(request, method))
        except SipParseError:
            return None

    def find_cancelled(self, cancel: Request) -> ServerInviteTransaction | None:
        """The INVITE server transaction a CANCEL refers to (§9.2): matched like the
        CANCEL itself but with method INVITE. None means the TU answers 481."""
        try:
            tx = self._servers.get(_server_key(cancel, "INVITE"))
            if isinstance(tx, ServerInviteTransaction) and self._to_tag_matches(tx, cancel):
                return tx
        except SipParseError:
            pass
        return None

    # ------------------------------------------------------------------ internals

    def _all(self) -> list[Transaction]:
        return [*self._clients.values(), *self._servers.values()]

    def _forget_if_done(self, tx: Transaction) -> None:
        if not tx.terminated:
            return
        if isinstance(tx, ClientTransaction):
            key = (tx.branch, tx.method)
            if self._clients.get(key) is tx:
                del self._clients[key]
        elif isinstance(tx, ServerTransaction) and self._servers.get(tx.key) is tx:
            del self._servers[tx.key]

    def _receive_response(self, response: Response, source: object, now: float) -> None:
        """§17.1.3: branch of the top Via plus the CSeq method."""
        branch = response.top_via.branch or ""
        cseq = response.cseq
        tx = self._clients.get((branch, cseq.method))
        if tx is not None:
            tx.receive_response(response, now)
            self._forget_if_done(tx)
        elif cseq.method == "INVITE" and 200 <= response.status < 300:
            self._out.append(StrayResponse(response, source))
        else:
            self._out.append(MessageDropped(response, "response matches no transaction"))

    def _receive_request(
        self, request: Request, source: object, now: float, reliable: bool
    ) -> None:
        request.top_via  # noqa: B018 - without a readable Via there is nobody to answer
        try:
            cseq = request.cseq
            request.from_  # noqa: B018 - parse check of the mandatory headers (§8.1.1)
            request.to  # noqa: B018
            request.call_id  # noqa: B018
            if cseq.method != request.method:
                raise SipParseError("CSeq method does not match the request method")
        except SipParseError as exc:
            if request.method != "ACK":
                self._out.append(SendMessage(_bad_request(request, exc), source))
            self._out.append(MessageDropped(request, str(exc)))
            return

        is_ack = request.method == "ACK"
        key = _server_key(request, "INVITE" if is_ack else request.method)
        tx = self._servers.get(key)
        if tx is not None and not self._to_tag_matches(tx, request):
            if is_ack:
                tx = None  # an ACK for someone else's response: the dialog's business
            else:
                self._out.append(MessageDropped(request, "RFC 2543 To tag mismatch"))
                return
        if tx is not None:
            tx.receive_request(request, now)
            self._forget_if_done(tx)
            return
        if is_ack:
            self._out.append(AckReceived(request, source))
            return
        new: ServerTransaction
        if request.method == "INVITE":
            new = ServerInviteTransaction(
                request, source, reliable=reliable, config=self.config, out=self._out, key=key
            )
        else:
            new = ServerNonInviteTransaction(
                request, source, reliable=reliable, config=self.config, out=self._out, key=key
            )
        self._servers[key] = new
        if request.method == "INVITE" and self.send_trying:
            new.send_response(make_trying(request), now)
        self._out.append(RequestReceived(new, request))

    @staticmethod
    def _to_tag_matches(tx: ServerTransaction, request: Request) -> bool:
        """RFC 2543 matching also compares To tags (§17.2.3): an ACK must carry the tag
        of our response, anything else the tag of the original request."""
        if tx.key[0] != "2543":
            return True
        tag = request.to.tag
        if request.method == "ACK":
            if tx.last_response is None:
                return False
            return tag == tx.last_response.to.tag
        return tag == tx.request.to.tag
