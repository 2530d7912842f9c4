"""parley.net.transport with real sockets on 127.0.0.1: UDP, TCP, TLS, keep-alive, failures.

Waiting uses queues with a generous safety timeout; no test measures time.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from parley.net import tls
from parley.net.address import Address, Source, TransportError
from parley.net.transport import TransportLayer
from parley.sip.headers import SipParseError
from parley.sip.message import Headers, Request, Response
from parley.sip.parser import parse_message
from peers.certs import make_certs

WAIT = 5.0  # safety net only: a hung test fails instead of hanging


# ---------------------------------------------------------------- helpers


def request(call_id: str = "abc@127.0.0.1", body: bytes = b"") -> Request:
    return Request(
        method="OPTIONS",
        uri="sip:bob@127.0.0.1",
        headers=Headers(
            [
                ("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK776asdhds;rport"),
                ("Max-Forwards", "70"),
                ("To", "<sip:bob@127.0.0.1>"),
                ("From", "<sip:alice@127.0.0.1>;tag=1928301774"),
                ("Call-ID", call_id),
                ("CSeq", "1 OPTIONS"),
            ]
            + ([("Content-Type", "text/plain")] if body else [])
        ),
        body=body,
    )


def response_to(req: Request, status: int = 200, reason: str = "OK") -> Response:
    headers = Headers(
        [(n, v) for n, v in req.headers if n in ("Via", "To", "From", "Call-ID", "CSeq")]
    )
    return Response(status=status, reason=reason, headers=headers)


@dataclass
class Recorder:
    """Collects what a TransportLayer reports."""

    messages: asyncio.Queue[tuple[Request | Response, Source]] = field(
        default_factory=asyncio.Queue
    )
    errors: asyncio.Queue[tuple[bytes, Source, SipParseError]] = field(
        default_factory=asyncio.Queue
    )
    lost: asyncio.Queue[Address] = field(default_factory=asyncio.Queue)
    trace: list[tuple[str, bytes]] = field(default_factory=list)

    def layer(self, **kw: object) -> TransportLayer:
        return TransportLayer(
            lambda m, s: self.messages.put_nowait((m, s)),
            on_parse_error=lambda d, s, e: self.errors.put_nowait((d, s, e)),
            on_connection_lost=self.lost.put_nowait,
            on_trace=lambda d, data, _w: self.trace.append((d, data)),
            **kw,  # type: ignore[arg-type]
        )

    async def message(self) -> tuple[Request | Response, Source]:
        return await asyncio.wait_for(self.messages.get(), WAIT)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Pki:
    ca: Path
    other_ca: Path
    server_cert: Path
    server_key: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA with a server certificate for IP 127.0.0.1 / DNS localhost, and an unrelated CA."""
    ours = make_certs(tmp_path_factory.mktemp("pki"))
    other = make_certs(tmp_path_factory.mktemp("other-pki"))
    return Pki(ours.ca_file, other.ca_file, ours.cert_file, ours.key_file)


async def raw_server(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)  # type: ignore[arg-type]
    return server, int(server.sockets[0].getsockname()[1])


async def assert_no_leftover_tasks() -> None:
    await asyncio.sleep(0)
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == []


# ---------------------------------------------------------------- UDP


@pytest.mark.asyncio
async def test_udp_request_and_response_between_two_layers() -> None:
    a, b = Recorder(), Recorder()
    la, lb = a.layer(), b.layer()
    try:
        host_a, port_a = await la.listen_udp("127.0.0.1", 0)
        _, port_b = await lb.listen_udp("127.0.0.1", 0)
        assert host_a == "127.0.0.1"
        assert port_a > 32000 and port_b > 32000  # the manual's "random port above 32000"

        dest = Address("udp", "127.0.0.1", port_a)
        sent_from = await lb.send(request(body=b"hello"), dest)
        assert (sent_from.local_host, sent_from.local_port) == ("127.0.0.1", port_b)
        assert lb.local_address(dest) == ("127.0.0.1", port_b)

        msg, src = await a.message()
        assert isinstance(msg, Request)
        assert (msg.method, msg.call_id, msg.body) == ("OPTIONS", "abc@127.0.0.1", b"hello")
        assert src == Source("udp", "127.0.0.1", port_b, "127.0.0.1", port_a, None)

        await la.send(response_to(msg), src.address)
        reply, _ = await b.message()
        assert isinstance(reply, Response) and reply.status == 200
        assert [d for d, _ in b.trace] == ["out", "in"]
    finally:
        await la.close()
        await lb.close()
    await assert_no_leftover_tasks()


