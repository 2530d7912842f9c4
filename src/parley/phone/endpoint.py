"""The SIP endpoint: the sans-IO transaction layer driven by asyncio transports and a clock.

This is the only place where `parley.sip` meets sockets and time. Incoming bytes go
through the transport layer's parser into `TransactionLayer.receive`; the layer's outputs
are carried out here (send a message, wake a waiting request, hand a new request to its
handler); one timer task sleeps until the layer's next deadline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from parley.net.address import Address, Source, TransportError
from parley.net.transport import TransportLayer
from parley.sip.headers import SipParseError
from parley.sip.message import Headers, Message, Request, Response
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
from parley.sip.validate import validate_request

log = logging.getLogger(__name__)
trace_log = logging.getLogger("parley.sip.trace")

SUPPORTED_EXTENSIONS: set[str] = {"100rel", "timer"}
ACCEPTED_TYPES = {"application/sdp", "application/dtmf-relay", "application/dtmf"}


class DialogHandler(Protocol):
    """What owns a Call-ID (a call): in-dialog requests, ACKs for 2xx and late 2xx."""

    def on_request(self, request: Request, tx: ServerTransaction, source: Source) -> None: ...

    def on_ack(self, ack: Request) -> None: ...

    def on_stray_response(self, response: Response) -> None: ...


@dataclass
class _Waiter:
    """What a client transaction's owner wants to hear about."""

    tx: ClientTransaction
    on_response: Callable[[Response], None]
    on_timeout: Callable[[], None]
    on_transport_error: Callable[[str], None]


RequestHandler = Callable[[ServerTransaction, Request, Source], None]


