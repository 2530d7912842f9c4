"""The real-peer fixtures themselves: Kamailio and the SIPp scenarios work.

These tests drive the peers with third-party clients (sipsak, SIPp) or a
few lines of raw SIP, never with Parley, so that a failure here means the
test bed is broken, not the softphone.
"""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from peers.common import LOOPBACK, free_port, require_binary, wait_until
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop


# --- helpers -------------------------------------------------------------------


def sipsak_register(
    kam: Kamailio,
    user: str,
    password: str,
    *,
    contact_port: int,
    transport: str = "udp",
    expires: int = 300,
) -> subprocess.CompletedProcess[str]:
    """Register ``sip:USER@127.0.0.1:contact_port`` at ``kam`` with sipsak (digest auth)."""
    sipsak = require_binary("sipsak")
    port = kam.udp_port if transport == "udp" else kam.tcp_port
    argv = [sipsak, "--usrloc-mode", "--no-via", "--hostname", LOOPBACK, "--local-ip", LOOPBACK]
    argv += [f"--transport={transport}", f"--expires={expires}"]
    argv += [f"--contact=sip:{user}@{LOOPBACK}:{contact_port}", f"--password={password}"]
    argv += [f"--sip-uri=sip:{user}@{LOOPBACK}:{port}"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)


class RawUdpUac:
    """A few lines of SIP over UDP: one REGISTER dialog with one Call-ID."""

    def __init__(self, server: tuple[str, int]) -> None:
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.settimeout(10)
        self.port: int = self.sock.getsockname()[1]
        self.call_id = f"{uuid.uuid4().hex}@{LOOPBACK}"
        self.cseq = 0
        self.last = b""

    def close(self) -> None:
        self.sock.close()

    def register(
        self, *, expires: int, authorization: str | None = None, header: str = "Authorization"
    ) -> None:
        self.cseq += 1
        host, port = self.server
        lines = [
            f"REGISTER sip:{host}:{port} SIP/2.0",
            f"Via: SIP/2.0/UDP {LOOPBACK}:{self.port};branch=z9hG4bK{uuid.uuid4().hex};rport",
            "Max-Forwards: 70",
            f"From: <sip:1001@{host}>;tag=smoke{self.port}",
            f"To: <sip:1001@{host}>",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} REGISTER",
            f"Contact: <sip:1001@{LOOPBACK}:{self.port}>",
            f"Expires: {expires}",
        ]
        if authorization:
            lines.append(f"{header}: {authorization}")
        lines += ["Content-Length: 0", "", ""]
        self.last = "\r\n".join(lines).encode()
        self.sock.sendto(self.last, self.server)

    def retransmit(self) -> None:
        """Send the last request again, byte for byte (RFC 3261 17.1.2.2)."""
        self.sock.sendto(self.last, self.server)

    def receive(self) -> str:
        data, _ = self.sock.recvfrom(65535)
        return data.decode(errors="replace")


def status_of(response: str) -> str:
    return response.split("\r\n", 1)[0]


def digest(challenge_response: str, header: str, uri: str) -> str:
    """Credentials for the challenge in ``header`` of ``challenge_response``.

    SIPp cannot check them, but they are computed as RFC 2617 says anyway.
    """
    match = re.search(rf"^{header}:\s*Digest (.*)$", challenge_response, flags=re.M | re.I)
    assert match, f"no {header} in:\n{challenge_response}"
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', match.group(1)))
    realm, nonce = params["realm"], params["nonce"]

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5(f"1001:{realm}:pass1001")
    ha2 = md5(f"REGISTER:{uri}")
    response = md5(f"{ha1}:{nonce}:00000001:cafe:auth:{ha2}")
    return (
        f'Digest username="1001", realm="{realm}", nonce="{nonce}", uri="{uri}", '
        f'response="{response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="cafe"'
    )


SippFactory = Callable[[str], Sipp]


@pytest.fixture
def sipp_registrar(tmp_path: Path) -> Iterator[SippFactory]:
    """Factory: start a SIPp registrar scenario (UAS) on a free UDP port."""
    started: list[Sipp] = []

    def start(name: str) -> Sipp:
        sipp = Sipp(
            SCENARIOS / name,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            workdir=tmp_path,
        )
        started.append(sipp.start())
        return sipp

    yield start
    for sipp in started:
        sipp.stop()


# --- Kamailio ------------------------------------------------------------------------