@pytest.mark.asyncio
async def test_udp_sends_from_the_socket_of_the_account() -> None:
    """Two SIP ports (two accounts): a request leaves from the socket its Via names, or
    the one asked for; keep-alives and local addresses follow the same choice."""
    a = Recorder()
    la, lb = Recorder().layer(), a.layer()
    try:
        _, port1 = await la.listen_udp("127.0.0.1", 0)
        _, port2 = await la.listen_udp("127.0.0.1", 0)
        _, port_b = await lb.listen_udp("127.0.0.1", 0)
        dest = Address("udp", "127.0.0.1", port_b)
        assert la.local_address(dest) == ("127.0.0.1", port1)  # the first, by default
        assert la.local_address(dest, port2) == ("127.0.0.1", port2)
        req = request("via2@x")
        req.headers.set("Via", f"SIP/2.0/UDP 127.0.0.1:{port2};branch=z9hG4bKv2;rport")
        await la.send(req, dest)
        msg, src = await a.message()
        assert msg.call_id == "via2@x" and src.port == port2
        await la.send(request("asked@x"), dest, local_port=port2)
        msg, src = await a.message()
        assert msg.call_id == "asked@x" and src.port == port2
        await la.send(request("plain@x"), dest)  # its Via names port 5060: no such socket
        msg, src = await a.message()
        assert msg.call_id == "plain@x" and src.port == port1
    finally:
        await la.close()
        await lb.close()


@pytest.mark.asyncio
async def test_udp_explicit_port_and_port_in_use() -> None:
    port = free_port(socket.SOCK_DGRAM)
    la, lb = Recorder().layer(), Recorder().layer()
    try:
        assert await la.listen_udp("127.0.0.1", port) == ("127.0.0.1", port)
        with pytest.raises(TransportError, match=f"cannot listen on UDP 127.0.0.1:{port}"):
            await lb.listen_udp("127.0.0.1", port)
        with pytest.raises(TransportError, match="give an IP address"):
            await lb.listen_udp("localhost", 0)
    finally:
        await la.close()
        await lb.close()


