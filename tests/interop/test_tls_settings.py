"""The manual's TLS settings against a real Kamailio (issue #11 §4): each one shown to
have its effect, with the registration that works and the clear failure.

Every case runs the real console (`parley console --json`) with a settings file, and
reads what a user reads: the account's state, the transport's words in `detail`, the
warning of an unverified account. Kamailio is set up per module-scoped fixture with the
tls.cfg the case needs (TLS 1.2 only, weak ciphers only, a certificate for another
name, client certificates required).
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from audio_tools import codec_ceiling, pesq_score, read_wav, speech_wav
from peers.baresip import Baresip
from peers.certs import Certs, make_certs, session_certs
from peers.common import free_port, require_binary
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002"}
OTHER_NAME = "pbx.other.test"


def _kamailio(tmp: Path, name: str, **kw: Any) -> Kamailio:
    port = free_port("both")
    return Kamailio(
        tmp / name, USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"), **kw
    )


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="module")
def kam_tls12(tmp_module: Path) -> Iterator[Kamailio]:
    """Kamailio that speaks TLS 1.2 and nothing newer."""
    kam = _kamailio(tmp_module, "tls12", tls_server={"method": "TLSv1.2"})
    kam.start()
    yield kam
    kam.close()


@pytest.fixture(scope="module")
def kam_weak(tmp_module: Path) -> Iterator[Kamailio]:
    """Kamailio offering only a CBC suite (no AEAD) over TLS 1.2."""
    kam = _kamailio(
        tmp_module,
        "weak",
        tls_server={"method": "TLSv1.2", "cipher_list": "ECDHE-ECDSA-AES256-SHA"},
    )
    kam.start()
    yield kam
    kam.close()


@pytest.fixture(scope="module")
def other_certs(tmp_module: Path) -> Certs:
    """A CA and a server certificate for pbx.other.test only (not 127.0.0.1)."""
    return make_certs(
        tmp_module / "other-certs", common_name=OTHER_NAME, alt_names=f"DNS:{OTHER_NAME}"
    )


@pytest.fixture(scope="module")
def kam_other_name(tmp_module: Path, other_certs: Certs) -> Iterator[Kamailio]:
    kam = _kamailio(tmp_module, "other-name", certs=other_certs)
    kam.start()
    yield kam
    kam.close()


@pytest.fixture(scope="module")
def client_ca_list(tmp_module: Path) -> Path:
    """The certificates Kamailio trusts for clients: at first the test CA only."""
    path = tmp_module / "client-ca-list.pem"
    shutil.copyfile(session_certs().ca_file, path)
    return path


@pytest.fixture(scope="module")
def kam_client_certs(tmp_module: Path, client_ca_list: Path) -> Iterator[Kamailio]:
    """Kamailio requiring a client certificate it can verify against `client_ca_list`."""
    kam = _kamailio(
        tmp_module,
        "client-certs",
        tls_server={
            "verify_certificate": "yes",
            "require_certificate": "yes",
            "ca_list": str(client_ca_list),
        },
    )
    kam.start()
    yield kam
    kam.close()


@pytest.fixture
def run_console(tmp_path: Path) -> Iterator[Any]:
    started: list[ParleyConsole] = []

    def run(accounts: list[dict[str, Any]], **top: Any) -> ParleyConsole:
        config = write_config(tmp_path / f"settings{len(started)}.toml", accounts, **top)
        console = ParleyConsole(config, log_dir=tmp_path)
        started.append(console)
        return console

    yield run
    for console in started:
        console.stop()


def tls_account(kam: Kamailio, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "office",
        "domain": f"127.0.0.1:{kam.tls_port}",
        "username": "1001",
        "password": "pass1001",
        "transport": "tls",
        "ca_file": str(kam.ca_file),
        "retry_interval": 600,  # one attempt is what each case looks at
    }
    data.update(extra)
    return data


def registers(console: ParleyConsole, kam: Kamailio) -> dict[str, Any]:
    event = console.wait_state("registered", timeout=30)
    contacts = kam.lookup("1001")
    assert len(contacts) == 1 and "transport=tls" in contacts[0].lower(), contacts
    return event


def fails(console: ParleyConsole, kam: Kamailio) -> dict[str, Any]:
    event = console.wait_state("failed", timeout=30)
    assert kam.lookup("1001") == []
    return event


def quit_and_unregister(console: ParleyConsole, kam: Kamailio) -> None:
    assert console.quit() == 0
    assert kam.lookup("1001") == []


# --- protocol suite ---------------------------------------------------------------------


def test_tls13_only_fails_against_a_tls12_server(kam_tls12: Kamailio, run_console: Any) -> None:
    console = run_console([tls_account(kam_tls12)], tls={"protocols": "tls1.3"})
    failed = fails(console, kam_tls12)
    detail = failed["detail"]
    assert "TLS handshake" in detail and "version" in detail, detail
    assert 'protocols = "tls1.2+"' in detail, detail
    assert console.quit() == 0


def test_tls12_plus_registers_with_a_tls12_server(kam_tls12: Kamailio, run_console: Any) -> None:
    console = run_console([tls_account(kam_tls12)], tls={"protocols": "tls1.2+"})
    registered = registers(console, kam_tls12)
    assert registered["tls_unverified"] is False
    quit_and_unregister(console, kam_tls12)


def test_ssl_is_refused_at_start_with_the_reason(kam_tls12: Kamailio, run_console: Any) -> None:
    console = run_console([tls_account(kam_tls12)], tls={"protocols": "SSL v2/3"})
    assert console.proc.wait(timeout=30) == 2
    stderr = console.stderr_tail()
    assert "tls.protocols" in stderr and "SSL v2 and v3 are broken" in stderr, stderr


# --- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize("problem", ["missing", "not pem", "wrong key"])
def test_a_bad_certificate_file_is_named_and_nothing_crashes(
    kam_tls12: Kamailio, run_console: Any, tmp_path: Path, problem: str
) -> None:
    bad = tmp_path / "bad.pem"
    extra: dict[str, Any] = {}
    if problem == "missing":
        extra["ca_file"] = str(bad)
    elif problem == "not pem":
        bad.write_bytes(b"\x30\x82 this is no certificate")
        extra["ca_file"] = str(bad)
    else:
        other = make_certs(tmp_path / "other")
        bad.write_bytes(kam_tls12.certs.cert_file.read_bytes() + other.key_file.read_bytes())
        extra.update(tls_client_certificate_mode="file", tls_client_certificate=str(bad))
    console = run_console([tls_account(kam_tls12, **extra)])
    failed = fails(console, kam_tls12)
    assert str(bad) in failed["detail"], failed["detail"]
    assert {"missing": "not found", "not pem": "PEM", "wrong key": "private key"}[problem] in (
        failed["detail"]
    )
    assert console.quit() == 0  # the console is still there to be told to quit


# --- strong ciphers -------------------------------------------------------------------


def test_strong_ciphers_only_refuses_a_server_with_weak_suites(
    kam_weak: Kamailio, run_console: Any
) -> None:
    console = run_console([tls_account(kam_weak)], tls={"strong_ciphers_only": True})
    failed = fails(console, kam_weak)
    detail = failed["detail"]
    assert "TLS handshake" in detail and "cipher" in detail, detail
    assert "strong_ciphers_only" in detail, detail
    assert console.quit() == 0


def test_without_strong_ciphers_only_the_weak_server_is_reached(
    kam_weak: Kamailio, run_console: Any
) -> None:
    console = run_console([tls_account(kam_weak)], tls={"strong_ciphers_only": False})
    registers(console, kam_weak)
    quit_and_unregister(console, kam_weak)


# --- the server's name, the override domain name, verification ---------------------


def test_certificate_for_another_name_fails_verification(
    kam_other_name: Kamailio, run_console: Any
) -> None:
    console = run_console([tls_account(kam_other_name)])
    failed = fails(console, kam_other_name)
    detail = failed["detail"]
    assert "certificate verify failed" in detail and "mismatch" in detail, detail
    assert "tls_server_name" in detail, detail
    assert console.quit() == 0


def test_override_domain_name_registers(kam_other_name: Kamailio, run_console: Any) -> None:
    console = run_console([tls_account(kam_other_name, tls_server_name=OTHER_NAME)])
    registered = registers(console, kam_other_name)
    assert registered["tls_unverified"] is False
    quit_and_unregister(console, kam_other_name)


def test_domain_certificate_is_trusted_for_the_account(
    kam_other_name: Kamailio, run_console: Any
) -> None:
    """[tls] domain_certificate in place of the account's ca_file."""
    account = tls_account(kam_other_name, tls_server_name=OTHER_NAME, ca_file="")
    console = run_console([account], tls={"domain_certificate": str(kam_other_name.ca_file)})
    registers(console, kam_other_name)
    quit_and_unregister(console, kam_other_name)


