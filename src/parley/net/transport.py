"""The transport layer of a phone: its UDP, TCP and TLS sockets (RFC 3261 §18).

One `TransportLayer` per phone process; all accounts share it. It turns bytes from the
network into `Request`/`Response` objects for `on_message`, sends messages to an
`Address`, reuses TCP/TLS connections in both directions (a response goes back on the
connection its request came in on, §18.2.2), answers and sends CRLF keep-alives
(RFC 5626 §4.4.1) and reports lost connections. Destinations must be IP addresses:
name resolution is `parley.net.dns`, never the system resolver.

Nothing that arrives from the network can raise out of here: parse errors go to
`on_parse_error` (and a malformed request is answered with 400 where a response can be
built, §18.3), exceptions in callbacks are logged.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import random
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from parley.net.address import (
    STREAM_TRANSPORTS,
    Address,
    Source,
    TransportError,
    family_of,
    ip_literal,
)
from parley.net.keepalive import (
    PONG_TIMEOUT,
    PROBE_RETRANSMIT,
    KeepAlive,
    ProbeHandler,
    probe_request,
    probe_timeout,
)
from parley.net.problems import NetProblem
from parley.net.stream import PING, StreamConnection
from parley.net.stun import looks_like_stun
from parley.net.tls import client_context, tls_error
from parley.net.udp import UdpEndpoint
from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response
from parley.sip.parser import KeepAlive as ParsedKeepAlive
from parley.sip.parser import parse_message
from parley.sip.validate import response_for_parse_error

log = logging.getLogger(__name__)

Message = Request | Response
MessageHandler = Callable[[Message, Source], None]
ParseErrorHandler = Callable[[bytes, Source, SipParseError], None]
ConnectionLostHandler = Callable[[Address], None]
TraceHandler = Callable[[str, bytes, "Source | Address"], None]

RANDOM_PORT_MIN = 32001
"""Port 0 means a random port above 32000 (the manual's "random port" choice)."""
RANDOM_PORT_MAX = 65535
UDP_SIZE_LIMIT = 1300
"""RFC 3261 §18.1.1: requests larger than this (MTU - 200) should go over TCP."""
UDP_MAX_PAYLOAD = 65507
"""The most one IPv4 UDP datagram carries; asyncio would only log a larger sendto."""
# How long a failed write waits for the loss that tells why a TLS server closed.
_LOSS_WAIT = 1.0


StunListener = Callable[[bytes, tuple[str, int], tuple[str, int]], None]
"""`(datagram, source, local)` for each STUN datagram on a SIP UDP socket."""


def _closed_after_handshake(where: str, problem: NetProblem | None = None) -> TransportError:
    """A TLS server closed a connection before it ever spoke, without an alert we read."""
    return TransportError(
        f"the server at {where} closed the TLS connection right after the handshake — "
        "it may require a client certificate (tls_client_certificate_mode) or refuse ours",
        problem=problem,
        where=where,
    )


def _udp_socket(host: str, port: int) -> socket.socket:
    """A bound UDP socket; an IPv6 one is IPv6 only, so that "::" and "0.0.0.0" can share a
    port number (asyncio's create_server does the same for TCP)."""
    family = family_of(host)
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


class TransportLayer:
    """The sockets of one phone: listeners, outgoing connections and keep-alives."""

    def __init__(
        self,
        on_message: MessageHandler,
        *,
        on_parse_error: ParseErrorHandler | None = None,
        on_connection_lost: ConnectionLostHandler | None = None,
        on_trace: TraceHandler | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        self._on_message = on_message
        self._on_parse_error = on_parse_error
        self._on_connection_lost = on_connection_lost
        self._on_trace = on_trace
        self.connect_timeout = connect_timeout
        self._udp: list[UdpEndpoint] = []
        self._servers: dict[str, list[tuple[asyncio.Server, tuple[str, int]]]] = {
            "tcp": [],
            "tls": [],
        }
        self._conns: dict[int, StreamConnection] = {}
        self._by_addr: dict[Address, StreamConnection] = {}
        self._connecting: dict[Address, asyncio.Future[StreamConnection]] = {}
        self._keepalives: set[KeepAlive] = set()
        self._probes: dict[str, asyncio.Future[None]] = {}  # UDP probes by Via branch
        self._probe_seq = 0
        # STUN answers on a SIP UDP socket (the socket's own NAT mapping, RFC 5389):
        # handed to whoever asked, never parsed as SIP.
        self.stun_listeners: set[StunListener] = set()
        self._tls_default: ssl.SSLContext | None = None
        # Why the last TLS connection to an address was refused after its handshake (TLS
        # 1.3 servers refuse a client certificate only then): said when it is missed,
        # until a SIP message comes over a connection to it again.
        self._tls_refusals: dict[Address, ssl.SSLError] = {}
        # The name and context each TLS server was last reached with (see _connection_to).
        self._tls_peers: dict[Address, tuple[str | None, ssl.SSLContext | None]] = {}
        self._closing = False

    # ------------------------------------------------------------------ listening

    async def listen_udp(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Bind a UDP socket on `host`; port 0 picks a random free port above 32000."""
        loop = asyncio.get_running_loop()
        bind_host = self._check_bind_host(host)

        async def bind(p: int) -> tuple[str, int]:
            _, proto = await loop.create_datagram_endpoint(
                lambda: UdpEndpoint(self._datagram_received), sock=_udp_socket(bind_host, p)
            )
            self._udp.append(proto)
            return proto.local

        return await self._bind("UDP", bind_host, port, bind)

    async def listen_tcp(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Accept SIP over TCP on `host`; port 0 picks a random free port above 32000."""
        return await self._listen_stream("tcp", host, port, None)

    async def listen_tls(
        self, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
    ) -> tuple[str, int]:
        """Accept SIP over TLS on `host` with `ssl_context` (see `tls.server_context`)."""
        if ssl_context is None:
            raise TransportError("listening for TLS needs a certificate (an ssl_context)")
        return await self._listen_stream("tls", host, port, ssl_context)

    async def _listen_stream(
        self, name: str, host: str, port: int, ctx: ssl.SSLContext | None
    ) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        bind_host = self._check_bind_host(host)

        async def bind(p: int) -> tuple[str, int]:
            server = await loop.create_server(
                lambda: self._new_connection(name, outgoing=False),
                bind_host,
                p,
                family=family_of(bind_host),
                ssl=ctx,
                reuse_address=True,
            )
            sockname = server.sockets[0].getsockname()
            local = (str(sockname[0]), int(sockname[1]))
            self._servers[name].append((server, local))
            return local

        return await self._bind(name.upper(), bind_host, port, bind)

    async def rebind(self, old: str, new: str) -> None:
        """Our address `old` is gone (net/netwatch.py): the UDP sockets and TCP listeners
        bound to it are bound on `new`, keeping their ports (a port taken there: a random
        one). Connections from `old` are left to their owners to re-open."""
        moved_udp = [e for e in self._udp if e.local[0] == old]
        for endpoint in moved_udp:
            self._udp.remove(endpoint)
            endpoint.close()
            try:
                await self.listen_udp(new, endpoint.local[1])
            except TransportError:
                await self.listen_udp(new, 0)
        for name, servers in self._servers.items():
            for entry in [s for s in servers if s[1][0] == old]:
                servers.remove(entry)
                entry[0].close()
                if name == "tcp":
                    try:
                        await self.listen_tcp(new, entry[1][1])
                    except TransportError:
                        await self.listen_tcp(new, 0)

    def _check_bind_host(self, host: str) -> str:
        if self._closing:
            raise TransportError("the transport layer is closed")
        ip = ip_literal(host)
        if ip is None:
            raise TransportError(f"cannot listen on {host!r}: give an IP address, not a name")
        return str(ip)

    async def _bind(
        self,
        what: str,
        host: str,
        port: int,
        bind: Callable[[int], Awaitable[tuple[str, int]]],
    ) -> tuple[str, int]:
        if port != 0:
            try:
                return await bind(port)
            except OSError as exc:
                raise TransportError(
                    f"cannot listen on {what} {host}:{port}: {exc.strerror or exc} — "
                    "choose another SIP port or a random one"
                ) from exc
        last: OSError | None = None
        for _ in range(100):
            try:
                return await bind(random.randint(RANDOM_PORT_MIN, RANDOM_PORT_MAX))
            except OSError as exc:
                if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                    raise TransportError(
                        f"cannot listen on {what} {host}: {exc.strerror or exc}"
                    ) from exc
                last = exc
        raise TransportError(f"no free {what} port above 32000 on {host}: {last}")

    # ------------------------------------------------------------------ TLS

    def configure_tls(self, ca_file: str | None = None, verify: bool = True) -> None:
        """Set the default client context: `ca_file` (PEM) or the system store; verify on."""
        self._tls_default = client_context(ca_file, verify=verify)

    # ------------------------------------------------------------------ sending

    async def send(
        self,
        message: Message | bytes,
        dest: Address,
        *,
        server_name: str | None = None,
        connection_id: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
        local_port: int | None = None,
    ) -> Source:
        """Send to `dest` and return the local side used.

        UDP goes out of the listening socket on `local_port` (each account has its own
        SIP port); without it, a request leaves from the socket its top Via names, so
        that responses come back where the Via says, else from the first socket. TCP/TLS use connection `connection_id` if it
        is still open, else an open connection to `dest`, else a new one (RFC 3261
        §18.2.2: when the connection a request came on is gone, open a new one). For TLS
        the peer is verified against `ssl_context` (or the `configure_tls` default) with
        SNI / name check = `server_name` or the host. Raises `TransportError`.
        """
        data = message if isinstance(message, bytes) else message.to_bytes()
        if self._closing:
            raise TransportError("the transport layer is closed")
        if dest.transport == "udp":
            self._require_ip(dest)
            if local_port is None and isinstance(message, Request):
                local_port = _via_port(message)
            endpoint = self._udp_endpoint(dest, local_port)
            if len(data) > UDP_MAX_PAYLOAD:
                raise TransportError(
                    f"cannot send to {dest}: {len(data)} bytes do not fit in a UDP datagram"
                )
            try:
                endpoint.sendto(data, (dest.host, dest.port))
            except OSError as exc:
                raise TransportError(
                    f"cannot send to {dest}: {exc}",
                    problem=NetProblem.SEND_FAILED,
                    where=f"{dest.host}:{dest.port}",
                ) from exc
            self._trace("out", data, dest)
            return Source("udp", dest.host, dest.port, *endpoint.local, None)
        if dest.transport not in STREAM_TRANSPORTS:
            raise TransportError(f"transport {dest.transport!r} is not supported (udp, tcp, tls)")
        conn = self._conns.get(connection_id) if connection_id is not None else None
        if conn is None or not conn.is_open:
            conn = await self._connection_to(dest, server_name, ssl_context)
        try:
            conn.write(data)
        except OSError as exc:
            refused = await self._tls_refused(conn)
            if refused is not None:
                raise refused from exc
            raise TransportError(
                f"cannot send to {dest}: {exc}",
                problem=NetProblem.SEND_FAILED,
                where=f"{dest.host}:{dest.port}",
            ) from exc
        self._trace("out", data, conn.remote)
        return Source(conn.transport_name, conn.remote.host, conn.remote.port, *conn.local, conn.id)

    async def _tls_refused(self, conn: StreamConnection) -> TransportError | None:
        """Why a TLS server closed a fresh connection before our first write, if it did.

        A TLS 1.3 server refuses a (missing) client certificate only after the handshake;
        its alert can close the connection just before we write, while the loss carrying
        the alert is still queued. Wait for that loss so the user reads the reason, not
        "connection closed"."""
        if conn.transport_name != "tls" or not conn.outgoing or conn.bytes_in:
            return None
        try:
            await asyncio.wait_for(asyncio.shield(conn.lost), _LOSS_WAIT)
        except TimeoutError:
            pass
        where = f"{conn.remote.host}:{conn.remote.port}"
        refusal = self._tls_refusals.get(conn.remote)
        if refusal is not None:
            return tls_error(refusal, where)
        return _closed_after_handshake(where, NetProblem.SEND_FAILED)

    async def connect(
        self,
        dest: Address,
        *,
        server_name: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> Source:
        """Open (or reuse) the TCP/TLS connection to `dest` without sending anything.

        Useful before building a request, so Via and Contact can carry the connection's
        local address (`local_address`).
        """
        if dest.transport not in STREAM_TRANSPORTS:
            raise TransportError(f"{dest}: only TCP and TLS have connections")
        conn = await self._connection_to(dest, server_name, ssl_context)
        return Source(conn.transport_name, conn.remote.host, conn.remote.port, *conn.local, conn.id)

    def connection_id(self, dest: Address) -> int | None:
        """The id of the open connection to `dest`, if any."""
        conn = self._by_addr.get(dest)
        return conn.id if conn is not None and conn.is_open else None

    def close_connection(self, connection_id: int) -> None:
        """Close one connection on purpose (on_connection_lost is not called)."""
        conn = self._conns.get(connection_id)
        if conn is not None:
            conn.close("closed by the phone", report=False)

    def local_address(self, dest: Address, local_port: int | None = None) -> tuple[str, int]:
        """The local host and port to write into Via/Contact for traffic to `dest`
        (for UDP from the socket on `local_port` when there is one)."""
        if dest.transport == "udp":
            return self._udp_endpoint(dest, local_port).local
        conn = self._by_addr.get(dest)
        if conn is not None and conn.is_open:
            return conn.local
        family = family_of(dest.host)
        for _, local in self._servers.get(dest.transport, []):
            if family_of(local[0]) == family:
                return local
        refusal = self._tls_refusals.get(dest)
        if refusal is not None:
            raise tls_error(refusal, f"{dest.host}:{dest.port}")
        if conn is not None and dest.transport == "tls":
            raise _closed_after_handshake(f"{dest.host}:{dest.port}")
        raise TransportError(
            f"no {dest.transport.upper()} listener or connection for {dest} — "
            f"call listen_{dest.transport} or connect first"
        )

    def send_datagram(self, data: bytes, dest: Address, local_port: int | None = None) -> None:
        """Send a datagram that is not SIP (a STUN request) from the SIP UDP socket on
        `local_port`, so that the answer tells that socket's public mapping."""
        self._udp_endpoint(dest, local_port).sendto(data, (dest.host, dest.port))

    def _udp_endpoint(self, dest: Address, local_port: int | None = None) -> UdpEndpoint:
        family = family_of(dest.host)
        usable = [
            e for e in self._udp if family_of(e.local[0]) == family and e.transport is not None
        ]
        for endpoint in usable:
            if endpoint.local[1] == local_port:
                return endpoint
        for endpoint in usable:
            return endpoint
        raise TransportError(f"cannot send to {dest}: no UDP socket for it — call listen_udp first")

    @staticmethod
    def _require_ip(dest: Address) -> None:
        if ip_literal(dest.host) is None:
            raise TransportError(
                f"cannot send to {dest}: {dest.host} is a name; resolve it with parley.net.dns first"
            )

    def _bind_host_for(self, dest: Address) -> str | None:
        """The host we were told to listen on, so outgoing connections stay on it too."""
        family = family_of(dest.host)
        locals_ = [e.local for e in self._udp] + [
            local for servers in self._servers.values() for _, local in servers
        ]
        for host, _ in locals_:
            if family_of(host) == family:
                return host
        return None

    async def _connection_to(
        self, dest: Address, server_name: str | None, ctx: ssl.SSLContext | None
    ) -> StreamConnection:
        conn = self._by_addr.get(dest)
        if conn is not None and conn.is_open:
            return conn
        if dest.transport == "tls" and ctx is None and server_name is None:
            # A connection re-opened later (a request after a loss) is checked as the
            # last one that worked was: the account's name and context.
            server_name, ctx = self._tls_peers.get(dest, (None, None))
        pending = self._connecting.get(dest)
        if pending is not None:
            # Another send is already connecting there: share its connection.
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if pending.cancelled() and not (task is not None and task.cancelling()):
                    # The other sender was cancelled, not us: connect ourselves.
                    return await self._connection_to(dest, server_name, ctx)
                raise
        fut: asyncio.Future[StreamConnection] = asyncio.get_running_loop().create_future()
        self._connecting[dest] = fut
        try:
            conn = await self._open(dest, server_name, ctx)
        except asyncio.CancelledError:
            fut.cancel()
            raise
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved: nobody else may be waiting
            raise
        else:
            if dest.transport == "tls" and (ctx is not None or server_name is not None):
                self._tls_peers[dest] = (server_name, ctx)
            fut.set_result(conn)
            return conn
        finally:
            del self._connecting[dest]

    async def _open(
        self, dest: Address, server_name: str | None, ctx: ssl.SSLContext | None
    ) -> StreamConnection:
        self._require_ip(dest)
        loop = asyncio.get_running_loop()
        where = f"{dest.host}:{dest.port}"
        kwargs: dict[str, Any] = {}
        if dest.transport == "tls":
            if ctx is None:
                if self._tls_default is None:
                    self._tls_default = client_context()
                ctx = self._tls_default
            kwargs = {"ssl": ctx, "server_hostname": server_name or dest.host}
        bind_host = self._bind_host_for(dest)
        if bind_host is not None:
            kwargs["local_addr"] = (bind_host, 0)
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: self._new_connection(dest.transport, outgoing=True),
                    dest.host,
                    dest.port,
                    **kwargs,
                ),
                self.connect_timeout,
            )
        except TimeoutError as exc:
            hint = "the server address and the firewall"
            if dest.transport == "tls":
                hint = "the server address, that it speaks TLS on this port, and the firewall"
            raise TransportError(
                f"cannot connect to {where} over {dest.transport.upper()}: no answer within "
                f"{self.connect_timeout:g} s — check {hint}",
                problem=NetProblem.CONNECT_TIMEOUT,
                where=where,
            ) from exc
        except ssl.SSLError as exc:
            raise tls_error(exc, where) from exc
        except ConnectionRefusedError as exc:
            raise TransportError(
                f"cannot connect to {where} over {dest.transport.upper()}: connection refused — "
                "is the server running, and is the port right?",
                problem=NetProblem.REFUSED,
                where=where,
            ) from exc
        except OSError as exc:
            if dest.transport == "tls" and isinstance(exc, ConnectionResetError):
                raise tls_error(exc, where) from exc
            raise TransportError(
                f"cannot connect to {where} over {dest.transport.upper()}: {exc.strerror or exc}",
                problem=NetProblem.CONNECT_FAILED,
                where=where,
            ) from exc
        assert isinstance(conn, StreamConnection)
        # The connection is keyed by where we asked to go (equal to its peer address).
        self._by_addr[dest] = conn
        log.debug("connected to %s from %s:%s", conn, *conn.local)
        return conn

    # ------------------------------------------------------------------ receiving

    def _new_connection(self, name: str, *, outgoing: bool) -> StreamConnection:
        return StreamConnection(
            name,
            on_made=self._stream_made,
            on_items=self._stream_items,
            on_lost=self._stream_lost,
            outgoing=outgoing,
        )

    def _stream_made(self, conn: StreamConnection) -> None:
        self._conns[conn.id] = conn
        # An incoming connection is reused for requests back to that peer (RFC 5923 spirit).
        self._by_addr.setdefault(conn.remote, conn)
        if self._closing:
            conn.close(report=False)

    def _datagram_received(self, endpoint: UdpEndpoint, data: bytes, addr: tuple[str, int]) -> None:
        if looks_like_stun(data):
            for listener in list(self.stun_listeners):
                self._safe(listener, data, addr, endpoint.local)
            return
        source = Source("udp", addr[0], addr[1], *endpoint.local, None)
        if not data.strip(b"\r\n"):
            return  # CRLF keep-alive on UDP: nothing to answer (RFC 5626 uses STUN there)
        self._trace("in", data, source)
        try:
            message = parse_message(data)
        except SipParseError as exc:
            self._parse_error(data, source, exc)
            self._answer_malformed(exc, source, lambda out: endpoint.sendto(out, addr))
            return
        except Exception:  # a parser bug must not take the phone down
            log.exception("parser failed on a datagram from %s:%s", *addr)
            return
        self._deliver(message, source)

    def _stream_items(self, conn: StreamConnection, data: bytes, items: list[Any]) -> None:
        source = Source(
            conn.transport_name, conn.remote.host, conn.remote.port, *conn.local, conn.id
        )
        if data.strip(b"\r\n"):
            self._trace("in", data, source)
        for item in items:
            if isinstance(item, ParsedKeepAlive):
                if item.kind == "ping":
                    try:
                        conn.write(b"\r\n")  # RFC 5626 §4.4.1 pong
                    except OSError:
                        pass
                else:
                    conn.pong_received()
            elif isinstance(item, SipParseError):
                self._parse_error(data, source, item)
                if conn.is_open:
                    self._answer_malformed(item, source, conn.write)
            elif isinstance(item, Request | Response):
                if self._tls_refusals:
                    self._tls_refusals.pop(conn.remote, None)  # it works again
                self._deliver(item, source)
            else:
                log.warning("stream parser returned %r; ignored", item)

    def _stream_lost(self, conn: StreamConnection, exc: Exception | None) -> None:
        self._conns.pop(conn.id, None)
        if conn.outgoing and isinstance(exc, ssl.SSLError):
            self._tls_refusals[conn.remote] = exc
            log.info("TLS connection %s refused by the server: %s", conn, exc.reason or exc)
        for addr in [a for a, c in self._by_addr.items() if c is conn]:
            del self._by_addr[addr]
        if self._closing or not conn.report_loss:
            return
        reason = conn.close_reason or (str(exc) if exc else "closed by the peer")
        log.info("connection %s lost: %s", conn, reason)
        if self._on_connection_lost is not None:
            self._safe(self._on_connection_lost, conn.remote)

    def _deliver(self, message: Message, source: Source) -> None:
        if self._probe_answered(message):
            return
        self._safe(self._on_message, message, source)

    def _parse_error(self, data: bytes, source: Source, exc: SipParseError) -> None:
        log.info(
            "unparsable message from %s:%s (%s): %s",
            source.host,
            source.port,
            source.transport,
            exc,
        )
        if self._on_parse_error is not None:
            self._safe(self._on_parse_error, data, source, exc)

    def _answer_malformed(
        self, exc: SipParseError, source: Source, send: Callable[[bytes], None]
    ) -> None:
        """RFC 3261 §18.3: a malformed request gets 400 (505 for a SIP version we do not
        speak) when it has what a response needs (start line, Via, Call-ID, CSeq); it goes
        back where the request came from. Anything less is dropped (logged above)."""
        response = response_for_parse_error(exc)
        if response is None:
            return
        data = response.to_bytes()
        try:
            send(data)
        except OSError as err:
            log.info(
                "cannot answer a malformed request from %s:%s: %s", source.host, source.port, err
            )
            return
        self._trace("out", data, source)

    def _trace(self, direction: str, data: bytes, where: Source | Address) -> None:
        if self._on_trace is not None:
            self._safe(self._on_trace, direction, data, where)

    @staticmethod
    def _safe(fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("callback %r failed", fn)

    # ------------------------------------------------------------------ keep-alive

    def start_keepalive(
        self,
        dest: Address,
        interval: float,
        *,
        pong_timeout: float = PONG_TIMEOUT,
        local_port: int | None = None,
        on_probe: ProbeHandler | None = None,
    ) -> KeepAlive:
        """Send CRLFCRLF to `dest` every `interval` seconds until cancelled (RFC 5626 §4.4.1).

        UDP: keeps NAT bindings open; no answer expected — unless `on_probe` is given:
        then each keep-alive is an OPTIONS probe that expects an answer within
        `probe_timeout(interval)`, and `on_probe(answered)` hears how it went. TCP/TLS: pings the open
        connection to `dest` (never opens one); once the server has ponged at least once,
        a ping without pong within `pong_timeout` closes the connection and calls
        `on_connection_lost(dest)`.
        """
        if interval <= 0:
            raise ValueError("keep-alive interval must be positive")
        task = asyncio.get_running_loop().create_task(
            self._keepalive_loop(dest, interval, pong_timeout, local_port, on_probe),
            name=f"keepalive {dest}",
        )
        handle = KeepAlive(dest, interval, task, self._keepalives.discard)
        self._keepalives.add(handle)
        return handle

    async def _keepalive_loop(
        self,
        dest: Address,
        interval: float,
        pong_timeout: float,
        local_port: int | None,
        on_probe: ProbeHandler | None,
    ) -> None:
        while True:
            await asyncio.sleep(interval)
            if dest.transport == "udp" and on_probe is not None:
                answered = await self._probe_udp(dest, local_port, probe_timeout(interval))
                self._safe(on_probe, answered)
                continue
            if dest.transport == "udp":
                try:
                    self._udp_endpoint(dest, local_port).sendto(PING, (dest.host, dest.port))
                except OSError as exc:  # includes TransportError
                    log.info("keep-alive to %s not sent: %s", dest, exc)
                continue
            conn = self._by_addr.get(dest)
            if conn is None or not conn.is_open:
                continue  # the loss was reported already; whoever reconnects gets pinged
            waiter = conn.expect_pong() if conn.pong_seen else None
            try:
                conn.write(PING)
            except OSError:
                continue
            if waiter is None:
                continue
            try:
                await asyncio.wait_for(waiter, pong_timeout)
            except TimeoutError:
                log.warning(
                    "no keep-alive pong from %s within %g s; closing it", conn, pong_timeout
                )
                conn.close(f"no keep-alive pong within {pong_timeout:g} s")
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
                # The pong waiter was cancelled because the connection went away.

    async def _probe_udp(self, dest: Address, local_port: int | None, timeout: float) -> bool:
        """Send an OPTIONS probe (retransmitted as a non-INVITE request is) and wait up to
        `timeout` for any answer; its answer is taken here and goes no further."""
        loop = asyncio.get_running_loop()
        try:
            endpoint = self._udp_endpoint(dest, local_port)
        except TransportError as exc:
            log.info("keep-alive probe to %s not sent: %s", dest, exc)
            return False
        self._probe_seq += 1
        request, branch = probe_request(dest, endpoint.local, self._probe_seq)
        data = request.to_bytes()
        answered: asyncio.Future[None] = loop.create_future()
        self._probes[branch] = answered
        deadline = loop.time() + timeout
        wait = PROBE_RETRANSMIT
        try:
            while True:
                try:
                    endpoint.sendto(data, (dest.host, dest.port))
                    self._trace("out", data, dest)
                except OSError as exc:
                    log.info("keep-alive probe to %s not sent: %s", dest, exc)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(asyncio.shield(answered), min(wait, remaining))
                    return True
                except TimeoutError:
                    wait = min(wait * 2, 4.0)
        finally:
            self._probes.pop(branch, None)

    def _probe_answered(self, message: Message) -> bool:
        """True when `message` answers one of our probes (and so is consumed here)."""
        if not self._probes or not isinstance(message, Response):
            return False
        try:
            branch = message.top_via.branch
        except SipParseError:
            return False
        waiter = self._probes.get(branch or "")
        if waiter is None:
            return False
        if not waiter.done():
            waiter.set_result(None)
        return True

    # ------------------------------------------------------------------ shutdown

    async def close(self) -> None:
        """Stop keep-alives, close listeners, connections and sockets; wait until done."""
        self._closing = True
        for handle in list(self._keepalives):
            await handle.wait_cancelled()
        for servers in self._servers.values():
            for server, _ in servers:
                server.close()
        conns = list(self._conns.values())
        for conn in conns:
            conn.close(report=False)
        if conns:
            _, pending = await asyncio.wait([c.lost for c in conns], timeout=2.0)
            for conn in conns:
                if not conn.lost.done():
                    conn.abort()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        for servers in self._servers.values():
            for server, _ in servers:
                await server.wait_closed()
            servers.clear()
        for endpoint in self._udp:
            endpoint.close()
        if self._udp:
            await asyncio.wait([e.closed for e in self._udp], timeout=1.0)
        self._udp.clear()
        self._conns.clear()
        self._by_addr.clear()


def _via_port(request: Request) -> int | None:
    """The port our top Via names: the socket a request should leave from."""
    try:
        return request.top_via.port
    except (SipParseError, IndexError, ValueError):
        return None