@pytest.mark.asyncio
async def test_udp_garbage_and_keepalives_do_not_stop_the_listener() -> None:
    a = Recorder()

    def explode(_m: object, _s: object) -> None:
        raise RuntimeError("bug in the layer above")

    la = TransportLayer(explode, on_parse_error=lambda d, s, e: a.errors.put_nowait((d, s, e)))
    lb = a.layer()
    try:
        _, port = await la.listen_udp()
        _, port_b = await lb.listen_udp()
        dest = Address("udp", "127.0.0.1", port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
            raw.bind(("127.0.0.1", 0))
            raw.sendto(b"\r\n\r\n", ("127.0.0.1", port))  # keep-alive: ignored
            raw.sendto(b"\x00\xff garbage \x80\r\n\r\n", ("127.0.0.1", port))
            raw.sendto(request().to_bytes(), ("127.0.0.1", port))  # on_message raises
        data, src, err = await asyncio.wait_for(a.errors.get(), WAIT)
        assert data.startswith(b"\x00\xff") and isinstance(err, SipParseError)
        assert src.transport == "udp" and src.local_port == port
        # Still alive: answer a real request from another layer, over the same socket.
        la._on_message = lambda m, s: a.messages.put_nowait((m, s))
        await lb.send(request("second@127.0.0.1"), dest)
        msg, src = await a.message()
        assert msg.call_id == "second@127.0.0.1" and src.port == port_b
        assert a.errors.empty()  # the CRLF keep-alive was not an error
    finally:
        await la.close()
        await lb.close()


def _truncated(call_id: str, *, via: bool = True) -> bytes:
    """A request whose Content-Length promises more than the datagram holds."""
    data = request(call_id, body=b"hello").to_bytes()
    data = data.replace(b"Content-Length: 5", b"Content-Length: 300")
    if not via:
        data = b"\r\n".join(line for line in data.split(b"\r\n") if not line.startswith(b"Via:"))
    return data


async def _recv(sock: socket.socket) -> bytes:
    loop = asyncio.get_running_loop()
    return await asyncio.wait_for(loop.sock_recv(sock, 65535), WAIT)


@pytest.mark.asyncio
async def test_udp_malformed_request_gets_400_with_a_warning() -> None:
    """RFC 3261 §18.3: Content-Length larger than the datagram is answered with 400 (and
    a Warning saying why); a datagram without a Via cannot be answered and is dropped;
    the listener goes on serving."""
    a = Recorder()
    la = a.layer()
    try:
        _, port = await la.listen_udp("127.0.0.1", 0)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
            raw.bind(("127.0.0.1", 0))
            raw.setblocking(False)
            raw.sendto(b"\x00\xff garbage \x80\r\n\r\n", ("127.0.0.1", port))
            raw.sendto(_truncated("novia@x", via=False), ("127.0.0.1", port))
            raw.sendto(_truncated("short@x"), ("127.0.0.1", port))
            # The first answer is the one to the third datagram: the others got none.
            reply = parse_message(await _recv(raw))
            assert isinstance(reply, Response)
            assert reply.status == 400 and reply.call_id == "short@x"
            assert "Content-Length" in reply.reason
            warning = reply.headers.get("Warning") or ""
            assert warning.startswith("399 ") and "shorter than Content-Length 300" in warning
            assert [v.branch for v in reply.vias] == ["z9hG4bK776asdhds"]
            assert reply.cseq.method == "OPTIONS" and reply.to.tag
            # A version we do not speak: 505.
            raw.sendto(
                request("v3@x").to_bytes().replace(b" SIP/2.0\r\n", b" SIP/3.0\r\n", 1),
                ("127.0.0.1", port),
            )
            reply = parse_message(await _recv(raw))
            assert isinstance(reply, Response) and reply.status == 505
            assert reply.call_id == "v3@x"
            # Still working: a good request is delivered.
            raw.sendto(request("good@x").to_bytes(), ("127.0.0.1", port))
            msg, _ = await a.message()
            assert msg.call_id == "good@x"
        assert a.errors.qsize() == 4  # each bad datagram was still reported
        assert [d for d, _ in a.trace].count("out") == 2
    finally:
        await la.close()


@pytest.mark.asyncio
async def test_tcp_malformed_request_gets_400_on_its_connection() -> None:
    a = Recorder()
    la = a.layer()
    try:
        _, port = await la.listen_tcp()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        bad = request("tcp-bad@x").to_bytes().replace(b"CSeq: 1 OPTIONS", b"CSeq: 1 INVITE")
        writer.write(bad)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
        reply = parse_message(head)
        assert isinstance(reply, Response) and reply.status == 400
        assert reply.call_id == "tcp-bad@x" and "CSeq" in (reply.headers.get("Warning") or "")
        writer.write(request("tcp-good@x").to_bytes())  # the connection still serves
        await writer.drain()
        msg, _ = await a.message()
        assert msg.call_id == "tcp-good@x"
        writer.close()
        await writer.wait_closed()
    finally:
        await la.close()


@pytest.mark.asyncio
async def test_udp_keepalive_sends_crlfcrlf() -> None:
    la = Recorder().layer()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.setblocking(False)
        try:
            await la.listen_udp()
            ka = la.start_keepalive(Address("udp", "127.0.0.1", peer.getsockname()[1]), 0.02)
            loop = asyncio.get_running_loop()
            got = [await asyncio.wait_for(loop.sock_recv(peer, 100), WAIT) for _ in range(2)]
            assert got == [b"\r\n\r\n", b"\r\n\r\n"]
            assert ka.active
            ka.cancel()
        finally:
            await la.close()
    await assert_no_leftover_tasks()


@pytest.mark.asyncio
async def test_udp_probe_keepalive_tells_a_live_server_from_a_dead_one() -> None:
    """With `on_probe`, a UDP keep-alive is an OPTIONS that expects an answer: answered,
    the probe reports True (and its answer goes no further up); unanswered (the server is
    gone), it reports False after its retransmissions."""
    a = Recorder()
    la = a.layer()
    results: asyncio.Queue[bool] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.setblocking(False)
        dest = Address("udp", "127.0.0.1", server.getsockname()[1])
        try:
            _, port = await la.listen_udp("127.0.0.1", 0)
            ka = la.start_keepalive(dest, 0.05, on_probe=results.put_nowait)
            data, addr = await asyncio.wait_for(loop.sock_recvfrom(server, 65535), WAIT)
            probe = parse_message(data)
            assert isinstance(probe, Request) and probe.method == "OPTIONS"
            assert addr[1] == port and probe.top_via.port == port
            server.sendto(response_to(probe, 404, "Not Found").to_bytes(), addr)  # any answer
            assert await asyncio.wait_for(results.get(), WAIT) is True
            assert a.messages.empty()  # the probe's answer is not a message for the phone
            # The server dies: the following probes go unanswered.
            assert await asyncio.wait_for(results.get(), WAIT) is False
            ka.cancel()
        finally:
            await la.close()
    assert any(d == "out" and data.startswith(b"OPTIONS ") for d, data in a.trace)


@pytest.mark.asyncio
async def test_send_needs_ip_and_listener() -> None:
    la = Recorder().layer()
    try:
        with pytest.raises(TransportError, match="call listen_udp first"):
            await la.send(request(), Address("udp", "127.0.0.1", 5060))
        await la.listen_udp()
        with pytest.raises(TransportError, match=r"resolve it with parley\.net\.dns"):
            await la.send(request(), Address("udp", "pbx.test", 5060))
        with pytest.raises(TransportError, match=r"resolve it with parley\.net\.dns"):
            await la.send(request(), Address("tcp", "pbx.test", 5060))
        with pytest.raises(TransportError, match="not supported"):
            await la.send(request(), Address("sctp", "127.0.0.1", 5060))
    finally:
        await la.close()


@pytest.mark.asyncio
async def test_a_request_too_big_for_one_datagram_is_a_clear_error() -> None:
    """asyncio only logs a failed sendto; the sender must hear of it at once (and not
    wait for its transaction to time out)."""
    la = Recorder().layer()
    try:
        await la.listen_udp()
        with pytest.raises(TransportError, match="do not fit in a UDP datagram"):
            await la.send(request(body=b"x" * 65_600), Address("udp", "127.0.0.1", 5060))
        await la.send(request(body=b"x" * 60_000), Address("udp", "127.0.0.1", 5060))
    finally:
        await la.close()


# ---------------------------------------------------------------- TCP


@pytest.mark.asyncio
async def test_tcp_connection_reused_both_ways() -> None:
    a, b = Recorder(), Recorder()
    la, lb = a.layer(), b.layer()
    try:
        _, port_a = await la.listen_tcp("127.0.0.1", 0)
        assert port_a > 32000
        dest = Address("tcp", "127.0.0.1", port_a)
        first = await lb.send(request("one@x"), dest)
        second = await lb.send(request("two@x"), dest)
        assert first.connection_id is not None
        assert first.connection_id == second.connection_id == lb.connection_id(dest)
        assert lb.local_address(dest) == (first.local_host, first.local_port)

        m1, s1 = await a.message()
        m2, s2 = await a.message()
        assert (m1.call_id, m2.call_id) == ("one@x", "two@x")
        assert s1.connection_id == s2.connection_id is not None
        assert (s1.host, s1.port) == (first.local_host, first.local_port)

        # The response goes back on the same connection (RFC 3261 §18.2.2).
        assert isinstance(m1, Request)
        back = await la.send(response_to(m1), s1.address, connection_id=s1.connection_id)
        assert back.connection_id == s1.connection_id
        reply, rs = await b.message()
        assert isinstance(reply, Response) and reply.status == 200
        assert rs.connection_id == first.connection_id

        # A request from A to B's address also reuses B's connection.
        await la.send(request("three@x"), s1.address)
        m3, s3 = await b.message()
        assert m3.call_id == "three@x" and s3.connection_id == first.connection_id
    finally:
        await la.close()
        await lb.close()
    assert b.lost.empty()  # closing on purpose is not a "loss"
    await assert_no_leftover_tasks()


@pytest.mark.asyncio
async def test_tcp_concurrent_sends_share_one_connection() -> None:
    a, b = Recorder(), Recorder()
    la, lb = a.layer(), b.layer()
    try:
        _, port = await la.listen_tcp()
        dest = Address("tcp", "127.0.0.1", port)
        sources = await asyncio.gather(*(lb.send(request(f"{i}@x"), dest) for i in range(5)))
        assert len({s.connection_id for s in sources}) == 1
        ids = sorted([(await a.message())[0].call_id for _ in range(5)])
        assert ids == [f"{i}@x" for i in range(5)]
    finally:
        await la.close()
        await lb.close()


@pytest.mark.asyncio
async def test_tcp_framing_with_split_and_joined_writes() -> None:
    a = Recorder()
    la = a.layer()
    try:
        _, port = await la.listen_tcp()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        one = request("split@x", body=b"a body of some length").to_bytes()
        two = request("joined-1@x", body=b"x").to_bytes() + request("joined-2@x").to_bytes()
        for i in range(0, len(one), 7):  # split mid-header, mid-CRLF and mid-body
            writer.write(one[i : i + 7])
            await writer.drain()
            await asyncio.sleep(0)
        writer.write(two)
        await writer.drain()
        got = [await a.message() for _ in range(3)]
        assert [m.call_id for m, _ in got] == ["split@x", "joined-1@x", "joined-2@x"]
        assert got[0][0].body == b"a body of some length" and got[1][0].body == b"x"

        # A stream ping is answered with a pong (RFC 5626 §4.4.1).
        writer.write(b"\r\n\r\n")
        await writer.drain()
        assert await asyncio.wait_for(reader.readexactly(2), WAIT) == b"\r\n"
        writer.close()
        await writer.wait_closed()
        lost = await asyncio.wait_for(a.lost.get(), WAIT)  # the peer closed
        assert lost.transport == "tcp" and lost.host == "127.0.0.1"
    finally:
        await la.close()


@pytest.mark.asyncio
async def test_tcp_garbage_is_reported_and_listener_survives() -> None:
    a = Recorder()
    la = a.layer()
    try:
        _, port = await la.listen_tcp()
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"NOT SIP AT ALL\r\nfoo\r\n\r\n")
        await writer.drain()
        _, src, err = await asyncio.wait_for(a.errors.get(), WAIT)
        assert isinstance(err, SipParseError) and src.transport == "tcp"
        writer.close()
        await writer.wait_closed()
        # A new connection still works.
        lb = Recorder().layer()
        try:
            await lb.send(request("after@x"), Address("tcp", "127.0.0.1", port))
            msg, _ = await a.message()
            assert msg.call_id == "after@x"
        finally:
            await lb.close()
    finally:
        await la.close()


