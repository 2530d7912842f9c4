"""The SIP driver: the one place where the sans-IO user-agent core meets sockets and time.

Incoming bytes go through the transport layer's parser into `UserAgentCore.receive`
with the loop's clock; what the core puts out (`Transmit`) goes to the transport; one
timer handle on the loop sleeps until the core's `next_timer()`. Nothing else in the
program arms SIP timers: accounts, calls and whatever comes later are driven through the
core. The driver has no policy: who may call, what an INVITE gets, is decided above.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from parley.net.address import Address, Source, TransportError
from parley.net.transport import TransportLayer
from parley.sip.core import Dropped, Transmit, UserAgentCore
from parley.sip.headers import SipParseError
from parley.sip.message import Message, Request, Response
from parley.sip.request_client import ClientCallbacks, Credentials
from parley.sip.transaction_client import ClientTransaction
from parley.sip.transaction_server import ServerTransaction

__all__ = ["SipDriver", "TransportFactory"]

# Makes the transport layer from the driver's callbacks (`TransportLayer`'s keywords);
# tests pass one that makes an in-memory network instead of sockets.
TransportFactory = Callable[..., TransportLayer]

log = logging.getLogger(__name__)
trace_log = logging.getLogger("parley.sip.trace")


class SipDriver:
    """Feeds a `TransportLayer` into a `UserAgentCore` and arms the core's one timer."""

    def __init__(
        self, core: UserAgentCore, *, transport_factory: TransportFactory = TransportLayer
    ) -> None:
        self.core = core
        self.transport = transport_factory(
            self._on_message,
            on_parse_error=self._on_parse_error,
            on_connection_lost=self._on_connection_lost,
            on_trace=self._on_trace,
        )
        self.trace_enabled = False
        self.last_error: TransportError | None = None  # the last send failure, for its code
        self._connection_listeners: list[Callable[[Address], None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._flush_scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        core.on_wake = self._wake

    # -- lifecycle

    @property
    def now(self) -> float:
        return asyncio.get_running_loop().time()

    @property
    def user_agent(self) -> str:
        return self.core.user_agent

    async def start(self) -> None:
        self._closed = False
        self.flush()

    async def close(self) -> None:
        self._closed = True
        self._cancel_timer()
        for task in list(self._tasks):
            task.cancel()
        await self.transport.close()

    def on_connection_lost(self, listener: Callable[[Address], None]) -> None:
        self._connection_listeners.append(listener)

    # -- what the phone asks for (each call flushes at once)

    def send_request(
        self,
        request: Request,
        dest: Address,
        callbacks: ClientCallbacks,
        *,
        credentials: Credentials | None = None,
    ) -> ClientTransaction:
        tx = self.core.send_request(
            request,
            dest,
            callbacks,
            self.now,
            reliable=dest.transport != "udp",
            credentials=credentials,
        )
        self.flush()
        return tx

    def send_response(self, tx: ServerTransaction, response: Response) -> None:
        self.core.send_response(tx, response, self.now)
        self.flush()

    def answer(self, tx: ServerTransaction, status: int, reason: str | None = None) -> None:
        self.core.answer(tx, status, reason, now=self.now)
        self.flush()

    # -- carrying out the core's outputs

    def flush(self) -> None:
        """Send what the core has for the wire and re-arm the timer."""
        self._flush_scheduled = False
        for out in self.core.take_outputs():
            if isinstance(out, Transmit):
                self._spawn(self._send(out.message, out.dest))
            elif isinstance(out, Dropped):
                log.debug("dropped %r: %s", out.message, out.reason)
        self._arm()

    def _wake(self) -> None:
        # The core may be deep inside a handler: flush once the current step is done.
        if self._flush_scheduled or self._closed:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._flush_scheduled = True
        loop.call_soon(self.flush)

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
            log.warning("transport error: %s", exc)
            # The waiters hear only the words; the code stays here for whoever needs it.
            self.last_error = exc if isinstance(exc, TransportError) else None
            self.core.transport_error(message, str(exc), self.now)
            self.flush()

    # -- incoming

    def _on_message(self, message: Message, source: Source) -> None:
        self.core.receive(message, source, self.now, reliable=source.transport != "udp")
        self.flush()

    def _on_parse_error(self, data: bytes, source: Source, exc: SipParseError) -> None:
        log.info("unparseable SIP from %s:%s: %s", source.host, source.port, exc)

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

    # -- the one timer

    def _arm(self) -> None:
        if self._closed:
            return
        deadline = self.core.next_timer()
        if deadline == self._timer_at and self._timer is not None:
            return
        self._cancel_timer()
        if deadline is None:
            return
        self._timer_at = deadline
        self._timer = asyncio.get_running_loop().call_at(deadline, self._fire)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_at = None

    def _fire(self) -> None:
        # asyncio runs a handle up to its clock's resolution early: it is due now, so
        # the core hears at least the deadline (else it would be re-armed for the same
        # instant and fired again, and again, until the clock moves on).
        due = self._timer_at
        self._timer = None
        self._timer_at = None
        now = self.now if due is None else max(self.now, due)
        try:
            self.core.handle_timer(now)
        except Exception:  # the clock must keep running whatever one timer did
            log.exception("SIP timer failed")
        self.flush()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
