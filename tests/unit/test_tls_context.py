"""The TLS context builder (net/tls.py), the self-signed client certificate
(net/client_cert.py), and how an account's settings become TLS options
(phone/tls_setup.py): each setting changes the context, a bad file is named with what to
do, and handshakes with an in-process server show the effect."""

from __future__ import annotations

import asyncio
import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest

from parley.net.address import Address, TransportError
from parley.net.client_cert import ensure_self_signed
from parley.net.tls import TlsOptions, build_client_context, describe_tls_error
from parley.net.transport import TransportLayer
from parley.phone.account import Account
from parley.phone.tls_setup import account_context, tls_options, verification_off
from parley.settings.model import AccountSettings
from parley.settings.network import TlsSettings
from parley.sip.core import UserAgentCore
from parley.sip.timers import TimerConfig
from peers.certs import Certs, make_certs


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("tls-pki"))


def account(**kw: object) -> AccountSettings:
    return AccountSettings.model_validate(
        {"name": "office", "domain": "127.0.0.1:5061", "username": "1001", "transport": "tls", **kw}
    )


# --- the context builder ------------------------------------------------------------------


def test_protocol_suite_sets_the_minimum_version() -> None:
    assert build_client_context(TlsOptions()).minimum_version == ssl.TLSVersion.TLSv1_2
    ctx = build_client_context(TlsOptions(min_version="1.3"))
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3


def test_strong_ciphers_are_aead_with_forward_secrecy() -> None:
    strong = build_client_context(TlsOptions(strong_ciphers_only=True)).get_ciphers()
    tls12 = [c for c in strong if c["protocol"] == "TLSv1.2"]
    assert tls12
    for cipher in tls12:
        assert cipher["aead"], cipher["name"]
        assert cipher["kea"] == "kx-ecdhe", cipher["name"]
    # TLS 1.3 suites stay (all AEAD with (EC)DHE).
    assert any(c["protocol"] == "TLSv1.3" for c in strong)
    relaxed = {c["name"] for c in build_client_context(TlsOptions()).get_ciphers()}
    assert "ECDHE-ECDSA-AES256-SHA" in relaxed  # an older CBC suite some PBXs still need
    assert "ECDHE-ECDSA-AES256-SHA" not in {c["name"] for c in strong}


def test_verification_on_and_off(certs: Certs) -> None:
    on = build_client_context(TlsOptions(trust_files=(str(certs.ca_file),)))
    assert on.verify_mode == ssl.CERT_REQUIRED and on.check_hostname
    assert on.cert_store_stats()["x509_ca"] == 1
    off = build_client_context(TlsOptions(verify=False))
    assert off.verify_mode == ssl.CERT_NONE and not off.check_hostname


def test_missing_trust_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "pbx.pem"
    with pytest.raises(TransportError, match="not found") as info:
        build_client_context(TlsOptions(trust_files=(str(missing),)))
    assert str(missing) in str(info.value) and "ca_file" in str(info.value)


def test_trust_file_that_is_not_pem_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "pbx.der"
    bad.write_bytes(b"\x30\x82\x01\x0a not a certificate")
    with pytest.raises(TransportError, match="must be a PEM certificate") as info:
        build_client_context(TlsOptions(trust_files=(str(bad),)))
    assert str(bad) in str(info.value)


def test_client_certificate_with_the_wrong_key_is_named(certs: Certs, tmp_path: Path) -> None:
    other = make_certs(tmp_path / "other")
    pem = tmp_path / "mixed.pem"
    pem.write_bytes(certs.cert_file.read_bytes() + other.key_file.read_bytes())
    with pytest.raises(TransportError, match="matching private key") as info:
        build_client_context(TlsOptions(client_cert=str(pem)))
    assert str(pem) in str(info.value)
    with pytest.raises(TransportError, match="not found"):
        build_client_context(TlsOptions(client_cert=str(tmp_path / "none.pem")))


# --- handshakes with an in-process server ---------------------------------------------------