@pytest.mark.asyncio
async def test_tcp_lost_framing_closes_that_connection_only() -> None:
    a = Recorder()
    la = a.layer()
    try:
        _, port = await la.listen_tcp()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nContent-Length: lots\r\n\r\n")
        await writer.drain()
        _, src, err = await asyncio.wait_for(a.errors.get(), WAIT)
        assert isinstance(err, SipParseError) and src.transport == "tcp"
        assert await asyncio.wait_for(reader.read(), WAIT) == b""  # closed by the layer
        assert (await asyncio.wait_for(a.lost.get(), WAIT)).port == src.port
        writer.close()
        await writer.wait_closed()
        lb = Recorder().layer()
        try:
            await lb.send(request("still@x"), Address("tcp", "127.0.0.1", port))
            msg, _ = await a.message()
            assert msg.call_id == "still@x"
        finally:
            await lb.close()
    finally:
        await la.close()


@pytest.mark.asyncio
async def test_tcp_connection_refused_is_a_clear_error() -> None:
    lb = Recorder().layer()
    port = free_port(socket.SOCK_STREAM)  # closed again: nobody listens there
    try:
        with pytest.raises(TransportError, match="connection refused — is the server running"):
            await lb.send(request(), Address("tcp", "127.0.0.1", port))
    finally:
        await lb.close()