def test_override_without_a_certificate_is_the_manuals_initialisation_error(
    kam_other_name: Kamailio, run_console: Any
) -> None:
    account = tls_account(kam_other_name, tls_server_name=OTHER_NAME, ca_file="")
    console = run_console([account])
    assert console.proc.wait(timeout=30) == 2
    stderr = console.stderr_tail()
    assert "tls_server_name" in stderr and "no certificate is given" in stderr, stderr


def test_disable_verification_registers_and_warns(
    kam_other_name: Kamailio, run_console: Any
) -> None:
    account = tls_account(kam_other_name, ca_file="")
    console = run_console([account], tls={"disable_verification": True})
    registered = registers(console, kam_other_name)
    assert registered["tls_unverified"] is True
    assert "not checked" in registered["text"], registered["text"]
    quit_and_unregister(console, kam_other_name)


# --- client certificates ("Use certificate as") -----------------------------------------


def test_no_client_certificate_is_refused(kam_client_certs: Kamailio, run_console: Any) -> None:
    console = run_console([tls_account(kam_client_certs, tls_client_certificate_mode="none")])
    event = console.wait_for(
        lambda e: e.get("event") == "account" and e.get("state") in ("failed", "registered"),
        timeout=40,
    )
    assert event["state"] == "failed", event
    assert "client certificate" in event["detail"], event["detail"]
    assert "tls_client_certificate_mode" in event["detail"], event["detail"]
    assert kam_client_certs.lookup("1001") == []
    assert console.quit() == 0