async def _handshake(client: ssl.SSLContext, server: ssl.SSLContext, name: str) -> str:
    """Connect with `client` to a local server (a thread, blocking sockets: it sends its
    alert before closing) using `server`; the version agreed."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            with server.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError):
            pass
        finally:
            conn.close()
            listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        _, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=client, server_hostname=name
        )
        version = writer.get_extra_info("ssl_object").version()
        writer.close()
        return str(version)
    finally:
        await asyncio.to_thread(thread.join, 10)


def _server(
    certs: Certs, *, max_version: ssl.TLSVersion | None = None, ciphers: str = ""
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs.cert_file, certs.key_file)
    if max_version is not None:
        ctx.maximum_version = max_version
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


@pytest.mark.asyncio
async def test_tls13_only_against_a_tls12_server_names_the_setting(certs: Certs) -> None:
    server = _server(certs, max_version=ssl.TLSVersion.TLSv1_2)
    trust = (str(certs.ca_file),)
    with pytest.raises(ssl.SSLError) as info:
        await _handshake(
            build_client_context(TlsOptions("1.3", trust_files=trust)), server, "localhost"
        )
    text = describe_tls_error(info.value, "127.0.0.1:5061")
    assert 'protocols = "tls1.2+"' in text, text
    agreed = await _handshake(
        build_client_context(TlsOptions("1.2", trust_files=trust)), server, "localhost"
    )
    assert agreed == "TLSv1.2"


@pytest.mark.asyncio
async def test_strong_ciphers_against_a_cbc_only_server(certs: Certs) -> None:
    server = _server(certs, max_version=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES256-SHA")
    trust = (str(certs.ca_file),)
    strong = build_client_context(TlsOptions(strong_ciphers_only=True, trust_files=trust))
    with pytest.raises(ssl.SSLError) as info:
        await _handshake(strong, server, "localhost")
    assert "strong_ciphers_only" in describe_tls_error(info.value, "127.0.0.1:5061")
    relaxed = build_client_context(TlsOptions(trust_files=trust))
    assert await _handshake(relaxed, server, "localhost") == "TLSv1.2"


@pytest.mark.asyncio
async def test_name_mismatch_and_override(certs: Certs) -> None:
    server = _server(certs)
    ctx = build_client_context(TlsOptions(trust_files=(str(certs.ca_file),)))
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        await _handshake(ctx, server, "pbx.example.com")
    assert "tls_server_name" in describe_tls_error(info.value, "127.0.0.1:5061")
    assert await _handshake(ctx, server, "localhost")  # the name the certificate carries


# --- the self-signed client certificate -------------------------------------------------------


def test_self_signed_is_made_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "tls" / "office.pem"
    ensure_self_signed(path, "1001@pbx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    first = path.read_bytes()
    assert b"BEGIN CERTIFICATE" in first and b"BEGIN PRIVATE KEY" in first
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(path)  # loads as a chain
    ensure_self_signed(path, "1001@pbx")
    assert path.read_bytes() == first  # reused, not made again


def test_self_signed_is_made_again_when_it_no_longer_loads(tmp_path: Path) -> None:
    path = tmp_path / "office.pem"
    path.write_text("garbage")
    path.chmod(0o644)
    ensure_self_signed(path, "1001@pbx")
    assert b"BEGIN CERTIFICATE" in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_self_signed_in_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(TransportError, match="cannot write the self-signed"):
        ensure_self_signed(blocker / "tls" / "office.pem", "1001@pbx")


# --- settings to options ------------------------------------------------------------------


def test_global_and_account_settings_become_options(certs: Certs, tmp_path: Path) -> None:
    tls = TlsSettings(
        protocols="tls1.3", strong_ciphers_only=True, domain_certificate=str(certs.ca_file)
    )
    acc = account(ca_file=str(certs.cert_file))
    options = tls_options(acc, tls, tmp_path)
    assert options.min_version == "1.3" and options.strong_ciphers_only and options.verify
    assert options.trust_files == (str(certs.cert_file), str(certs.ca_file))
    assert options.client_cert is None


def test_verification_off_globally_or_per_account() -> None:
    assert not verification_off(account(), TlsSettings())
    assert verification_off(account(), TlsSettings(disable_verification=True))
    assert verification_off(account(verify_tls=False), TlsSettings())


def test_client_certificate_modes(certs: Certs, tmp_path: Path) -> None:
    tls = TlsSettings()
    assert (
        tls_options(account(tls_client_certificate_mode="none"), tls, tmp_path).client_cert is None
    )
    made = tls_options(account(tls_client_certificate_mode="self-signed"), tls, tmp_path)
    assert made.client_cert == str(tmp_path / "tls" / "office.pem")
    elsewhere = tmp_path / "mine.pem"
    own = account(tls_client_certificate_mode="self-signed", tls_client_certificate=str(elsewhere))
    assert tls_options(own, tls, tmp_path).client_cert == str(elsewhere) and elsewhere.exists()
    chosen = account(tls_client_certificate_mode="file", tls_client_certificate=str(elsewhere))
    assert tls_options(chosen, tls, tmp_path).client_cert == str(elsewhere)
    with pytest.raises(TransportError, match="no tls_client_certificate"):
        tls_options(account(tls_client_certificate_mode="file"), tls, tmp_path)
    # "default": the domain certificate, when it carries a key as well.
    combined = tmp_path / "domain.pem"
    combined.write_bytes(certs.cert_file.read_bytes() + certs.key_file.read_bytes())
    default = account(tls_client_certificate_mode="default")
    assert tls_options(
        default, TlsSettings(domain_certificate=str(combined)), tmp_path
    ).client_cert == str(combined)
    ca_only = TlsSettings(domain_certificate=str(certs.ca_file))
    assert tls_options(default, ca_only, tmp_path).client_cert is None


def test_account_context_with_a_bad_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as info:
        account_context(account(ca_file=str(tmp_path / "gone.pem")), TlsSettings(), tmp_path)
    assert "gone.pem" in str(info.value)


# --- the account keeps its last good TLS settings ------------------------------------------


class _StubDriver:
    """What `Account.__init__` and `_ssl_context` touch of the SIP driver."""

    def __init__(self) -> None:
        self.core = UserAgentCore(TimerConfig())
        self.user_agent = "Parley-test"

    def on_connection_lost(self, handler: object) -> None:
        pass


def test_account_keeps_the_last_good_context_when_a_file_goes_bad(
    certs: Certs, tmp_path: Path
) -> None:
    pbx = tmp_path / "pbx.pem"
    pbx.write_bytes(certs.ca_file.read_bytes())
    driver = _StubDriver()
    acc = Account(account(ca_file=str(pbx)), "pw", driver, lambda e: None)  # type: ignore[arg-type]
    good = acc._ssl_context()
    pbx.write_text("no longer a certificate")
    assert acc._ssl_context() is good  # the last good one stays
    # A new account with the bad file has no good one: the error names the file.
    fresh = Account(account(ca_file=str(pbx)), "pw", _StubDriver(), lambda e: None)  # type: ignore[arg-type]
    with pytest.raises(TransportError, match=r"pbx\.pem"):
        fresh._ssl_context()


def test_account_events_say_when_tls_is_unverified() -> None:
    off = Account(account(verify_tls=False), "pw", _StubDriver(), lambda e: None)  # type: ignore[arg-type]
    assert off.tls_unverified
    on = Account(account(), "pw", _StubDriver(), lambda e: None)  # type: ignore[arg-type]
    assert not on.tls_unverified
    globally = Account(
        account(),
        "pw",
        _StubDriver(),  # type: ignore[arg-type]
        lambda e: None,
        tls=lambda: TlsSettings(disable_verification=True),
    )
    assert globally.tls_unverified
    udp = Account(account(transport="udp", verify_tls=False), "pw", _StubDriver(), lambda e: None)  # type: ignore[arg-type]
    assert not udp.tls_unverified  # no TLS, nothing to warn about


# --- a TLS connection re-opened later is checked as the account asked -------------------------


@pytest.mark.asyncio
async def test_reopened_tls_connection_keeps_the_name_and_context(tmp_path: Path) -> None:
    named = make_certs(tmp_path / "named", common_name="pbx.test", alt_names="DNS:pbx.test")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(named.cert_file, named.key_file)
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(100))
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_ctx)
    dest = Address("tls", "127.0.0.1", server.sockets[0].getsockname()[1])
    layer = TransportLayer(lambda message, source: None)
    ctx = build_client_context(TlsOptions(trust_files=(str(named.ca_file),)))
    try:
        first = await layer.connect(dest, server_name="pbx.test", ssl_context=ctx)
        assert first.connection_id is not None
        layer.close_connection(first.connection_id)
        # A request after the loss: no name, no context given — the account's are used.
        await layer.send(b"OPTIONS\r\n\r\n", dest)
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        assert received
    finally:
        await layer.close()
        server.close()


# --- a TLS 1.3 refusal of a missing client certificate, racing our first write ----------------


@pytest.mark.asyncio
async def test_write_racing_the_refusal_names_the_client_certificate(certs: Certs) -> None:
    """TLS 1.3 servers refuse a missing client certificate after the handshake. When the
    alert closes the connection just as the first request goes out, the error must name
    the reason (found in the loss), not only say the connection is closed."""
    server_ctx = _server(certs)
    server_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.load_verify_locations(certs.ca_file)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read(100)
        except (ssl.SSLError, OSError):
            pass
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_ctx)
    dest = Address("tls", "127.0.0.1", server.sockets[0].getsockname()[1])
    layer = TransportLayer(lambda message, source: None)
    ctx = build_client_context(TlsOptions(trust_files=(str(certs.ca_file),)))
    try:
        opened = await layer.connect(dest, server_name="localhost", ssl_context=ctx)
        assert opened.connection_id is not None
        conn = layer._conns[opened.connection_id]

        def closed(data: bytes) -> None:  # the alert has closed it; its loss is still queued
            raise OSError(f"connection to {conn.remote} is closed")

        conn.write = closed  # type: ignore[method-assign]
        with pytest.raises(TransportError) as info:
            await layer.send(b"OPTIONS sip:x SIP/2.0\r\n\r\n", dest, connection_id=conn.id)
        text = str(info.value)
        assert "client certificate" in text, text
        assert "tls_client_certificate_mode" in text, text
    finally:
        await layer.close()
        server.close()