@pytest.mark.asyncio
async def test_peer_close_reports_connection_lost() -> None:
    b = Recorder()
    lb = b.layer()
    closed = asyncio.Event()

    async def close_after_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()
        closed.set()

    server, port = await raw_server(close_after_first)
    try:
        dest = Address("tcp", "127.0.0.1", port)
        await lb.send(request(), dest)
        assert await asyncio.wait_for(b.lost.get(), WAIT) == dest
        assert closed.is_set()
        assert lb.connection_id(dest) is None
    finally:
        await lb.close()
        server.close()
        await server.wait_closed()


@pytest.mark.asyncio
async def test_tcp_keepalive_ping_pong_and_missing_pong() -> None:
    b = Recorder()
    lb = b.layer()
    pings: asyncio.Queue[bytes] = asyncio.Queue()

    async def pong_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Answers the first ping only, then stays silent: a dead flow.
        first = True
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while data := await reader.readexactly(4):
                pings.put_nowait(data)
                if first:
                    writer.write(b"\r\n")
                    first = False
        writer.close()

    server, port = await raw_server(pong_once)
    try:
        dest = Address("tcp", "127.0.0.1", port)
        await lb.connect(dest)
        ka = lb.start_keepalive(dest, 0.02, pong_timeout=0.2)
        assert await asyncio.wait_for(pings.get(), WAIT) == b"\r\n\r\n"
        # The server has ponged once, so a later unanswered ping closes the flow.
        assert await asyncio.wait_for(b.lost.get(), WAIT) == dest
        assert lb.connection_id(dest) is None
        assert ka.active  # keeps running for the next connection
    finally:
        await lb.close()
        server.close()
        await server.wait_closed()
    await assert_no_leftover_tasks()


