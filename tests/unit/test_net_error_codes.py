"""The network layer's errors carry a code (`NetProblem`) and the place they name, so
that a front-end can word them; an account's failed registration passes both on."""

from __future__ import annotations

import asyncio
import queue
import socket
import ssl
from pathlib import Path
from typing import Any

import dns.resolver
import pytest
from test_app import account, make_app

from parley.net.address import Address, TransportError
from parley.net.dns import DnsError, make_resolver, resolve
from parley.net.problems import NetProblem
from parley.net.tls import tls_error
from parley.net.transport import TransportLayer
from parley.phone.events import AccountStateChanged, RegCause, RegState
from parley.settings import Settings


class _Resolver:
    """A resolver that fails every question the same way."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    async def resolve(self, *_a: Any, **_k: Any) -> Any:
        raise self.exc


def _layer() -> TransportLayer:
    return TransportLayer(lambda _m, _s: None)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("exc", "problem"),
    [
        (dns.resolver.NXDOMAIN(), NetProblem.NO_SUCH_DOMAIN),
        (dns.resolver.LifetimeTimeout(timeout=1.0, errors={}), NetProblem.DNS_TIMEOUT),
    ],
)
async def test_dns_failures_have_codes_and_name_the_host(
    exc: BaseException, problem: NetProblem
) -> None:
    with pytest.raises(DnsError) as raised:
        await resolve("pbx.tset", None, "udp", resolver=_Resolver(exc))
    assert raised.value.problem is problem
    assert raised.value.where == "pbx.tset"


@pytest.mark.asyncio
async def test_no_domain_and_bad_dns_server_have_codes() -> None:
    with pytest.raises(DnsError) as raised:
        await resolve("", None, None, resolver=None)
    assert raised.value.problem is NetProblem.NO_SERVER
    with pytest.raises(DnsError) as raised:
        make_resolver(["dns.example"])
    assert (raised.value.problem, raised.value.where) == (NetProblem.DNS_SETTINGS, "dns.example")


@pytest.mark.asyncio
async def test_refused_connection_has_a_code_and_host_port() -> None:
    layer = _layer()
    port = _closed_port()
    try:
        with pytest.raises(TransportError) as raised:
            await layer.connect(Address("tcp", "127.0.0.1", port))
    finally:
        await layer.close()
    assert raised.value.problem is NetProblem.REFUSED
    assert raised.value.where == f"127.0.0.1:{port}"


@pytest.mark.asyncio
async def test_tls_to_a_plain_tcp_port_is_a_handshake_problem() -> None:
    async def babble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SIP/2.0 400 Not TLS\r\n\r\n" * 4)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(babble, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    layer = _layer()
    layer.configure_tls(None, verify=False)
    try:
        with pytest.raises(TransportError) as raised:
            await layer.connect(Address("tls", "127.0.0.1", port))
    finally:
        await layer.close()
        server.close()
    assert raised.value.problem is NetProblem.TLS_HANDSHAKE
    assert raised.value.where == f"127.0.0.1:{port}"


def test_certificate_failures_tell_an_untrusted_from_a_wrong_name() -> None:
    untrusted = ssl.SSLCertVerificationError("certificate verify failed")
    untrusted.verify_message = "self-signed certificate"
    wrong_name = ssl.SSLCertVerificationError("certificate verify failed")
    wrong_name.verify_message = "Hostname mismatch, certificate is not valid for 'pbx'"
    assert tls_error(untrusted, "pbx:5061").problem is NetProblem.TLS_UNTRUSTED
    assert tls_error(wrong_name, "pbx:5061").problem is NetProblem.TLS_NAME
    assert tls_error(wrong_name, "pbx:5061").where == "pbx:5061"


def test_an_account_at_a_closed_tcp_port_reports_the_code_and_the_place(tmp_path: Path) -> None:
    port = _closed_port()
    office = account(domain=f"127.0.0.1:{port}", transport="tcp", register_on_startup=True)
    app = make_app(tmp_path, Settings(accounts=[office]))
    seen: queue.Queue[AccountStateChanged] = queue.Queue()
    app.subscribe(lambda e: seen.put(e) if isinstance(e, AccountStateChanged) else None)
    app.start().result(20)
    try:
        event = seen.get(timeout=20)
        while event.state != RegState.FAILED:
            event = seen.get(timeout=20)
        snapshot = app.accounts()[0]  # the tracker heard the event before us
    finally:
        app.stop()
    assert event.cause is RegCause.UNREACHABLE
    assert (event.problem, event.where) == (NetProblem.REFUSED, f"127.0.0.1:{port}")
    assert (snapshot.problem, snapshot.where) == (NetProblem.REFUSED, f"127.0.0.1:{port}")