def test_client_certificate_file_signed_by_the_ca_registers(
    kam_client_certs: Kamailio, run_console: Any, tmp_path: Path
) -> None:
    pem = _client_cert_signed_by(session_certs(), tmp_path)
    account = tls_account(
        kam_client_certs, tls_client_certificate_mode="file", tls_client_certificate=str(pem)
    )
    console = run_console([account])
    registers(console, kam_client_certs)
    quit_and_unregister(console, kam_client_certs)


def test_default_uses_the_domain_certificate_as_client_certificate(
    kam_client_certs: Kamailio, run_console: Any, tmp_path: Path
) -> None:
    """ "Use certificate as: default": the certificate of Advanced › TLS, here a PEM file
    with a CA-signed client certificate and its key."""
    pem = _client_cert_signed_by(session_certs(), tmp_path)
    account = tls_account(kam_client_certs, tls_client_certificate_mode="default")
    console = run_console([account], tls={"domain_certificate": str(pem)})
    registers(console, kam_client_certs)
    quit_and_unregister(console, kam_client_certs)


def test_self_signed_client_certificate_is_made_kept_private_and_reused(
    kam_client_certs: Kamailio, client_ca_list: Path, run_console: Any, tmp_path: Path
) -> None:
    account = tls_account(kam_client_certs, tls_client_certificate_mode="self-signed")
    # The server does not know our new certificate yet: refused.
    first = run_console([account])
    event = first.wait_for(
        lambda e: e.get("event") == "account" and e.get("state") in ("failed", "registered"),
        timeout=40,
    )
    assert event["state"] == "failed", event
    assert "does not trust our client certificate" in event["detail"], event["detail"]
    assert first.quit() == 0
    made = tmp_path / "tls" / "office.pem"  # the config folder is the settings file's
    assert made.exists()
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    pem = made.read_bytes()
    assert b"BEGIN CERTIFICATE" in pem and b"PRIVATE KEY" in pem

    # The PBX admin adds it to the trusted client certificates: now it registers,
    # and with the same certificate (made once, reused).
    with client_ca_list.open("ab") as out:
        out.write(pem.split(b"-----BEGIN PRIVATE KEY-----")[0])
    kam_client_certs.restart()
    second = run_console([account])
    registers(second, kam_client_certs)
    assert made.read_bytes() == pem
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    quit_and_unregister(second, kam_client_certs)