@pytest.mark.asyncio
async def test_keepalive_towards_a_server_that_never_pongs_keeps_the_flow() -> None:
    b = Recorder()
    lb = b.layer()
    pings: asyncio.Queue[bytes] = asyncio.Queue()

    async def never_pong(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while data := await reader.readexactly(4):
                pings.put_nowait(data)
        writer.close()

    server, port = await raw_server(never_pong)
    try:
        dest = Address("tcp", "127.0.0.1", port)
        await lb.connect(dest)
        lb.start_keepalive(dest, 0.01, pong_timeout=0.01)
        for _ in range(5):
            assert await asyncio.wait_for(pings.get(), WAIT) == b"\r\n\r\n"
        assert b.lost.empty() and lb.connection_id(dest) is not None
    finally:
        await lb.close()
        server.close()
        await server.wait_closed()


@pytest.mark.asyncio
async def test_keepalive_between_two_layers() -> None:
    a, b = Recorder(), Recorder()
    la, lb = a.layer(), b.layer()
    try:
        _, port = await la.listen_tcp()
        dest = Address("tcp", "127.0.0.1", port)
        await lb.connect(dest)
        lb.start_keepalive(dest, 0.01, pong_timeout=1.0)
        conn = lb._by_addr[dest]  # observe the pong without timing
        for _ in range(500):
            if conn.pong_seen:
                break
            await asyncio.sleep(0.01)
        assert conn.pong_seen
        assert a.messages.empty() and a.errors.empty()  # pings are not messages
    finally:
        await la.close()
        await lb.close()
    await assert_no_leftover_tasks()


# ---------------------------------------------------------------- TLS


async def tls_pair(pki: Pki) -> tuple[Recorder, TransportLayer, TransportLayer, Address]:
    a = Recorder()
    la = a.layer()
    lb = Recorder().layer()
    ctx = tls.server_context(str(pki.server_cert), str(pki.server_key))
    _, port = await la.listen_tls("127.0.0.1", 0, ctx)
    return a, la, lb, Address("tls", "127.0.0.1", port)


@pytest.mark.asyncio
async def test_tls_verified_by_ca_file(pki: Pki) -> None:
    a, la, lb, dest = await tls_pair(pki)
    try:
        lb.configure_tls(ca_file=str(pki.ca), verify=True)
        first = await lb.send(request("tls-1@x"), dest)  # IP SAN 127.0.0.1
        second = await lb.send(request("tls-2@x"), dest)
        assert first.connection_id == second.connection_id
        m1, s1 = await a.message()
        m2, _ = await a.message()
        assert (m1.call_id, m2.call_id) == ("tls-1@x", "tls-2@x") and s1.transport == "tls"
    finally:
        await la.close()
        await lb.close()
    await assert_no_leftover_tasks()


@pytest.mark.asyncio
async def test_tls_sni_name_and_pinned_server_certificate(pki: Pki) -> None:
    a, la, lb, dest = await tls_pair(pki)
    try:
        # The manual's users import the PBX certificate itself, not its root.
        ctx = tls.client_context(str(pki.server_cert))
        await lb.send(request("pinned@x"), dest, server_name="localhost", ssl_context=ctx)
        msg, _ = await a.message()
        assert msg.call_id == "pinned@x"
    finally:
        await la.close()
        await lb.close()


@pytest.mark.asyncio
async def test_tls_untrusted_certificate_is_a_clear_error(pki: Pki) -> None:
    a, la, lb, dest = await tls_pair(pki)
    try:
        lb.configure_tls(ca_file=str(pki.other_ca))
        with pytest.raises(TransportError) as info:
            await lb.send(request(), dest)
        text = str(info.value)
        assert text.startswith(
            f"TLS handshake with 127.0.0.1:{dest.port} failed: certificate verify failed"
        )
        assert "check ca_file" in text
        with pytest.raises(TransportError, match="check the server name"):
            await lb.send(
                request(),
                dest,
                server_name="other.test",
                ssl_context=tls.client_context(str(pki.ca)),
            )
        # With verification off (the user's explicit choice) it connects.
        lb.configure_tls(verify=False)
        await lb.send(request("unverified@x"), dest)
        msg, _ = await a.message()
        assert msg.call_id == "unverified@x"
    finally:
        await la.close()
        await lb.close()


@pytest.mark.asyncio
async def test_tls_to_a_plain_tcp_port_fails_cleanly() -> None:
    la, lb = Recorder().layer(), Recorder().layer()
    try:
        _, port = await la.listen_tcp()
        lb.connect_timeout = 0.3  # our TCP listener never answers a ClientHello
        with pytest.raises(TransportError, match=f"127.0.0.1:{port} over TLS: no answer"):
            await lb.send(request(), Address("tls", "127.0.0.1", port))
    finally:
        await la.close()
        await lb.close()


def test_tls_config_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="not found — check ca_file"):
        tls.client_context(str(tmp_path / "missing.pem"))
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(TransportError, match="must be a PEM certificate"):
        tls.client_context(str(bad))
    assert tls.client_context(verify=False).verify_mode == ssl.CERT_NONE