def test_kamailio_registers_over_udp_with_digest(kamailio: Kamailio) -> None:
    assert kamailio.lookup("1001") == []
    result = sipsak_register(kamailio, "1001", "pass1001", contact_port=7001)
    assert result.returncode == 0, result.stdout + result.stderr
    assert kamailio.lookup("1001") == [f"sip:1001@{LOOPBACK}:7001"]
    assert "AoR: 1001" in kamailio.dump()


def test_kamailio_refuses_a_wrong_password(kamailio: Kamailio) -> None:
    result = sipsak_register(kamailio, "1002", "not-the-password", contact_port=7002)
    assert result.returncode != 0
    assert kamailio.lookup("1002") == []


def test_kamailio_registers_over_tcp(kamailio: Kamailio) -> None:
    result = sipsak_register(kamailio, "1003", "pass1003", contact_port=7003, transport="tcp")
    assert result.returncode == 0, result.stdout + result.stderr
    assert kamailio.lookup("1003") == [f"sip:1003@{LOOPBACK}:7003"]
    assert f"Socket: tcp:{LOOPBACK}:{kamailio.tcp_port}" in kamailio.dump()


def test_kamailio_registers_over_tls(kamailio: Kamailio) -> None:
    # sipsak's TLS mode does not work against Kamailio here: a few lines of SIP instead.
    context = ssl.create_default_context(cafile=str(kamailio.ca_file))
    with (
        socket.create_connection((LOOPBACK, kamailio.tls_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=LOOPBACK) as tls,
    ):
        local_port = tls.getsockname()[1]
        uri = f"sip:{LOOPBACK}:{kamailio.tls_port};transport=tls"
        contact = f"sip:1001@{LOOPBACK}:{local_port};transport=tls"
        tls.sendall(register_request(uri, contact, cseq=1, transport="TLS", local_port=local_port))
        challenge = tls.recv(65535).decode()
        assert status_of(challenge) == "SIP/2.0 401 Unauthorized", challenge
        credentials = digest(challenge, "WWW-Authenticate", uri)
        tls.sendall(
            register_request(
                uri, contact, cseq=2, transport="TLS", local_port=local_port, auth=credentials
            )
        )
        answer = tls.recv(65535).decode()
        assert status_of(answer) == "SIP/2.0 200 OK", answer
        assert kamailio.lookup("1001") == [contact]


def register_request(
    uri: str, contact: str, *, cseq: int, transport: str, local_port: int, auth: str = ""
) -> bytes:
    lines = [
        f"REGISTER {uri} SIP/2.0",
        f"Via: SIP/2.0/{transport} {LOOPBACK}:{local_port};branch=z9hG4bK{uuid.uuid4().hex};rport",
        "Max-Forwards: 70",
        f"From: <sip:1001@{LOOPBACK}>;tag=smoke",
        f"To: <sip:1001@{LOOPBACK}>",
        "Call-ID: smoke-tls-register",
        f"CSeq: {cseq} REGISTER",
        f"Contact: <{contact}>",
        "Expires: 300",
    ]
    if auth:
        lines.append(f"Authorization: {auth}")
    return ("\r\n".join([*lines, "Content-Length: 0", "", ""])).encode()


def test_kamailio_tls_certificate_verifies_against_ca_file(kamailio: Kamailio) -> None:
    for server_name in (LOOPBACK, "localhost"):
        context = ssl.create_default_context(cafile=str(kamailio.ca_file))
        with (
            socket.create_connection((LOOPBACK, kamailio.tls_port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=server_name) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            # An OPTIONS to the proxy itself over TLS is answered 200.
            tls.sendall(options_request(kamailio.tls_port, "TLS", tls.getsockname()[1]))
            answer = tls.recv(65535).decode()
            assert answer.startswith("SIP/2.0 200 "), answer


def test_kamailio_tls_rejects_an_unknown_ca(kamailio: Kamailio) -> None:
    context = ssl.create_default_context()  # the system CAs never signed our test CA
    with (
        socket.create_connection((LOOPBACK, kamailio.tls_port), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname=LOOPBACK)


def options_request(port: int, transport: str, local_port: int) -> bytes:
    return (
        f"OPTIONS sip:{LOOPBACK}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} {LOOPBACK}:{local_port};branch=z9hG4bK{uuid.uuid4().hex}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:1001@{LOOPBACK}>;tag=smoke\r\n"
        f"To: <sip:{LOOPBACK}:{port}>\r\n"
        f"Call-ID: {uuid.uuid4().hex}\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def test_kamailio_answers_crlf_keepalive_ping_on_tcp(kamailio: Kamailio) -> None:
    # RFC 5626 section 4.4.1: a CRLFCRLF ping is answered with a CRLF pong.
    with socket.create_connection((LOOPBACK, kamailio.tcp_port), timeout=10) as conn:
        conn.sendall(b"\r\n\r\n")
        assert conn.recv(16) == b"\r\n"


def test_kamailio_restart_keeps_ports_and_forgets_registrations(kamailio: Kamailio) -> None:
    assert sipsak_register(kamailio, "1001", "pass1001", contact_port=7001).returncode == 0
    assert kamailio.lookup("1001")
    kamailio.restart()
    assert kamailio.lookup("1001") == []
    assert sipsak_register(kamailio, "1001", "pass1001", contact_port=7004).returncode == 0
    assert kamailio.lookup("1001") == [f"sip:1001@{LOOPBACK}:7004"]


def test_kamailio_proxies_a_call_between_registered_users(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    callee = Sipp(
        SCENARIOS / "call_uas.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=tmp_path,
    )
    caller: Sipp | None = None
    with callee:
        reg = sipsak_register(kamailio, "1002", "pass1002", contact_port=callee.local_port)
        assert reg.returncode == 0, reg.stdout + reg.stderr
        caller = Sipp(
            SCENARIOS / "call_uac_auth.xml",
            local_port=free_port("udp"),
            remote=f"{LOOPBACK}:{kamailio.udp_port}",
            media_port=free_port("udp"),
            keys={"caller": "1001"},
            extra_args=["-s", "1002", "-au", "1001", "-ap", "pass1001"],
            workdir=tmp_path,
        )
        with caller:
            assert caller.wait(timeout=60) == 0, caller.errors()
            assert callee.wait(timeout=30) == 0, callee.errors()
    messages = caller.messages()
    assert "SIP/2.0 407 " in messages
    assert re.search(r"^Record-Route: <sip:127\.0\.0\.1:\d+;lr", messages, flags=re.M)
    # The BYE went through the proxy, along the recorded route.
    assert re.search(r"^BYE .*\r?\n(.*\r?\n)*?Route: <sip:127\.0\.0\.1", messages, flags=re.M)


def test_kamailio_nat_helpers_remember_the_tcp_source(tmp_path: Path) -> None:
    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kamailio",
        {"1001": "pass1001"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        nat_helpers=True,
    )
    with kam:
        result = sipsak_register(kam, "1001", "pass1001", contact_port=7001, transport="tcp")
        assert result.returncode == 0, result.stdout + result.stderr
        assert kam.lookup("1001") == [f"sip:1001@{LOOPBACK}:7001"]
        # fix_nated_register stored where the REGISTER really came from.
        assert re.search(r"Received: sip:127\.0\.0\.1:\d+;transport=tcp", kam.dump())


# --- SIPp misbehaving registrars ------------------------------------------------------


def test_sipp_reg_401_then_407(sipp_registrar: SippFactory) -> None:
    sipp = sipp_registrar("reg_401_then_407.xml")
    uac = RawUdpUac(sipp.address)
    uri = f"sip:{LOOPBACK}:{sipp.local_port}"
    try:
        uac.register(expires=600)
        first = uac.receive()
        assert status_of(first) == "SIP/2.0 401 Unauthorized"
        uac.register(expires=600, authorization=digest(first, "WWW-Authenticate", uri))
        second = uac.receive()
        assert status_of(second) == "SIP/2.0 407 Proxy Authentication Required"
        proxy_auth = digest(second, "Proxy-Authenticate", uri)
        uac.register(expires=600, authorization=proxy_auth, header="Proxy-Authorization")
        third = uac.receive()
        assert status_of(third) == "SIP/2.0 200 OK"
        assert f"Contact: <sip:1001@{LOOPBACK}:{uac.port}>;expires=600" in third
    finally:
        uac.close()
    assert sipp.wait(timeout=30) == 0, sipp.errors()


def test_sipp_reg_stale(sipp_registrar: SippFactory) -> None:
    sipp = sipp_registrar("reg_stale.xml")
    uac = RawUdpUac(sipp.address)
    uri = f"sip:{LOOPBACK}:{sipp.local_port}"
    try:
        uac.register(expires=120)
        challenge = uac.receive()
        assert status_of(challenge) == "SIP/2.0 401 Unauthorized"
        credentials = digest(challenge, "WWW-Authenticate", uri)
        uac.register(expires=120, authorization=credentials)
        assert status_of(uac.receive()) == "SIP/2.0 200 OK"
        # The refresh with the old credentials: their nonce is now stale.
        uac.register(expires=120, authorization=credentials)
        stale = uac.receive()
        assert status_of(stale) == "SIP/2.0 401 Unauthorized"
        assert "stale=true" in stale
        uac.register(expires=120, authorization=digest(stale, "WWW-Authenticate", uri))
        final = uac.receive()
        assert status_of(final) == "SIP/2.0 200 OK"
        assert "Expires: 120" in final
    finally:
        uac.close()
    assert sipp.wait(timeout=30) == 0, sipp.errors()


def test_sipp_reg_stale_fails_when_the_old_nonce_is_reused(sipp_registrar: SippFactory) -> None:
    sipp = sipp_registrar("reg_stale.xml")
    uac = RawUdpUac(sipp.address)
    uri = f"sip:{LOOPBACK}:{sipp.local_port}"
    try:
        uac.register(expires=120)
        credentials = digest(uac.receive(), "WWW-Authenticate", uri)
        uac.register(expires=120, authorization=credentials)
        uac.receive()
        uac.register(expires=120, authorization=credentials)
        assert "stale=true" in uac.receive()
        uac.register(expires=120, authorization=credentials)  # wrong: the stale nonce again
    finally:
        uac.close()
    assert sipp.wait(timeout=30) == 1


def test_sipp_reg_423(sipp_registrar: SippFactory) -> None:
    sipp = sipp_registrar("reg_423.xml")
    uac = RawUdpUac(sipp.address)
    try:
        uac.register(expires=60)
        refused = uac.receive()
        assert status_of(refused) == "SIP/2.0 423 Interval Too Brief"
        assert "Min-Expires: 1800" in refused
        uac.register(expires=1800)
        accepted = uac.receive()
        assert status_of(accepted) == "SIP/2.0 200 OK"
        assert "Expires: 1800" in accepted
    finally:
        uac.close()
    assert sipp.wait(timeout=30) == 0, sipp.errors()


def test_sipp_reg_423_fails_a_retry_below_min_expires(sipp_registrar: SippFactory) -> None:
    sipp = sipp_registrar("reg_423.xml")
    uac = RawUdpUac(sipp.address)
    try:
        uac.register(expires=60)
        assert status_of(uac.receive()) == "SIP/2.0 423 Interval Too Brief"
        uac.register(expires=1799)
    finally:
        uac.close()
    assert sipp.wait(timeout=30) == 1


def test_sipp_reg_malformed(sipp_registrar: SippFactory) -> None:
    sipp = sipp_registrar("reg_malformed.xml")
    uac = RawUdpUac(sipp.address)
    uri = f"sip:{LOOPBACK}:{sipp.local_port}"
    try:
        uac.register(expires=300)
        bogus_status = uac.receive()
        assert status_of(bogus_status) == "SIP/2.O 4O1 Un@uthorized"
        broken_headers = uac.receive()
        assert "CSeq: REGISTER one" in broken_headers
        assert "this line is not a header at all" in broken_headers
        challenge = uac.receive()
        assert status_of(challenge) == "SIP/2.0 401 Unauthorized"
        assert f"CSeq: {uac.cseq} REGISTER" in challenge
        uac.register(expires=300, authorization=digest(challenge, "WWW-Authenticate", uri))
        assert status_of(uac.receive()) == "SIP/2.0 200 OK"
    finally:
        uac.close()
    assert sipp.wait(timeout=30) == 0, sipp.errors()


def test_sipp_reg_no_answer(sipp_registrar: SippFactory) -> None:
    sipp = sipp_registrar("reg_no_answer.xml")
    uac = RawUdpUac(sipp.address)
    try:
        uac.sock.settimeout(0.5)
        uac.register(expires=300)
        for _ in range(2):
            uac.retransmit()
        uac.register(expires=300)  # a new attempt after the transaction timed out
        with pytest.raises(TimeoutError):
            uac.receive()
    finally:
        uac.close()
    assert wait_until(lambda: sipp.received_count("REGISTER") == 4), sipp.messages()
    assert sipp.running  # it keeps listening (and never answers) until stopped