class SipEndpoint:
    """Transport + transactions for one phone; accounts and calls sit on top of it."""

    def __init__(self, timers: TimerConfig | None = None, *, user_agent: str = "Parley") -> None:
        self.user_agent = user_agent
        self.transactions = TransactionLayer(timers or TimerConfig())
        self.transport = TransportLayer(
            self._on_message,
            on_parse_error=self._on_parse_error,
            on_connection_lost=self._on_connection_lost,
            on_trace=self._on_trace,
        )
        self._waiters: dict[int, _Waiter] = {}
        self._request_handlers: dict[str, RequestHandler] = {}
        self._dialogs: dict[str, DialogHandler] = {}  # by Call-ID
        self._connection_listeners: list[Callable[[Address], None]] = []
        self._timer_task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.trace_enabled = False

    # -- lifecycle

    @property
    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def start(self) -> None:
        self._timer_task = asyncio.get_running_loop().create_task(self._timer_loop())

    async def close(self) -> None:
        if self._timer_task is not None:
            self._timer_task.cancel()
            try:
                await self._timer_task
            except asyncio.CancelledError:
                pass
        for task in list(self._tasks):
            task.cancel()
        await self.transport.close()

    # -- registration of interests

    def on_request(self, method: str, handler: RequestHandler) -> None:
        self._request_handlers[method.upper()] = handler

    def register_dialog(self, call_id: str, handler: DialogHandler) -> None:
        self._dialogs[call_id] = handler

    def unregister_dialog(self, call_id: str) -> None:
        self._dialogs.pop(call_id, None)

    def on_connection_lost(self, listener: Callable[[Address], None]) -> None:
        self._connection_listeners.append(listener)

    # -- sending

    def send_request(
        self,
        request: Request,
        dest: Address,
        *,
        on_response: Callable[[Response], None],
        on_timeout: Callable[[], None],
        on_transport_error: Callable[[str], None],
    ) -> ClientTransaction:
        """Start a client transaction for `request` towards `dest`."""
        tx = self.transactions.send_request(
            request, dest, self.now, reliable=dest.transport != "udp"
        )
        self._waiters[tx.id] = _Waiter(tx, on_response, on_timeout, on_transport_error)
        self._pump()
        return tx

    def send_response(self, tx: ServerTransaction, response: Response) -> None:
        self.transactions.send_response(tx, response, self.now)
        self._pump()

    def make_response(self, request: Request, status: int, reason: str) -> Response:
        """A response copying the headers §8.2.6.2 says to copy."""
        headers = Headers()
        for name in ("Via", "From", "To", "Call-ID", "CSeq"):
            for value in request.headers.get_all(name):
                headers.add(name, value)
        headers.add("Server", self.user_agent)
        return Response(status=status, reason=reason, headers=headers)

    # -- the pump: carry out what the transaction layer asks for

    def _pump(self) -> None:
        for out in self.transactions.take_outputs():
            try:
                self._carry_out(out)
            except Exception:  # one bad event must not stop the others
                log.exception("while handling %r", out)
        self._wakeup.set()

    def _carry_out(self, out: object) -> None:
        if isinstance(out, SendMessage):
            self._spawn(self._send(out.message, out.dest))
        elif isinstance(out, ResponseReceived):
            waiter = self._waiters.get(out.tx.id)
            if waiter is not None:
                if out.response.status >= 200 and out.tx.method != "INVITE":
                    # INVITE waiters stay: 2xx retransmissions still need their ACK.
                    self._waiters.pop(out.tx.id, None)
                waiter.on_response(out.response)
        elif isinstance(out, TransactionTerminated):
            self._waiters.pop(out.tx.id, None)
        elif isinstance(out, TransactionTimeout):
            waiter = self._waiters.pop(out.tx.id, None)
            if waiter is not None:
                waiter.on_timeout()
        elif isinstance(out, TransportFailed):
            waiter = self._waiters.pop(out.tx.id, None)
            if waiter is not None:
                waiter.on_transport_error("the message could not be delivered")
        elif isinstance(out, RequestReceived):
            self._dispatch_request(out.tx, out.request)
        elif isinstance(out, AckReceived):
            handler = self._dialog_of(out.request)
            if handler is not None:
                handler.on_ack(out.request)
        elif isinstance(out, StrayResponse):
            handler = self._dialog_of(out.response)
            if handler is not None:
                handler.on_stray_response(out.response)
        elif isinstance(out, MessageDropped):
            log.debug("dropped %r: %s", out.message, out.reason)

    def _dispatch_request(self, tx: ServerTransaction, request: Request) -> None:
        source = tx.peer if isinstance(tx.peer, Source) else None
        error = validate_request(
            request, supported=SUPPORTED_EXTENSIONS, accepted_types=ACCEPTED_TYPES
        )
        if error is not None:
            self.send_response(tx, error)
            return
        if source is not None and self._route_in_dialog(tx, request, source):
            return
        handler = self._request_handlers.get(request.method.upper())
        if handler is not None and source is not None:
            handler(tx, request, source)
            return
        if request.method == "OPTIONS":
            response = self.make_response(request, 200, "OK")
            response.headers.add("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")
            self.send_response(tx, response)
        elif request.method != "ACK":
            self.send_response(tx, self.make_response(request, 501, "Not Implemented"))

    def _dialog_of(self, message: Message) -> DialogHandler | None:
        try:
            return self._dialogs.get(message.call_id)
        except SipParseError:
            return None

    def _route_in_dialog(self, tx: ServerTransaction, request: Request, source: Source) -> bool:
        """Requests for a call we know go to it: anything with a To tag, CANCEL, and a
        retried INVITE of a known Call-ID. In-dialog requests nobody owns get 481."""
        handler = self._dialog_of(request)
        try:
            has_to_tag = request.to.tag is not None
        except SipParseError:
            has_to_tag = False
        if handler is not None and (has_to_tag or request.method in ("CANCEL", "BYE")):
            handler.on_request(request, tx, source)
            return True
        if request.method == "CANCEL":
            self.send_response(
                tx, self.make_response(request, 481, "Call/Transaction Does Not Exist")
            )
            return True
        if has_to_tag and request.method not in ("ACK", "OPTIONS", "MESSAGE", "NOTIFY"):
            self.send_response(
                tx, self.make_response(request, 481, "Call/Transaction Does Not Exist")
            )
            return True
        return False

    def send_stateless(self, message: Message, dest: Address) -> None:
        """An ACK for a 2xx (RFC 3261 §13.2.2.4), outside any transaction."""
        self.transactions.send_stateless(message, dest)
        self._pump()

    async def _send(self, message: Message, dest: object) -> None:
        try:
            if isinstance(dest, Source):
                await self.transport.send(
                    message,
                    dest.address,
                    connection_id=dest.connection_id,
                    local_port=dest.local_port,  # a response leaves by the request's socket
                )
            elif isinstance(dest, Address):
                await self.transport.send(message, dest)
            else:
                raise TransportError(f"no route for {dest!r}")
        except (TransportError, OSError) as exc:
            self._transport_error(message, str(exc))

    def _transport_error(self, message: Message, text: str) -> None:
        log.warning("transport error: %s", text)
        if isinstance(message, Request):
            for tx_id, waiter in list(self._waiters.items()):
                if waiter.tx.request is message:
                    self._waiters.pop(tx_id, None)
                    self.transactions.report_transport_error(waiter.tx, self.now)
                    waiter.on_transport_error(text)
        self._pump()

    # -- incoming

    def _on_message(self, message: Message, source: Source) -> None:
        try:
            self.transactions.receive(message, source, self.now, reliable=source.transport != "udp")
        except SipParseError as exc:
            # A message whose framing was fine but whose key headers are not: answer a
            # request with 400 when we can, drop a response (§18.1.2, §8.2.2).
            log.info("malformed SIP from %s:%s: %s", source.host, source.port, exc)
            if isinstance(message, Request) and message.method != "ACK":
                self._answer_bad_request(message, source, exc)
        self._pump()

    def _on_parse_error(self, data: bytes, source: Source, exc: SipParseError) -> None:
        log.info("unparseable SIP from %s:%s: %s", source.host, source.port, exc)

    def _answer_bad_request(self, request: Request, source: Source, exc: SipParseError) -> None:
        if "Via" not in request.headers:
            return
        response = self.make_response(request, exc.status, exc.reason)
        self._spawn(self._send(response, source))

    def _on_connection_lost(self, dest: Address) -> None:
        for listener in list(self._connection_listeners):
            try:
                listener(dest)
            except Exception:
                log.exception("connection-lost listener failed")

    def _on_trace(self, direction: str, data: bytes, where: object) -> None:
        if self.trace_enabled:
            arrow = "<<" if direction == "in" else ">>"
            trace_log.info("%s %s\n%s", arrow, where, data.decode("utf-8", "replace"))

    # -- timers

    async def _timer_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wakeup.clear()
            deadline = self.transactions.next_timer()
            timeout = None if deadline is None else max(0.0, deadline - loop.time())
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except TimeoutError:
                pass
            self.transactions.handle_timer(loop.time())
            self._pump()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
