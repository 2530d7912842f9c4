"""The asyncio side of STUN: run a `BindingTransaction` over somebody's socket.

The mapping a NAT gives is per socket, so the request must leave from the very socket
whose public address we want — the SIP UDP socket (`TransportLayer.send_datagram`) or a
call's RTP socket (a media transport's `send_raw`/`on_stun`). This module owns no
socket: it is given a way to send and a way to be told of STUN datagrams.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from parley.net.address import Address, ip_literal, strip_brackets
from parley.net.stun import MAX_SENDS, RTO, BindingState, BindingTransaction
from parley.net.transport import TransportLayer

log = logging.getLogger(__name__)

Endpoint = tuple[str, int]
Send = Callable[[bytes, Endpoint], None]
Listener = Callable[[bytes, Endpoint], None]
Subscribe = Callable[[Listener], Callable[[], None]]


class StunProblem(StrEnum):
    """Why no mapped address came back (a code; the front-ends word it)."""

    UNRESOLVED = "unresolved"  # the server's name did not resolve
    NO_ANSWER = "no answer"  # every retransmission went unanswered
    ERROR_RESPONSE = "error response"  # the server answered with an error
    SEND_FAILED = "send failed"


class StunFailure(Exception):
    def __init__(self, problem: StunProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class StunServer:
    """Where to ask, and how often to ask again (seconds; 0: only once)."""

    host: str
    port: int = 3478
    refresh: int = 0


async def resolve_server(server: StunServer) -> Endpoint:
    """An IP literal as it is; a name through the system resolver (A record)."""
    host = strip_brackets(server.host)
    if ip_literal(host) is not None:
        return host, server.port
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            host, server.port, family=socket.AF_INET, type=socket.SOCK_DGRAM
        )
    except OSError as exc:
        raise StunFailure(StunProblem.UNRESOLVED, f"{host}: {exc}") from exc
    if not infos:
        raise StunFailure(StunProblem.UNRESOLVED, host)
    return str(infos[0][4][0]), server.port


async def binding(
    send: Send,
    subscribe: Subscribe,
    server: Endpoint,
    *,
    rto: float = RTO,
    max_sends: int = MAX_SENDS,
) -> Endpoint:
    """One Binding transaction (RFC 5389 §7.2.1 retransmissions): the mapped address."""
    loop = asyncio.get_running_loop()
    tx = BindingTransaction(server, rto=rto, max_sends=max_sends)
    finished: asyncio.Future[None] = loop.create_future()

    def heard(data: bytes, source: Endpoint) -> None:
        if tx.receive(data, source) and not finished.done():
            finished.set_result(None)
        elif tx.problem:
            log.info("%s", tx.problem)
            tx.problem = ""

    unsubscribe = subscribe(heard)
    try:
        try:
            send(tx.start(loop.time()), server)
        except OSError as exc:
            raise StunFailure(StunProblem.SEND_FAILED, str(exc)) from exc
        while tx.state is BindingState.WAITING:
            deadline = tx.next_timer()
            assert deadline is not None
            try:
                await asyncio.wait_for(asyncio.shield(finished), max(0.0, deadline - loop.time()))
            except TimeoutError:
                again = tx.handle_timer(loop.time())
                if again is not None:
                    try:
                        send(again, server)
                    except OSError as exc:
                        log.info("STUN retransmission to %s:%d failed: %s", *server, exc)
    finally:
        unsubscribe()
    if tx.state is BindingState.TIMED_OUT:
        raise StunFailure(StunProblem.NO_ANSWER, f"{server[0]}:{server[1]}")
    if tx.mapped is None:
        result = tx.result
        detail = f"{result.error_code} {result.error_reason}".strip() if result else ""
        raise StunFailure(StunProblem.ERROR_RESPONSE, detail)
    return tx.mapped


async def sip_socket_binding(
    transport: TransportLayer,
    server: Endpoint,
    local_port: int | None,
    **kwargs: float,
) -> Endpoint:
    """The public address of the SIP UDP socket on `local_port`, as `server` sees it."""

    def send(data: bytes, dest: Endpoint) -> None:
        transport.send_datagram(data, Address("udp", dest[0], dest[1]), local_port)

    def subscribe(listener: Listener) -> Callable[[], None]:
        def on_stun(data: bytes, source: Endpoint, local: Endpoint) -> None:
            if local_port is None or local[1] == local_port:
                listener(data, source)

        transport.stun_listeners.add(on_stun)
        return lambda: transport.stun_listeners.discard(on_stun)

    return await binding(send, subscribe, server, **kwargs)  # type: ignore[arg-type]


class RawDatagramSocket(Protocol):
    """What a media transport offers STUN (`UdpMediaTransport`)."""

    on_stun: Listener | None

    def send_raw(self, data: bytes, dest: Endpoint) -> bool: ...


async def media_socket_binding(
    sock: RawDatagramSocket, server: Endpoint, **kwargs: float
) -> Endpoint:
    """The public address of a call's RTP socket, asked from that socket."""

    def send(data: bytes, dest: Endpoint) -> None:
        if not sock.send_raw(data, dest):
            raise OSError("the RTP socket could not send")

    def subscribe(listener: Listener) -> Callable[[], None]:
        sock.on_stun = listener

        def off() -> None:
            sock.on_stun = None

        return off

    return await binding(send, subscribe, server, **kwargs)  # type: ignore[arg-type]