def _client_cert_signed_by(ca: Certs, directory: Path) -> Path:
    """A client certificate and key (one PEM file) signed by the test CA."""
    openssl = require_binary("openssl")
    key, csr, crt = directory / "client.key", directory / "client.csr", directory / "client.crt"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    subprocess.run(
        [openssl, "req", *ec, "-subj", "/CN=1001", "-keyout", str(key), "-out", str(csr)],
        check=True,
        capture_output=True,
    )
    sign = ["x509", "-req", "-in", str(csr), "-days", "30", "-out", str(crt)]
    sign += ["-CA", str(ca.ca_file), "-CAkey", str(ca.ca_key), "-CAcreateserial"]
    subprocess.run([openssl, *sign], check=True, capture_output=True)
    pem = directory / "client.pem"
    pem.write_bytes(crt.read_bytes() + key.read_bytes())
    pem.chmod(0o600)
    return pem


# --- a call over TLS with every setting at its strictest still carries audio --------------


@pytest.fixture(scope="module")
def kam_plain(tmp_module: Path) -> Iterator[Kamailio]:
    kam = _kamailio(tmp_module, "plain")
    kam.start()
    yield kam
    kam.close()


def test_call_over_strict_tls_carries_audio(kam_plain: Kamailio, tmp_path: Path) -> None:
    """Parley on TLS 1.3 only, strong ciphers, a self-signed client certificate; baresip
    on UDP through Kamailio; speech both ways, scored with PESQ."""
    speech = speech_wav(8000)
    record_dir = tmp_path / "parley-heard"
    heard_by_baresip = tmp_path / "heard-by-baresip.wav"
    account = tls_account(
        kam_plain, codecs=["pcmu"], tls_client_certificate_mode="self-signed", retry_interval=30
    )
    config = write_config(
        tmp_path / "settings.toml",
        [account],
        tls={"protocols": "tls1.3", "strong_ciphers_only": True},
    )
    parley = ParleyConsole(
        config, log_dir=tmp_path, extra=["--play", str(speech), "--record-dir", str(record_dir)]
    )
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=USERS["1002"],
        registrar=f"{kam_plain.host}:{kam_plain.udp_port}",
        codecs=["PCMU/8000/1"],
        play_wav=speech,
        record_wav=heard_by_baresip,
        record_rate=8000,
        auto_answer=True,
    )
    try:
        registered = parley.wait_state("registered", timeout=30)
        assert registered["tls_unverified"] is False
        assert (tmp_path / "tls" / "office.pem").exists()
        far.start(timeout=30)
        parley.send("dial 1002")  # at the account's server, over its TLS connection
        parley.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "connected", 30)
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        assert far.wait_audio(20), "baresip heard nothing"
        samples, rate = read_wav(speech)
        time.sleep(2 * samples.size / rate + 1.0)  # one whole copy of the looped speech
        parley.send("hangup")
        parley.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "ended", 30)
        far.wait_call_state("CALL_CLOSED", timeout=30)
        far.stop()
        assert parley.quit() == 0
    finally:
        far.stop()
        parley.stop()
    # The INVITE went out over TLS to the server's TLS port (the SIP trace is on).
    trace = (tmp_path / "parley-console.stderr").read_text()
    assert f">> TLS 127.0.0.1:{kam_plain.tls_port}\nINVITE " in trace
    files = sorted(record_dir.glob("*.wav"))
    assert len(files) == 1, files
    ceiling = codec_ceiling("pcmu")
    to_baresip = pesq_score(speech, heard_by_baresip, "nb")
    to_parley = pesq_score(speech, files[0], "nb")
    print(
        f"PESQ over TLS: to baresip {to_baresip:.2f}, to Parley {to_parley:.2f}, ceiling {ceiling:.2f}"
    )
    # The margin of the plain-call tests plus room for one late packet on a loaded machine.
    assert to_baresip >= ceiling - 0.3, (to_baresip, ceiling)
    assert to_parley >= ceiling - 0.3, (to_parley, ceiling)
